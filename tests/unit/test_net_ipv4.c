/* SPDX-License-Identifier: ISC */
/* IPv4 (validation, fragmentation, reassembly), ICMP and UDP of the own
 * stack, driven by a scripted peer that sends crafted datagrams. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <mirari/net.h>
#include <mirari/netstats.h>

#include "net/checksum.h"
#include "net_fake.h"

#define S_IP MI_IPV4(10, 0, 0, 1)
#define P_IP MI_IPV4(10, 0, 0, 9)
#define MASK MI_IPV4(255, 255, 255, 0)

struct world {
    struct net_stack *s;
    struct fake_tap *p;
    mi_udp *echo;
    unsigned received;
};

static void echo_recv(mi_udp *u, mi_ipv4 src, uint16_t sport, const void *d, size_t n, void *a)
{
    struct world *w = a;
    w->received++;
    mi_udp_sendto(u, src, sport, d, n);
}

static void setup(struct world *w)
{
    int err;
    memset(w, 0, sizeof(*w));
    fake_reset(2);
    w->s = fake_stack_new(1, S_IP, MASK, 0);
    w->p = fake_tap_new(9, P_IP, NULL, NULL);
    fake_use(w->s);
    w->echo = mi_udp_bind(MI_IPV4_ANY, 7, echo_recv, w, &err);
    assert_non_null(w->echo);
    /* Let the stack learn the peer, so replies need no ARP. */
    uint8_t f[2048];
    size_t n = fake_build_udp(f, w->s->mac, w->p->mac, P_IP, S_IP, 1, 9, "", 0);
    fake_tap_send(w->p, f, n);
    fake_run_for(MS(10));
    uint8_t arp[60] = {0};
    memcpy(arp, eth_broadcast, 6);
    memcpy(arp + 6, w->p->mac, 6);
    put16(arp + 12, ETH_P_ARP);
    put16(arp + 14, 1);
    put16(arp + 16, ETH_P_IPV4);
    arp[18] = 6;
    arp[19] = 4;
    put16(arp + 20, 1);
    memcpy(arp + 22, w->p->mac, 6);
    put32(arp + 28, P_IP);
    put32(arp + 38, S_IP);
    fake_tap_send(w->p, arp, sizeof(arp));
    fake_run_for(MS(10));
    assert_non_null(arp_lookup(w->s, P_IP));
    fake_tap_clear(w->p);
    memset(&w->s->stats, 0, sizeof(w->s->stats));
}

static void teardown(struct world *w)
{
    mi_udp_close(w->echo);
    fake_stack_free(w->s);
    fake_reset(0);
}

static void send_ip(struct world *w, const struct fake_ip *ip, const void *payload, size_t len)
{
    uint8_t f[2048];
    size_t n = fake_build_ip(f, w->s->mac, w->p->mac, ip, payload, len);
    fake_tap_send(w->p, f, n);
}

/* A UDP datagram (header + data) with a correct checksum. */
static size_t udp_payload(uint8_t *out, uint16_t sport, uint16_t dport, const void *d, size_t n)
{
    put16(out, sport);
    put16(out + 2, dport);
    put16(out + 4, (uint16_t)(8 + n));
    put16(out + 6, 0);
    memcpy(out + 8, d, n);
    struct cksum c;
    cksum_init(&c);
    cksum_add_pseudo(&c, P_IP, S_IP, IP_PROTO_UDP, (uint16_t)(8 + n));
    cksum_add(&c, out, 8 + n);
    uint16_t s = cksum_finish(&c);
    put16(out + 6, s ? s : 0xffff);
    return 8 + n;
}

static size_t icmp_echo(uint8_t *out, uint16_t id, uint16_t seq, const uint8_t *d, size_t n)
{
    out[0] = 8;
    out[1] = 0;
    put16(out + 2, 0);
    put16(out + 4, id);
    put16(out + 6, seq);
    memcpy(out + 8, d, n);
    put16(out + 2, cksum_buf(out, 8 + n));
    return 8 + n;
}

/* Frames the peer received from the stack, of one protocol. */
static size_t count_proto(struct world *w, uint8_t proto)
{
    size_t n = 0;
    struct fake_parsed x;
    for (size_t i = 0; i < w->p->n; i++)
        if (fake_parse(w->p->frames[i], w->p->lens[i], &x) && x.proto == proto)
            n++;
    return n;
}

static bool last_of(struct world *w, uint8_t proto, struct fake_parsed *x)
{
    for (size_t i = w->p->n; i-- > 0;)
        if (fake_parse(w->p->frames[i], w->p->lens[i], x) && x->proto == proto)
            return true;
    return false;
}

/* ---- header validation ---- */

static void test_bad_headers_dropped(void **state)
{
    (void)state;
    struct world w;
    setup(&w);
    uint8_t d[64];
    size_t n = udp_payload(d, 1000, 7, "ping", 4);
    struct fake_ip ok = {.src = P_IP, .dst = S_IP, .proto = IP_PROTO_UDP, .id = 1};

    send_ip(&w, &ok, d, n);
    fake_run_for(MS(1));
    assert_int_equal(w.received, 1);

    uint8_t f[2048];
    size_t len = fake_build_ip(f, w.s->mac, w.p->mac, &ok, d, n);
    f[14] = 0x65; /* version 6 */
    fake_tap_send(w.p, f, len);
    len = fake_build_ip(f, w.s->mac, w.p->mac, &ok, d, n);
    fake_tap_send(w.p, f, 14 + 10); /* truncated header */
    struct fake_ip ihl4 = ok;
    ihl4.ihl = 4;
    send_ip(&w, &ihl4, d, n);
    /* IHL 15 (a 60-byte header) in a 32-byte datagram. */
    len = fake_build_ip(f, w.s->mac, w.p->mac, &ok, d, n);
    f[14] = 0x4f;
    put16(f + 24, 0);
    put16(f + 24, cksum_buf(f + 14, 20));
    fake_tap_send(w.p, f, len);
    struct fake_ip longer = ok;
    longer.total_delta = 100; /* claims more than the frame holds */
    send_ip(&w, &longer, d, n);
    fake_run_for(MS(1));
    assert_int_equal(w.s->stats.ip_drop_bad_header, 5);

    struct fake_ip sum = ok;
    sum.bad_checksum = true;
    send_ip(&w, &sum, d, n);
    fake_run_for(MS(1));
    assert_int_equal(w.s->stats.ip_drop_bad_checksum, 1);

    struct fake_ip other = ok;
    other.dst = MI_IPV4(10, 0, 0, 33);
    send_ip(&w, &other, d, n);
    struct fake_ip martian = ok;
    martian.src = MI_IPV4(127, 0, 0, 1);
    send_ip(&w, &martian, d, n);
    martian.src = MI_IPV4(10, 0, 0, 255);
    send_ip(&w, &martian, d, n);
    martian.src = S_IP; /* our own address from outside */
    send_ip(&w, &martian, d, n);
    fake_run_for(MS(1));
    assert_int_equal(w.s->stats.ip_drop_not_ours, 1);
    assert_int_equal(w.s->stats.ip_drop_bad_source, 3);
    assert_int_equal(w.received, 1);

    /* Ethernet padding after the datagram is ignored, not an error. */
    len = fake_build_ip(f, w.s->mac, w.p->mac, &ok, d, n);
    memset(f + len, 0xee, 20);
    fake_tap_send(w.p, f, len + 20);
    fake_run_for(MS(1));
    assert_int_equal(w.received, 2);
    struct fake_parsed x;
    assert_true(last_of(&w, IP_PROTO_UDP, &x));
    assert_int_equal(x.l4len, 8 + 4);
    teardown(&w);
}

static void test_udp_checksums(void **state)
{
    (void)state;
    struct world w;
    setup(&w);
    uint8_t d[64];
    struct fake_ip ok = {.src = P_IP, .dst = S_IP, .proto = IP_PROTO_UDP, .id = 1};
    size_t n = udp_payload(d, 1000, 7, "data", 4);
    d[9] ^= 1; /* corrupt the data */
    send_ip(&w, &ok, d, n);
    fake_run_for(MS(1));
    assert_int_equal(w.s->stats.udp_drop_checksum, 1);
    assert_int_equal(w.received, 0);
    n = udp_payload(d, 1000, 7, "data", 4);
    put16(d + 6, 0); /* no checksum: accepted (RFC 768) */
    send_ip(&w, &ok, d, n);
    put16(d + 4, 200); /* length beyond the datagram */
    send_ip(&w, &ok, d, n);
    fake_run_for(MS(1));
    assert_int_equal(w.received, 1);
    assert_int_equal(w.s->stats.udp_drop_bad, 1);
    /* The reply carries a correct checksum. */
    struct fake_parsed x;
    assert_true(last_of(&w, IP_PROTO_UDP, &x));
    struct cksum c;
    cksum_init(&c);
    cksum_add_pseudo(&c, x.src, x.dst, IP_PROTO_UDP, (uint16_t)x.l4len);
    cksum_add(&c, x.l4, x.l4len);
    assert_int_equal(cksum_finish(&c), 0);
    teardown(&w);
}

/* ---- ICMP ---- */

static void test_echo_reply(void **state)
{
    (void)state;
    struct world w;
    setup(&w);
    uint8_t d[128], data[56];
    for (int i = 0; i < 56; i++)
        data[i] = (uint8_t)i;
    struct fake_ip ip = {.src = P_IP, .dst = S_IP, .proto = IP_PROTO_ICMP, .id = 9};
    send_ip(&w, &ip, d, icmp_echo(d, 0x1234, 7, data, sizeof(data)));
    fake_run_for(MS(1));
    struct fake_parsed x;
    assert_true(last_of(&w, IP_PROTO_ICMP, &x));
    assert_int_equal(x.dst, P_IP);
    assert_int_equal(x.l4[0], 0);
    assert_int_equal(get16(x.l4 + 4), 0x1234);
    assert_int_equal(get16(x.l4 + 6), 7);
    assert_int_equal(x.l4len, 64);
    assert_memory_equal(x.l4 + 8, data, 56);
    assert_int_equal(cksum_buf(x.l4, x.l4len), 0);
    /* A bad checksum: no reply. */
    d[10] ^= 1;
    send_ip(&w, &ip, d, 64);
    fake_run_for(MS(1));
    assert_int_equal(w.s->stats.icmp_drop_bad, 1);
    assert_int_equal(count_proto(&w, IP_PROTO_ICMP), 1);
    teardown(&w);
}

/* Send `total` bytes of ICMP echo in fragments of `frag` bytes, in the
 * order given by `order` (indices), with duplicates if listed twice. */
static void send_fragments(struct world *w, const uint8_t *dgram, size_t total, size_t frag,
                           const int *order, int norder, uint16_t id)
{
    for (int k = 0; k < norder; k++) {
        size_t off = (size_t)order[k] * frag;
        size_t n = total - off < frag ? total - off : frag;
        bool more = off + n < total;
        struct fake_ip ip = {.src = P_IP,
                             .dst = S_IP,
                             .proto = IP_PROTO_ICMP,
                             .id = id,
                             .frag = (uint16_t)((more ? 0x2000 : 0) | (off / 8))};
        send_ip(w, &ip, dgram + off, n);
    }
}

/* Reassemble the echo reply the stack sent back in fragments. */
static size_t reply_size(struct world *w, uint8_t *out, size_t cap)
{
    size_t end = 0;
    bool last = false;
    struct fake_parsed x;
    for (size_t i = 0; i < w->p->n; i++) {
        if (!fake_parse(w->p->frames[i], w->p->lens[i], &x) || x.proto != IP_PROTO_ICMP)
            continue;
        size_t off = (size_t)(x.frag & 0x1fff) * 8;
        assert_true(off + x.l4len <= cap);
        assert_true(x.l4len + 20 <= 1500); /* nothing above the MTU */
        memcpy(out + off, x.l4, x.l4len);
        if (!(x.frag & 0x2000)) {
            last = true;
            end = off + x.l4len;
        }
    }
    return last ? end : 0;
}

static void test_big_echo_fragmented_both_ways(void **state)
{
    (void)state;
    struct world w;
    setup(&w);
    static uint8_t data[8000], d[8008], reply[9000];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 7);
    size_t n = icmp_echo(d, 1, 1, data, sizeof(data));
    int in_order[] = {0, 1, 2, 3, 4, 5};
    send_fragments(&w, d, n, 1480, in_order, 6, 100);
    fake_run_for(MS(5));
    assert_int_equal(w.s->stats.ip_reass_ok, 1);
    assert_int_equal(reply_size(&w, reply, sizeof(reply)), n);
    assert_int_equal(reply[0], 0);
    assert_memory_equal(reply + 8, data, sizeof(data));
    assert_int_equal(cksum_buf(reply, n), 0);
    assert_int_equal(w.s->stats.ip_frag_out, 6);
    teardown(&w);
}

static void test_reorder_and_duplicates(void **state)
{
    (void)state;
    struct world w;
    setup(&w);
    static uint8_t data[5000], d[5008], reply[6000];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 13);
    size_t n = icmp_echo(d, 2, 2, data, sizeof(data));
    int order[] = {3, 1, 1, 0, 2, 3}; /* last first, exact duplicates */
    send_fragments(&w, d, n, 1480, order, 6, 101);
    fake_run_for(MS(5));
    assert_int_equal(w.s->stats.ip_reass_ok, 1);
    assert_int_equal(w.s->stats.ip_reass_dup, 1); /* the second 1 */
    assert_int_equal(reply_size(&w, reply, sizeof(reply)), n);
    assert_memory_equal(reply + 8, data, sizeof(data));
    /* The second 3 came after completion: it starts a datagram of its
     * own, which never completes and is let go at the timeout. */
    assert_int_equal(w.s->stats.ip_reass_ok, 1);
    fake_run_for(SEC(MI_NET_REASS_TIMEOUT_S + 1));
    assert_int_equal(w.s->stats.ip_reass_timeout, 1);
    assert_int_equal(w.s->reass.mem, 0);
    teardown(&w);
}

static void test_overlap_discards(void **state)
{
    (void)state;
    struct world w;
    setup(&w);
    static uint8_t d[3008];
    uint8_t data[3000] = {0};
    size_t n = icmp_echo(d, 3, 3, data, sizeof(data));
    /* [0,1480) then [1400, 2880): overlapping but not a duplicate. */
    struct fake_ip a = {.src = P_IP, .dst = S_IP, .proto = IP_PROTO_ICMP, .id = 7, .frag = 0x2000};
    send_ip(&w, &a, d, 1480);
    struct fake_ip b = a;
    b.frag = 0x2000 | (1400 / 8);
    send_ip(&w, &b, d + 1400, 1480);
    struct fake_ip c = a;
    c.frag = 2880 / 8;
    send_ip(&w, &c, d + 2880, n - 2880);
    fake_run_for(MS(5));
    assert_int_equal(w.s->stats.ip_reass_overlap, 1);
    assert_int_equal(w.s->stats.ip_reass_ok, 0);
    assert_int_equal(count_proto(&w, IP_PROTO_ICMP), 0);
    /* The whole datagram was dropped: the rest alone completes nothing. */
    assert_int_equal(w.s->reass.mem > 0, 1); /* c started a new, incomplete one */
    teardown(&w);
}

static void test_reassembly_timeout(void **state)
{
    (void)state;
    struct world w;
    setup(&w);
    static uint8_t d[3008];
    uint8_t data[3000] = {0};
    icmp_echo(d, 4, 4, data, sizeof(data));
    struct fake_ip a = {.src = P_IP, .dst = S_IP, .proto = IP_PROTO_ICMP, .id = 8, .frag = 0x2000};
    send_ip(&w, &a, d, 1480);
    fake_run_for(SEC(MI_NET_REASS_TIMEOUT_S - 1));
    assert_int_equal(w.s->stats.ip_reass_timeout, 0);
    fake_run_for(SEC(2));
    assert_int_equal(w.s->stats.ip_reass_timeout, 1);
    assert_int_equal(w.s->reass.mem, 0);
    /* RFC 1122 3.3.2: time exceeded (code 1), as the first fragment came. */
    struct fake_parsed x;
    assert_true(last_of(&w, IP_PROTO_ICMP, &x));
    assert_int_equal(x.l4[0], ICMP_TIME_EXCEEDED);
    assert_int_equal(x.l4[1], 1);
    assert_int_equal(get16(x.l4 + 8 + 4), 8); /* the quoted header's id */
    teardown(&w);
}

static void test_reassembly_memory_bounded(void **state)
{
    (void)state;
    struct world w;
    setup(&w);
    static uint8_t chunk[1480];
    /* Endless fragments: 500 datagrams, each with pieces far apart. */
    for (uint16_t id = 0; id < 500; id++) {
        for (int k = 0; k < 3; k++) {
            struct fake_ip ip = {.src = P_IP,
                                 .dst = S_IP,
                                 .proto = IP_PROTO_UDP,
                                 .id = id,
                                 .frag = (uint16_t)(0x2000 | ((k * 20000) / 8))};
            send_ip(&w, &ip, chunk, sizeof(chunk));
        }
        fake_run_for(MS(1));
        assert_true(w.s->reass.mem <= MI_NET_REASS_MEM);
    }
    assert_true(w.s->stats.ip_reass_no_mem > 0);
    size_t used = 0;
    for (size_t i = 0; i < MI_NET_REASS_MAX; i++)
        used += w.s->reass.e[i].used;
    assert_true(used <= MI_NET_REASS_MAX);
    /* Too long: ends beyond 65535. */
    struct fake_ip big = {
        .src = P_IP, .dst = S_IP, .proto = IP_PROTO_UDP, .id = 9999, .frag = (uint16_t)(65000 / 8)};
    send_ip(&w, &big, chunk, sizeof(chunk));
    /* Not a multiple of 8 with more fragments to come. */
    struct fake_ip odd = {
        .src = P_IP, .dst = S_IP, .proto = IP_PROTO_UDP, .id = 9998, .frag = 0x2000};
    send_ip(&w, &odd, chunk, 1001);
    fake_run_for(MS(1));
    assert_int_equal(w.s->stats.ip_reass_bad, 2);
    /* Everything is let go after the timeout. */
    fake_run_for(SEC(MI_NET_REASS_TIMEOUT_S + 1));
    assert_int_equal(w.s->reass.mem, 0);
    teardown(&w);
}

static void test_port_unreachable_and_rate_limit(void **state)
{
    (void)state;
    struct world w;
    setup(&w);
    uint8_t d[64];
    struct fake_ip ip = {.src = P_IP, .dst = S_IP, .proto = IP_PROTO_UDP, .id = 77};
    size_t n = udp_payload(d, 1000, 9, "nobody", 6);
    send_ip(&w, &ip, d, n);
    fake_run_for(MS(1));
    struct fake_parsed x;
    assert_true(last_of(&w, IP_PROTO_ICMP, &x));
    assert_int_equal(x.l4[0], ICMP_DEST_UNREACH);
    assert_int_equal(x.l4[1], ICMP_PORT_UNREACH);
    /* It quotes our header and the first 8 bytes (the UDP header). */
    assert_int_equal(x.l4len, 8 + 20 + 8);
    assert_int_equal(get16(x.l4 + 8 + 4), 77);
    assert_memory_equal(x.l4 + 28, d, 8);
    assert_int_equal(w.s->stats.udp_drop_no_port, 1);
    /* Protocol 99: protocol unreachable. */
    struct fake_ip p99 = ip;
    p99.proto = 99;
    send_ip(&w, &p99, "abcdefgh", 8);
    fake_run_for(MS(1));
    assert_true(last_of(&w, IP_PROTO_ICMP, &x));
    assert_int_equal(x.l4[1], ICMP_PROTO_UNREACH);
    /* To a broadcast address: never an error. */
    struct fake_ip bc = ip;
    bc.dst = MI_IPV4(10, 0, 0, 255);
    send_ip(&w, &bc, d, n);
    fake_run_for(MS(1));
    assert_int_equal(count_proto(&w, IP_PROTO_ICMP), 2);
    /* A burst: ICMP_RATE_BURST errors (2 spent), the rest counted. */
    for (int i = 0; i < 50; i++)
        send_ip(&w, &ip, d, n);
    fake_run_for(MS(1));
    assert_int_equal(count_proto(&w, IP_PROTO_ICMP), ICMP_RATE_BURST);
    assert_int_equal(w.s->stats.icmp_rate_limited, 50 - (ICMP_RATE_BURST - 2));
    /* The bucket refills with time. */
    fake_run_for(SEC(1));
    send_ip(&w, &ip, d, n);
    fake_run_for(MS(1));
    assert_int_equal(count_proto(&w, IP_PROTO_ICMP), ICMP_RATE_BURST + 1);
    teardown(&w);
}

/* ---- UDP between two stacks ---- */

struct catcher {
    size_t len;
    uint8_t data[70000];
    mi_ipv4 src;
    uint16_t sport;
};

static void catch_recv(mi_udp *u, mi_ipv4 src, uint16_t sport, const void *d, size_t n, void *a)
{
    struct catcher *c = a;
    (void)u;
    c->len = n;
    memcpy(c->data, d, n);
    c->src = src;
    c->sport = sport;
}

static void test_udp_large_between_stacks(void **state)
{
    (void)state;
    int err;
    fake_reset(3);
    struct net_stack *a = fake_stack_new(1, S_IP, MASK, 0);
    struct net_stack *b = fake_stack_new(2, MI_IPV4(10, 0, 0, 2), MASK, 0);
    static struct catcher c;
    memset(&c, 0, sizeof(c));
    fake_use(b);
    mi_udp *ub = mi_udp_bind(MI_IPV4(10, 0, 0, 2), 4000, catch_recv, &c, &err);
    assert_non_null(ub);
    assert_null(mi_udp_bind(MI_IPV4_ANY, 4000, catch_recv, &c, &err));
    assert_int_equal(err, -EADDRINUSE);
    fake_use(a);
    mi_udp *ua = mi_udp_bind(MI_IPV4_ANY, 0, catch_recv, NULL, &err);
    assert_non_null(ua);
    static uint8_t big[20000];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)(i ^ (i >> 8));
    assert_int_equal(mi_udp_sendto(ua, MI_IPV4(10, 0, 0, 2), 4000, big, sizeof(big)), sizeof(big));
    fake_run_for(MS(10));
    assert_int_equal(c.len, sizeof(big));
    assert_memory_equal(c.data, big, sizeof(big));
    assert_int_equal(c.src, S_IP);
    assert_true(c.sport >= 49152);
    assert_int_equal(a->stats.ip_frag_out, 14);
    assert_int_equal(b->stats.ip_reass_ok, 1);
    static uint8_t huge[70000];
    assert_int_equal(mi_udp_sendto(ua, MI_IPV4(10, 0, 0, 2), 4000, huge, sizeof(huge)), -EMSGSIZE);
    assert_int_equal(mi_udp_sendto(ua, MI_IPV4(192, 168, 0, 1), 4000, "x", 1), -EHOSTUNREACH);
    mi_udp_close(ua);
    mi_udp_close(ub);
    fake_stack_free(a);
    fake_stack_free(b);
    fake_reset(0);
}

static void test_counters_readable(void **state)
{
    (void)state;
    struct world w;
    setup(&w);
    struct fake_ip bad = {.src = P_IP, .dst = S_IP, .proto = IP_PROTO_UDP, .bad_checksum = true};
    uint8_t d[64];
    size_t n = udp_payload(d, 1, 7, "x", 1);
    for (int i = 0; i < 3; i++)
        send_ip(&w, &bad, d, n);
    fake_run_for(MS(1));
    /* The application reads the counters of the interface... */
    struct mi_net_stats st;
    assert_int_equal(mi_net_stats_get(&st), 0);
    assert_int_equal(st.ip_drop_bad_checksum, 3);
    assert_true(st.eth_in >= 3);
    /* ...or has them formatted, the non-zero ones only. */
    char buf[4096];
    size_t len = mi_net_stats_format(buf, sizeof(buf));
    assert_int_equal(len, strlen(buf));
    assert_non_null(strstr(buf, "ip_drop_bad_checksum 3\n"));
    assert_null(strstr(buf, "tcp_drop_checksum"));
    /* Truncated like snprintf: the length it would have had. */
    char small[16];
    assert_int_equal(mi_net_stats_format(small, sizeof(small)), len);
    assert_int_equal(strlen(small), sizeof(small) - 1);
    mi_net_stats_log();
    teardown(&w);
    assert_int_equal(mi_net_stats_get(&st), -ENODEV); /* no interface */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_headers_dropped),
        cmocka_unit_test(test_udp_checksums),
        cmocka_unit_test(test_echo_reply),
        cmocka_unit_test(test_big_echo_fragmented_both_ways),
        cmocka_unit_test(test_reorder_and_duplicates),
        cmocka_unit_test(test_overlap_discards),
        cmocka_unit_test(test_reassembly_timeout),
        cmocka_unit_test(test_reassembly_memory_bounded),
        cmocka_unit_test(test_port_unreachable_and_rate_limit),
        cmocka_unit_test(test_udp_large_between_stacks),
        cmocka_unit_test(test_counters_readable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
