/* SPDX-License-Identifier: ISC */
/* libFuzzer target: arbitrary frames through the whole own stack.
 *
 * Each input runs against a fresh instance (10.0.0.1) on the fake wire of
 * tests/unit/net_fake.c, with a TCP listener on port 80 whose application
 * echoes what it reads, a UDP echo socket on port 7, and one TCP
 * connection already established with a scripted peer (10.0.0.9:40000,
 * initial sequence number 1000). The input is a list of records
 *
 *   op (1 byte)  length (2 bytes, big-endian)  bytes (length)
 *
 *   op % 8 == 0  a raw Ethernet frame
 *          1     the clock moves on by `length` milliseconds
 *          2     a TCP segment from the peer on the connection, checksums
 *                right: flags, seq and ack relative to the connection's
 *                (4 + 4 bytes), window (2), options length (1), options,
 *                payload
 *          3     a UDP datagram to port 7 or another port (first byte)
 *          4     an IPv4 datagram with a correct header checksum: proto,
 *                flags+offset (2), id (2), payload
 *          5     the application: write `length` bytes / read / shut down
 *                / close (first byte), on the accepted connection
 *          6     a TCP SYN to the listener from a port given by 2 bytes
 *          7     an ARP packet (the bytes after the Ethernet header)
 *
 * so that most inputs get past the checksums and reach deep states.
 *
 * With bit 0x80 set, ops 0 and 2 give the stack what a device with
 * rx-csum and rx-gso offloads gives it (platform.h): the frame is handed
 * over directly with PLAT_NET_RX_CSUM_OK (the TCP/UDP checksum is not
 * checked) and may be as long as PLAT_NET_FRAME_GSO; op 2 then builds one
 * coalesced TCP segment with up to 64 KiB of payload, its checksum right
 * only with bit 0x40 (a device vouches for what it checked, but the stack
 * must survive a lying one). */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mirari/net.h>

#include "../unit/net_fake.h"
#include "net/checksum.h"
#include <platform.h>

#define S_IP   MI_IPV4(10, 0, 0, 1)
#define P_IP   MI_IPV4(10, 0, 0, 9)
#define P_PORT 40000
#define P_ISN  1000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct net_stack *s;
static struct fake_tap *peer;
static mi_tcp *listener, *conn;
static mi_udp *echo;
static uint32_t our_iss;

static void conn_readable(mi_tcp *t, void *arg)
{
    (void)arg;
    uint8_t buf[3000];
    for (;;) {
        ssize_t n = mi_tcp_read(t, buf, sizeof(buf));
        if (n == -EAGAIN)
            return;
        if (n <= 0) {
            mi_tcp_close(t, n < 0);
            if (t == conn)
                conn = NULL;
            return;
        }
        mi_tcp_write(t, buf, (size_t)n / 2);
    }
}

static void conn_writable(mi_tcp *t, void *arg)
{
    (void)t;
    (void)arg;
}

static const struct mi_tcp_callbacks conn_cb = {.on_readable = conn_readable,
                                                .on_writable = conn_writable};

static void on_accept(mi_tcp *l, mi_tcp *c, void *arg)
{
    (void)l;
    (void)arg;
    mi_tcp_set_callbacks(c, &conn_cb, NULL);
    if (conn == NULL)
        conn = c;
}

static const struct mi_tcp_callbacks listen_cb = {.on_accept = on_accept};

static void udp_echo(mi_udp *u, mi_ipv4 src, uint16_t sport, const void *d, size_t n, void *a)
{
    (void)a;
    mi_udp_sendto(u, src, sport, d, n);
}

static void send_tcp(uint16_t sport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
                     const uint8_t *opt, size_t optlen, const uint8_t *d, size_t n)
{
    uint8_t f[2200];
    struct fake_tcp h = {.sport = sport,
                         .dport = 80,
                         .seq = seq,
                         .ack = ack,
                         .flags = flags,
                         .wnd = wnd,
                         .opt = opt,
                         .optlen = optlen};
    if (n > 1400)
        n = 1400;
    size_t len = fake_build_tcp(f, s->mac, peer->mac, P_IP, S_IP, &h, d, n);
    fake_tap_send(peer, f, len);
}

static void setup(void)
{
    int err;
    fake_reset(42);
    s = fake_stack_new(1, S_IP, MI_IPV4(255, 255, 255, 0), MI_IPV4(10, 0, 0, 254));
    peer = fake_tap_new(9, P_IP, NULL, NULL);
    fake_use(s);
    conn = NULL;
    listener = mi_tcp_listen(MI_IPV4_ANY, 80, &listen_cb, NULL, &err);
    echo = mi_udp_bind(MI_IPV4_ANY, 7, udp_echo, NULL, &err);
    /* The handshake of the established connection. */
    static const uint8_t mss[] = {2, 4, 5, 180, 1, 3, 3, 7, 1, 1, 4, 2}; /* MSS, WS, SACK-ok */
    send_tcp(P_PORT, P_ISN, 0, TCP_SYN, 65535, mss, sizeof(mss), NULL, 0);
    fake_run_for(MS(1));
    our_iss = 0;
    struct fake_parsed x;
    for (size_t i = 0; i < peer->n; i++)
        if (fake_parse(peer->frames[i], peer->lens[i], &x) && x.proto == IP_PROTO_TCP)
            our_iss = x.tcp.seq;
    send_tcp(P_PORT, P_ISN + 1, our_iss + 1, TCP_ACK, 65535, NULL, 0, NULL, 0);
    fake_run_for(MS(1));
    fake_tap_clear(peer);
}

static void teardown(void)
{
    /* Everything the instance holds goes with it (LeakSanitizer checks). */
    fake_stack_free(s);
    fake_reset(0);
    s = NULL;
    conn = listener = NULL;
    echo = NULL;
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* What a device with rx offloads hands over: skips the wire (whose
 * frames carry no flags). */
static void vouched_input(const uint8_t *frame, size_t len)
{
    net_stack_input(s, frame, len, PLAT_NET_RX_CSUM_OK);
}

/* A coalesced segment on the connection (op 2 with 0x80): d as for op 2. */
static void send_gso_tcp(const uint8_t *d, size_t len, bool csum_right)
{
    static uint8_t seg[65535 - 20], frame[PLAT_NET_FRAME_GSO];
    size_t optlen = d[11] > len - 12 ? len - 12 : d[11];
    if (optlen > 40)
        optlen = 40;
    size_t hlen = 20 + ((optlen + 3) & ~(size_t)3);
    size_t n = len - 12 - optlen;
    if (n > sizeof(seg) - hlen)
        n = sizeof(seg) - hlen;
    memset(seg, 0, hlen);
    uint32_t seq = P_ISN + 1 + rd32(d + 1), ack = our_iss + 1 + rd32(d + 5);
    const uint8_t h[] = {P_PORT >> 8,
                         P_PORT & 0xff,
                         0,
                         80,
                         seq >> 24,
                         seq >> 16,
                         seq >> 8,
                         seq,
                         ack >> 24,
                         ack >> 16,
                         ack >> 8,
                         ack,
                         (uint8_t)((hlen / 4) << 4),
                         d[0],
                         d[9],
                         d[10]};
    memcpy(seg, h, sizeof(h));
    memcpy(seg + 20, d + 12, optlen);
    memcpy(seg + hlen, d + 12 + optlen, n);
    if (csum_right) {
        struct cksum c;
        cksum_init(&c);
        cksum_add_pseudo(&c, P_IP, S_IP, IP_PROTO_TCP, (uint16_t)(hlen + n));
        cksum_add(&c, seg, hlen + n);
        uint16_t sum = cksum_finish(&c);
        seg[16] = (uint8_t)(sum >> 8);
        seg[17] = (uint8_t)sum;
    }
    struct fake_ip ip = {.src = P_IP, .dst = S_IP, .proto = IP_PROTO_TCP, .id = 1};
    vouched_input(frame, fake_build_ip(frame, s->mac, peer->mac, &ip, seg, hlen + n));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    while (size >= 3) {
        uint8_t op = data[0];
        size_t len = (size_t)data[1] << 8 | data[2];
        data += 3;
        size -= 3;
        if (len > size)
            len = size;
        const uint8_t *d = data;
        data += len;
        size -= len;
        uint8_t f[2200];
        switch (op % 8) {
        case 0:
            if (op & 0x80)
                vouched_input(d, len);
            else if (len <= sizeof(f))
                fake_tap_send(peer, d, len);
            break;
        case 1:
            fake_run_for(MS(len));
            break;
        case 2:
            if (len >= 12 && (op & 0x80)) {
                send_gso_tcp(d, len, op & 0x40);
            } else if (len >= 12) {
                size_t optlen = d[11] > len - 12 ? len - 12 : d[11];
                if (optlen > 40)
                    optlen = 40;
                send_tcp(P_PORT, P_ISN + 1 + rd32(d + 1), our_iss + 1 + rd32(d + 5), d[0],
                         (uint16_t)(d[9] << 8 | d[10]), d + 12, optlen, d + 12 + optlen,
                         len - 12 - optlen);
            }
            break;
        case 3:
            if (len >= 1 && len < 1400) {
                size_t n = fake_build_udp(f, s->mac, peer->mac, P_IP, S_IP, 5555,
                                          d[0] & 1 ? 7 : d[0], d + 1, len - 1);
                fake_tap_send(peer, f, n);
            }
            break;
        case 4:
            if (len >= 5 && len < 1480) {
                struct fake_ip ip = {.src = P_IP,
                                     .dst = S_IP,
                                     .proto = d[0],
                                     .frag = (uint16_t)(d[1] << 8 | d[2]),
                                     .id = (uint16_t)(d[3] << 8 | d[4])};
                size_t n = fake_build_ip(f, s->mac, peer->mac, &ip, d + 5, len - 5);
                fake_tap_send(peer, f, n);
            }
            break;
        case 5:
            if (conn != NULL && len >= 1) {
                static uint8_t junk[70000];
                switch (d[0] % 4) {
                case 0:
                    mi_tcp_write(conn, junk, len * 37);
                    break;
                case 1:
                    conn_readable(conn, NULL);
                    break;
                case 2:
                    mi_tcp_shutdown(conn);
                    break;
                default:
                    mi_tcp_close(conn, d[0] & 4);
                    conn = NULL;
                }
            }
            break;
        case 6:
            if (len >= 2)
                send_tcp((uint16_t)(d[0] << 8 | d[1]), 7777, 0, TCP_SYN, 1000, d + 2,
                         len - 2 > 40 ? 40 : len - 2, NULL, 0);
            break;
        default:
            if (len <= 100) {
                memset(f, 0, 14);
                memset(f, 0xff, 6);
                memcpy(f + 6, peer->mac, 6);
                f[12] = 0x08;
                f[13] = 0x06;
                memcpy(f + 14, d, len);
                fake_tap_send(peer, f, 14 + len);
            }
        }
        /* Deliver, and let timers run now and then. */
        fake_run_for(MS(1));
    }
    fake_run_for(SEC(5));
    teardown();
    return 0;
}
