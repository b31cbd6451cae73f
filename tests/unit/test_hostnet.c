/* SPDX-License-Identifier: ISC */
/* tool/hostnet.c, the parts that need no privileges: MIRARI_TAP_ADDRESS
 * parsing, the range dnsmasq leases from, the default address given to an
 * app, and opening a tap that cannot exist (an error, not a crash). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../tool/hostnet.h"

/* /proc/net/route as Linux prints it: destination, gateway and mask as
 * host-order words of network-order addresses. */
static const char routes[] =
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
    "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
    "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
    "wg0\t0000000A\tFE0200C0\t0003\t0\t0\t0\t000000FF\t0\t0\t0\n";

static void test_route_overlap(void **state)
{
    (void)state;
    char iface[16];
    /* 10.0.0.1/24 lies in the VPN's 10.0.0.0/8. */
    const char *r = hostnet_route_overlap(routes, MI_IPV4(10, 0, 0, 1), MI_IPV4(255, 255, 255, 0),
                                          iface, sizeof iface);
    assert_non_null(r);
    assert_string_equal(r, "10.0.0.0/8 via 192.0.2.254");
    assert_string_equal(iface, "wg0");
    /* Elsewhere only the default route covers it: no overlap. */
    assert_null(hostnet_route_overlap(routes, MI_IPV4(172, 31, 9, 1), MI_IPV4(255, 255, 255, 0),
                                      iface, sizeof iface));
    /* A wider tap subnet that contains a link's route overlaps it. */
    r = hostnet_route_overlap(routes, MI_IPV4(192, 0, 0, 1), MI_IPV4(255, 255, 0, 0), iface,
                              sizeof iface);
    assert_non_null(r);
    assert_string_equal(r, "192.0.2.0/24");
    assert_string_equal(iface, "eth0");
    assert_null(hostnet_route_overlap("", MI_IPV4(10, 0, 0, 1), MI_IPV4(255, 0, 0, 0), iface,
                                      sizeof iface));
}

static void test_cidr(void **state)
{
    (void)state;
    mi_ipv4 a, m;
    assert_int_equal(hostnet_parse_cidr("10.0.0.1/24", &a, &m), 0);
    assert_int_equal(a, MI_IPV4(10, 0, 0, 1));
    assert_int_equal(m, MI_IPV4(255, 255, 255, 0));
    assert_int_equal(hostnet_parse_cidr("192.168.7.9", &a, &m), 0); /* /24 by default */
    assert_int_equal(m, MI_IPV4(255, 255, 255, 0));
    assert_int_equal(hostnet_parse_cidr("172.16.0.1/12", &a, &m), 0);
    assert_int_equal(m, MI_IPV4(255, 240, 0, 0));
    assert_int_equal(hostnet_parse_cidr("10.1.2.3/30", &a, &m), 0);
    assert_int_equal(m, MI_IPV4(255, 255, 255, 252));
    /* A prefix that leaves no room for the host and a guest, or none. */
    const char *bad[] = {"10.0.0.1/31", "10.0.0.1/7", "10.0.0.1/", "10.0.0.1/24x",
                         "10.0.0/24",   "",           "tap0",      "10.0.0.256/24"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(hostnet_parse_cidr(bad[i], &a, &m), -1);
}

static void test_dhcp_range(void **state)
{
    (void)state;
    mi_ipv4 f, l;
    /* The upper half, without the broadcast address. */
    hostnet_dhcp_range(MI_IPV4(10, 0, 0, 1), MI_IPV4(255, 255, 255, 0), &f, &l);
    assert_int_equal(f, MI_IPV4(10, 0, 0, 128));
    assert_int_equal(l, MI_IPV4(10, 0, 0, 254));
    /* A host inside that half: the range starts above it. */
    hostnet_dhcp_range(MI_IPV4(10, 0, 0, 200), MI_IPV4(255, 255, 255, 0), &f, &l);
    assert_int_equal(f, MI_IPV4(10, 0, 0, 201));
    assert_int_equal(l, MI_IPV4(10, 0, 0, 254));
    /* A /29: .4 to .6 (.7 is the broadcast address), or above the host. */
    hostnet_dhcp_range(MI_IPV4(10, 9, 8, 1), MI_IPV4(255, 255, 255, 248), &f, &l);
    assert_int_equal(f, MI_IPV4(10, 9, 8, 4));
    assert_int_equal(l, MI_IPV4(10, 9, 8, 6));
    hostnet_dhcp_range(MI_IPV4(10, 9, 8, 5), MI_IPV4(255, 255, 255, 248), &f, &l);
    assert_int_equal(f, MI_IPV4(10, 9, 8, 6));
    assert_int_equal(l, MI_IPV4(10, 9, 8, 6));
}

static void test_boot_value_last_wins(void **state)
{
    (void)state;
    char *args[] = {"--ip-address=10.0.0.5", "--ip-address-x=1", "ip-address=9",
                    "--ip-address=10.0.0.6", NULL};
    assert_string_equal(hostnet_boot_value(args, "ip-address"), "10.0.0.6");
    assert_null(hostnet_boot_value(args, "ip-netmask"));
}

static char *no_args[] = {NULL};

static struct hostnet net(bool dhcp, char **args)
{
    struct hostnet hn = {.fd = -1, .dhcp = dhcp, .boot_args = args};
    hn.has_address = hostnet_boot_value(args, "ip-address") != NULL;
    assert_int_equal(hostnet_parse_cidr("10.7.0.1/16", &hn.host, &hn.mask), 0);
    return hn;
}

static void test_default_address(void **state)
{
    (void)state;
    struct strlist l = {0};
    struct hostnet hn = net(false, no_args);
    hostnet_default_address(&hn, &l);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.v[0], "--ip-address=10.7.0.2");
    assert_string_equal(l.v[1], "--ip-netmask=255.255.0.0");
    assert_string_equal(l.v[2], "--ip-gateway=10.7.0.1");
    assert_int_equal(hostnet_guest_address(&hn, no_args), MI_IPV4(10, 7, 0, 2));
    sl_free(&l);

    /* DHCP: nothing added, the address is not known yet. */
    hn = net(true, no_args);
    hostnet_default_address(&hn, &l);
    assert_int_equal(l.n, 0);
    assert_int_equal(hostnet_guest_address(&hn, no_args), 0);
    hostnet_close(&hn); /* nothing open: a no-op */
    hostnet_close(&hn);
}

static void test_own_address(void **state)
{
    (void)state;
    struct strlist l = {0};
    /* In the host's subnet: the netmask and gateway it does not set. */
    char *in[] = {"--ip-address=10.7.3.4", NULL};
    struct hostnet hn = net(false, in);
    assert_int_equal(hostnet_guest_address(&hn, in), MI_IPV4(10, 7, 3, 4));
    hostnet_default_address(&hn, &l);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0], "--ip-netmask=255.255.0.0");
    assert_string_equal(l.v[1], "--ip-gateway=10.7.0.1");
    sl_free(&l);
    char *gw[] = {"--ip-address=10.7.3.4", "--ip-gateway=10.7.0.9", NULL};
    hn = net(false, gw);
    hostnet_default_address(&hn, &l);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0], "--ip-netmask=255.255.0.0");
    sl_free(&l);
    /* Elsewhere: left alone. */
    char *out[] = {"--ip-address=192.168.1.5", NULL};
    hn = net(false, out);
    hostnet_default_address(&hn, &l);
    assert_int_equal(l.n, 0);
}

static void test_open_reads_the_app_keys(void **state)
{
    (void)state;
    /* A name longer than an interface name can be fails before any
     * system call, after reading the keys. */
    char *args[] = {"--ip-use-dhcp=false", "--ip-use-dhcp=true", NULL};
    struct hostnet hn;
    verbosity = 0;
    unsetenv("MIRARI_TAP_ADDRESS");
    assert_int_equal(hostnet_open(&hn, args, "a-very-long-tap-name", false, NULL), HOSTNET_FAILED);
    assert_true(hn.dhcp);
    assert_false(hn.has_address);
    assert_int_equal(hn.fd, -1);
    hostnet_close(&hn);
    setenv("MIRARI_TAP_ADDRESS", "10.0.0.1/33", 1);
    assert_int_equal(hostnet_open(&hn, args, "t0", false, NULL), HOSTNET_FAILED);
    hostnet_close(&hn);
    unsetenv("MIRARI_TAP_ADDRESS");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cidr),
        cmocka_unit_test(test_route_overlap),
        cmocka_unit_test(test_dhcp_range),
        cmocka_unit_test(test_boot_value_last_wins),
        cmocka_unit_test(test_default_address),
        cmocka_unit_test(test_own_address),
        cmocka_unit_test(test_open_reads_the_app_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
