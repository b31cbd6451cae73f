/* SPDX-License-Identifier: ISC */
/* The DHCP client of the own stack (RFC 2131) against a scripted server
 * on the fake wire: lease, retransmission backoff, renewal at T1,
 * rebinding at T2, expiry, NAK. */
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

#define SERVER  MI_IPV4(10, 0, 0, 1)
#define OFFERED MI_IPV4(10, 0, 0, 42)

struct server {
    struct fake_tap *tap;
    bool silent;         /* answers nothing */
    bool ignore_unicast; /* does not answer RENEWING requests */
    int nak_next;        /* NAK the next n REQUESTs */
    uint32_t lease, t1, t2;
    unsigned discovers, requests, unicast_requests, acks, naks;
    uint64_t discover_at[32];
    uint32_t last_ciaddr;
    mi_ipv4 last_dst;
};

static struct server srv;

static void reply(const uint8_t *req, uint8_t type)
{
    uint8_t m[400] = {0};
    m[0] = 2;
    m[1] = 1;
    m[2] = 6;
    memcpy(m + 4, req + 4, 4); /* xid */
    if (type != 6)
        put32(m + 16, OFFERED);
    memcpy(m + 28, req + 28, 16); /* chaddr */
    put32(m + 236, 0x63825363);
    uint8_t *p = m + 240;
    *p++ = 53, *p++ = 1, *p++ = type;
    *p++ = 54, *p++ = 4, put32(p, SERVER), p += 4;
    if (type != 6) {
        *p++ = 51, *p++ = 4, put32(p, srv.lease), p += 4;
        *p++ = 1, *p++ = 4, put32(p, 0xffffff00u), p += 4;
        *p++ = 3, *p++ = 4, put32(p, SERVER), p += 4;
        if (srv.t1)
            *p++ = 58, *p++ = 4, put32(p, srv.t1), p += 4;
        if (srv.t2)
            *p++ = 59, *p++ = 4, put32(p, srv.t2), p += 4;
    }
    *p++ = 255;
    uint8_t f[600];
    mi_ipv4 dst = type == 6 ? IP_BROADCAST : OFFERED;
    size_t n = fake_build_udp(f, req + 28, srv.tap->mac, SERVER, dst, 67, 68, m, (size_t)(p - m));
    fake_tap_send(srv.tap, f, n);
}

static void server_rx(const uint8_t *f, size_t len, void *arg)
{
    (void)arg;
    struct fake_parsed x;
    if (!fake_parse(f, len, &x) || x.proto != IP_PROTO_UDP || get16(x.l4 + 2) != 67)
        return;
    const uint8_t *m = x.l4 + 8;
    size_t mlen = x.l4len - 8;
    assert_true(mlen >= 244);
    assert_int_equal(m[0], 1);
    assert_int_equal(get32(m + 236), 0x63825363);
    uint8_t type = 0;
    for (size_t i = 240; i + 1 < mlen && m[i] != 255;) {
        if (m[i] == 0) {
            i++;
            continue;
        }
        if (m[i] == 53)
            type = m[i + 2];
        i += 2u + m[i + 1];
    }
    srv.last_ciaddr = get32(m + 12);
    srv.last_dst = x.dst;
    if (type == 1) {
        if (srv.discovers < 32)
            srv.discover_at[srv.discovers] = fake_now;
        srv.discovers++;
        if (!srv.silent)
            reply(m, 2);
    } else if (type == 3) {
        srv.requests++;
        bool unicast = x.dst != IP_BROADCAST;
        srv.unicast_requests += unicast;
        if (srv.silent || (unicast && srv.ignore_unicast))
            return;
        if (srv.nak_next > 0) {
            srv.nak_next--;
            srv.naks++;
            reply(m, 6);
        } else {
            srv.acks++;
            reply(m, 5);
        }
    }
}

static int ready_calls;
static void on_ready(void *arg)
{
    (void)arg;
    ready_calls++;
}

static struct net_stack *start(uint64_t seed, uint32_t lease, uint32_t t1, uint32_t t2)
{
    fake_reset(seed);
    memset(&srv, 0, sizeof(srv));
    srv.lease = lease;
    srv.t1 = t1;
    srv.t2 = t2;
    ready_calls = 0;
    struct net_stack *s = fake_stack_new(7, 0, 0, 0);
    srv.tap = fake_tap_new(1, SERVER, server_rx, NULL);
    fake_use(s);
    assert_int_equal(dhcp_start(s, on_ready, NULL), 0);
    return s;
}

static void stop(struct net_stack *s)
{
    fake_stack_free(s);
    fake_reset(0);
}

static bool is_bound(void *arg)
{
    struct net_stack *s = arg;
    return s->dhcp.state == DHCP_BOUND;
}

static void test_lease(void **state)
{
    (void)state;
    struct net_stack *s = start(1, 3600, 0, 0);
    assert_true(fake_run_until(is_bound, s, SEC(10)));
    fake_run_for(MS(1));
    assert_true(s->configured);
    assert_int_equal(s->nif.address, OFFERED);
    assert_int_equal(s->nif.netmask, 0xffffff00u);
    assert_int_equal(s->nif.gateway, SERVER);
    assert_int_equal(ready_calls, 1);
    assert_int_equal(srv.discovers, 1);
    assert_int_equal(srv.requests, 1);
    assert_int_equal(srv.last_dst, IP_BROADCAST); /* REQUESTING is broadcast */
    assert_int_equal(srv.last_ciaddr, 0);
    /* Announced with a gratuitous ARP. */
    bool announced = false;
    for (size_t i = 0; i < srv.tap->n; i++) {
        const uint8_t *f = srv.tap->frames[i];
        if (get16(f + 12) == ETH_P_ARP && get32(f + 28) == OFFERED && get32(f + 38) == OFFERED)
            announced = true;
    }
    assert_true(announced);
    /* T1 defaults to half the lease, T2 to 7/8. */
    assert_int_equal(s->dhcp.t1_at - fake_now > SEC(1799), 1);
    assert_int_equal(s->dhcp.t2_at - s->dhcp.t1_at, SEC(3150 - 1800));
    stop(s);
}

static void test_discover_backoff(void **state)
{
    (void)state;
    struct net_stack *s = start(2, 3600, 0, 0);
    srv.silent = true;
    fake_run_for(SEC(300));
    assert_false(s->configured);
    assert_true(srv.discovers >= 7);
    /* RFC 2131 4.1: 4, 8, 16, 32, 64, 64 s, each within a second. */
    static const uint64_t base[] = {4, 8, 16, 32, 64, 64};
    for (int i = 0; i < 6; i++) {
        uint64_t gap = srv.discover_at[i + 1] - srv.discover_at[i];
        assert_true(gap >= SEC(base[i] - 1) && gap <= SEC(base[i] + 1));
    }
    assert_int_equal(ready_calls, 0);
    /* The server comes back: the next DISCOVER gets a lease. */
    srv.silent = false;
    assert_true(fake_run_until(is_bound, s, SEC(70)));
    stop(s);
}

static void test_renew_at_t1(void **state)
{
    (void)state;
    struct net_stack *s = start(3, 1000, 500, 875);
    assert_true(fake_run_until(is_bound, s, SEC(10)));
    uint64_t bound_at = fake_now;
    fake_run_for(SEC(499));
    assert_int_equal(srv.requests, 1);
    fake_run_for(SEC(2));
    /* RENEWING: a unicast REQUEST to the server, with our address. */
    assert_int_equal(srv.requests, 2);
    assert_int_equal(srv.unicast_requests, 1);
    assert_int_equal(srv.last_dst, SERVER);
    assert_int_equal(srv.last_ciaddr, OFFERED);
    assert_int_equal(s->dhcp.state, DHCP_BOUND);
    /* The lease runs from the renewal now. */
    assert_true(s->dhcp.expire_at > bound_at + SEC(1400));
    assert_int_equal(s->stats.dhcp_lease, 2);
    assert_int_equal(ready_calls, 1);
    stop(s);
}

static void test_rebind_at_t2(void **state)
{
    (void)state;
    struct net_stack *s = start(4, 1000, 500, 875);
    assert_true(fake_run_until(is_bound, s, SEC(10)));
    srv.ignore_unicast = true;
    fake_run_for(SEC(600));
    assert_int_equal(s->dhcp.state, DHCP_RENEWING);
    /* Retransmissions in RENEWING: half the time to T2, at least 60 s. */
    unsigned renewals = srv.unicast_requests;
    assert_true(renewals >= 1 && renewals <= 3);
    fake_run_for(SEC(280));
    /* At T2: REBINDING, broadcast, which this server answers. */
    assert_int_equal(s->dhcp.state, DHCP_BOUND);
    assert_int_equal(srv.last_dst, IP_BROADCAST);
    assert_int_equal(srv.last_ciaddr, OFFERED);
    assert_true(s->configured);
    stop(s);
}

static void test_expiry(void **state)
{
    (void)state;
    struct net_stack *s = start(5, 300, 0, 0);
    assert_true(fake_run_until(is_bound, s, SEC(10)));
    srv.silent = true;
    fake_run_for(SEC(299));
    assert_true(s->configured);
    assert_int_equal(s->dhcp.state, DHCP_REBINDING);
    unsigned d0 = srv.discovers;
    fake_run_for(SEC(2));
    /* Expired: the address is gone and the client starts over. */
    assert_false(s->configured);
    assert_int_equal(s->nif.address, 0);
    assert_int_equal(s->stats.dhcp_expired, 1);
    assert_int_equal(s->dhcp.state, DHCP_SELECTING);
    assert_int_equal(srv.discovers, d0 + 1);
    stop(s);
}

static void test_nak_restarts(void **state)
{
    (void)state;
    struct net_stack *s = start(6, 3600, 0, 0);
    srv.nak_next = 1;
    fake_run_for(SEC(1));
    assert_int_equal(srv.naks, 1);
    assert_int_equal(s->stats.dhcp_nak, 1);
    /* NAK -> SELECTING: a new DISCOVER at once, then the lease. */
    assert_int_equal(srv.discovers, 2);
    assert_true(fake_run_until(is_bound, s, SEC(10)));
    assert_int_equal(ready_calls, 1);
    /* A NAK while RENEWING drops the address. */
    srv.nak_next = 1;
    fake_run_for(SEC(1801));
    assert_int_equal(srv.naks, 2);
    assert_true(fake_run_until(is_bound, s, SEC(10)));
    assert_int_equal(s->stats.dhcp_nak, 2);
    stop(s);
}

static void test_garbage_ignored(void **state)
{
    (void)state;
    struct net_stack *s = start(7, 3600, 0, 0);
    srv.silent = true;
    fake_run_for(MS(10));
    /* Replies with a wrong xid, too short, wrong magic. */
    uint8_t m[300] = {0};
    m[0] = 2, m[1] = 1, m[2] = 6;
    put32(m + 4, s->dhcp.xid ^ 1);
    memcpy(m + 28, s->mac, 6);
    put32(m + 236, 0x63825363);
    m[240] = 53, m[241] = 1, m[242] = 2, m[243] = 255;
    uint8_t f[600];
    size_t n = fake_build_udp(f, s->mac, srv.tap->mac, SERVER, IP_BROADCAST, 67, 68, m, 244);
    fake_tap_send(srv.tap, f, n);
    put32(m + 4, s->dhcp.xid);
    n = fake_build_udp(f, s->mac, srv.tap->mac, SERVER, IP_BROADCAST, 67, 68, m, 100);
    fake_tap_send(srv.tap, f, n);
    put32(m + 236, 0x12345678);
    n = fake_build_udp(f, s->mac, srv.tap->mac, SERVER, IP_BROADCAST, 67, 68, m, 244);
    fake_tap_send(srv.tap, f, n);
    /* An option running past the end. */
    put32(m + 236, 0x63825363);
    m[243] = 54, m[244] = 200;
    n = fake_build_udp(f, s->mac, srv.tap->mac, SERVER, IP_BROADCAST, 67, 68, m, 246);
    fake_tap_send(srv.tap, f, n);
    fake_run_for(MS(10));
    assert_int_equal(s->stats.dhcp_drop, 4);
    assert_int_equal(s->dhcp.state, DHCP_SELECTING);
    stop(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lease),           cmocka_unit_test(test_discover_backoff),
        cmocka_unit_test(test_renew_at_t1),     cmocka_unit_test(test_rebind_at_t2),
        cmocka_unit_test(test_expiry),          cmocka_unit_test(test_nak_restarts),
        cmocka_unit_test(test_garbage_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
