/* SPDX-License-Identifier: ISC */
/* The network API that applications (main-ip, and the HTTP server) use.
 *
 * Implemented twice, chosen at link time: with host sockets and epoll
 * (runtime/socket, target unix-socket) and with mirari's own TCP/IP stack
 * (runtime/net, every other target). Everything is callback based on the
 * event loop and never blocks.
 *
 * Errors are negative errno values (-EAGAIN, -ECONNRESET, ...), the Linux
 * numbering on every target. */
#ifndef MIRARI_NET_H
#define MIRARI_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* IPv4 addresses are uint32_t in host byte order: 10.0.0.2 == 0x0a000002. */
typedef uint32_t mi_ipv4;
#define MI_IPV4_ANY 0u
#define MI_IPV4(a, b, c, d)                                                                        \
    ((mi_ipv4)(((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) |              \
               (uint32_t)(d)))

/* Strict dotted quad: four decimal parts 0-255, no leading zeros beyond "0",
 * nothing else. Returns 0 or -1. */
int mi_ipv4_parse(const char *s, mi_ipv4 *out);
/* Writes "a.b.c.d" and a NUL into buf (at least MI_IPV4_STRLEN bytes). */
#define MI_IPV4_STRLEN 16
char *mi_ipv4_format(mi_ipv4 a, char buf[MI_IPV4_STRLEN]);

/* The network interface as configured (static or by DHCP). */
typedef struct mi_netif {
    mi_ipv4 address;
    mi_ipv4 netmask;
    mi_ipv4 gateway; /* 0 when none */
    uint8_t mac[6];  /* all zero on unix-socket */
    uint16_t mtu;
} mi_netif;

/* NULL before the network is up. */
const mi_netif *mi_net_interface(void);

/* ---- TCP ---------------------------------------------------------------
 * A mi_tcp is a listener or a connection. Events arrive through the
 * callbacks set with mi_tcp_set_callbacks(); every callback may close the
 * object it is given. Readiness is edge-like: on_readable is called when
 * new data (or EOF, or an error) arrives, and the application reads until
 * mi_tcp_read() returns -EAGAIN. Data it leaves unread stays queued and
 * closes the receive window (backpressure). */
typedef struct mi_tcp mi_tcp;

struct mi_tcp_callbacks {
    /* Listener: a new connection. Set its callbacks before returning. */
    void (*on_accept)(mi_tcp *listener, mi_tcp *conn, void *arg);
    /* Outgoing connection completed (err 0) or failed (err < 0; the
     * object is then closed by the runtime after this call returns). */
    void (*on_connect)(mi_tcp *conn, int err, void *arg);
    /* Data, EOF or an error can be read. */
    void (*on_readable)(mi_tcp *conn, void *arg);
    /* Room in the send queue again after a short mi_tcp_write(). */
    void (*on_writable)(mi_tcp *conn, void *arg);
};

/* Listen on addr:port (MI_IPV4_ANY for all addresses). Returns NULL and
 * sets *err (-EADDRINUSE, -EACCES, ...) on failure. */
mi_tcp *mi_tcp_listen(mi_ipv4 addr, uint16_t port, const struct mi_tcp_callbacks *cb, void *arg,
                      int *err);
mi_tcp *mi_tcp_connect(mi_ipv4 addr, uint16_t port, const struct mi_tcp_callbacks *cb, void *arg,
                       int *err);
void mi_tcp_set_callbacks(mi_tcp *t, const struct mi_tcp_callbacks *cb, void *arg);

/* > 0 bytes read; 0 at end of stream; -EAGAIN nothing now; other < 0 the
 * connection failed (-ECONNRESET, -ETIMEDOUT). */
ssize_t mi_tcp_read(mi_tcp *t, void *buf, size_t cap);
/* Queue up to len bytes; returns how many were taken (possibly fewer than
 * len, possibly -EAGAIN when none fit; on_writable follows), or < 0. */
ssize_t mi_tcp_write(mi_tcp *t, const void *buf, size_t len);
/* As mi_tcp_write, but on mirari's own stack the bytes are not copied:
 * segments are sent from buf itself, so it must stay valid and unchanged
 * for the rest of the program (a store's data, mi_kv_get, or constant
 * data), since they may go again long after the call. */
ssize_t mi_tcp_write_ref(mi_tcp *t, const void *buf, size_t len);
/* One piece of data for mi_tcp_writev (the layout of POSIX struct iovec
 * on Linux, so the socket runtime passes it to the kernel as is). */
struct mi_iovec {
    const void *base;
    size_t len;
};
#define MI_IOV_MAX 64
/* Queue iov[0..n-1] in order, exactly as one mi_tcp_write() of their
 * concatenation would (same return values: bytes taken, possibly fewer
 * than the total, or -EAGAIN, or < 0), without copying them together
 * first. 0 < n <= MI_IOV_MAX. */
ssize_t mi_tcp_writev(mi_tcp *t, const struct mi_iovec *iov, int n);
/* Send FIN after what is queued; reading goes on. */
int mi_tcp_shutdown(mi_tcp *t);
/* Release the object now; no callback is called for it afterwards. Queued
 * data is still sent (graceful close) unless `abort` asks for a RST. */
void mi_tcp_close(mi_tcp *t, bool abort);
/* Peer and local endpoints of a connection. */
void mi_tcp_peer(const mi_tcp *t, mi_ipv4 *addr, uint16_t *port);
void mi_tcp_local(const mi_tcp *t, mi_ipv4 *addr, uint16_t *port);

/* ---- UDP --------------------------------------------------------------- */
typedef struct mi_udp mi_udp;

/* Called once per datagram, with the data valid only during the call. */
typedef void (*mi_udp_recv_fn)(mi_udp *u, mi_ipv4 src, uint16_t sport, const void *data, size_t len,
                               void *arg);

mi_udp *mi_udp_bind(mi_ipv4 addr, uint16_t port, mi_udp_recv_fn fn, void *arg, int *err);
/* Returns len, or < 0 (-EMSGSIZE, -EHOSTUNREACH, -EAGAIN when the next hop
 * is still being resolved and its queue is full). */
ssize_t mi_udp_sendto(mi_udp *u, mi_ipv4 dst, uint16_t dport, const void *data, size_t len);
void mi_udp_close(mi_udp *u);

#endif
