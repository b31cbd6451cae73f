/* SPDX-License-Identifier: ISC */
/* ARP of the own stack against a scripted neighbour (a fake_tap). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <mirari/net.h>

#include "net_fake.h"

#define S_IP MI_IPV4(10, 0, 0, 1)
#define P_IP MI_IPV4(10, 0, 0, 9)
#define MASK MI_IPV4(255, 255, 255, 0)

struct world {
    struct net_stack *s;
    struct fake_tap *p;
    mi_udp *u;
};

static void nop_recv(mi_udp *u, mi_ipv4 src, uint16_t sport, const void *d, size_t n, void *a)
{
    (void)u, (void)src, (void)sport, (void)d, (void)n, (void)a;
}

static void setup(struct world *w, mi_ipv4 peer_ip)
{
    int err;
    fake_reset(1);
    w->s = fake_stack_new(1, S_IP, MASK, MI_IPV4(10, 0, 0, 254));
    w->p = fake_tap_new(9, peer_ip, NULL, NULL);
    fake_use(w->s);
    w->u = mi_udp_bind(MI_IPV4_ANY, 5000, nop_recv, NULL, &err);
    assert_non_null(w->u);
}

static void teardown(struct world *w)
{
    mi_udp_close(w->u);
    fake_stack_free(w->s);
    fake_reset(0);
}

/* What the tap received, classified. */
struct arp_seen {
    uint16_t op;
    bool broadcast;
    mi_ipv4 spa, tpa;
};

static size_t arps(struct fake_tap *t, struct arp_seen *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n && n < cap; i++) {
        const uint8_t *f = t->frames[i];
        if (t->lens[i] < 42 || get16(f + 12) != ETH_P_ARP)
            continue;
        out[n].op = get16(f + 20);
        out[n].broadcast = memcmp(f, eth_broadcast, 6) == 0;
        out[n].spa = get32(f + 28);
        out[n].tpa = get32(f + 38);
        n++;
    }
    return n;
}

static size_t udps(struct fake_tap *t)
{
    size_t n = 0;
    struct fake_parsed x;
    for (size_t i = 0; i < t->n; i++)
        if (fake_parse(t->frames[i], t->lens[i], &x) && x.proto == IP_PROTO_UDP)
            n++;
    return n;
}

static void test_resolves_then_sends(void **state)
{
    (void)state;
    struct world w;
    setup(&w, P_IP);
    assert_int_equal(mi_udp_sendto(w.u, P_IP, 7, "one", 3), 3);
    assert_int_equal(mi_udp_sendto(w.u, P_IP, 7, "two", 3), 3);
    fake_run_for(MS(10));
    struct arp_seen a[8];
    assert_int_equal(arps(w.p, a, 8), 1);
    assert_int_equal(a[0].op, 1);
    assert_true(a[0].broadcast);
    assert_int_equal(a[0].spa, S_IP);
    assert_int_equal(a[0].tpa, P_IP);
    /* Both datagrams waited for the answer, then went, in order. */
    assert_int_equal(udps(w.p), 2);
    struct fake_parsed x;
    assert_true(fake_parse(w.p->frames[w.p->n - 2], w.p->lens[w.p->n - 2], &x));
    assert_memory_equal(x.l4 + 8, "one", 3);
    assert_memory_equal(arp_lookup(w.s, P_IP), w.p->mac, 6);
    teardown(&w);
}

static void test_unanswered(void **state)
{
    (void)state;
    struct world w;
    setup(&w, 0); /* the tap answers nothing */
    mi_ipv4 nobody = MI_IPV4(10, 0, 0, 50);
    for (int i = 0; i < 3; i++)
        assert_int_equal(mi_udp_sendto(w.u, nobody, 7, "x", 1), 1);
    struct arp_seen a[8];
    fake_run_for(MS(500));
    assert_int_equal(arps(w.p, a, 8), 1);
    fake_run_for(SEC(1));
    assert_int_equal(arps(w.p, a, 8), 2); /* one request a second */
    fake_run_for(SEC(1));
    assert_int_equal(arps(w.p, a, 8), 3);
    assert_int_equal(w.s->stats.arp_drop_unresolved, 0);
    fake_run_for(SEC(1));
    /* Three requests, no answer: the waiting frames are dropped, counted,
     * and the entry is forgotten. */
    assert_int_equal(arps(w.p, a, 8), 3);
    assert_int_equal(w.s->stats.arp_drop_unresolved, 3);
    assert_null(arp_lookup(w.s, nobody));
    assert_int_equal(udps(w.p), 0);
    teardown(&w);
}

static void test_queue_bounded(void **state)
{
    (void)state;
    struct world w;
    setup(&w, 0);
    static char big[1400];
    int eagain = 0, ok = 0;
    for (int i = 0; i < 100; i++) {
        ssize_t r = mi_udp_sendto(w.u, MI_IPV4(10, 0, 0, 51), 7, big, sizeof(big));
        if (r == -EAGAIN)
            eagain++;
        else if (r == (ssize_t)sizeof(big))
            ok++;
    }
    /* MI_NET_ARP_QUEUE bytes wait; the rest is refused at once. */
    assert_int_equal(ok, MI_NET_ARP_QUEUE / (ETH_HLEN + IP_HLEN + 8 + 1400));
    assert_int_equal(eagain, 100 - ok);
    assert_int_equal(w.s->stats.arp_drop_queue_full, (uint64_t)eagain);
    teardown(&w);
}

static void test_expiry_and_probe(void **state)
{
    (void)state;
    struct world w;
    setup(&w, P_IP);
    mi_udp_sendto(w.u, P_IP, 7, "a", 1);
    fake_run_for(MS(10));
    fake_tap_clear(w.p);
    /* Within the timeout: no ARP at all. */
    fake_run_for(SEC(MI_NET_ARP_TIMEOUT_S - 5));
    mi_udp_sendto(w.u, P_IP, 7, "b", 1);
    fake_run_for(MS(10));
    struct arp_seen a[16];
    assert_int_equal(arps(w.p, a, 16), 0);
    assert_int_equal(udps(w.p), 1);
    /* Expired: the datagram still goes at once, and the neighbour is
     * asked again, directly (unicast). */
    fake_run_for(SEC(10));
    fake_tap_clear(w.p);
    mi_udp_sendto(w.u, P_IP, 7, "c", 1);
    fake_run_for(MS(10));
    assert_int_equal(udps(w.p), 1);
    assert_int_equal(arps(w.p, a, 16), 1);
    assert_int_equal(a[0].op, 1);
    assert_false(a[0].broadcast);
    assert_int_equal(w.s->arp.e[0].state, ARP_REACHABLE); /* it answered */
    /* Now it falls silent: expired again, three unanswered probes, and
     * the entry is gone; the next datagram starts with a broadcast. */
    w.p->ip = 0;
    fake_run_for(SEC(MI_NET_ARP_TIMEOUT_S + 1));
    fake_tap_clear(w.p);
    mi_udp_sendto(w.u, P_IP, 7, "d", 1);
    fake_run_for(SEC(4));
    assert_int_equal(arps(w.p, a, 16), 3);
    for (int i = 0; i < 3; i++)
        assert_false(a[i].broadcast);
    assert_null(arp_lookup(w.s, P_IP));
    fake_tap_clear(w.p);
    mi_udp_sendto(w.u, P_IP, 7, "e", 1);
    fake_run_for(MS(10));
    assert_int_equal(arps(w.p, a, 16), 1);
    assert_true(a[0].broadcast);
    teardown(&w);
}

static size_t build_arp(uint8_t *f, const uint8_t *src_mac, uint16_t op, mi_ipv4 spa, mi_ipv4 tpa)
{
    memset(f, 0, 60);
    memcpy(f, eth_broadcast, 6);
    memcpy(f + 6, src_mac, 6);
    put16(f + 12, ETH_P_ARP);
    put16(f + 14, 1);
    put16(f + 16, ETH_P_IPV4);
    f[18] = 6;
    f[19] = 4;
    put16(f + 20, op);
    memcpy(f + 22, src_mac, 6);
    put32(f + 28, spa);
    put32(f + 38, tpa);
    return 60;
}

static void test_answers_and_learns(void **state)
{
    (void)state;
    struct world w;
    setup(&w, P_IP);
    uint8_t f[60];
    /* A request for someone else teaches nothing (RFC 826: only merge). */
    fake_tap_send(w.p, f, build_arp(f, w.p->mac, 1, P_IP, MI_IPV4(10, 0, 0, 77)));
    fake_run_for(MS(10));
    assert_null(arp_lookup(w.s, P_IP));
    assert_int_equal(w.p->n, 0);
    /* A request for us: answered to the asker, who is remembered. */
    fake_tap_send(w.p, f, build_arp(f, w.p->mac, 1, P_IP, S_IP));
    fake_run_for(MS(10));
    struct arp_seen a[4];
    assert_int_equal(arps(w.p, a, 4), 1);
    assert_int_equal(a[0].op, 2);
    assert_false(a[0].broadcast);
    assert_int_equal(a[0].spa, S_IP);
    assert_int_equal(a[0].tpa, P_IP);
    assert_memory_equal(w.p->frames[0], w.p->mac, 6);
    assert_memory_equal(arp_lookup(w.s, P_IP), w.p->mac, 6);
    /* Malformed: too short, wrong hardware type. */
    fake_tap_send(w.p, f, 30);
    build_arp(f, w.p->mac, 1, P_IP, S_IP);
    put16(f + 14, 6);
    fake_tap_send(w.p, f, 60);
    fake_run_for(MS(10));
    assert_int_equal(w.s->stats.arp_drop_bad, 2);
    teardown(&w);
}

static void test_announce(void **state)
{
    (void)state;
    struct world w;
    setup(&w, P_IP);
    arp_announce(w.s);
    fake_run_for(MS(1));
    struct arp_seen a[2];
    assert_int_equal(arps(w.p, a, 2), 1);
    assert_true(a[0].broadcast);
    assert_int_equal(a[0].op, 1);
    assert_int_equal(a[0].spa, S_IP);
    assert_int_equal(a[0].tpa, S_IP); /* RFC 5227: sender = target */
    teardown(&w);
}

static void test_gateway_for_off_link(void **state)
{
    (void)state;
    struct world w;
    setup(&w, MI_IPV4(10, 0, 0, 254)); /* the tap is the gateway */
    mi_udp_sendto(w.u, MI_IPV4(8, 8, 8, 8), 53, "q", 1);
    fake_run_for(MS(10));
    struct arp_seen a[4];
    assert_int_equal(arps(w.p, a, 4), 1);
    assert_int_equal(a[0].tpa, MI_IPV4(10, 0, 0, 254));
    struct fake_parsed x;
    assert_true(fake_parse(w.p->frames[w.p->n - 1], w.p->lens[w.p->n - 1], &x));
    assert_int_equal(x.dst, MI_IPV4(8, 8, 8, 8));
    assert_memory_equal(w.p->frames[w.p->n - 1], w.p->mac, 6);
    teardown(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resolves_then_sends),  cmocka_unit_test(test_unanswered),
        cmocka_unit_test(test_queue_bounded),        cmocka_unit_test(test_expiry_and_probe),
        cmocka_unit_test(test_answers_and_learns),   cmocka_unit_test(test_announce),
        cmocka_unit_test(test_gateway_for_off_link),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
