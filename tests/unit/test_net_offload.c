/* SPDX-License-Identifier: ISC */
/* Offloads of mirari's stack (platform.h): TCP segments handed to a device
 * that completes checksums and cuts segments larger than the MSS (TSO),
 * and frames a device hands over coalesced or with a checksum that must
 * not be checked. The fake device of net_fake.c cuts and completes as
 * Linux does, so the peer (a stack without offloads) checks every
 * checksum and every byte; an observer sees each frame as the stack gave
 * it. */
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
#include <platform.h>

#include "net/checksum.h"
#include "net_fake.h"

#define A_IP MI_IPV4(10, 0, 0, 1)
#define B_IP MI_IPV4(10, 0, 0, 2)
#define P_IP MI_IPV4(10, 0, 0, 9)
#define MASK MI_IPV4(255, 255, 255, 0)

static uint8_t pat(uint64_t i)
{
    return (uint8_t)((i * 0x9e3779b97f4a7c15ull) >> 56);
}

/* ---- a sender (on A) and a receiver that checks every byte (on B) ---- */
struct app {
    mi_tcp *snd, *rcv;
    uint64_t to_send, sent, received;
    bool bad, eof, paused;
};
static struct app app;

static void pump(mi_tcp *t)
{
    uint8_t buf[9000];
    while (app.sent < app.to_send) {
        size_t n = app.to_send - app.sent < sizeof(buf) ? app.to_send - app.sent : sizeof(buf);
        for (size_t i = 0; i < n; i++)
            buf[i] = pat(app.sent + i);
        ssize_t r = mi_tcp_write(t, buf, n);
        if (r <= 0)
            return;
        app.sent += (uint64_t)r;
    }
    mi_tcp_shutdown(t);
}

static void on_connect(mi_tcp *t, int err, void *arg)
{
    (void)arg;
    assert_int_equal(err, 0);
    pump(t);
}

static void on_writable(mi_tcp *t, void *arg)
{
    (void)arg;
    pump(t);
}

static void on_readable(mi_tcp *t, void *arg)
{
    (void)arg;
    uint8_t buf[70000];
    while (!app.paused) {
        ssize_t r = mi_tcp_read(t, buf, sizeof(buf));
        if (r <= 0) {
            app.eof = r == 0;
            return;
        }
        for (ssize_t i = 0; i < r; i++)
            if (buf[i] != pat(app.received + (uint64_t)i))
                app.bad = true;
        app.received += (uint64_t)r;
    }
}

static const struct mi_tcp_callbacks conn_cb = {
    .on_connect = on_connect,
    .on_readable = on_readable,
    .on_writable = on_writable,
};

static void on_accept(mi_tcp *l, mi_tcp *conn, void *arg)
{
    (void)l, (void)arg;
    app.rcv = conn;
    mi_tcp_set_callbacks(conn, &conn_cb, NULL);
}

static const struct mi_tcp_callbacks listen_cb = {.on_accept = on_accept};

/* What the observer saw of A's frames. */
struct seen {
    uint64_t frames, partial, tso, tso_bytes;
    size_t largest;
    uint64_t tso_out, retransmits; /* A's counters at the end */
};

static uint16_t fold(uint64_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

/* Every frame A gives its device, before the device touches it: a TCP
 * segment that asks for offloads must be one the device can finish, and
 * one beyond the MSS must fit the windows it was sent in. */
static void observe(const uint8_t *f, size_t len, const struct plat_net_tx *tx, void *arg)
{
    struct seen *seen = arg;
    seen->frames++;
    if (len > seen->largest)
        seen->largest = len;
    if (tx == NULL || tx->csum_start == 0)
        return;
    seen->partial++;
    struct fake_parsed p;
    assert_true(fake_parse(f, len, &p));
    assert_int_equal(p.proto, IP_PROTO_TCP);
    assert_int_equal(tx->csum_start, 14 + 20);
    assert_int_equal(tx->csum_offset, 16);
    /* The field holds the pseudo-header's sum over the whole segment's
     * length, folded and not complemented (platform.h). */
    uint64_t pseudo = (p.src >> 16) + (p.src & 0xffff) + (p.dst >> 16) + (p.dst & 0xffff) +
                      IP_PROTO_TCP + p.l4len;
    assert_int_equal(get16(p.l4 + 16), fold(pseudo));
    /* DF, never a fragment, the IP header checksum complete. */
    assert_int_equal(p.frag, 0x4000);
    assert_int_equal(cksum_buf(f + 14, 20), 0);
    if (tx->tso_mss == 0) {
        assert_true(len <= 14 + 1500u);
        return;
    }
    seen->tso++;
    seen->tso_bytes += p.len;
    struct mi_tcp *t = app.snd;
    assert_int_equal(tx->hdr_len, 14 + 20 + 20 + p.tcp.optlen);
    assert_int_equal(tx->tso_mss, t->snd_mss - p.tcp.optlen);
    assert_true(p.len > tx->tso_mss);
    assert_true(p.l4len + 20 <= 65535);
    /* New data within the peer's window and, outside recovery (where the
     * pipe of RFC 6675 counts instead) and limited transmit, within cwnd
     * of what is in flight and not SACKed, as the stack stood when it sent
     * it (SND.NXT has not moved yet). */
    assert_int_equal(p.tcp.seq, t->snd_nxt);
    assert_true(p.tcp.seq + p.len - t->snd_una <= t->snd_wnd);
    if (!t->in_recovery && t->dupacks == 0)
        assert_true(p.tcp.seq + p.len - t->snd_una - tcp_sack_below(t, t->snd_nxt) <= t->cwnd);
    /* Whole segments, but at the end of what was queued. */
    uint32_t end = tcp_snd_data_start(t) + t->snd_len;
    assert_true(p.len % tx->tso_mss == 0 || p.tcp.seq + p.len == end);
}

/* A (with offloads) sends `size` bytes to B (without); B checks them.
 * With `stall`, B reads nothing for the first second, so that its window
 * closes and then opens all at once. */
static void transfer(uint32_t offloads, const struct fake_impair *imp, uint64_t size, bool stall,
                     struct seen *seen)
{
    int err;
    memset(&app, 0, sizeof(app));
    memset(seen, 0, sizeof(*seen));
    fake_reset(7);
    struct net_stack *a = fake_stack_new(1, A_IP, MASK, 0);
    struct net_stack *b = fake_stack_new(2, B_IP, MASK, 0);
    a->offloads = offloads;
    fake_send_observer = observe;
    fake_send_observer_arg = seen;
    fake_impair(imp);
    fake_use(b);
    mi_tcp *l = mi_tcp_listen(MI_IPV4_ANY, 80, &listen_cb, NULL, &err);
    assert_non_null(l);
    fake_use(a);
    app.to_send = size;
    app.snd = mi_tcp_connect(B_IP, 80, &conn_cb, NULL, &err);
    assert_non_null(app.snd);
    if (stall) {
        app.paused = true;
        fake_run_for(SEC(1));
        app.paused = false;
        on_readable(app.rcv, NULL);
    }
    for (int i = 0; i < 3600 && !app.eof; i++)
        fake_run_for(SEC(1));
    assert_true(app.eof);
    assert_false(app.bad);
    assert_int_equal(app.received, size);
    /* What left the device for the wire was never beyond the MTU. */
    assert_int_equal(b->stats.eth_in_large, 0);
    assert_int_equal(b->stats.tcp_drop_checksum, 0);
    seen->tso_out = a->stats.tcp_tso_out;
    seen->retransmits = a->stats.tcp_retransmit + a->stats.tcp_fast_retransmit;
    mi_tcp_close(app.snd, false);
    mi_tcp_close(app.rcv, false);
    mi_tcp_close(l, false);
    fake_run_for(SEC(120));
    fake_stack_free(a);
    fake_stack_free(b);
    fake_reset(0);
}

static void test_tso_frames_within_the_windows(void **state)
{
    (void)state;
    struct seen seen;
    struct fake_impair imp = {.delay_ns = MS(1)};
    transfer(PLAT_NET_TX_CSUM | PLAT_NET_TX_TSO4, &imp, 3 << 20, true, &seen);
    /* Most of the data went in frames beyond the MSS: the ACK of every
     * second segment lets two or more go at once. When the receiver
     * opened its whole window at once, a frame took nearly all of it. */
    assert_true(seen.tso > 0);
    assert_true(seen.tso_bytes > (3u << 20) / 2);
    assert_true(seen.largest > 32768);
    assert_int_equal(seen.tso_out, seen.tso);
}

static void test_tso_under_loss_and_reordering(void **state)
{
    (void)state;
    struct seen seen;
    struct fake_impair imp = {.loss_pct = 3, .reorder_pct = 3, .dup_pct = 1, .delay_ns = MS(5)};
    transfer(PLAT_NET_TX_CSUM | PLAT_NET_TX_TSO4, &imp, 1 << 20, false, &seen);
    assert_true(seen.tso > 0);
    assert_true(seen.retransmits > 0);
}

static void test_checksum_offload_without_tso(void **state)
{
    (void)state;
    struct seen seen;
    transfer(PLAT_NET_TX_CSUM, NULL, 1 << 20, true, &seen);
    assert_true(seen.partial > 0);
    assert_int_equal(seen.tso, 0);
    assert_true(seen.largest <= 14 + 1500u);
}

static void test_no_offloads_complete_frames_of_the_mtu(void **state)
{
    (void)state;
    struct seen seen;
    transfer(0, NULL, 1 << 20, true, &seen);
    /* The device that does nothing gets nothing to do. */
    assert_int_equal(seen.partial, 0);
    assert_int_equal(fake_offload_sends + fake_tso_sends, 0);
    assert_true(seen.largest <= 14 + 1500u);
}

/* ---- receiving: a scripted peer P talks to stack A ---- */
struct peer {
    struct net_stack *s;
    struct fake_tap *tap;
    uint32_t snd_nxt, rcv_nxt;
};

/* A TCP/IPv4 frame from P to A of any size; `partial`: the checksum field
 * holds only the pseudo-header's sum, as the host's own packets through a
 * tap with TUN_F_CSUM do. Returns its length. */
static size_t build(uint8_t *f, struct peer *p, uint32_t seq, uint32_t ack, uint8_t flags,
                    const uint8_t *data, size_t len, bool partial)
{
    uint8_t *t = f + 14 + 20;
    memset(t, 0, 20);
    put16(t, 40000);
    put16(t + 2, 80);
    put32(t + 4, seq);
    put32(t + 8, ack);
    t[12] = 5 << 4;
    t[13] = flags;
    put16(t + 14, 65535);
    if (len > 0)
        memcpy(t + 20, data, len);
    struct cksum c;
    cksum_init(&c);
    cksum_add_pseudo(&c, P_IP, A_IP, IP_PROTO_TCP, (uint16_t)(20 + len));
    if (partial) {
        put16(t + 16, (uint16_t)~cksum_finish(&c));
    } else {
        cksum_add(&c, t, 20 + len);
        put16(t + 16, cksum_finish(&c));
    }
    struct fake_ip ip = {.src = P_IP, .dst = A_IP, .proto = IP_PROTO_TCP, .id = 5};
    uint8_t *copy = malloc(20 + len);
    memcpy(copy, t, 20 + len);
    size_t n = fake_build_ip(f, p->s->mac, p->tap->mac, &ip, copy, 20 + len);
    free(copy);
    return n;
}

/* The last TCP segment from A that P received, or false. */
static bool last_from_a(struct peer *p, struct fake_parsed *out)
{
    for (size_t i = p->tap->n; i-- > 0;)
        if (fake_parse(p->tap->frames[i], p->tap->lens[i], out) && out->proto == IP_PROTO_TCP &&
            out->src == A_IP)
            return true;
    return false;
}

/* A listens on 80; P's SYN (with a partial checksum) is answered. */
static void peer_setup(struct peer *p)
{
    int err;
    memset(p, 0, sizeof(*p));
    memset(&app, 0, sizeof(app));
    fake_reset(11);
    p->s = fake_stack_new(1, A_IP, MASK, 0);
    p->s->offloads = PLAT_NET_RX_CSUM | PLAT_NET_RX_GSO;
    p->tap = fake_tap_new(9, P_IP, NULL, NULL);
    fake_use(p->s);
    assert_non_null(mi_tcp_listen(MI_IPV4_ANY, 80, &listen_cb, NULL, &err));
    uint8_t f[128];
    p->snd_nxt = 5000;
    size_t n = build(f, p, p->snd_nxt, 0, TCP_SYN, NULL, 0, true);
    net_stack_input(p->s, f, n, PLAT_NET_RX_CSUM_OK);
    fake_run_for(MS(10));
    p->snd_nxt++;
}

static void test_partial_checksum_taken_only_when_the_device_says_so(void **state)
{
    (void)state;
    struct peer p;
    int err;
    memset(&p, 0, sizeof(p));
    fake_reset(12);
    p.s = fake_stack_new(1, A_IP, MASK, 0);
    p.tap = fake_tap_new(9, P_IP, NULL, NULL);
    fake_use(p.s);
    assert_non_null(mi_tcp_listen(MI_IPV4_ANY, 80, &listen_cb, NULL, &err));
    /* A SYN whose checksum is only partial, without the device's word:
     * a bad checksum, dropped. */
    uint8_t f[128];
    size_t n = build(f, &p, 5000, 0, TCP_SYN, NULL, 0, true);
    net_stack_input(p.s, f, n, 0);
    fake_run_for(MS(10));
    assert_int_equal(p.s->stats.tcp_drop_checksum, 1);
    struct fake_parsed r;
    assert_false(last_from_a(&p, &r));
    /* The same frame with PLAT_NET_RX_CSUM_OK is a SYN, and answered. */
    net_stack_input(p.s, f, n, PLAT_NET_RX_CSUM_OK);
    fake_run_for(MS(10));
    assert_int_equal(p.s->stats.tcp_drop_checksum, 1);
    assert_true(last_from_a(&p, &r));
    assert_int_equal(r.tcp.flags, TCP_SYN | TCP_ACK);
    assert_int_equal(r.tcp.ack, 5001);
    fake_stack_free(p.s);
    fake_reset(0);
}

static void test_coalesced_segment_taken_and_acked_at_once(void **state)
{
    (void)state;
    struct peer p;
    peer_setup(&p);
    struct fake_parsed r;
    assert_true(last_from_a(&p, &r));
    assert_int_equal(r.tcp.flags, TCP_SYN | TCP_ACK);
    p.rcv_nxt = r.tcp.seq + 1;
    static uint8_t f[14 + 20 + 20 + 40000], data[40000];
    size_t n = build(f, &p, p.snd_nxt, p.rcv_nxt, TCP_ACK, NULL, 0, true);
    net_stack_input(p.s, f, n, PLAT_NET_RX_CSUM_OK);
    fake_run_for(MS(1));
    assert_non_null(app.rcv);
    fake_tap_clear(p.tap);
    /* 40000 bytes in one frame, as a host's GSO or GRO gives them: far
     * beyond the MTU, with a partial checksum. The application does not
     * read yet (reading would send a window update anyway). */
    app.paused = true;
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = pat(i);
    n = build(f, &p, p.snd_nxt, p.rcv_nxt, TCP_ACK | TCP_PSH, data, sizeof(data), true);
    net_stack_input(p.s, f, n, PLAT_NET_RX_CSUM_OK);
    assert_int_equal(p.s->stats.eth_in_large, 1);
    /* Many segments' worth: acknowledged without the delayed-ACK wait. */
    fake_run_for(MS(1));
    assert_true(last_from_a(&p, &r));
    assert_int_equal(r.tcp.ack, p.snd_nxt + sizeof(data));
    app.paused = false;
    on_readable(app.rcv, NULL);
    assert_int_equal(app.received, sizeof(data));
    assert_false(app.bad);
    fake_stack_free(p.s);
    fake_reset(0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tso_frames_within_the_windows),
        cmocka_unit_test(test_tso_under_loss_and_reordering),
        cmocka_unit_test(test_checksum_offload_without_tso),
        cmocka_unit_test(test_no_offloads_complete_frames_of_the_mtu),
        cmocka_unit_test(test_partial_checksum_taken_only_when_the_device_says_so),
        cmocka_unit_test(test_coalesced_segment_taken_and_acked_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
