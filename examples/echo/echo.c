/* SPDX-License-Identifier: ISC */
/* echo: the echo protocol (RFC 862) over TCP and UDP, as a main-ip
 * application. It demonstrates the network API's callbacks and the three
 * things every TCP server must get right:
 *   - backpressure: when a write is short, stop reading until on_writable
 *     (unread data then fills the receive window and slows the peer down;
 *     nothing is buffered without bound here);
 *   - half-close: after the peer's EOF, send what is left, then shut down
 *     our side;
 *   - many connections: one small state per connection, no blocking.
 * The port is the application key app-echo-port (echo.conf says 7, which
 * needs root on unix-socket; ./mir-echo --app-echo-port=7007 for another):
 * how an application takes its own settings from its .conf and its boot
 * arguments. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <mirari/mirari.h>

/* One TCP connection: bytes read but not yet written back. */
struct echo_conn {
    mi_tcp *tcp;
    size_t off, len; /* buf[off..len) still to be written */
    bool eof;        /* the peer has finished sending */
    char buf[16384];
};

static unsigned long open_conns;

static void conn_free(struct echo_conn *c, bool abort)
{
    mi_tcp_close(c->tcp, abort);
    free(c);
    open_conns--;
}

/* Move data from the socket back to the socket until either side would
 * block. Called when input arrives and when output has room again. */
static void pump(struct echo_conn *c)
{
    for (;;) {
        /* First send what we hold: no reading while it is pending. */
        while (c->off < c->len) {
            ssize_t n = mi_tcp_write(c->tcp, c->buf + c->off, c->len - c->off);
            if (n == -EAGAIN)
                return; /* on_writable calls pump again */
            if (n < 0) {
                mi_debug("echo: write failed: %s", strerror((int)-n));
                conn_free(c, true);
                return;
            }
            c->off += (size_t)n;
        }
        c->off = c->len = 0;
        if (c->eof) {
            /* Everything echoed: finish our direction too (RFC 9293
             * 3.6: FIN after the queued data), then let go. */
            mi_tcp_shutdown(c->tcp);
            conn_free(c, false);
            return;
        }
        ssize_t n = mi_tcp_read(c->tcp, c->buf, sizeof(c->buf));
        if (n == -EAGAIN)
            return; /* on_readable calls pump again */
        if (n == 0) {
            c->eof = true;
            continue;
        }
        if (n < 0) {
            mi_debug("echo: read failed: %s", strerror((int)-n));
            conn_free(c, true);
            return;
        }
        c->len = (size_t)n;
    }
}

static void on_readable(mi_tcp *t, void *arg)
{
    pump(arg);
}

static void on_writable(mi_tcp *t, void *arg)
{
    pump(arg);
}

static const struct mi_tcp_callbacks conn_callbacks = {
    .on_readable = on_readable,
    .on_writable = on_writable,
};

static void on_accept(mi_tcp *listener, mi_tcp *conn, void *arg)
{
    struct echo_conn *c = malloc(sizeof(*c));
    if (c == NULL) {
        mi_tcp_close(conn, true);
        return;
    }
    c->tcp = conn;
    c->off = c->len = 0;
    c->eof = false;
    open_conns++;
    mi_tcp_set_callbacks(conn, &conn_callbacks, c);
    mi_debug("echo: connection %lu open", open_conns);
}

static const struct mi_tcp_callbacks listen_callbacks = {.on_accept = on_accept};

/* UDP: each datagram goes straight back to where it came from. */
static void on_datagram(mi_udp *u, mi_ipv4 src, uint16_t sport, const void *data, size_t len,
                        void *arg)
{
    ssize_t n = mi_udp_sendto(u, src, sport, data, len);
    if (n < 0)
        mi_debug("echo: UDP reply dropped: %s", strerror((int)-n));
}

static unsigned port;

static int listen_error(const char *proto, int err)
{
    mi_error("echo: cannot listen on %s port %u: %s%s", proto, port, strerror(-err),
             err == -EACCES && port < 1024 ? " (ports below 1024 need root; try "
                                             "--app-echo-port=7007)"
                                           : "");
    return 1;
}

/* The port from app-echo-port: 1 to 65535, decimal digits only. 0 after
 * saying what is wrong. */
static unsigned port_setting(void)
{
    const char *s = mi_conf_get("app-echo-port");
    if (s == NULL) {
        mi_error("echo: app-echo-port is not set; expected app-echo-port: 7 in echo.conf");
        return 0;
    }
    unsigned long v = 0;
    const char *p = s;
    /* strtoul would take blanks, a sign and "0x": a port is digits. */
    while (*p >= '0' && *p <= '9' && v <= 65535)
        v = v * 10 + (unsigned long)(*p++ - '0');
    if (p == s || *p != '\0' || v == 0 || v > 65535) {
        mi_error("echo: app-echo-port: \"%s\" is not a port; expected a number from 1 to 65535", s);
        return 0;
    }
    return (unsigned)v;
}

static mi_tcp *tcp_listener;
static mi_udp *udp_socket;

int echo_main(const mi_netif *nif)
{
    port = port_setting();
    if (port == 0)
        return 2; /* a bad setting, like a bad boot argument */
    int err;
    tcp_listener = mi_tcp_listen(MI_IPV4_ANY, (uint16_t)port, &listen_callbacks, NULL, &err);
    if (tcp_listener == NULL)
        return listen_error("TCP", err);
    udp_socket = mi_udp_bind(MI_IPV4_ANY, (uint16_t)port, on_datagram, NULL, &err);
    if (udp_socket == NULL)
        return listen_error("UDP", err);
    char addr[MI_IPV4_STRLEN];
    mi_info("echo: listening on %s port %u (TCP and UDP)", mi_ipv4_format(nif->address, addr),
            port);
    return 0;
}
