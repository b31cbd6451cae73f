/* SPDX-License-Identifier: ISC */
/* A guest that tests the virtio-net driver without the TCP/IP stack,
 * straight on the platform interface: it answers ARP requests and ICMP
 * echo requests for its address, and can ping a peer itself.
 *
 *   --ip=A.B.C.D      its address (required)
 *   --ping=A.B.C.D    resolve the peer with ARP and send it 3 echo
 *                     requests; exit 0 when all were answered
 *   --seconds=N       otherwise answer for N seconds, then exit 0 and
 *                     print how many requests were answered
 *
 * Also checks that plat_yield() blocks: the guest idles in it. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <platform.h>

static uint8_t my_mac[6];
static uint32_t my_ip, peer_ip;
static uint8_t peer_mac[6];
static bool peer_known;
static unsigned replies_seen, requests_answered;

static uint32_t parse_ip(const char *s)
{
    unsigned a, b, c, d;
    if (sscanf(s, "%u.%u.%u.%u", &a, &b, &c, &d) != 4)
        return 0;
    return a << 24 | b << 16 | c << 8 | d;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* RFC 1071 Internet checksum. */
static uint16_t csum(const uint8_t *p, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static void send_arp(uint16_t op, const uint8_t *tha, uint32_t tpa, const uint8_t *dst)
{
    uint8_t f[60] = {0};
    memcpy(f, dst, 6);
    memcpy(f + 6, my_mac, 6);
    f[12] = 0x08, f[13] = 0x06;
    uint8_t *a = f + 14;
    a[1] = 1;              /* Ethernet */
    a[2] = 0x08, a[3] = 0; /* IPv4 */
    a[4] = 6, a[5] = 4;
    a[7] = (uint8_t)op;
    memcpy(a + 8, my_mac, 6);
    put32(a + 14, my_ip);
    memcpy(a + 18, tha, 6);
    put32(a + 24, tpa);
    plat_net_write(f, sizeof f);
}

static void send_echo(uint8_t type, const uint8_t *dst_mac, uint32_t dst, const uint8_t *icmp_in,
                      size_t icmp_len)
{
    uint8_t f[1514];
    if (icmp_len > sizeof f - 34)
        return;
    memcpy(f, dst_mac, 6);
    memcpy(f + 6, my_mac, 6);
    f[12] = 0x08, f[13] = 0x00;
    uint8_t *ip = f + 14;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    ip[2] = (uint8_t)((20 + icmp_len) >> 8), ip[3] = (uint8_t)(20 + icmp_len);
    ip[8] = 64, ip[9] = 1;
    put32(ip + 12, my_ip);
    put32(ip + 16, dst);
    uint16_t c = csum(ip, 20);
    ip[10] = (uint8_t)(c >> 8), ip[11] = (uint8_t)c;
    uint8_t *icmp = ip + 20;
    memcpy(icmp, icmp_in, icmp_len);
    icmp[0] = type;
    icmp[1] = 0;
    icmp[2] = icmp[3] = 0;
    c = csum(icmp, icmp_len);
    icmp[2] = (uint8_t)(c >> 8), icmp[3] = (uint8_t)c;
    plat_net_write(f, 34 + icmp_len);
}

static void handle(const uint8_t *f, size_t n)
{
    if (n < 14)
        return;
    uint16_t type = (uint16_t)(f[12] << 8 | f[13]);
    if (type == 0x0806 && n >= 42) {
        const uint8_t *a = f + 14;
        uint16_t op = (uint16_t)(a[6] << 8 | a[7]);
        if (op == 1 && get32(a + 24) == my_ip)
            send_arp(2, a + 8, get32(a + 14), a + 8);
        if (op == 2 && get32(a + 14) == peer_ip) {
            memcpy(peer_mac, a + 8, 6);
            peer_known = true;
        }
    } else if (type == 0x0800 && n >= 34) {
        const uint8_t *ip = f + 14;
        size_t ihl = (size_t)(ip[0] & 15) * 4, total = (size_t)(ip[2] << 8 | ip[3]);
        if (ip[9] != 1 || get32(ip + 16) != my_ip || total > n - 14 || total < ihl + 8)
            return;
        const uint8_t *icmp = ip + ihl;
        if (icmp[0] == 8) {
            send_echo(0, f + 6, get32(ip + 12), icmp, total - ihl);
            requests_answered++;
        } else if (icmp[0] == 0 && get32(ip + 12) == peer_ip) {
            replies_seen++;
        }
    }
}

static void poll_until(uint64_t deadline)
{
    static uint8_t buf[2048];
    while (plat_monotonic_ns() < deadline) {
        plat_yield(deadline);
        size_t n;
        int r;
        while ((r = plat_net_read(buf, sizeof buf, &n)) != -EAGAIN)
            if (r == 0)
                handle(buf, n);
    }
}

int main(int argc, char **argv)
{
    int seconds = 0;
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--ip=", 5) == 0)
            my_ip = parse_ip(argv[i] + 5);
        else if (strncmp(argv[i], "--ping=", 7) == 0)
            peer_ip = parse_ip(argv[i] + 7);
        else if (strncmp(argv[i], "--seconds=", 10) == 0)
            seconds = atoi(argv[i] + 10);
    }
    int err = plat_init(&argc, argv);
    struct plat_net_info info;
    if (err < 0 || plat_net_info(&info) < 0 || !my_ip) {
        printf("net_ping: no network device (%d) or no --ip\n", err);
        return 2;
    }
    memcpy(my_mac, info.mac, 6);
    printf("net_ping: up, mtu %u\n", info.mtu);

    if (peer_ip) {
        static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, zero[6] = {0};
        for (int tries = 0; tries < 5 && !peer_known; tries++) {
            send_arp(1, zero, peer_ip, bcast);
            poll_until(plat_monotonic_ns() + 200000000ull);
        }
        if (!peer_known) {
            printf("net_ping: no ARP reply from the peer\n");
            return 1;
        }
        printf("net_ping: peer is at %02x:%02x:%02x:%02x:%02x:%02x\n", peer_mac[0], peer_mac[1],
               peer_mac[2], peer_mac[3], peer_mac[4], peer_mac[5]);
        for (int seq = 1; seq <= 3; seq++) {
            uint8_t icmp[64] = {8, 0, 0, 0, 0x12, 0x34, 0, (uint8_t)seq};
            memcpy(icmp + 8, "mirari net_ping payload", 23);
            send_echo(8, peer_mac, peer_ip, icmp, sizeof icmp);
            poll_until(plat_monotonic_ns() + 300000000ull);
        }
        printf("net_ping: %u of 3 echo replies\n", replies_seen);
        return replies_seen == 3 ? 0 : 1;
    }
    poll_until(plat_monotonic_ns() + (uint64_t)seconds * 1000000000ull);
    printf("net_ping: answered %u echo requests\n", requests_answered);
    return 0;
}
