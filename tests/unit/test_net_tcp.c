/* SPDX-License-Identifier: ISC */
/* TCP of mirari's stack: two instances wired back to back on the fake
 * wire (net_fake.h), or one instance against a scripted peer. Every
 * transfer checks each byte against a pattern. */
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

/* ---- an application that sends a pattern and checks what it receives ---- */
struct side {
    mi_tcp *t;
    uint64_t to_send, sent, received;
    uint32_t seed_out, seed_in;
    bool connected, eof, bad, closed, paused, shut, no_close, no_shut;
    int err;
    unsigned accepts;
};

static uint8_t pat(uint32_t seed, uint64_t i)
{
    uint64_t x = (i + seed) * 0x9e3779b97f4a7c15ull;
    return (uint8_t)(x >> 56);
}

static void pump(struct side *sd)
{
    uint8_t buf[5000];
    while (!sd->closed && sd->sent < sd->to_send) {
        size_t n = sd->to_send - sd->sent < sizeof(buf) ? sd->to_send - sd->sent : sizeof(buf);
        for (size_t i = 0; i < n; i++)
            buf[i] = pat(sd->seed_out, sd->sent + i);
        ssize_t r = mi_tcp_write(sd->t, buf, n);
        if (r < 0) {
            if (r != -EAGAIN)
                sd->err = (int)r;
            return;
        }
        sd->sent += (uint64_t)r;
        if ((size_t)r < n)
            return;
    }
    if (!sd->closed && !sd->shut && !sd->no_shut && sd->sent == sd->to_send) {
        sd->shut = true;
        assert_int_equal(mi_tcp_shutdown(sd->t), 0);
    }
}

static void maybe_close(struct side *sd)
{
    if (!sd->closed && !sd->no_close && sd->eof && sd->shut) {
        sd->closed = true;
        mi_tcp_close(sd->t, false);
    }
}

static void drain(struct side *sd)
{
    uint8_t buf[7001];
    while (!sd->closed) {
        ssize_t r = mi_tcp_read(sd->t, buf, sizeof(buf));
        if (r == -EAGAIN)
            break;
        if (r == 0) {
            sd->eof = true;
            break;
        }
        if (r < 0) {
            sd->err = (int)r;
            sd->closed = true;
            mi_tcp_close(sd->t, false);
            return;
        }
        for (ssize_t i = 0; i < r; i++)
            if (buf[i] != pat(sd->seed_in, sd->received + (uint64_t)i))
                sd->bad = true;
        sd->received += (uint64_t)r;
    }
    maybe_close(sd);
}

static void on_readable(mi_tcp *t, void *arg)
{
    struct side *sd = arg;
    (void)t;
    if (!sd->paused)
        drain(sd);
}

static void on_writable(mi_tcp *t, void *arg)
{
    (void)t;
    pump(arg);
    maybe_close(arg);
}

static void on_connect(mi_tcp *t, int err, void *arg)
{
    struct side *sd = arg;
    (void)t;
    sd->err = err;
    if (err != 0) {
        sd->closed = true; /* the runtime closes it */
        return;
    }
    sd->connected = true;
    pump(sd);
}

static const struct mi_tcp_callbacks side_cb = {
    .on_connect = on_connect,
    .on_readable = on_readable,
    .on_writable = on_writable,
};

static void on_accept(mi_tcp *l, mi_tcp *conn, void *arg)
{
    struct side *sd = arg;
    (void)l;
    sd->accepts++;
    sd->t = conn;
    sd->connected = true;
    mi_tcp_set_callbacks(conn, &side_cb, sd);
    pump(sd);
}

static const struct mi_tcp_callbacks listen_cb = {.on_accept = on_accept};

struct pair {
    struct net_stack *a, *b;
    mi_tcp *listener;
    struct side client, server;
};

static void pair_setup(struct pair *p, uint64_t seed)
{
    memset(p, 0, sizeof(*p));
    fake_reset(seed);
    p->a = fake_stack_new(1, A_IP, MASK, 0);
    p->b = fake_stack_new(2, B_IP, MASK, 0);
}

static void pair_listen(struct pair *p, uint16_t port)
{
    int err;
    fake_use(p->b);
    p->listener = mi_tcp_listen(MI_IPV4_ANY, port, &listen_cb, &p->server, &err);
    assert_non_null(p->listener);
    assert_int_equal(err, 0);
}

static void pair_connect(struct pair *p, uint16_t port)
{
    int err;
    fake_use(p->a);
    p->client.t = mi_tcp_connect(B_IP, port, &side_cb, &p->client, &err);
    assert_non_null(p->client.t);
    assert_int_equal(err, 0);
}

static void pair_teardown(struct pair *p)
{
    if (p->listener != NULL)
        mi_tcp_close(p->listener, false);
    fake_stack_free(p->a);
    fake_stack_free(p->b);
    fake_reset(0);
}

static bool both_closed(void *arg)
{
    struct pair *p = arg;
    return p->client.closed && p->server.closed;
}

static void dump(const char *name, struct net_stack *s)
{
    fprintf(stderr, "%s: conns %zu tw %zu synq %zu user %zu\n", name, s->tcp.n_conns,
            s->tcp.n_timewait, s->tcp.n_synq, s->tcp.n_user);
    for (size_t i = 0; i < TCP_HASH_SIZE; i++)
        for (struct net_list *l = s->tcp.hash[i].next; l != &s->tcp.hash[i]; l = l->next) {
            struct mi_tcp *t = net_container_of(l, struct mi_tcp, hash_link);
            fprintf(stderr,
                    "  %u->%u state %d user %d una %u nxt %u max %u snd.len %u rcv.len %u rexmt "
                    "%llu close %llu fin_q %d\n",
                    t->lport, t->rport, t->state, t->user, t->snd_una, t->snd_nxt, t->snd_max,
                    t->snd.len, t->rcv.len, (unsigned long long)t->rexmt_at,
                    (unsigned long long)t->close_at, t->fin_queued);
        }
}

static bool stacks_idle(void *arg)
{
    struct pair *p = arg;
    return p->a->tcp.n_conns == 0 && p->b->tcp.n_conns == 0 && p->a->tcp.n_timewait == 0 &&
           p->b->tcp.n_timewait == 0 && p->b->tcp.n_synq == 0;
}

/* Send `ab` bytes from A to B and `ba` from B to A, both close; check. */
static void transfer(uint64_t seed, const struct fake_impair *imp, uint64_t ab, uint64_t ba)
{
    struct pair p;
    pair_setup(&p, seed);
    fake_impair(imp);
    p.client.to_send = ab;
    p.client.seed_out = 11;
    p.client.seed_in = 22;
    p.server.to_send = ba;
    p.server.seed_out = 22;
    p.server.seed_in = 11;
    pair_listen(&p, 80);
    pair_connect(&p, 80);
    assert_true(fake_run_until(both_closed, &p, SEC(3600)));
    assert_int_equal(p.client.err, 0);
    assert_int_equal(p.server.err, 0);
    assert_false(p.client.bad);
    assert_false(p.server.bad);
    assert_int_equal(p.server.received, ab);
    assert_int_equal(p.client.received, ba);
    assert_int_equal(p.server.accepts, 1);
    /* Both ends finish the closing handshake and TIME-WAIT, and every
     * connection block is released. */
    if (!fake_run_until(stacks_idle, &p, SEC(600))) {
        dump("a", p.a);
        dump("b", p.b);
        fail();
    }
    if (imp != NULL && imp->loss_pct > 0)
        assert_true(p.a->stats.tcp_retransmit + p.a->stats.tcp_fast_retransmit > 0);
    pair_teardown(&p);
}

static void test_transfer_clean(void **state)
{
    (void)state;
    transfer(1, NULL, 1 << 20, 1 << 20);
}

static void test_transfer_loss_5(void **state)
{
    (void)state;
    struct fake_impair imp = {.loss_pct = 5, .delay_ns = MS(5)};
    transfer(2, &imp, 1 << 20, 256 << 10);
}

static void test_transfer_loss_20(void **state)
{
    (void)state;
    struct fake_impair imp = {.loss_pct = 20, .delay_ns = MS(2)};
    for (uint64_t seed = 10; seed < 40; seed++)
        transfer(seed, &imp, 300 << 10, 200 << 10);
    struct fake_impair sub_ms = {.loss_pct = 20, .delay_ns = 500000};
    transfer(1, &sub_ms, 1 << 20, 1 << 20);
}

static void test_transfer_reorder_dup_corrupt(void **state)
{
    (void)state;
    struct fake_impair imp = {.dup_pct = 10,
                              .reorder_pct = 20,
                              .corrupt_pct = 5,
                              .delay_ns = MS(10),
                              .jitter_ns = MS(30)};
    transfer(3, &imp, 1 << 20, 1 << 20);
    struct fake_impair all = {.loss_pct = 10,
                              .dup_pct = 10,
                              .reorder_pct = 10,
                              .corrupt_pct = 10,
                              .delay_ns = MS(100),
                              .jitter_ns = MS(50)};
    transfer(4, &all, 256 << 10, 64 << 10);
}

static void test_window_scaling(void **state)
{
    (void)state;
    struct pair p;
    pair_setup(&p, 5);
    p.client.to_send = 1 << 20;
    p.client.no_close = true;
    p.server.seed_in = p.client.seed_out = 3;
    pair_listen(&p, 80);
    pair_connect(&p, 80);
    fake_run_for(MS(50));
    /* Both sent the options: a buffer that may grow to 512 KiB
     * (MI_NET_TCP_RCVBUF_MAX) needs a shift of 4. */
    assert_true(p.client.t->ws_ok);
    assert_true(p.client.t->sack_ok);
    assert_int_equal(p.client.t->rcv_wscale, 4);
    assert_int_equal(p.client.t->snd_wscale, 4);
    assert_true(p.client.t->max_snd_wnd > 65535);
    fake_run_for(SEC(10));
    assert_int_equal(p.server.received, 1 << 20);
    assert_true(p.client.eof);
    mi_tcp_close(p.client.t, false);
    pair_teardown(&p);
}

/* ---- opening and closing ---- */

static bool both_connected(void *arg)
{
    struct pair *p = arg;
    return p->client.connected && p->server.connected;
}

static void test_simultaneous_open(void **state)
{
    (void)state;
    struct pair p;
    int err;
    pair_setup(&p, 6);
    p.client.to_send = p.server.to_send = 100000;
    p.client.seed_out = p.server.seed_in = 1;
    p.server.seed_out = p.client.seed_in = 2;
    /* Each side actively opens towards the other's port at once. */
    p.client.t = tcp_open(p.a, 5000, B_IP, 6000, &side_cb, &p.client, &err);
    assert_non_null(p.client.t);
    p.server.t = tcp_open(p.b, 6000, A_IP, 5000, &side_cb, &p.server, &err);
    assert_non_null(p.server.t);
    assert_true(fake_run_until(both_connected, &p, SEC(30)));
    assert_true(fake_run_until(both_closed, &p, SEC(60)));
    assert_int_equal(p.client.received, 100000);
    assert_int_equal(p.server.received, 100000);
    assert_false(p.client.bad || p.server.bad);
    /* Both went through SYN-RECEIVED: no RST, no failure. */
    assert_int_equal(p.a->stats.tcp_rst_out + p.b->stats.tcp_rst_out, 0);
    assert_true(fake_run_until(stacks_idle, &p, SEC(300)));
    pair_teardown(&p);
}

static void test_simultaneous_close(void **state)
{
    (void)state;
    struct pair p;
    pair_setup(&p, 7);
    p.client.no_close = p.server.no_close = true;
    p.client.no_shut = p.server.no_shut = true;
    pair_listen(&p, 80);
    pair_connect(&p, 80);
    assert_true(fake_run_until(both_connected, &p, SEC(5)));
    fake_run_for(SEC(1));
    /* Both FINs cross on the wire: FIN-WAIT-1 -> CLOSING -> TIME-WAIT. */
    assert_int_equal(mi_tcp_shutdown(p.client.t), 0);
    assert_int_equal(mi_tcp_shutdown(p.server.t), 0);
    assert_int_equal(p.client.t->state, TCP_FIN_WAIT_1);
    fake_run_for(MS(500));
    assert_int_equal(p.client.t->state, TCP_TIME_WAIT);
    assert_int_equal(p.server.t->state, TCP_TIME_WAIT);
    assert_true(p.client.eof && p.server.eof);
    /* TIME-WAIT lasts 2 MSL, then the connection is CLOSED. */
    fake_run_for(SEC(2 * TCP_MSL_S) - SEC(1));
    assert_int_equal(p.client.t->state, TCP_TIME_WAIT);
    fake_run_for(SEC(2));
    assert_int_equal(p.client.t->state, TCP_CLOSED);
    assert_int_equal(p.server.t->state, TCP_CLOSED);
    assert_int_equal(mi_tcp_read(p.client.t, &p, 1), 0);
    mi_tcp_close(p.client.t, false);
    mi_tcp_close(p.server.t, false);
    fake_run_for(MS(1));
    assert_true(stacks_idle(&p));
    pair_teardown(&p);
}

static void test_half_close(void **state)
{
    (void)state;
    struct pair p;
    pair_setup(&p, 8);
    p.client.to_send = 0; /* shuts down at once, then only reads */
    p.server.to_send = 200000;
    p.server.seed_out = p.client.seed_in = 9;
    pair_listen(&p, 80);
    pair_connect(&p, 80);
    assert_true(fake_run_until(both_closed, &p, SEC(60)));
    assert_int_equal(p.client.received, 200000);
    assert_false(p.client.bad);
    pair_teardown(&p);
}

static void test_connect_refused(void **state)
{
    (void)state;
    struct pair p;
    pair_setup(&p, 9);
    pair_connect(&p, 81); /* nobody listens */
    fake_run_for(SEC(2));
    assert_int_equal(p.client.err, -ECONNREFUSED);
    assert_true(p.client.closed);
    assert_int_equal(p.b->stats.tcp_drop_no_listener, 1);
    assert_int_equal(p.b->stats.tcp_rst_out, 1);
    assert_true(stacks_idle(&p));
    pair_teardown(&p);
}

static void test_connect_timeout(void **state)
{
    (void)state;
    struct pair p;
    int err;
    pair_setup(&p, 10);
    fake_use(p.a);
    /* Nobody has 10.0.0.77: ARP and SYNs go unanswered. */
    p.client.t = mi_tcp_connect(MI_IPV4(10, 0, 0, 77), 80, &side_cb, &p.client, &err);
    assert_non_null(p.client.t);
    fake_run_for(SEC(30));
    assert_int_equal(p.client.err, 0);
    fake_run_for(SEC(600));
    assert_int_equal(p.client.err, -ETIMEDOUT);
    assert_true(p.a->stats.tcp_retransmit >= TCP_SYN_RETRIES);
    assert_true(p.a->stats.arp_drop_unresolved > 0);
    assert_true(stacks_idle(&p));
    pair_teardown(&p);
}

static void test_retransmission_timeout(void **state)
{
    (void)state;
    struct pair p;
    pair_setup(&p, 11);
    p.client.to_send = 1 << 20;
    p.client.no_close = true;
    struct fake_impair slow = {.delay_ns = MS(10)};
    fake_impair(&slow);
    pair_listen(&p, 80);
    pair_connect(&p, 80);
    assert_true(fake_run_until(both_connected, &p, SEC(5)));
    fake_run_for(MS(20));
    /* The peer vanishes: every frame is lost from now on. */
    struct fake_impair dead = {.loss_pct = 100};
    fake_impair(&dead);
    uint64_t rexmit0 = p.a->stats.tcp_retransmit;
    fake_run_for(SEC(60));
    assert_int_equal(p.client.err, 0);
    /* Backoff: the gaps double, so after a minute only a handful went. */
    assert_true(p.a->stats.tcp_retransmit - rexmit0 < 10);
    fake_run_for(SEC(3600));
    assert_int_equal(p.client.err, -ETIMEDOUT);
    assert_int_equal(p.a->stats.tcp_retransmit - rexmit0, TCP_DATA_RETRIES);
    assert_true(p.a->stats.tcp_timeout >= 1);
    fake_impair(NULL);
    pair_teardown(&p);
}

static void test_zero_window(void **state)
{
    (void)state;
    struct pair p;
    pair_setup(&p, 12);
    p.client.to_send = 512 << 10;
    p.client.seed_out = p.server.seed_in = 4;
    p.server.paused = true; /* the receiver does not read */
    pair_listen(&p, 80);
    pair_connect(&p, 80);
    fake_run_for(SEC(600));
    /* The sender filled the receiver's buffer and its own, then probed the
     * closed window for ten minutes without giving up. */
    assert_int_equal(p.client.err, 0);
    assert_true(p.client.t->persist);
    assert_true(p.a->stats.tcp_zero_window_probe >= 5);
    assert_int_equal(p.a->stats.tcp_timeout, 0);
    /* Full, but for the byte a scaled window cannot express. */
    assert_true(p.server.t->rcv.len >= MI_NET_TCP_RCVBUF - 1);
    /* Probes back off to at most a minute: not hundreds. */
    assert_true(p.a->stats.tcp_zero_window_probe < 40);
    p.server.paused = false;
    drain(&p.server);
    assert_true(fake_run_until(both_closed, &p, SEC(120)));
    assert_int_equal(p.server.received, 512 << 10);
    assert_false(p.server.bad);
    pair_teardown(&p);
}

static void test_close_with_unread_data_resets(void **state)
{
    (void)state;
    struct pair p;
    pair_setup(&p, 13);
    p.client.to_send = 1000;
    p.client.no_close = true;
    p.client.no_shut = p.server.no_shut = true;
    p.server.paused = true;
    pair_listen(&p, 80);
    pair_connect(&p, 80);
    fake_run_for(SEC(1));
    assert_int_equal(p.server.t->rcv.len, 1000);
    /* RFC 2525 2.17: closing with unread data sends a RST. */
    mi_tcp_close(p.server.t, false);
    p.server.closed = true;
    fake_run_for(SEC(1));
    assert_int_equal(p.b->stats.tcp_rst_out, 1);
    drain(&p.client);
    assert_int_equal(p.client.err, -ECONNRESET);
    assert_true(fake_run_until(stacks_idle, &p, SEC(10)));
    pair_teardown(&p);
}

static void test_abort(void **state)
{
    (void)state;
    struct pair p;
    pair_setup(&p, 14);
    p.client.no_close = p.server.no_close = true;
    p.client.no_shut = p.server.no_shut = true;
    pair_listen(&p, 80);
    pair_connect(&p, 80);
    assert_true(fake_run_until(both_connected, &p, SEC(5)));
    mi_tcp_close(p.client.t, true);
    p.client.closed = true;
    fake_run_for(SEC(1));
    assert_int_equal(p.server.err, -ECONNRESET);
    assert_int_equal(p.b->stats.tcp_rst_in, 1);
    assert_true(stacks_idle(&p));
    pair_teardown(&p);
}

static void test_data_after_close_resets(void **state)
{
    (void)state;
    struct pair p;
    pair_setup(&p, 15);
    p.client.no_close = true;
    p.client.no_shut = p.server.no_shut = true;
    pair_listen(&p, 80);
    pair_connect(&p, 80);
    assert_true(fake_run_until(both_connected, &p, SEC(5)));
    fake_run_for(SEC(1));
    /* The server closes (FIN); the client keeps sending. */
    mi_tcp_close(p.server.t, false);
    p.server.closed = true;
    fake_run_for(SEC(1));
    assert_true(p.client.eof);
    assert_true(mi_tcp_write(p.client.t, "more", 4) == 4);
    fake_run_for(SEC(1));
    assert_int_equal(p.b->stats.tcp_data_after_close, 1);
    drain(&p.client);
    assert_int_equal(p.client.err, -ECONNRESET);
    pair_teardown(&p);
}

/* ---- many connections ---- */

#define NCONN 200
struct many {
    struct side c[NCONN], s[NCONN];
    int accepted;
};
static struct many many;

static void many_accept(mi_tcp *l, mi_tcp *conn, void *arg)
{
    struct many *m = arg;
    (void)l;
    struct side *sd = &m->s[m->accepted++];
    sd->t = conn;
    sd->connected = true;
    sd->to_send = 10000;
    /* The client's port tells which client this is. */
    mi_ipv4 a;
    uint16_t port;
    mi_tcp_peer(conn, &a, &port);
    sd->seed_out = port;
    sd->seed_in = port + 1u;
    mi_tcp_set_callbacks(conn, &side_cb, sd);
    pump(sd);
}

static bool many_done(void *arg)
{
    struct many *m = arg;
    for (int i = 0; i < NCONN; i++)
        if (!m->c[i].closed)
            return false;
    return true;
}

static void test_many_connections(void **state)
{
    (void)state;
    struct net_stack *a, *b;
    int err;
    fake_reset(16);
    a = fake_stack_new(1, A_IP, MASK, 0);
    b = fake_stack_new(2, B_IP, MASK, 0);
    memset(&many, 0, sizeof(many));
    static const struct mi_tcp_callbacks lcb = {.on_accept = many_accept};
    fake_use(b);
    mi_tcp *l = mi_tcp_listen(MI_IPV4_ANY, 7, &lcb, &many, &err);
    assert_non_null(l);
    fake_use(a);
    for (int i = 0; i < NCONN; i++) {
        struct side *sd = &many.c[i];
        sd->to_send = 10000;
        sd->t = mi_tcp_connect(B_IP, 7, &side_cb, sd, &err);
        assert_non_null(sd->t);
        uint16_t port;
        mi_tcp_local(sd->t, NULL, &port);
        sd->seed_out = port + 1u;
        sd->seed_in = port;
    }
    assert_int_equal(a->tcp.n_conns, NCONN);
    assert_true(fake_run_until(many_done, &many, SEC(120)));
    assert_int_equal(many.accepted, NCONN);
    for (int i = 0; i < NCONN; i++) {
        assert_int_equal(many.c[i].received, 10000);
        assert_false(many.c[i].bad);
        assert_int_equal(many.c[i].err, 0);
    }
    mi_tcp_close(l, false);
    fake_run_for(SEC(200));
    assert_int_equal(a->tcp.n_conns + b->tcp.n_conns, 0);
    fake_stack_free(a);
    fake_stack_free(b);
    fake_reset(0);
}

/* ---- a scripted peer, for segments a correct TCP would not send ---- */

struct peer {
    struct fake_tap *tap;
    struct net_stack *s;
    uint16_t port;
    uint32_t iss, snd_nxt, rcv_nxt;
};

/* What the scripted peer puts in its segments (tests may change them
 * before peer_connect). */
static uint16_t peer_wnd = 65535;
static const uint8_t *peer_opt;
static size_t peer_optlen;

static void peer_send(struct peer *p, uint32_t seq, uint32_t ack, uint8_t flags, const void *data,
                      size_t len)
{
    uint8_t f[2048];
    struct fake_tcp h = {.sport = p->port,
                         .dport = 80,
                         .seq = seq,
                         .ack = ack,
                         .flags = flags,
                         .wnd = peer_wnd,
                         .opt = peer_opt,
                         .optlen = peer_optlen};
    size_t n = fake_build_tcp(f, p->s->mac, p->tap->mac, P_IP, A_IP, &h, data, len);
    fake_tap_send(p->tap, f, n);
}

/* The last TCP segment the tap received from the stack, or false. */
static bool peer_last(struct peer *p, struct fake_parsed *out)
{
    for (size_t i = p->tap->n; i-- > 0;)
        if (fake_parse(p->tap->frames[i], p->tap->lens[i], out) && out->proto == IP_PROTO_TCP &&
            out->src == A_IP)
            return true;
    return false;
}

static size_t peer_count(struct peer *p)
{
    size_t n = 0;
    struct fake_parsed x;
    for (size_t i = 0; i < p->tap->n; i++)
        if (fake_parse(p->tap->frames[i], p->tap->lens[i], &x) && x.proto == IP_PROTO_TCP &&
            x.src == A_IP)
            n++;
    return n;
}

static struct side peer_server;

/* A (the stack) listens on 80; the peer completes a handshake. */
/* The congestion control the listener passes on (NULL: the default). */
static const char *peer_cc;

static void peer_connect(struct peer *p, uint64_t seed)
{
    int err;
    memset(p, 0, sizeof(*p));
    memset(&peer_server, 0, sizeof(peer_server));
    peer_server.no_close = peer_server.no_shut = true;
    fake_reset(seed);
    p->s = fake_stack_new(1, A_IP, MASK, 0);
    p->tap = fake_tap_new(9, P_IP, NULL, NULL);
    p->port = 40000;
    fake_use(p->s);
    mi_tcp *l = mi_tcp_listen(MI_IPV4_ANY, 80, &listen_cb, &peer_server, &err);
    assert_non_null(l);
    if (peer_cc != NULL)
        assert_int_equal(mi_tcp_congestion(l, peer_cc), 0);
    p->iss = 1000;
    peer_send(p, p->iss, 0, TCP_SYN, NULL, 0);
    fake_run_for(MS(10));
    struct fake_parsed r;
    assert_true(peer_last(p, &r));
    assert_int_equal(r.tcp.flags, TCP_SYN | TCP_ACK);
    assert_int_equal(r.tcp.ack, p->iss + 1);
    p->snd_nxt = p->iss + 1;
    p->rcv_nxt = r.tcp.seq + 1;
    peer_send(p, p->snd_nxt, p->rcv_nxt, TCP_ACK, NULL, 0);
    fake_run_for(MS(10));
    assert_int_equal(peer_server.accepts, 1);
    assert_int_equal(peer_server.t->state, TCP_ESTABLISHED);
    fake_tap_clear(p->tap);
    /* Keep the listener on the stack's list; freed with the stack. */
}

static void peer_done(struct peer *p)
{
    fake_stack_free(p->s);
    fake_reset(0);
    peer_wnd = 65535;
    peer_opt = NULL;
    peer_optlen = 0;
}

static void test_rst_exact_resets(void **state)
{
    (void)state;
    struct peer p;
    peer_connect(&p, 20);
    peer_send(&p, p.snd_nxt, 0, TCP_RST, NULL, 0);
    fake_run_for(MS(10));
    assert_int_equal(peer_server.err, -ECONNRESET);
    assert_int_equal(p.s->stats.tcp_rst_in, 1);
    assert_int_equal(peer_count(&p), 0); /* nothing answers a RST */
    peer_done(&p);
}

static void test_rst_in_window_challenged(void **state)
{
    (void)state;
    struct peer p;
    peer_connect(&p, 21);
    /* RFC 5961 3.2: in the window but not RCV.NXT: challenge ACK. */
    peer_send(&p, p.snd_nxt + 1000, 0, TCP_RST, NULL, 0);
    fake_run_for(MS(10));
    assert_int_equal(peer_server.err, 0);
    assert_int_equal(peer_server.t->state, TCP_ESTABLISHED);
    struct fake_parsed r;
    assert_true(peer_last(&p, &r));
    assert_int_equal(r.tcp.flags, TCP_ACK);
    assert_int_equal(r.tcp.ack, p.snd_nxt);
    assert_int_equal(p.s->stats.tcp_challenge_ack, 1);
    /* The peer (a real one) answers the challenge with the right RST. */
    peer_send(&p, r.tcp.ack, 0, TCP_RST, NULL, 0);
    fake_run_for(MS(10));
    assert_int_equal(peer_server.err, -ECONNRESET);
    peer_done(&p);
}

static void test_rst_out_of_window_ignored(void **state)
{
    (void)state;
    struct peer p;
    peer_connect(&p, 22);
    peer_send(&p, p.snd_nxt + 0x40000000u, 0, TCP_RST, NULL, 0);
    peer_send(&p, p.snd_nxt - 10, 0, TCP_RST, NULL, 0);
    fake_run_for(MS(10));
    assert_int_equal(peer_server.err, 0);
    assert_int_equal(peer_count(&p), 0); /* silently */
    assert_int_equal(peer_server.t->state, TCP_ESTABLISHED);
    peer_done(&p);
}

static void test_syn_in_established_challenged(void **state)
{
    (void)state;
    struct peer p;
    peer_connect(&p, 23);
    /* RFC 5961 4.2: a SYN, in window or not, gets a challenge ACK. */
    peer_send(&p, p.snd_nxt + 5, 0, TCP_SYN, NULL, 0);
    fake_run_for(MS(10));
    struct fake_parsed r;
    assert_true(peer_last(&p, &r));
    assert_int_equal(r.tcp.flags, TCP_ACK);
    assert_int_equal(r.tcp.ack, p.snd_nxt);
    assert_int_equal(peer_server.t->state, TCP_ESTABLISHED);
    assert_int_equal(p.s->stats.tcp_challenge_ack, 1);
    peer_done(&p);
}

static void test_challenge_ack_rate_limited(void **state)
{
    (void)state;
    struct peer p;
    peer_connect(&p, 24);
    for (int i = 0; i < 100; i++)
        peer_send(&p, p.snd_nxt + 100 + (uint32_t)i, 0, TCP_RST, NULL, 0);
    fake_run_for(MS(100));
    assert_int_equal(p.s->stats.tcp_challenge_ack, TCP_CHALLENGE_BURST);
    assert_int_equal(p.s->stats.tcp_challenge_limited, 100 - TCP_CHALLENGE_BURST);
    assert_int_equal(peer_server.t->state, TCP_ESTABLISHED);
    peer_done(&p);
}

static void test_bad_ack_and_old_data(void **state)
{
    (void)state;
    struct peer p;
    peer_connect(&p, 25);
    peer_server.paused = true;
    /* RFC 5961 5.2: an ACK of data never sent is dropped with an ACK. */
    peer_send(&p, p.snd_nxt, p.rcv_nxt + 5000, TCP_ACK, "x", 1);
    fake_run_for(MS(10));
    assert_int_equal(p.s->stats.tcp_drop_bad_ack, 1);
    assert_int_equal(peer_server.received, 0);
    struct fake_parsed r;
    assert_true(peer_last(&p, &r));
    assert_int_equal(r.tcp.ack, p.snd_nxt);
    /* Data entirely before RCV.NXT: a duplicate, answered with an ACK. */
    peer_send(&p, p.snd_nxt, p.rcv_nxt, TCP_ACK, "abc", 3);
    fake_run_for(MS(100));
    assert_int_equal(peer_server.t->rcv.len, 3);
    peer_send(&p, p.snd_nxt, p.rcv_nxt, TCP_ACK, "abc", 3);
    fake_run_for(MS(10));
    assert_int_equal(p.s->stats.tcp_dup_in, 1);
    assert_int_equal(peer_server.t->rcv.len, 3);
    /* Beyond the window: an ACK, no data taken. */
    peer_send(&p, p.snd_nxt + 3 + 200000, p.rcv_nxt, TCP_ACK, "zz", 2);
    fake_run_for(MS(10));
    assert_int_equal(p.s->stats.tcp_drop_out_of_window, 1);
    assert_int_equal(peer_server.t->rcv.len, 3);
    peer_done(&p);
}

static void test_out_of_order_reassembly(void **state)
{
    (void)state;
    struct peer p;
    peer_connect(&p, 26);
    peer_server.seed_in = 0;
    uint8_t d[3000];
    for (size_t i = 0; i < sizeof(d); i++)
        d[i] = pat(0, i);
    /* Segments 3, 2 (overlapping 3), 1: nothing readable until 1. */
    peer_send(&p, p.snd_nxt + 2000, p.rcv_nxt, TCP_ACK, d + 2000, 1000);
    peer_send(&p, p.snd_nxt + 900, p.rcv_nxt, TCP_ACK, d + 900, 1500);
    fake_run_for(MS(10));
    assert_int_equal(peer_server.received, 0);
    assert_int_equal(p.s->stats.tcp_ooo_in, 2);
    struct fake_parsed r;
    assert_true(peer_last(&p, &r)); /* duplicate ACKs, at once */
    assert_int_equal(r.tcp.ack, p.snd_nxt);
    peer_send(&p, p.snd_nxt, p.rcv_nxt, TCP_ACK | TCP_FIN, d, 900);
    fake_run_for(MS(10));
    /* The FIN came with segment 1 but after the hole: it waits for 3000. */
    peer_send(&p, p.snd_nxt + 3000, p.rcv_nxt, TCP_ACK | TCP_FIN, NULL, 0);
    fake_run_for(MS(10));
    assert_int_equal(peer_server.received, 3000);
    assert_false(peer_server.bad);
    assert_true(peer_server.eof);
    assert_true(peer_last(&p, &r));
    assert_int_equal(r.tcp.ack, p.snd_nxt + 3001);
    peer_done(&p);
}

static void test_in_order_data_swallows_ranges(void **state)
{
    (void)state;
    struct peer p;
    peer_connect(&p, 31);
    peer_server.seed_in = 0;
    uint8_t d[2100];
    for (size_t i = 0; i < sizeof(d); i++)
        d[i] = pat(0, i);
    /* Four out-of-order ranges, then one in-order segment that covers
     * the first two, ends inside the third and stops short of the fourth:
     * RCV.NXT jumps to the end of the third, the fourth stays. */
    peer_send(&p, p.snd_nxt + 1000, p.rcv_nxt, TCP_ACK, d + 1000, 100);
    peer_send(&p, p.snd_nxt + 1200, p.rcv_nxt, TCP_ACK, d + 1200, 100);
    peer_send(&p, p.snd_nxt + 1500, p.rcv_nxt, TCP_ACK, d + 1500, 200);
    peer_send(&p, p.snd_nxt + 2000, p.rcv_nxt, TCP_ACK, d + 2000, 100);
    fake_run_for(MS(10));
    assert_int_equal(peer_server.t->ooo.n, 4);
    assert_int_equal(peer_server.received, 0);
    peer_send(&p, p.snd_nxt, p.rcv_nxt, TCP_ACK, d, 1600);
    fake_run_for(MS(10));
    assert_int_equal(peer_server.received, 1700);
    assert_false(peer_server.bad);
    assert_int_equal(peer_server.t->ooo.n, 1);
    struct fake_parsed r;
    assert_true(peer_last(&p, &r));
    assert_int_equal(r.tcp.ack, p.snd_nxt + 1700);
    /* Filling the last hole makes everything readable. */
    peer_send(&p, p.snd_nxt + 1700, p.rcv_nxt, TCP_ACK, d + 1700, 300);
    fake_run_for(MS(10));
    assert_int_equal(peer_server.received, 2100);
    assert_false(peer_server.bad);
    assert_int_equal(peer_server.t->ooo.n, 0);
    peer_done(&p);
}

static void test_ooo_ranges_bounded(void **state)
{
    (void)state;
    struct peer p;
    peer_connect(&p, 27);
    /* Many separate holes: only MI_NET_TCP_OOO_RANGES are kept. */
    for (uint32_t i = 0; i < 40; i++)
        peer_send(&p, p.snd_nxt + 100 + i * 20, p.rcv_nxt, TCP_ACK, "0123456789", 10);
    fake_run_for(MS(10));
    assert_int_equal(peer_server.t->ooo.n, MI_NET_TCP_OOO_RANGES);
    assert_int_equal(p.s->stats.tcp_drop_ooo_full, 40 - MI_NET_TCP_OOO_RANGES);
    peer_done(&p);
}

static void test_time_wait_reacks_fin(void **state)
{
    (void)state;
    struct peer p;
    peer_connect(&p, 28);
    /* The stack closes first: FIN-WAIT-1. */
    mi_tcp_close(peer_server.t, false);
    fake_run_for(MS(10));
    struct fake_parsed r;
    assert_true(peer_last(&p, &r));
    assert_true(r.tcp.flags & TCP_FIN);
    uint32_t fin_seq = r.tcp.seq;
    /* The peer acknowledges and sends its own FIN: TIME-WAIT. */
    peer_send(&p, p.snd_nxt, fin_seq + 1, TCP_ACK | TCP_FIN, NULL, 0);
    fake_run_for(MS(10));
    mi_tcp *t = tcp_lookup(p.s, A_IP, 80, P_IP, p.port);
    assert_non_null(t);
    assert_int_equal(t->state, TCP_TIME_WAIT);
    assert_false(t->has_bufs); /* nobody holds it: no buffers */
    fake_tap_clear(p.tap);
    /* 50 s later the peer's FIN comes again (our ACK was lost): it is
     * acknowledged and the 2 MSL wait starts over. */
    fake_run_for(SEC(50));
    peer_send(&p, p.snd_nxt, fin_seq + 1, TCP_ACK | TCP_FIN, NULL, 0);
    fake_run_for(MS(10));
    assert_true(peer_last(&p, &r));
    assert_int_equal(r.tcp.flags, TCP_ACK);
    assert_int_equal(r.tcp.ack, p.snd_nxt + 1);
    fake_run_for(SEC(2 * TCP_MSL_S) - SEC(5));
    assert_non_null(tcp_lookup(p.s, A_IP, 80, P_IP, p.port));
    fake_run_for(SEC(10));
    assert_null(tcp_lookup(p.s, A_IP, 80, P_IP, p.port));
    assert_int_equal(p.s->tcp.n_timewait, 0);
    peer_done(&p);
}

static void test_time_wait_reopened_by_new_syn(void **state)
{
    (void)state;
    struct peer p;
    peer_connect(&p, 29);
    mi_tcp_close(peer_server.t, false);
    fake_run_for(MS(10));
    struct fake_parsed r;
    assert_true(peer_last(&p, &r));
    peer_send(&p, p.snd_nxt, r.tcp.seq + 1, TCP_ACK | TCP_FIN, NULL, 0);
    fake_run_for(MS(10));
    assert_int_equal(p.s->tcp.n_timewait, 1);
    /* RFC 1122 4.2.2.13: a SYN above RCV.NXT starts a new connection. */
    fake_tap_clear(p.tap);
    peer_send(&p, p.snd_nxt + 100000, 0, TCP_SYN, NULL, 0);
    fake_run_for(MS(10));
    assert_true(peer_last(&p, &r));
    assert_int_equal(r.tcp.flags, TCP_SYN | TCP_ACK);
    assert_int_equal(p.s->tcp.n_timewait, 0);
    peer_done(&p);
}

static void test_bare_ack_carries_snd_max(void **state)
{
    (void)state;
    struct peer p;
    peer_connect(&p, 34);
    static uint8_t d[3000];
    assert_int_equal(mi_tcp_write(peer_server.t, d, sizeof(d)), sizeof(d));
    fake_run_for(MS(10));
    struct fake_parsed r;
    assert_true(peer_last(&p, &r));
    uint32_t snd_max = r.tcp.seq + (uint32_t)r.len; /* the initial window's worth */
    assert_int_equal(snd_max, peer_server.t->snd_max);
    assert_true(seq_gt(snd_max, p.rcv_nxt + TCP_DEFAULT_MSS));
    /* No ACK comes: after the timeout SND.NXT is pulled back to SND.UNA
     * and one segment is sent again. (The loss probe before it sent a
     * new segment: SND.MAX moved.) */
    fake_run_for(SEC(2));
    assert_true(p.s->stats.tcp_retransmit >= 1);
    assert_int_equal(p.s->stats.tcp_tlp, 1);
    snd_max = peer_server.t->snd_max;
    assert_true(seq_lt(peer_server.t->snd_nxt, peer_server.t->snd_max));
    /* Data out of order makes the stack ACK at once. That bare ACK must
     * carry SND.MAX: the peer has all 3000 bytes (RCV.NXT there is past
     * SND.NXT here), and a segment below its RCV.NXT would be dropped as
     * old, its acknowledgment with it (a deadlock when both ends are
     * retransmitting). */
    fake_tap_clear(p.tap);
    peer_send(&p, p.snd_nxt + 100, p.rcv_nxt, TCP_ACK, "x", 1);
    fake_run_for(MS(1));
    assert_true(peer_last(&p, &r));
    assert_int_equal(r.len, 0);
    assert_int_equal(r.tcp.seq, snd_max);
    peer_done(&p);
}

static void test_retransmission_stays_below_snd_max(void **state)
{
    (void)state;
    struct peer p;
    /* A 400-byte window: one 400-byte segment goes, the rest waits. */
    peer_wnd = 400;
    peer_connect(&p, 35);
    static uint8_t d[3000];
    assert_int_equal(mi_tcp_write(peer_server.t, d, sizeof(d)), sizeof(d));
    fake_run_for(MS(10));
    struct fake_parsed r;
    assert_true(peer_last(&p, &r));
    assert_int_equal(r.len, 400);
    uint32_t snd_max = peer_server.t->snd_max;
    /* The timeout sends the same 400 bytes again, not a full MSS that
     * would reach past SND.MAX into data never sent. */
    fake_tap_clear(p.tap);
    fake_run_for(SEC(2));
    assert_true(p.s->stats.tcp_retransmit >= 1);
    assert_true(peer_last(&p, &r));
    assert_int_equal(r.tcp.seq, p.rcv_nxt);
    assert_int_equal(r.len, 400);
    assert_int_equal(peer_server.t->snd_max, snd_max);
    peer_done(&p);
}

static const uint8_t sack_syn_opts[] = {2, 4, 0x05, 0xb4,
                                        1, 1, 4,    2}; /* MSS 1460, SACK-permitted */

/* A connection whose peer offered SACK in its SYN; later segments carry
 * no options until a test sets them. */
static void peer_connect_sack(struct peer *p, uint64_t seed)
{
    peer_opt = sack_syn_opts;
    peer_optlen = sizeof(sack_syn_opts);
    peer_connect(p, seed);
    peer_opt = NULL;
    peer_optlen = 0;
}

static void test_sack_blocks_sent(void **state)
{
    (void)state;
    struct peer p;
    peer_connect_sack(&p, 36);
    assert_true(peer_server.t->sack_ok);
    peer_server.paused = true;
    /* Two out-of-order segments: the ACK for the second lists its block
     * first (RFC 2018 4), then the other. */
    peer_send(&p, p.snd_nxt + 1000, p.rcv_nxt, TCP_ACK, "aaaaaaaaaa", 10);
    peer_send(&p, p.snd_nxt + 3000, p.rcv_nxt, TCP_ACK, "bbbbbbbbbb", 10);
    fake_run_for(MS(10));
    struct fake_parsed r;
    assert_true(peer_last(&p, &r));
    assert_int_equal(r.tcp.ack, p.snd_nxt);
    struct tcp_sack_blocks sb;
    tcp_parse_sack(r.tcp.opt, r.tcp.optlen, &sb);
    assert_int_equal(sb.n, 2);
    assert_int_equal(sb.b[0].start, p.snd_nxt + 3000);
    assert_int_equal(sb.b[0].end, p.snd_nxt + 3010);
    assert_int_equal(sb.b[1].start, p.snd_nxt + 1000);
    assert_int_equal(sb.b[1].end, p.snd_nxt + 1010);
    peer_done(&p);
}

/* MSS 1460 and timestamps TSval = val, TSecr = ecr. */
static void ts_opts(uint8_t opt[16], uint32_t val, uint32_t ecr)
{
    static const uint8_t head[8] = {2, 4, 0x05, 0xb4, 1, 1, 8, 10};
    memcpy(opt, head, sizeof(head));
    put32(opt + 8, val);
    put32(opt + 12, ecr);
}

static void peer_use_ts(uint8_t opt[16], uint32_t val, uint32_t ecr)
{
    ts_opts(opt, val, ecr);
    peer_opt = opt + 4; /* without the MSS option: not a SYN */
    peer_optlen = 12;
}

static void test_timestamps(void **state)
{
    (void)state;
    struct peer p;
    uint8_t opt[16];
    ts_opts(opt, 5000, 0);
    peer_opt = opt;
    peer_optlen = sizeof(opt);
    peer_connect(&p, 37);
    mi_tcp *t = peer_server.t;
    assert_true(t->ts_ok);
    assert_int_equal(t->ts_recent, 5000);

    /* Data with a newer TSval: the ACK echoes it (RFC 7323 4.3). */
    peer_use_ts(opt, 6000, 0);
    peer_send(&p, p.snd_nxt, p.rcv_nxt, TCP_ACK | TCP_PSH, "hello", 5);
    p.snd_nxt += 5;
    fake_run_for(MS(100));
    struct fake_parsed r;
    assert_true(peer_last(&p, &r));
    assert_int_equal(r.tcp.ack, p.snd_nxt);
    struct tcp_ts ts;
    tcp_parse_ts(r.tcp.opt, r.tcp.optlen, &ts);
    assert_true(ts.ok);
    assert_int_equal(ts.ecr, 6000);

    /* The stack's data is lost, and so is the loss probe that sends it
     * again after 2 SRTT + 50 ms (one segment in flight: the peer may be
     * delaying its ACK); the RTO 200 ms later sends it again. The ACK of
     * that echoes its TSval: an RTT sample despite Karn (60 ms: 30 ms
     * before the run ends, 30 after), and the RTO is the computed one
     * again. */
    fake_tap_clear(p.tap);
    assert_int_equal(mi_tcp_write(t, "0123456789", 10), 10);
    uint32_t srtt = t->srtt_us; /* from the handshake: about 10 ms */
    assert_int_equal(t->rto_ms, TCP_RTO_MIN_MS);
    fake_run_for(MS(300)); /* sent, probed at 70 ms, sent again at 270 ms */
    assert_int_equal(p.s->stats.tcp_tlp, 1);
    assert_true(peer_last(&p, &r));
    assert_int_equal(r.len, 10);
    assert_int_equal(t->backoff, 1);
    tcp_parse_ts(r.tcp.opt, r.tcp.optlen, &ts);
    assert_true(ts.ok);
    fake_run_for(MS(30) - (fake_now % MS(1)));
    peer_use_ts(opt, 6100, ts.val);
    peer_send(&p, p.snd_nxt, r.tcp.seq + 10, TCP_ACK, NULL, 0);
    fake_run_for(MS(1));
    assert_int_equal(t->snd_una, t->snd_max);
    assert_int_equal(t->backoff, 0);
    /* RFC 6298 2.3 with the sample the echo gives: 60 ms. */
    assert_int_equal(t->srtt_us, (7 * srtt + 60000) / 8);
    assert_int_equal(t->rto_ms, TCP_RTO_MIN_MS);

    /* A segment with a malformed option is dropped and counted. */
    uint8_t bad[4] = {8, 3, 0, 0};
    peer_opt = bad;
    peer_optlen = sizeof(bad);
    peer_send(&p, p.snd_nxt, p.rcv_nxt, TCP_ACK | TCP_PSH, "x", 1);
    fake_run_for(MS(100));
    assert_int_equal(p.s->stats.tcp_drop_bad_options, 1);
    assert_int_equal(t->rcv_nxt, p.snd_nxt);
    peer_done(&p);
}

/* A probe at RCV.NXT - 1 (Linux's window probe, a keepalive) is
 * answered with an ACK, and its acknowledgment counts: with our window
 * closed it may be all the peer sends. */
static void test_probe_acknowledges(void **state)
{
    (void)state;
    struct peer p;
    peer_connect(&p, 38);
    mi_tcp *t = peer_server.t;
    assert_int_equal(mi_tcp_write(t, "0123456789", 10), 10);
    fake_run_for(MS(1));
    assert_int_equal(t->snd_max - t->snd_una, 10);
    fake_tap_clear(p.tap);
    peer_send(&p, p.snd_nxt - 1, p.rcv_nxt + 10, TCP_ACK, NULL, 0);
    fake_run_for(MS(1));
    assert_int_equal(t->snd_una, t->snd_max);
    assert_int_equal(t->rexmt_at, 0);
    struct fake_parsed r;
    assert_true(peer_last(&p, &r));
    assert_int_equal(r.tcp.ack, p.snd_nxt);
    assert_int_equal(r.len, 0);
    /* Its byte of data (older probes carry one) is not taken. */
    peer_send(&p, p.snd_nxt - 1, p.rcv_nxt + 10, TCP_ACK, "z", 1);
    fake_run_for(MS(1));
    assert_int_equal(t->rcv_nxt, p.snd_nxt);
    assert_int_equal(peer_count(&p), 2);
    peer_done(&p);
}

/* A duplicate segment is reported in the first SACK block of the ACK it
 * draws (D-SACK, RFC 2883), once. */
static void test_dsack(void **state)
{
    (void)state;
    struct peer p;
    peer_connect_sack(&p, 40);
    peer_send(&p, p.snd_nxt, p.rcv_nxt, TCP_ACK, "abcdef", 6);
    fake_run_for(MS(100));
    peer_send(&p, p.snd_nxt + 10, p.rcv_nxt, TCP_ACK, "zz", 2); /* out of order */
    fake_run_for(MS(1));
    fake_tap_clear(p.tap);
    peer_send(&p, p.snd_nxt + 2, p.rcv_nxt, TCP_ACK, "cd", 2); /* a duplicate */
    fake_run_for(MS(1));
    struct fake_parsed r;
    assert_true(peer_last(&p, &r));
    assert_int_equal(r.tcp.ack, p.snd_nxt + 6);
    struct tcp_sack_blocks sb;
    tcp_parse_sack(r.tcp.opt, r.tcp.optlen, &sb);
    assert_int_equal(sb.n, 2);
    assert_int_equal(sb.b[0].start, p.snd_nxt + 2);
    assert_int_equal(sb.b[0].end, p.snd_nxt + 4);
    assert_int_equal(sb.b[1].start, p.snd_nxt + 10);
    assert_int_equal(sb.b[1].end, p.snd_nxt + 12);
    /* The next ACK has the out-of-order block only. */
    peer_send(&p, p.snd_nxt + 14, p.rcv_nxt, TCP_ACK, "y", 1);
    fake_run_for(MS(1));
    assert_true(peer_last(&p, &r));
    tcp_parse_sack(r.tcp.opt, r.tcp.optlen, &sb);
    assert_int_equal(sb.n, 2);
    assert_int_equal(sb.b[0].start, p.snd_nxt + 14);
    assert_int_equal(sb.b[1].start, p.snd_nxt + 10);
    peer_done(&p);
}

static void test_sack_drives_fast_retransmit(void **state)
{
    (void)state;
    struct peer p;
    peer_connect_sack(&p, 37);
    static uint8_t d[20000];
    assert_int_equal(mi_tcp_write(peer_server.t, d, sizeof(d)), sizeof(d));
    fake_run_for(MS(1));
    uint32_t s1 = p.rcv_nxt, mss = 1460;
    /* The initial window went (3 segments); acknowledge the first. */
    peer_send(&p, p.snd_nxt, s1 + mss, TCP_ACK, NULL, 0);
    fake_run_for(MS(1));
    assert_true(seq_ge(peer_server.t->snd_max, s1 + 5 * mss));
    /* Segment 2 is lost; 3 to 5 arrived. The peer says so in a segment
     * that also carries data: not a duplicate ACK for RFC 5681, but it
     * SACKs new data (RFC 6675), and three segments' worth are SACKed. */
    uint8_t sack[12] = {1, 1, 5, 10};
    put32(sack + 4, s1 + 2 * mss);
    put32(sack + 8, s1 + 5 * mss);
    peer_opt = sack;
    peer_optlen = sizeof(sack);
    fake_tap_clear(p.tap);
    peer_send(&p, p.snd_nxt, s1 + mss, TCP_ACK, "data", 4);
    p.snd_nxt += 4;
    fake_run_for(MS(1));
    assert_int_equal(p.s->stats.tcp_fast_retransmit, 1);
    assert_true(peer_server.t->in_recovery);
    bool resent = false;
    struct fake_parsed r;
    for (size_t i = 0; i < p.tap->n; i++)
        if (fake_parse(p.tap->frames[i], p.tap->lens[i], &r) && r.proto == IP_PROTO_TCP &&
            r.tcp.seq == s1 + mss && r.len == mss)
            resent = true;
    assert_true(resent);
    assert_int_equal(p.s->stats.tcp_retransmit, 0); /* no timeout needed */
    peer_done(&p);
}

/* Did the stack send a segment of len bytes at seq since the last clear? */
static bool peer_saw(struct peer *p, uint32_t seq, size_t len)
{
    struct fake_parsed r;
    for (size_t i = 0; i < p->tap->n; i++)
        if (fake_parse(p->tap->frames[i], p->tap->lens[i], &r) && r.proto == IP_PROTO_TCP &&
            r.src == A_IP && r.tcp.seq == seq && r.len == len)
            return true;
    return false;
}

/* SACK recovery (RFC 6675): every hole below SACKed data goes again in
 * the same round trip, not one per partial ACK; after a timeout, what is
 * sent again skips what the peer SACKed. */
static void test_sack_recovery_holes(void **state)
{
    (void)state;
    struct peer p;
    peer_connect_sack(&p, 39);
    mi_tcp *t = peer_server.t;
    static uint8_t d[60000];
    assert_int_equal(mi_tcp_write(t, d, sizeof(d)), sizeof(d));
    fake_run_for(MS(1));
    uint32_t s1 = p.rcv_nxt, mss = 1460;
    /* Grow the window: acknowledge the first 3 segments one by one. */
    for (uint32_t i = 1; i <= 3; i++) {
        peer_send(&p, p.snd_nxt, s1 + i * mss, TCP_ACK, NULL, 0);
        fake_run_for(MS(1));
    }
    assert_true(seq_ge(t->snd_max, s1 + 9 * mss));
    /* Segments 4 and 6 lost; 5 and 7 to the last arrived. */
    uint32_t top = t->snd_max;
    uint8_t sack[20] = {1, 1, 5, 18};
    put32(sack + 4, s1 + 6 * mss);
    put32(sack + 8, top);
    put32(sack + 12, s1 + 4 * mss);
    put32(sack + 16, s1 + 5 * mss);
    peer_opt = sack;
    peer_optlen = sizeof(sack);
    fake_tap_clear(p.tap);
    peer_send(&p, p.snd_nxt, s1 + 3 * mss, TCP_ACK, NULL, 0);
    fake_run_for(MS(1));
    assert_true(t->in_recovery);
    assert_int_equal(p.s->stats.tcp_recovery, 1);
    assert_true(peer_saw(&p, s1 + 3 * mss, mss));
    assert_true(peer_saw(&p, s1 + 5 * mss, mss));
    assert_int_equal(p.s->stats.tcp_sack_retransmit, 1);

    /* Both retransmissions are lost too: the timeout sends segment 4 a
     * third time; its ACK then lets segment 6 go, and nothing the peer
     * holds (5, 7 on) is sent again. */
    fake_tap_clear(p.tap);
    fake_run_for(MS(300));
    assert_int_equal(p.s->stats.tcp_retransmit, 1);
    assert_true(peer_saw(&p, s1 + 3 * mss, mss));
    fake_tap_clear(p.tap);
    sack[3] = 10; /* one block */
    peer_optlen = 12;
    peer_send(&p, p.snd_nxt, s1 + 5 * mss, TCP_ACK, NULL, 0);
    fake_run_for(MS(1));
    assert_true(peer_saw(&p, s1 + 5 * mss, mss));
    assert_false(peer_saw(&p, s1 + 6 * mss, mss));
    assert_false(peer_saw(&p, s1 + 4 * mss, mss));
    peer_done(&p);
}

/* Proportional Rate Reduction (RFC 6937): one segment of a 16-segment
 * flight is lost. In recovery the sender does not wait until the flight
 * has fallen to ssthresh (half of it, RFC 6675's cwnd) before sending
 * again: from the start it sends ssthresh/RecoverFS (one half) of what
 * the peer reports delivered, so new data goes early in the round, and
 * what it sends never runs ahead of that share (plus the first
 * retransmission, which goes at once). */
static void test_prr_spreads_recovery(void **state)
{
    (void)state;
    struct peer p;
    peer_cc = "newreno"; /* PRR is NewReno's */
    peer_connect_sack(&p, 44);
    peer_cc = NULL;
    mi_tcp *t = peer_server.t;
    static uint8_t d[65536]; /* the send buffer's size */
    assert_int_equal(mi_tcp_write(t, d, sizeof(d)), sizeof(d));
    fake_run_for(MS(1));
    uint32_t s1 = p.rcv_nxt, mss = 1460;
    /* Slow start, one ACK per segment: the window grows to 16 segments. */
    for (uint32_t i = 1; i <= 13; i++) {
        peer_send(&p, p.snd_nxt, s1 + i * mss, TCP_ACK, NULL, 0);
        fake_run_for(MS(1));
    }
    uint32_t una = s1 + 13 * mss;
    assert_int_equal(t->snd_max - una, 16 * mss);
    /* Segment 13 is lost; the peer SACKs 14, 15, ... one ACK each. The
     * first two each let two new segments go (limited transmit, RFC 3042,
     * beside what the SACKs took out of flight): 20 are in flight when
     * the third starts recovery. */
    uint8_t sack[12] = {1, 1, 5, 10};
    put32(sack + 4, una + mss);
    peer_opt = sack;
    peer_optlen = sizeof(sack);
    uint32_t top = t->snd_max, new_early = 0;
    for (uint32_t k = 1; k <= 19; k++) {
        put32(sack + 8, una + (1 + k) * mss);
        fake_tap_clear(p.tap);
        peer_send(&p, p.snd_nxt, una, TCP_ACK, NULL, 0);
        fake_run_for(MS(1));
        if (k < 3) {
            assert_false(t->in_recovery);
            top = t->snd_max;
            continue;
        }
        assert_true(t->in_recovery);
        assert_int_equal(t->recover_fs, 20 * mss);
        assert_int_equal(t->ssthresh, 10 * mss);
        /* Everything SACKed since recovery began counts as delivered. */
        assert_int_equal(t->prr_delivered, (k - 2) * mss);
        uint32_t share = (t->prr_delivered * t->ssthresh + t->recover_fs - 1) / t->recover_fs;
        /* While the pipe is above ssthresh (17 - k + 3 + half of k - 3:
         * until k = 13), no more than ssthresh/RecoverFS of it. */
        if (k <= 12)
            assert_true(t->prr_out <= (share > mss ? share : mss));
        if (k == 3)
            assert_true(peer_saw(&p, una, mss)); /* the fast retransmit */
        else if (k <= 8)
            for (uint32_t q = top; seq_lt(q, t->snd_max); q += mss)
                new_early += peer_saw(&p, q, mss);
        top = t->snd_max;
    }
    /* RFC 6675 alone (cwnd = ssthresh) sends nothing new while the pipe
     * is above ssthresh: 20 - 3 SACKed - 1 lost + 1 resent = 17 at the
     * start, 12 after five more SACKs. PRR sent one segment for every two
     * delivered: two by then (the half segments wait for whole ones). */
    assert_int_equal(new_early, 2);
    /* Once the pipe is down to ssthresh it stays there (the slow start
     * bound lets one go per segment delivered): half the flight at the
     * start, not less. */
    assert_int_equal(tcp_sack_pipe(t), t->ssthresh);
    peer_opt = NULL;
    peer_optlen = 0;
    peer_send(&p, p.snd_nxt, t->snd_max, TCP_ACK, NULL, 0);
    fake_run_for(MS(1));
    assert_false(t->in_recovery);
    peer_done(&p);
}

/* RACK (RFC 8985): in recovery, holes 4 and 6 went again, 4 first. The
 * peer SACKs the second retransmission but still misses 4: sent before a
 * segment that arrived, 4's retransmission is lost, and goes again at
 * once, without a timeout (no new data went after it, so only the send
 * times tell). */
static void test_rack_lost_retransmission(void **state)
{
    (void)state;
    struct peer p;
    peer_connect_sack(&p, 41);
    mi_tcp *t = peer_server.t;
    static uint8_t d[60000];
    assert_int_equal(mi_tcp_write(t, d, sizeof(d)), sizeof(d));
    fake_run_for(MS(1));
    uint32_t s1 = p.rcv_nxt, mss = 1460;
    for (uint32_t i = 1; i <= 3; i++) {
        peer_send(&p, p.snd_nxt, s1 + i * mss, TCP_ACK, NULL, 0);
        fake_run_for(MS(1));
    }
    assert_true(seq_ge(t->snd_max, s1 + 9 * mss));
    uint32_t top = t->snd_max;
    uint8_t sack[20] = {1, 1, 5, 18};
    put32(sack + 4, s1 + 6 * mss);
    put32(sack + 8, top);
    put32(sack + 12, s1 + 4 * mss);
    put32(sack + 16, s1 + 5 * mss);
    peer_opt = sack;
    peer_optlen = sizeof(sack);
    fake_tap_clear(p.tap);
    peer_send(&p, p.snd_nxt, s1 + 3 * mss, TCP_ACK, NULL, 0);
    fake_run_for(MS(1));
    assert_true(t->in_recovery);
    assert_true(peer_saw(&p, s1 + 3 * mss, mss));
    assert_true(peer_saw(&p, s1 + 5 * mss, mss));
    assert_int_equal(p.s->stats.tcp_rack_lost_rexmit, 0);

    /* Segment 6's retransmission arrived, 4's did not. */
    fake_tap_clear(p.tap);
    fake_run_for(MS(2));
    sack[3] = 10; /* one block: 5 to the top */
    put32(sack + 4, s1 + 4 * mss);
    put32(sack + 8, top);
    peer_optlen = 12;
    peer_send(&p, p.snd_nxt, s1 + 3 * mss, TCP_ACK, NULL, 0);
    fake_run_for(MS(1));
    assert_int_equal(p.s->stats.tcp_rack_lost_rexmit, 1);
    assert_true(peer_saw(&p, s1 + 3 * mss, mss));
    assert_int_equal(p.s->stats.tcp_retransmit, 0); /* no timeout */
    peer_done(&p);
}

/* RACK after a timeout: the segments sent again from SND.UNA are timed
 * too. When one sent after the new SND.UNA's retransmission is SACKed and
 * SND.UNA is still missing, it goes again at once, not at the next
 * (doubled) timeout, and the window is not reduced a second time. */
static void test_rack_lost_retransmission_after_timeout(void **state)
{
    (void)state;
    struct peer p;
    peer_connect_sack(&p, 43);
    mi_tcp *t = peer_server.t;
    static uint8_t d[60000];
    assert_int_equal(mi_tcp_write(t, d, sizeof(d)), sizeof(d));
    fake_run_for(MS(1));
    uint32_t s1 = p.rcv_nxt, mss = 1460;
    for (uint32_t i = 1; i <= 3; i++) {
        peer_send(&p, p.snd_nxt, s1 + i * mss, TCP_ACK, NULL, 0);
        fake_run_for(MS(1));
    }
    assert_true(seq_ge(t->snd_max, s1 + 9 * mss));
    /* Everything in flight is lost, and the loss probe too: the timeout
     * sends segment 4 again. */
    fake_tap_clear(p.tap);
    fake_run_for(MS(300));
    assert_int_equal(p.s->stats.tcp_retransmit, 1);
    assert_true(peer_saw(&p, s1 + 3 * mss, mss));
    uint32_t ssthresh = t->ssthresh;
    /* Its ACK lets segments 5 and 6 go again (slow start from one). */
    fake_tap_clear(p.tap);
    fake_run_for(MS(2));
    peer_send(&p, p.snd_nxt, s1 + 4 * mss, TCP_ACK, NULL, 0);
    fake_run_for(MS(1));
    assert_true(peer_saw(&p, s1 + 4 * mss, mss));
    assert_true(peer_saw(&p, s1 + 5 * mss, mss));
    /* 6 arrives, 5 does not. Both went at the same time, and one SACKed
     * segment is below DupThresh: 5 is lost once the reordering window
     * (a quarter of the smallest RTT) has passed, which the reordering
     * timer waits for (RFC 8985 6.3). */
    fake_tap_clear(p.tap);
    fake_run_for(MS(2));
    uint8_t sack[12] = {1, 1, 5, 10};
    put32(sack + 4, s1 + 5 * mss);
    put32(sack + 8, s1 + 6 * mss);
    peer_opt = sack;
    peer_optlen = sizeof(sack);
    peer_send(&p, p.snd_nxt, s1 + 4 * mss, TCP_ACK, NULL, 0);
    fake_run_for(MS(1));
    assert_int_equal(p.s->stats.tcp_rack_lost_rexmit, 1);
    assert_int_equal(p.s->stats.tcp_rack_timer, 1);
    assert_true(peer_saw(&p, s1 + 4 * mss, mss));
    assert_int_equal(p.s->stats.tcp_retransmit, 1); /* no second timeout */
    assert_int_equal(t->ssthresh, ssthresh);
    assert_false(t->in_recovery);
    peer_done(&p);
}

static void test_syn_flood_cookies(void **state)
{
    (void)state;
    struct peer p;
    peer_connect(&p, 30);
    /* A flood of SYNs that never complete. */
    for (uint32_t i = 0; i < 2000; i++) {
        p.port = (uint16_t)(1024 + i);
        peer_send(&p, 7777 * i, 0, TCP_SYN, NULL, 0);
    }
    fake_run_for(MS(50));
    assert_int_equal(p.s->tcp.n_synq, MI_NET_TCP_MAX_SYN_QUEUE);
    assert_int_equal(p.s->stats.tcp_syn_queue_full, 2000 - MI_NET_TCP_MAX_SYN_QUEUE);
    /* A real client still gets in, through a cookie. */
    struct net_stack *b = fake_stack_new(2, B_IP, MASK, 0);
    struct side c = {.to_send = 100000, .seed_out = 5, .no_close = true};
    peer_server.t = NULL;
    peer_server.seed_in = 5;
    peer_server.no_close = peer_server.no_shut = false;
    peer_server.shut = false;
    peer_server.to_send = 0;
    int err;
    fake_use(b);
    c.t = mi_tcp_connect(A_IP, 80, &side_cb, &c, &err);
    assert_non_null(c.t);
    fake_run_for(SEC(5));
    assert_int_equal(p.s->stats.tcp_syncookie_ok, 1);
    assert_int_equal(peer_server.received, 100000);
    assert_false(peer_server.bad);
    assert_true(c.eof);
    assert_false(c.t->ws_ok); /* cookies carry no window scale */
    mi_tcp_close(c.t, false);
    /* The half-open connections time out: the queue empties. */
    fake_run_for(SEC(200));
    assert_int_equal(p.s->tcp.n_synq, 0);
    fake_stack_free(b);
    peer_done(&p);
}

static void test_keepalive(void **state)
{
    (void)state;
    struct pair p;
    pair_setup(&p, 31);
    p.client.no_close = p.server.no_close = true;
    p.client.no_shut = p.server.no_shut = true;
    pair_listen(&p, 80);
    pair_connect(&p, 80);
    assert_true(fake_run_until(both_connected, &p, SEC(5)));
    assert_int_equal(mi_tcp_keepalive(p.client.t, 10, 5, 3), 0);
    /* The peer answers: the connection survives any idle time. */
    fake_run_for(SEC(100));
    assert_int_equal(p.client.err, 0);
    assert_true(p.a->stats.tcp_keepalive >= 8);
    /* The peer dies: 3 unanswered probes and the connection is dropped. */
    struct fake_impair dead = {.loss_pct = 100};
    fake_impair(&dead);
    fake_run_for(SEC(10 + 5 * 4));
    assert_int_equal(p.client.err, -ETIMEDOUT);
    fake_impair(NULL);
    pair_teardown(&p);
}

static void test_api_errors(void **state)
{
    (void)state;
    struct pair p;
    int err;
    pair_setup(&p, 32);
    pair_listen(&p, 80);
    fake_use(p.b);
    assert_null(mi_tcp_listen(MI_IPV4_ANY, 80, &listen_cb, NULL, &err));
    assert_int_equal(err, -EADDRINUSE);
    assert_null(mi_tcp_listen(MI_IPV4(10, 9, 9, 9), 81, &listen_cb, NULL, &err));
    assert_int_equal(err, -EADDRNOTAVAIL);
    char c;
    assert_int_equal(mi_tcp_read(p.listener, &c, 1), -ENOTCONN);
    assert_int_equal(mi_tcp_write(p.listener, &c, 1), -ENOTCONN);
    /* No route: off-link without a gateway. */
    assert_null(mi_tcp_connect(MI_IPV4(192, 168, 1, 1), 80, &side_cb, NULL, &err));
    assert_int_equal(err, -EHOSTUNREACH);
    assert_null(mi_tcp_connect(B_IP, 80, &side_cb, NULL, &err));
    assert_int_equal(err, -ENETUNREACH); /* ourselves: no loopback */
    pair_teardown(&p);
}

static void test_writev(void **state)
{
    (void)state;
    struct pair p;
    pair_setup(&p, 33);
    p.server.seed_in = 77;
    p.client.no_shut = p.server.no_shut = true;
    p.server.paused = true;
    pair_listen(&p, 80);
    pair_connect(&p, 80);
    assert_true(fake_run_until(both_connected, &p, SEC(5)));
    uint8_t a[100], b[200];
    for (int i = 0; i < 100; i++)
        a[i] = pat(77, (uint64_t)i);
    for (int i = 0; i < 200; i++)
        b[i] = pat(77, 100 + (uint64_t)i);
    struct mi_iovec iov[3] = {{a, 100}, {NULL, 0}, {b, 200}};
    assert_int_equal(mi_tcp_writev(p.client.t, iov, 3), 300);
    assert_int_equal(mi_tcp_writev(p.client.t, iov, 0), -EINVAL);
    fake_run_for(SEC(1));
    drain(&p.server);
    assert_int_equal(p.server.received, 300);
    assert_false(p.server.bad);
    /* A full send queue: a short count, then -EAGAIN, then on_writable. */
    static uint8_t big[MI_NET_TCP_SNDBUF];
    struct mi_iovec biov[1] = {{big, sizeof(big)}};
    p.server.paused = true;
    p.server.seed_in = 0;
    ssize_t n = mi_tcp_writev(p.client.t, biov, 1);
    assert_true(n > 0 && n <= MI_NET_TCP_SNDBUF);
    if (n == MI_NET_TCP_SNDBUF)
        n = mi_tcp_writev(p.client.t, biov, 1);
    assert_int_equal(mi_tcp_writev(p.client.t, biov, 1), -EAGAIN);
    assert_true(p.client.t->want_writable);
    pair_teardown(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transfer_clean),
        cmocka_unit_test(test_transfer_loss_5),
        cmocka_unit_test(test_transfer_loss_20),
        cmocka_unit_test(test_transfer_reorder_dup_corrupt),
        cmocka_unit_test(test_window_scaling),
        cmocka_unit_test(test_simultaneous_open),
        cmocka_unit_test(test_simultaneous_close),
        cmocka_unit_test(test_half_close),
        cmocka_unit_test(test_connect_refused),
        cmocka_unit_test(test_connect_timeout),
        cmocka_unit_test(test_retransmission_timeout),
        cmocka_unit_test(test_zero_window),
        cmocka_unit_test(test_close_with_unread_data_resets),
        cmocka_unit_test(test_abort),
        cmocka_unit_test(test_data_after_close_resets),
        cmocka_unit_test(test_many_connections),
        cmocka_unit_test(test_rst_exact_resets),
        cmocka_unit_test(test_rst_in_window_challenged),
        cmocka_unit_test(test_rst_out_of_window_ignored),
        cmocka_unit_test(test_syn_in_established_challenged),
        cmocka_unit_test(test_challenge_ack_rate_limited),
        cmocka_unit_test(test_bad_ack_and_old_data),
        cmocka_unit_test(test_out_of_order_reassembly),
        cmocka_unit_test(test_in_order_data_swallows_ranges),
        cmocka_unit_test(test_ooo_ranges_bounded),
        cmocka_unit_test(test_time_wait_reacks_fin),
        cmocka_unit_test(test_time_wait_reopened_by_new_syn),
        cmocka_unit_test(test_bare_ack_carries_snd_max),
        cmocka_unit_test(test_retransmission_stays_below_snd_max),
        cmocka_unit_test(test_sack_blocks_sent),
        cmocka_unit_test(test_timestamps),
        cmocka_unit_test(test_probe_acknowledges),
        cmocka_unit_test(test_sack_recovery_holes),
        cmocka_unit_test(test_prr_spreads_recovery),
        cmocka_unit_test(test_dsack),
        cmocka_unit_test(test_sack_drives_fast_retransmit),
        cmocka_unit_test(test_rack_lost_retransmission),
        cmocka_unit_test(test_rack_lost_retransmission_after_timeout),
        cmocka_unit_test(test_syn_flood_cookies),
        cmocka_unit_test(test_keepalive),
        cmocka_unit_test(test_api_errors),
        cmocka_unit_test(test_writev),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
