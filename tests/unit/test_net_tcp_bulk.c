/* SPDX-License-Identifier: ISC */
/* What makes bulk TCP fast on mirari's stack, on the fake wire (net_fake.h):
 * the congestion window counts acknowledged bytes, not ACKs (RFC 3465),
 * and grows only when it is used (RFC 7661); send and receive buffers grow
 * when they are what limits a transfer, and only then; a batch of frames
 * draws one answer. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <mirari/net.h>
#include <mirari/netstats.h>

#include "net_fake.h"

#define A_IP MI_IPV4(10, 0, 0, 1)
#define B_IP MI_IPV4(10, 0, 0, 2)
#define P_IP MI_IPV4(10, 0, 0, 9)
#define MASK MI_IPV4(255, 255, 255, 0)
#define MSS  1460

/* ---- the application on the stack: writes what it is told, reads all ---- */
struct app {
    mi_tcp *t;
    uint64_t to_send, sent, received;
    bool paused, eof;
};
static struct app app;

static void pump(mi_tcp *t)
{
    static uint8_t buf[16384];
    while (app.sent < app.to_send) {
        size_t n = app.to_send - app.sent < sizeof(buf) ? app.to_send - app.sent : sizeof(buf);
        ssize_t r = mi_tcp_write(t, buf, n);
        if (r <= 0)
            return;
        app.sent += (uint64_t)r;
    }
}

static void on_readable(mi_tcp *t, void *arg)
{
    (void)arg;
    static uint8_t buf[1 << 20];
    while (!app.paused) {
        ssize_t r = mi_tcp_read(t, buf, sizeof(buf));
        if (r <= 0) {
            app.eof = r == 0;
            return;
        }
        app.received += (uint64_t)r;
    }
}

static void on_writable(mi_tcp *t, void *arg)
{
    (void)arg;
    pump(t);
}

static void on_connect(mi_tcp *t, int err, void *arg)
{
    (void)arg;
    assert_int_equal(err, 0);
    pump(t);
}

static const struct mi_tcp_callbacks conn_cb = {
    .on_connect = on_connect, .on_readable = on_readable, .on_writable = on_writable};

static void on_accept(mi_tcp *l, mi_tcp *conn, void *arg)
{
    (void)l, (void)arg;
    app.t = conn;
    mi_tcp_set_callbacks(conn, &conn_cb, NULL);
}

static const struct mi_tcp_callbacks listen_cb = {.on_accept = on_accept};

/* ---- a scripted peer P connected to stack A (listening on 80) ---- */
struct peer {
    struct net_stack *s;
    struct fake_tap *tap;
    uint32_t snd_nxt, rcv_nxt;
};

static size_t peer_frame(uint8_t *f, struct peer *p, uint32_t seq, uint32_t ack, uint8_t flags,
                         const void *data, size_t len)
{
    static const uint8_t mss_opt[4] = {2, 4, MSS >> 8, MSS & 0xff};
    struct fake_tcp h = {.sport = 40000,
                         .dport = 80,
                         .seq = seq,
                         .ack = ack,
                         .flags = flags,
                         .wnd = 65535,
                         .opt = (flags & TCP_SYN) ? mss_opt : NULL,
                         .optlen = (flags & TCP_SYN) ? sizeof(mss_opt) : 0};
    return fake_build_tcp(f, p->s->mac, p->tap->mac, P_IP, A_IP, &h, data, len);
}

static void peer_send(struct peer *p, uint32_t seq, uint32_t ack, uint8_t flags, const void *data,
                      size_t len)
{
    uint8_t f[2048];
    fake_tap_send(p->tap, f, peer_frame(f, p, seq, ack, flags, data, len));
}

/* A's TCP segments P received since the last clear: how many, the data
 * bytes they carried, and the highest acknowledgment. */
static size_t from_a(struct peer *p, uint64_t *bytes, uint32_t *ack)
{
    size_t n = 0;
    *bytes = 0;
    struct fake_parsed x;
    for (size_t i = 0; i < p->tap->n; i++)
        if (fake_parse(p->tap->frames[i], p->tap->lens[i], &x) && x.proto == IP_PROTO_TCP &&
            x.src == A_IP) {
            n++;
            *bytes += x.len;
            *ack = x.tcp.ack;
        }
    return n;
}

static void peer_connect(struct peer *p, uint64_t seed)
{
    int err;
    memset(p, 0, sizeof(*p));
    memset(&app, 0, sizeof(app));
    fake_reset(seed);
    p->s = fake_stack_new(1, A_IP, MASK, 0);
    p->tap = fake_tap_new(9, P_IP, NULL, NULL);
    fake_use(p->s);
    assert_non_null(mi_tcp_listen(MI_IPV4_ANY, 80, &listen_cb, NULL, &err));
    p->snd_nxt = 1000;
    peer_send(p, p->snd_nxt, 0, TCP_SYN, NULL, 0);
    fake_run_for(MS(10));
    struct fake_parsed r;
    assert_true(p->tap->n > 0);
    assert_true(fake_parse(p->tap->frames[p->tap->n - 1], p->tap->lens[p->tap->n - 1], &r));
    assert_int_equal(r.tcp.flags, TCP_SYN | TCP_ACK);
    p->snd_nxt++;
    p->rcv_nxt = r.tcp.seq + 1;
    peer_send(p, p->snd_nxt, p->rcv_nxt, TCP_ACK, NULL, 0);
    fake_run_for(MS(10));
    assert_non_null(app.t);
    assert_int_equal(app.t->snd_mss, MSS);
    fake_tap_clear(p->tap);
}

static void peer_done(struct peer *p)
{
    fake_stack_free(p->s);
    fake_reset(0);
}

/* ---- congestion window ---- */

static void test_slow_start_counts_acknowledged_bytes(void **state)
{
    (void)state;
    struct peer p;
    peer_connect(&p, 1);
    uint32_t iw = app.t->cwnd;
    app.to_send = 200000;
    pump(app.t);
    fake_run_for(MS(1));
    uint64_t bytes;
    uint32_t ack;
    from_a(&p, &bytes, &ack);
    assert_int_equal(bytes, iw); /* the initial window went out */
    /* One ACK for all of it, as a receiver that coalesces segments sends:
     * the window grows by what it acknowledged, not by one MSS. */
    p.rcv_nxt += iw;
    fake_tap_clear(p.tap);
    peer_send(&p, p.snd_nxt, p.rcv_nxt, TCP_ACK, NULL, 0);
    fake_run_for(MS(1));
    assert_int_equal(app.t->cwnd, 2 * iw);
    from_a(&p, &bytes, &ack);
    assert_int_equal(bytes, 2 * iw);
    peer_done(&p);
}

static void test_unused_window_does_not_grow(void **state)
{
    (void)state;
    struct peer p;
    peer_connect(&p, 2);
    uint32_t iw = app.t->cwnd;
    /* An application that sends a little at a time never fills the
     * window: acknowledging it must not make the window larger. */
    for (int i = 0; i < 20; i++) {
        app.to_send += 1000;
        pump(app.t);
        fake_run_for(MS(1));
        p.rcv_nxt += 1000;
        peer_send(&p, p.snd_nxt, p.rcv_nxt, TCP_ACK, NULL, 0);
        fake_run_for(MS(1));
    }
    assert_int_equal(app.t->snd_una, p.rcv_nxt);
    assert_int_equal(app.t->cwnd, iw);
    peer_done(&p);
}

/* ---- buffers ---- */

static bool received_all(void *arg)
{
    return app.received == *(uint64_t *)arg;
}

/* Stack A sends `size` bytes to stack B over a 2 ms round trip; B's
 * application reads only when `reads`. The connection's two ends. */
static void pair_transfer(uint64_t size, bool reads, mi_tcp **snd, mi_tcp **rcv,
                          struct net_stack **a, struct net_stack **b)
{
    int err;
    memset(&app, 0, sizeof(app));
    fake_reset(3);
    *a = fake_stack_new(1, A_IP, MASK, 0);
    *b = fake_stack_new(2, B_IP, MASK, 0);
    struct fake_impair imp = {.delay_ns = MS(1)};
    fake_impair(&imp);
    fake_use(*b);
    assert_non_null(mi_tcp_listen(MI_IPV4_ANY, 80, &listen_cb, NULL, &err));
    fake_use(*a);
    app.paused = !reads;
    app.to_send = size;
    *snd = mi_tcp_connect(B_IP, 80, &conn_cb, NULL, &err);
    assert_non_null(*snd);
    if (reads)
        assert_true(fake_run_until(received_all, &size, SEC(60)));
    else
        fake_run_for(SEC(5));
    *rcv = app.t;
}

static void test_buffers_grow_for_a_bulk_transfer(void **state)
{
    (void)state;
    mi_tcp *snd, *rcv;
    struct net_stack *a, *b;
    pair_transfer(8 << 20, true, &snd, &rcv, &a, &b);
    /* The sender's buffer limited it (it is kept at twice the window),
     * then the receiver's window did (its reader kept up): both grew. */
    assert_true(snd->snd.cap > MI_NET_TCP_SNDBUF);
    assert_true(snd->snd.cap <= MI_NET_TCP_SNDBUF_MAX);
    assert_true(rcv->rcv.cap > MI_NET_TCP_RCVBUF);
    assert_true(rcv->rcv.cap <= MI_NET_TCP_RCVBUF_MAX);
    fake_stack_free(a);
    fake_stack_free(b);
    fake_reset(0);
}

static void test_receive_buffer_stays_for_a_slow_reader(void **state)
{
    (void)state;
    mi_tcp *snd, *rcv;
    struct net_stack *a, *b;
    pair_transfer(8 << 20, false, &snd, &rcv, &a, &b);
    /* A reader that does not read is the limit, not the window: the ring
     * is full (to the window's granularity) and as it was. */
    assert_true(rcv->rcv.len + 16 > rcv->rcv.cap);
    assert_int_equal(rcv->rcv.cap, MI_NET_TCP_RCVBUF);
    fake_stack_free(a);
    fake_stack_free(b);
    fake_reset(0);
}

static void test_send_buffer_stays_for_a_slow_writer(void **state)
{
    (void)state;
    struct peer p;
    peer_connect(&p, 4);
    /* Writes that always fit: the buffer never held back the sender. */
    for (int i = 0; i < 50; i++) {
        app.to_send += 4000;
        pump(app.t);
        fake_run_for(MS(1));
        p.rcv_nxt = app.t->snd_max;
        peer_send(&p, p.snd_nxt, p.rcv_nxt, TCP_ACK, NULL, 0);
        fake_run_for(MS(1));
    }
    assert_int_equal(app.sent, 200000);
    assert_int_equal(app.t->snd.cap, MI_NET_TCP_SNDBUF);
    peer_done(&p);
}

/* ---- congestion control: BBR's model (the default) against NewReno ---- */

/* What a sender's window did during a transfer: sampled at every event
 * of the fake wire, so weighted by traffic rather than time. */
struct watch {
    mi_tcp *snd;
    uint64_t want, cwnd_sum, samples, took_ns;
    uint32_t srtt_max_us;
};

static bool watch_step(void *arg)
{
    struct watch *w = arg;
    if (w->snd != NULL && w->snd->state == TCP_ESTABLISHED) {
        w->cwnd_sum += w->snd->cwnd;
        w->samples++;
        /* The RTT of the steady state: the second half. */
        if (app.received > w->want / 2 && w->snd->srtt_us > w->srtt_max_us)
            w->srtt_max_us = w->snd->srtt_us;
    }
    return app.received == w->want;
}

/* A sends `size` bytes to B's reader over the path `imp` with
 * congestion control `cc`; the stacks stay for the caller to look at
 * (and free). */
static void cc_transfer(const char *cc, uint64_t size, const struct fake_impair *imp, uint64_t seed,
                        struct watch *w, struct net_stack **a, struct net_stack **b)
{
    int err;
    memset(&app, 0, sizeof(app));
    memset(w, 0, sizeof(*w));
    fake_reset(seed);
    *a = fake_stack_new(1, A_IP, MASK, 0);
    *b = fake_stack_new(2, B_IP, MASK, 0);
    fake_impair(imp);
    fake_use(*b);
    assert_non_null(mi_tcp_listen(MI_IPV4_ANY, 80, &listen_cb, NULL, &err));
    fake_use(*a);
    app.to_send = size;
    w->want = size;
    w->snd = mi_tcp_connect(B_IP, 80, &conn_cb, NULL, &err);
    assert_non_null(w->snd);
    assert_int_equal(mi_tcp_congestion(w->snd, cc), 0);
    uint64_t start = fake_now;
    assert_true(fake_run_until(watch_step, w, SEC(600)));
    w->took_ns = fake_now - start;
    assert_int_equal(app.received, size);
    assert_true(w->snd->sack_ok);
}

static void cc_done(struct net_stack *a, struct net_stack *b)
{
    fake_stack_free(a);
    fake_stack_free(b);
    fake_reset(0);
}

static void test_bbr_keeps_its_window_under_random_loss(void **state)
{
    (void)state;
    /* 10% of the frames lost at random both ways, 2 ms round trip: loss
     * that is not congestion. NewReno halves its window for each loss;
     * BBR keeps what the path delivers in flight, finds the holes by
     * SACK, and is done sooner with fewer timeouts. */
    struct fake_impair imp = {.loss_pct = 10, .delay_ns = MS(1)};
    struct watch reno, bbr;
    struct net_stack *a, *b;
    cc_transfer("newreno", 4 << 20, &imp, 21, &reno, &a, &b);
    uint64_t reno_timeouts = a->stats.tcp_retransmit;
    cc_done(a, b);
    cc_transfer("bbr", 4 << 20, &imp, 21, &bbr, &a, &b);
    uint64_t bbr_timeouts = a->stats.tcp_retransmit;
    assert_true(bbr.snd->bbr.rounds > 0);
    cc_done(a, b);
    print_message("newreno: %.2f s, mean cwnd %llu, %llu timeouts; bbr: %.2f s, mean cwnd %llu, "
                  "%llu timeouts\n",
                  reno.took_ns / 1e9, (unsigned long long)(reno.cwnd_sum / reno.samples),
                  (unsigned long long)reno_timeouts, bbr.took_ns / 1e9,
                  (unsigned long long)(bbr.cwnd_sum / bbr.samples),
                  (unsigned long long)bbr_timeouts);
    assert_true(bbr.cwnd_sum / bbr.samples > 4 * (reno.cwnd_sum / reno.samples));
    assert_true(bbr_timeouts < reno_timeouts);
    assert_true(bbr.took_ns < reno.took_ns);
}

static void test_bbr_window_follows_the_path(void **state)
{
    (void)state;
    /* A 10 MB/s bottleneck with a deep queue (1 MB, 100 ms of it) and a
     * 10 ms round trip: a bandwidth-delay product of 100 kB. NewReno
     * grows its window until a loss, here never: only the receive window
     * bounds what it queues. BBR measures the bandwidth and the round
     * trip and keeps about twice their product in flight. */
    struct fake_impair imp = {.delay_ns = MS(5), .rate_Bps = 10000000, .queue_bytes = 1000000};
    struct watch reno, bbr;
    struct net_stack *a, *b;
    cc_transfer("newreno", 16 << 20, &imp, 22, &reno, &a, &b);
    uint32_t reno_cwnd = reno.snd->cwnd;
    cc_done(a, b);
    cc_transfer("bbr", 16 << 20, &imp, 22, &bbr, &a, &b);
    const struct tcp_bbr *m = &bbr.snd->bbr;
    uint64_t bw = 0;
    for (int i = 0; i < TCP_BBR_BW_ROUNDS; i++)
        bw = m->bw[i] > bw ? m->bw[i] : bw;
    print_message("newreno: %.2f s, srtt up to %u us, cwnd %u; bbr: %.2f s, srtt up to %u us, "
                  "cwnd %u, bw %llu B/s, min_rtt %u us\n",
                  reno.took_ns / 1e9, reno.srtt_max_us, reno_cwnd, bbr.took_ns / 1e9,
                  bbr.srtt_max_us, bbr.snd->cwnd, (unsigned long long)bw, m->min_rtt_us);
    assert_true(m->full_bw_reached);
    /* The payload's share of the 10 MB/s of frames, and 10 ms plus a
     * frame's time on the link. */
    assert_true(bw > 9000000 && bw < 10000000);
    assert_true(m->min_rtt_us >= 10000 && m->min_rtt_us < 10500);
    /* 2 x bw x min_rtt + 3 quanta of bw for 1 ms (10 kB). */
    uint64_t target = 2 * bw * m->min_rtt_us / 1000000 + 3 * (bw / 1000);
    assert_true(bbr.snd->cwnd <= target + MSS);
    /* In flight, cwnd: 2 round trips' worth and the quanta queue up
     * behind the bottleneck, no more. NewReno's window went on growing
     * (only the receiver's window held its flight). */
    assert_true(bbr.srtt_max_us < 5 * m->min_rtt_us / 2);
    assert_true(reno_cwnd > 2 * bbr.snd->cwnd);
    cc_done(a, b);
}

static void test_bbr_probes_the_round_trip(void **state)
{
    (void)state;
    /* The path above for 20 s. BBR's window keeps a round trip's worth
     * in the bottleneck's queue, so the RTTs it samples are twice the
     * path's: taken as the new minimum when the old one expires (after
     * 10 s), they would double the window and the queue. PROBE_RTT
     * drains the queue first, and the minimum stays the path's. */
    struct fake_impair imp = {.delay_ns = MS(5), .rate_Bps = 10000000, .queue_bytes = 1000000};
    struct watch bbr;
    struct net_stack *a, *b;
    cc_transfer("bbr", 200000000, &imp, 24, &bbr, &a, &b);
    const struct tcp_bbr *m = &bbr.snd->bbr;
    print_message("bbr: %.2f s, %llu PROBE_RTT, min_rtt %u us, srtt up to %u us in the second "
                  "half\n",
                  bbr.took_ns / 1e9, (unsigned long long)a->stats.tcp_bbr_probe_rtt, m->min_rtt_us,
                  bbr.srtt_max_us);
    assert_true(a->stats.tcp_bbr_probe_rtt >= 1);
    assert_false(m->probe_rtt && bbr.snd->snd_una != bbr.snd->snd_max);
    assert_true(m->min_rtt_us >= 10000 && m->min_rtt_us < 10500);
    assert_true(bbr.srtt_max_us < 5 * m->min_rtt_us / 2);
    cc_done(a, b);
}

static void test_congestion_control_choice(void **state)
{
    (void)state;
    struct peer p;
    peer_connect(&p, 23);
    /* The scripted peer offers no SACK: NewReno's rules whatever is
     * chosen, since BBR needs SACK to tell what was lost. */
    assert_int_equal(app.t->cc, TCP_CC_BBR);
    assert_false(tcp_cc_bbr(app.t));
    assert_int_equal(mi_tcp_congestion(app.t, "newreno"), 0);
    assert_int_equal(app.t->cc, TCP_CC_NEWRENO);
    assert_int_equal(mi_tcp_congestion(app.t, "bbr"), 0);
    assert_int_equal(app.t->cc, TCP_CC_BBR);
    assert_int_equal(mi_tcp_congestion(app.t, "cubic"), -EINVAL);
    assert_int_equal(mi_tcp_congestion(app.t, ""), -EINVAL);
    assert_int_equal(mi_tcp_congestion(app.t, NULL), -EINVAL);
    assert_int_equal(app.t->cc, TCP_CC_BBR);
    peer_done(&p);
}

/* ---- the send queue: bytes lent by reference (mi_tcp_write_ref) ---- */

static uint8_t lent[1 << 20];
static uint8_t got[1 << 20];

/* The sender writes lent[] in pieces of 1 to 200 or 4000 bytes, copied or lent
 * by turns (so the queue mixes ring bytes and references, more of them
 * than it has pieces for, and segments span more pieces than a frame
 * takes); the receiver keeps what arrives. */
static struct {
    size_t off, got;
    unsigned turn;
    uint64_t rng;
} mix;

static void mix_pump(mi_tcp *t)
{
    while (mix.off < sizeof lent) {
        mix.rng = mix.rng * 6364136223846793005ull + 1442695040888963407ull;
        /* Runs of small pieces, then of large ones. */
        size_t n = 1 + (size_t)(mix.rng >> 33) % (mix.turn % 32 < 16 ? 200 : 4000);
        if (n > sizeof lent - mix.off)
            n = sizeof lent - mix.off;
        ssize_t r = mix.turn++ % 2 ? mi_tcp_write_ref(t, lent + mix.off, n)
                                   : mi_tcp_write(t, lent + mix.off, n);
        if (r <= 0)
            return;
        mix.off += (size_t)r;
    }
}

static void mix_readable(mi_tcp *t, void *arg)
{
    (void)arg;
    for (;;) {
        ssize_t r = mi_tcp_read(t, got + mix.got, sizeof got - mix.got);
        if (r <= 0)
            return;
        mix.got += (size_t)r;
    }
}

static void mix_writable(mi_tcp *t, void *arg)
{
    (void)arg;
    mix_pump(t);
}

static void mix_connected(mi_tcp *t, int err, void *arg)
{
    (void)arg;
    assert_int_equal(err, 0);
    mix_pump(t);
}

static const struct mi_tcp_callbacks mix_cb = {
    .on_connect = mix_connected, .on_readable = mix_readable, .on_writable = mix_writable};

static void mix_accept(mi_tcp *l, mi_tcp *conn, void *arg)
{
    (void)l, (void)arg;
    mi_tcp_set_callbacks(conn, &mix_cb, NULL);
}

static bool mix_done(void *arg)
{
    (void)arg;
    return mix.got == sizeof got;
}

static void test_lent_bytes_arrive_exactly(void **state)
{
    (void)state;
    /* With and without loss, reordering and duplicates: retransmissions
     * are built from the same pieces. */
    const struct fake_impair paths[] = {
        {.delay_ns = MS(1)},
        {.loss_pct = 5, .dup_pct = 2, .reorder_pct = 5, .delay_ns = MS(1), .jitter_ns = MS(3)},
    };
    for (size_t k = 0; k < sizeof paths / sizeof paths[0]; k++) {
        int err;
        memset(&mix, 0, sizeof(mix));
        mix.rng = 25 + k;
        for (size_t i = 0; i < sizeof lent; i++)
            lent[i] = (uint8_t)(i * 131 + i / 4093);
        memset(got, 0, sizeof got);
        fake_reset(25 + k);
        struct net_stack *a = fake_stack_new(1, A_IP, MASK, 0);
        struct net_stack *b = fake_stack_new(2, B_IP, MASK, 0);
        fake_impair(&paths[k]);
        static const struct mi_tcp_callbacks lcb = {.on_accept = mix_accept};
        fake_use(b);
        assert_non_null(mi_tcp_listen(MI_IPV4_ANY, 80, &lcb, NULL, &err));
        fake_use(a);
        mi_tcp *t = mi_tcp_connect(B_IP, 80, &mix_cb, NULL, &err);
        assert_non_null(t);
        assert_true(fake_run_until(mix_done, NULL, SEC(120)));
        assert_memory_equal(got, lent, sizeof lent);
        /* Everything acknowledged: the queue is empty, no piece left. */
        fake_run_for(MS(100));
        assert_int_equal(t->snd_len, 0);
        assert_int_equal(t->snd_npieces, 0);
        assert_int_equal(t->snd.len, 0);
        fake_stack_free(a);
        fake_stack_free(b);
        fake_reset(0);
    }
}

/* ---- batches ---- */

/* P sends four full segments straight into A, in one batch or not; how
 * many segments A answers with, all acknowledging everything. */
static size_t answers_to_four(bool batch)
{
    struct peer p;
    peer_connect(&p, 5);
    static uint8_t data[MSS];
    uint8_t f[4][2048];
    size_t n[4];
    for (int i = 0; i < 4; i++)
        n[i] = peer_frame(f[i], &p, p.snd_nxt + (uint32_t)i * MSS, p.rcv_nxt, TCP_ACK, data, MSS);
    if (batch)
        net_stack_batch_begin(p.s);
    for (int i = 0; i < 4; i++)
        net_stack_input(p.s, f[i], n[i], 0);
    if (batch)
        net_stack_batch_end(p.s);
    fake_run_for(MS(1));
    uint64_t bytes;
    uint32_t ack;
    size_t k = from_a(&p, &bytes, &ack);
    assert_int_equal(ack, p.snd_nxt + 4 * MSS);
    assert_int_equal(app.received, 4 * MSS);
    peer_done(&p);
    return k;
}

static void test_a_batch_draws_one_ack(void **state)
{
    (void)state;
    /* One by one, each segment is answered: the reader takes it at once,
     * and the window it reopens is worth telling ... */
    assert_int_equal(answers_to_four(false), 4);
    /* ... but frames that arrived together are answered together. */
    assert_int_equal(answers_to_four(true), 1);
}

static void test_acks_in_a_batch_clock_out_data_at_once(void **state)
{
    (void)state;
    struct peer p;
    peer_connect(&p, 6);
    uint32_t iw = app.t->cwnd;
    app.to_send = 100000;
    pump(app.t);
    fake_run_for(MS(1));
    /* Each ACK of a batch lets data go as it is taken, not at the end of
     * the batch: in recovery a whole batch of ACKs would otherwise drain
     * the flight before anything is sent, and the window with it. */
    uint8_t f[2048];
    net_stack_batch_begin(p.s);
    uint64_t before = fake_frames_sent;
    size_t n = peer_frame(f, &p, p.snd_nxt, p.rcv_nxt + MSS, TCP_ACK, NULL, 0);
    net_stack_input(p.s, f, n, 0);
    assert_true(fake_frames_sent > before);
    before = fake_frames_sent;
    n = peer_frame(f, &p, p.snd_nxt, p.rcv_nxt + iw, TCP_ACK, NULL, 0);
    net_stack_input(p.s, f, n, 0);
    assert_true(fake_frames_sent > before);
    net_stack_batch_end(p.s);
    peer_done(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slow_start_counts_acknowledged_bytes),
        cmocka_unit_test(test_unused_window_does_not_grow),
        cmocka_unit_test(test_buffers_grow_for_a_bulk_transfer),
        cmocka_unit_test(test_receive_buffer_stays_for_a_slow_reader),
        cmocka_unit_test(test_send_buffer_stays_for_a_slow_writer),
        cmocka_unit_test(test_bbr_keeps_its_window_under_random_loss),
        cmocka_unit_test(test_bbr_window_follows_the_path),
        cmocka_unit_test(test_bbr_probes_the_round_trip),
        cmocka_unit_test(test_congestion_control_choice),
        cmocka_unit_test(test_lent_bytes_arrive_exactly),
        cmocka_unit_test(test_a_batch_draws_one_ack),
        cmocka_unit_test(test_acks_in_a_batch_clock_out_data_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
