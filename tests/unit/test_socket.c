/* SPDX-License-Identifier: ISC */
/* The host-socket runtime (runtime/socket) driven through the real event
 * loop on 127.0.0.1: connect/accept/echo, backpressure over a 4 MiB
 * transfer, half-close, abort, closing objects from callbacks (their own
 * and others with events pending in the same batch), lingering close, UDP,
 * out of file descriptors, signals, timer deadlines; and the dispatcher
 * itself (poll.c) with handlers of the test's own: events go to the
 * handler an object was registered with, a batch stops after the
 * callback that calls mi_exit, and the expiry deadline ends a wait.
 * Every test ends when the loop runs dry, i.e. when everything it opened
 * is closed again. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include <mirari/loop.h>
#include <mirari/net.h>

#include "core/net_backend.h"
#include "socket/sock.h"

#define LOCALHOST MI_IPV4(127, 0, 0, 1)

static mi_tcp *listen_any_port(const struct mi_tcp_callbacks *cb, void *arg, uint16_t *port)
{
    int err = 1;
    mi_tcp *l = mi_tcp_listen(LOCALHOST, 0, cb, arg, &err);
    assert_non_null(l);
    assert_int_equal(err, 0);
    mi_tcp_local(l, NULL, port);
    assert_true(*port != 0);
    return l;
}

/* A port nothing listens on right now (bound, then released). */
static uint16_t unused_port(int type)
{
    int fd = socket(AF_INET, type, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(LOCALHOST)};
    socklen_t len = sizeof(sa);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    close(fd);
    return ntohs(sa.sin_port);
}

static uint8_t pattern(size_t i)
{
    return (uint8_t)(i * 7 + i / 251);
}

/* ---- a simple echo server used by several tests ------------------------------
 * The same backpressure discipline as examples/echo: stop reading while a
 * write is short, resume on on_writable; EOF -> flush, shutdown, close. */
struct echo_conn {
    mi_tcp *t;
    char buf[8192];
    size_t off, len;
    bool eof;
    bool paused; /* do not read until resumed (backpressure test) */
};
static struct {
    mi_tcp *listener;
    int accepted;
    int readable_calls;
    bool close_listener_after_one;
    struct echo_conn *last;
    bool start_paused;
    bool client_blocked; /* the client's writes have come back short */
} srv;

static void echo_pump(struct echo_conn *c)
{
    for (;;) {
        while (c->off < c->len) {
            ssize_t w = mi_tcp_write(c->t, c->buf + c->off, c->len - c->off);
            if (w == -EAGAIN)
                return; /* on_writable resumes */
            assert_true(w > 0);
            c->off += (size_t)w;
        }
        c->off = c->len = 0;
        if (c->eof) {
            assert_int_equal(mi_tcp_shutdown(c->t), 0);
            mi_tcp_close(c->t, false);
            if (srv.last == c)
                srv.last = NULL;
            free(c);
            return;
        }
        if (c->paused)
            return;
        ssize_t n = mi_tcp_read(c->t, c->buf, sizeof(c->buf));
        if (n == -EAGAIN)
            return;
        if (n == 0) {
            c->eof = true;
            continue;
        }
        assert_true(n > 0);
        c->len = (size_t)n;
    }
}

static void echo_readable(mi_tcp *t, void *arg)
{
    srv.readable_calls++;
    echo_pump(arg);
}

static void echo_writable(mi_tcp *t, void *arg)
{
    echo_pump(arg);
}

static const struct mi_tcp_callbacks echo_conn_cb = {
    .on_readable = echo_readable,
    .on_writable = echo_writable,
};

static void echo_accept(mi_tcp *l, mi_tcp *t, void *arg)
{
    struct echo_conn *c = calloc(1, sizeof(*c));
    assert_non_null(c);
    c->t = t;
    /* Paused until the client is blocked by backpressure. */
    c->paused = srv.start_paused && !srv.client_blocked;
    srv.last = c;
    srv.accepted++;
    mi_tcp_set_callbacks(t, &echo_conn_cb, c);
    if (srv.close_listener_after_one) {
        mi_tcp_close(l, false);
        srv.listener = NULL;
    }
}

static const struct mi_tcp_callbacks echo_listen_cb = {.on_accept = echo_accept};

static int setup(void **state)
{
    memset(&srv, 0, sizeof(srv));
    return 0;
}

/* ---- client side of the echo tests ------------------------------------------------ */
struct client {
    mi_tcp *t;
    size_t total;          /* bytes to send */
    size_t sent, received; /* so far */
    int connect_err;
    bool connected;
    bool saw_short_write;
    int writable_calls;
    bool got_eof;
    bool shut;
};

static void client_push(struct client *c)
{
    while (c->sent < c->total) {
        uint8_t chunk[16384];
        size_t n = c->total - c->sent < sizeof(chunk) ? c->total - c->sent : sizeof(chunk);
        for (size_t i = 0; i < n; i++)
            chunk[i] = pattern(c->sent + i);
        ssize_t w = mi_tcp_write(c->t, chunk, n);
        if (w == -EAGAIN || (w > 0 && (size_t)w < n)) {
            if (w > 0)
                c->sent += (size_t)w;
            c->saw_short_write = true;
            if (!srv.client_blocked) {
                /* The server has not read a byte and our send queue is
                 * full: backpressure works. Let the server read now. */
                srv.client_blocked = true;
                if (srv.last != NULL && srv.last->paused) {
                    srv.last->paused = false;
                    echo_pump(srv.last);
                }
            }
            return;
        }
        assert_true(w > 0);
        c->sent += (size_t)w;
    }
    if (!c->shut) {
        c->shut = true;
        assert_int_equal(mi_tcp_shutdown(c->t), 0);
    }
}

static void client_readable(mi_tcp *t, void *arg)
{
    struct client *c = arg;
    uint8_t buf[65536];
    for (;;) {
        ssize_t n = mi_tcp_read(t, buf, sizeof(buf));
        if (n == -EAGAIN)
            return;
        if (n == 0) {
            c->got_eof = true;
            mi_tcp_close(t, false);
            return;
        }
        assert_true(n > 0);
        for (ssize_t i = 0; i < n; i++)
            if (buf[i] != pattern(c->received + (size_t)i))
                fail_msg("byte %zu differs", c->received + (size_t)i);
        c->received += (size_t)n;
    }
}

static void client_writable(mi_tcp *t, void *arg)
{
    struct client *c = arg;
    c->writable_calls++;
    client_push(c);
}

static void client_connected(mi_tcp *t, int err, void *arg)
{
    struct client *c = arg;
    c->connect_err = err;
    if (err != 0)
        return;
    c->connected = true;
    client_push(c);
}

static const struct mi_tcp_callbacks client_cb = {
    .on_connect = client_connected,
    .on_readable = client_readable,
    .on_writable = client_writable,
};

static void run_echo(size_t total, bool paused)
{
    uint16_t port;
    srv.listener = listen_any_port(&echo_listen_cb, NULL, &port);
    srv.close_listener_after_one = true;
    srv.start_paused = paused;
    struct client c = {.total = total};
    int err = 1;
    c.t = mi_tcp_connect(LOCALHOST, port, &client_cb, &c, &err);
    assert_non_null(c.t);
    assert_int_equal(err, 0);
    assert_int_equal(mi_run(), 0);
    assert_true(c.connected);
    assert_int_equal(c.sent, total);
    assert_int_equal(c.received, total);
    assert_true(c.got_eof);
    assert_int_equal(srv.accepted, 1);
    assert_int_equal(net_backend_active(), 0);
    if (paused) {
        assert_true(c.saw_short_write);
        assert_true(c.writable_calls > 0);
    }
}

static void tcp_echo_round_trip(void **state)
{
    run_echo(5, false);
}

static void tcp_backpressure_4mib(void **state)
{
    /* The server reads nothing until the client's writes come back short,
     * then both sides stream 4 MiB through full queues. */
    run_echo(4 << 20, true);
}

/* ---- endpoints, options ----------------------------------------------------------- */
static mi_tcp *accepted_conn;
static void keep_accepted(mi_tcp *l, mi_tcp *t, void *arg)
{
    accepted_conn = t;
    mi_tcp_set_callbacks(t, NULL, NULL);
}

static void endpoints_and_nodelay(void **state)
{
    const struct mi_tcp_callbacks lcb = {.on_accept = keep_accepted};
    uint16_t port;
    mi_tcp *l = listen_any_port(&lcb, NULL, &port);
    int err;
    mi_tcp *c = mi_tcp_connect(LOCALHOST, port, NULL, NULL, &err);
    assert_non_null(c);
    accepted_conn = NULL;
    while (accepted_conn == NULL)
        net_backend_wait(UINT64_MAX);

    mi_ipv4 a;
    uint16_t p, cport;
    mi_tcp_local(c, &a, &cport);
    assert_int_equal(a, LOCALHOST);
    mi_tcp_peer(accepted_conn, &a, &p);
    assert_int_equal(a, LOCALHOST);
    assert_int_equal(p, cport);
    mi_tcp_local(accepted_conn, &a, &p);
    assert_int_equal(p, port);
    mi_tcp_peer(c, &a, &p);
    assert_int_equal(a, LOCALHOST);
    assert_int_equal(p, port);

    /* Nagle is off on accepted connections (inherited from the listener). */
    int one = 0;
    socklen_t len = sizeof(one);
    assert_int_equal(getsockopt(sock_tcp_fd(accepted_conn), IPPROTO_TCP, TCP_NODELAY, &one, &len),
                     0);
    assert_int_equal(one, 1);

    /* Nothing was sent: reads say -EAGAIN. */
    char b[4];
    assert_int_equal(mi_tcp_read(accepted_conn, b, sizeof(b)), -EAGAIN);
    assert_int_equal(net_backend_active(), 3);
    mi_tcp_close(accepted_conn, true);
    mi_tcp_close(c, true);
    mi_tcp_close(l, false);
    assert_int_equal(net_backend_active(), 0);
    assert_int_equal(mi_run(), 0);
}

/* A flood of connections: one turn of the loop accepts at most 64, and
 * the rest follow in later turns (runtime/socket/tcp.c, ACCEPT_PER_TURN). */
static unsigned flood_accepted;
static mi_tcp *flood_listener;
enum { FLOOD = 150 };

static void flood_accept(mi_tcp *l, mi_tcp *t, void *arg)
{
    mi_tcp_close(t, true);
    if (++flood_accepted == FLOOD)
        mi_tcp_close(flood_listener, false);
}

static void accepts_are_capped_per_turn(void **state)
{
    const struct mi_tcp_callbacks lcb = {.on_accept = flood_accept};
    uint16_t port;
    flood_listener = listen_any_port(&lcb, NULL, &port);
    flood_accepted = 0;
    int fds[FLOOD];
    struct sockaddr_in sa = {
        .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(LOCALHOST)};
    for (int i = 0; i < FLOOD; i++) {
        /* Blocking connects: the kernel completes them into the backlog. */
        fds[i] = socket(AF_INET, SOCK_STREAM, 0);
        assert_true(fds[i] >= 0);
        assert_int_equal(connect(fds[i], (struct sockaddr *)&sa, sizeof sa), 0);
    }
    net_backend_wait(0);
    assert_int_equal(flood_accepted, 64);
    assert_int_equal(mi_run(), 0); /* the rest, in later turns */
    assert_int_equal(flood_accepted, FLOOD);
    for (int i = 0; i < FLOOD; i++)
        close(fds[i]);
}

static void listen_on_a_port_in_use(void **state)
{
    uint16_t port;
    mi_tcp *l = listen_any_port(&echo_listen_cb, NULL, &port);
    int err = 0;
    assert_null(mi_tcp_listen(LOCALHOST, port, &echo_listen_cb, NULL, &err));
    assert_int_equal(err, -EADDRINUSE);
    mi_tcp_close(l, false);
    assert_int_equal(mi_run(), 0);
}

static void refused_connect(mi_tcp *t, int err, void *arg)
{
    *(int *)arg = err;
    /* The runtime closes t after this returns: do not touch it again. */
}

static void connect_refused(void **state)
{
    static const struct mi_tcp_callbacks cb = {.on_connect = refused_connect};
    int result = 1, err = 1;
    mi_tcp *t = mi_tcp_connect(LOCALHOST, unused_port(SOCK_STREAM), &cb, &result, &err);
    if (t == NULL) {
        assert_int_equal(err, -ECONNREFUSED); /* refused at once */
    } else {
        assert_int_equal(mi_run(), 0);
        assert_int_equal(result, -ECONNREFUSED);
    }
    assert_int_equal(net_backend_active(), 0);
}

/* ---- half-close, abort ------------------------------------------------------------- */
struct half {
    mi_tcp *t;
    char got[16];
    size_t n;
    int eof_seen;
    bool is_server;
};

static void half_readable(mi_tcp *t, void *arg)
{
    struct half *h = arg;
    for (;;) {
        ssize_t n = mi_tcp_read(t, h->got + h->n, sizeof(h->got) - 1 - h->n);
        if (n == -EAGAIN)
            return;
        if (n > 0) {
            h->n += (size_t)n;
            continue;
        }
        assert_int_equal(n, 0);
        h->eof_seen++;
        /* EOF is sticky: reading again says 0 again. */
        assert_int_equal(mi_tcp_read(t, h->got, 1), 0);
        if (h->is_server) {
            /* The client shut down its side; ours still works. */
            assert_int_equal(mi_tcp_write(t, "xyz", 3), 3);
            assert_int_equal(mi_tcp_shutdown(t), 0);
        }
        mi_tcp_close(t, false);
        return;
    }
}

static struct half server_half = {.is_server = true};
static const struct mi_tcp_callbacks half_cb = {.on_readable = half_readable};

static void half_accept(mi_tcp *l, mi_tcp *t, void *arg)
{
    server_half.t = t;
    mi_tcp_set_callbacks(t, &half_cb, &server_half);
    mi_tcp_close(l, false);
}

static void half_connected(mi_tcp *t, int err, void *arg)
{
    assert_int_equal(err, 0);
    assert_int_equal(mi_tcp_write(t, "abc", 3), 3);
    assert_int_equal(mi_tcp_shutdown(t), 0);
    /* Writing after shutdown fails instead of killing the process. */
    assert_int_equal(mi_tcp_write(t, "!", 1), -EPIPE);
}

static void half_close(void **state)
{
    static const struct mi_tcp_callbacks lcb = {.on_accept = half_accept};
    static const struct mi_tcp_callbacks ccb = {.on_connect = half_connected,
                                                .on_readable = half_readable};
    memset(&server_half, 0, sizeof(server_half));
    server_half.is_server = true;
    struct half client = {0};
    uint16_t port;
    listen_any_port(&lcb, NULL, &port);
    int err;
    client.t = mi_tcp_connect(LOCALHOST, port, &ccb, &client, &err);
    assert_non_null(client.t);
    assert_int_equal(mi_run(), 0);
    assert_string_equal(server_half.got, "abc");
    assert_int_equal(server_half.eof_seen, 1);
    assert_string_equal(client.got, "xyz");
    assert_int_equal(client.eof_seen, 1);
}

static int abort_result;
static void abort_client_readable(mi_tcp *t, void *arg)
{
    char b[8];
    ssize_t n = mi_tcp_read(t, b, sizeof(b));
    if (n == -EAGAIN)
        return;
    abort_result = (int)n;
    /* The error is sticky. */
    assert_int_equal(mi_tcp_read(t, b, sizeof(b)), n);
    mi_tcp_close(t, false);
}

static void abort_client_connected(mi_tcp *t, int err, void *arg)
{
    assert_int_equal(err, 0);
    assert_int_equal(mi_tcp_write(t, "?", 1), 1);
}

static void abort_server_readable(mi_tcp *t, void *arg)
{
    mi_tcp_close(t, true); /* RST */
}

static void abort_accept(mi_tcp *l, mi_tcp *t, void *arg)
{
    static const struct mi_tcp_callbacks cb = {.on_readable = abort_server_readable};
    mi_tcp_set_callbacks(t, &cb, NULL);
    mi_tcp_close(l, false);
}

static void abortive_close_resets(void **state)
{
    static const struct mi_tcp_callbacks lcb = {.on_accept = abort_accept};
    static const struct mi_tcp_callbacks ccb = {.on_connect = abort_client_connected,
                                                .on_readable = abort_client_readable};
    uint16_t port;
    listen_any_port(&lcb, NULL, &port);
    int err;
    abort_result = 1;
    assert_non_null(mi_tcp_connect(LOCALHOST, port, &ccb, NULL, &err));
    assert_int_equal(mi_run(), 0);
    assert_int_equal(abort_result, -ECONNRESET);
}

/* ---- closing from callbacks -------------------------------------------------------- */
static int own_close_calls;
static void close_self_readable(mi_tcp *t, void *arg)
{
    own_close_calls++;
    /* Close with the data unread, and leave: no callback may follow. */
    mi_tcp_close(t, false);
}

static void close_self_writable(mi_tcp *t, void *arg)
{
    fail_msg("callback after close");
}

static void close_self_accept(mi_tcp *l, mi_tcp *t, void *arg)
{
    static const struct mi_tcp_callbacks cb = {.on_readable = close_self_readable,
                                               .on_writable = close_self_writable};
    mi_tcp_set_callbacks(t, &cb, NULL);
    mi_tcp_close(l, false);
}

struct sender {
    size_t sent;
    ssize_t last_read;
};

static void sender_connected(mi_tcp *t, int err, void *arg)
{
    /* Far more than the server reads (nothing): it closes with input
     * pending, which must still end in an orderly EOF here, not a RST. */
    static char junk[200000];
    struct sender *s = arg;
    ssize_t w = mi_tcp_write(t, junk, sizeof(junk));
    assert_true(w > 0);
    s->sent = (size_t)w;
}

static void sender_readable(mi_tcp *t, void *arg)
{
    struct sender *s = arg;
    char b[16];
    ssize_t n = mi_tcp_read(t, b, sizeof(b));
    if (n == -EAGAIN)
        return;
    s->last_read = n;
    mi_tcp_close(t, false);
}

static void close_inside_own_callback(void **state)
{
    static const struct mi_tcp_callbacks lcb = {.on_accept = close_self_accept};
    static const struct mi_tcp_callbacks ccb = {.on_connect = sender_connected,
                                                .on_readable = sender_readable};
    uint16_t port;
    listen_any_port(&lcb, NULL, &port);
    own_close_calls = 0;
    struct sender s = {.last_read = 1};
    int err;
    assert_non_null(mi_tcp_connect(LOCALHOST, port, &ccb, &s, &err));
    assert_int_equal(mi_run(), 0);
    assert_int_equal(own_close_calls, 1);
    assert_true(s.sent > 0);
    /* Lingering close: the peer sees EOF, not ECONNRESET. */
    assert_int_equal(s.last_read, 0);
}

/* Two accepted connections with input pending in the same epoll batch:
 * the first callback closes the other one and opens a new connection,
 * which may reuse the closed descriptor's number. */
static mi_tcp *pair[2];
static int pair_readable_calls;
static mi_tcp *replacement;
static mi_tcp *pair_listener;

static void pair_readable(mi_tcp *t, void *arg)
{
    pair_readable_calls++;
    mi_tcp *other = pair[0] == t ? pair[1] : pair[0];
    mi_tcp_close(other, true);
    mi_tcp_close(t, true);
    pair[0] = pair[1] = NULL;
    uint16_t port;
    mi_tcp_local(pair_listener, NULL, &port);
    int err;
    replacement = mi_tcp_connect(LOCALHOST, port, NULL, NULL, &err);
    assert_non_null(replacement);
}

static void pair_accept(mi_tcp *l, mi_tcp *t, void *arg)
{
    static const struct mi_tcp_callbacks cb = {.on_readable = pair_readable};
    if (pair[0] == NULL && pair_readable_calls == 0) {
        pair[0] = t;
    } else if (pair[1] == NULL && pair_readable_calls == 0) {
        pair[1] = t;
    } else {
        /* The replacement's server side: done. */
        mi_tcp_close(t, true);
        mi_tcp_close(replacement, true);
        mi_tcp_close(l, false);
        return;
    }
    mi_tcp_set_callbacks(t, &cb, NULL);
}

static int pair_clients_connected;
static void pair_client_connected(mi_tcp *t, int err, void *arg)
{
    assert_int_equal(err, 0);
    pair_clients_connected++;
}

static void close_others_with_events_pending(void **state)
{
    static const struct mi_tcp_callbacks lcb = {.on_accept = pair_accept};
    static const struct mi_tcp_callbacks ccb = {.on_connect = pair_client_connected};
    uint16_t port;
    pair[0] = pair[1] = NULL;
    pair_readable_calls = pair_clients_connected = 0;
    pair_listener = listen_any_port(&lcb, NULL, &port);
    int err;
    mi_tcp *c0 = mi_tcp_connect(LOCALHOST, port, &ccb, NULL, &err);
    mi_tcp *c1 = mi_tcp_connect(LOCALHOST, port, &ccb, NULL, &err);
    assert_non_null(c0);
    assert_non_null(c1);
    while (pair[1] == NULL || pair_clients_connected < 2)
        net_backend_wait(UINT64_MAX);
    /* Data for both server sides, back to back: loopback delivers it at
     * once, so the next epoll_wait reports both in one batch. */
    assert_int_equal(mi_tcp_write(c0, "a", 1), 1);
    assert_int_equal(mi_tcp_write(c1, "b", 1), 1);
    net_backend_wait(UINT64_MAX);
    assert_int_equal(pair_readable_calls, 1);
    mi_tcp_close(c0, true);
    mi_tcp_close(c1, true);
    assert_int_equal(mi_run(), 0);
    assert_int_equal(pair_readable_calls, 1);
}

/* ---- writev ----------------------------------------------------------------------- */
static char gathered[64];
static size_t ngathered;
static void gather_readable(mi_tcp *t, void *arg)
{
    for (;;) {
        ssize_t n = mi_tcp_read(t, gathered + ngathered, sizeof(gathered) - 1 - ngathered);
        if (n == -EAGAIN)
            return;
        if (n <= 0) {
            mi_tcp_close(t, false);
            return;
        }
        ngathered += (size_t)n;
    }
}

static void gather_accept(mi_tcp *l, mi_tcp *t, void *arg)
{
    static const struct mi_tcp_callbacks cb = {.on_readable = gather_readable};
    mi_tcp_set_callbacks(t, &cb, NULL);
    mi_tcp_close(l, false);
}

static void writev_connected(mi_tcp *t, int err, void *arg)
{
    const struct mi_iovec iov[3] = {{"HTTP/1.1 ", 9}, {"", 0}, {"200 OK", 6}};
    assert_int_equal(mi_tcp_writev(t, iov, 3), 15);
    assert_int_equal(mi_tcp_writev(t, iov, 0), -EINVAL);
    mi_tcp_close(t, false);
}

static void writev_sends_in_order(void **state)
{
    static const struct mi_tcp_callbacks lcb = {.on_accept = gather_accept};
    static const struct mi_tcp_callbacks ccb = {.on_connect = writev_connected,
                                                .on_readable = gather_readable};
    uint16_t port;
    listen_any_port(&lcb, NULL, &port);
    ngathered = 0;
    memset(gathered, 0, sizeof(gathered));
    int err;
    assert_non_null(mi_tcp_connect(LOCALHOST, port, &ccb, NULL, &err));
    assert_int_equal(mi_run(), 0);
    assert_string_equal(gathered, "HTTP/1.1 200 OK");
}

/* ---- UDP ------------------------------------------------------------------------------ */
#define NDGRAMS 50
static int echoed, replies;
static uint16_t b_port;

static void udp_echo(mi_udp *u, mi_ipv4 src, uint16_t sport, const void *data, size_t len,
                     void *arg)
{
    assert_int_equal(src, LOCALHOST);
    assert_int_equal(mi_udp_sendto(u, src, sport, data, len), (ssize_t)len);
    echoed++;
}

static void udp_reply(mi_udp *u, mi_ipv4 src, uint16_t sport, const void *data, size_t len,
                      void *arg)
{
    assert_int_equal(sport, b_port);
    int k;
    assert_int_equal(len, sizeof(k));
    memcpy(&k, data, sizeof(k));
    assert_true(k >= 0 && k < NDGRAMS);
    if (++replies == NDGRAMS) {
        mi_udp_close(u);
        mi_udp_close(arg);
    }
}

static void udp_round_trip(void **state)
{
    uint16_t a_port = unused_port(SOCK_DGRAM);
    b_port = unused_port(SOCK_DGRAM);
    int err = 1;
    mi_udp *b = mi_udp_bind(LOCALHOST, b_port, udp_echo, NULL, &err);
    assert_non_null(b);
    assert_int_equal(err, 0);
    mi_udp *a = mi_udp_bind(LOCALHOST, a_port, udp_reply, b, &err);
    assert_non_null(a);
    echoed = replies = 0;
    /* More than one recvmmsg batch at once. */
    for (int k = 0; k < NDGRAMS; k++)
        assert_int_equal(mi_udp_sendto(a, LOCALHOST, b_port, &k, sizeof(k)), sizeof(k));
    assert_int_equal(mi_run(), 0);
    assert_int_equal(echoed, NDGRAMS);
    assert_int_equal(replies, NDGRAMS);
    /* Port 0: the kernel picks one. */
    mi_udp *x = mi_udp_bind(LOCALHOST, 0, udp_echo, NULL, &err);
    assert_non_null(x);
    mi_udp_close(x);
}

/* ---- out of file descriptors ------------------------------------------------------ */
static int emfile_accepts;
static mi_tcp *emfile_conn;
static void count_accept(mi_tcp *l, mi_tcp *t, void *arg)
{
    emfile_accepts++;
    emfile_conn = t;
}

static void out_of_descriptors(void **state)
{
    static const struct mi_tcp_callbacks lcb = {.on_accept = count_accept};
    uint16_t port;
    mi_tcp *l = listen_any_port(&lcb, NULL, &port);
    /* Two plain clients, connected (the listener's backlog completes the
     * handshake) before the process runs out of descriptors. */
    int cl[2];
    for (int i = 0; i < 2; i++) {
        cl[i] = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sa = {
            .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(LOCALHOST)};
        assert_int_equal(connect(cl[i], (struct sockaddr *)&sa, sizeof(sa)), 0);
    }
    struct rlimit old, low;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
    int next = dup(2); /* the lowest free descriptor number */
    close(next);
    low = old;
    low.rlim_cur = (rlim_t)next;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
    emfile_accepts = 0;
    /* Both are accepted with the reserve descriptor and dropped; the
     * listener is drained, so this returns instead of spinning. */
    net_backend_wait(UINT64_MAX);
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
    assert_int_equal(emfile_accepts, 0);
    for (int i = 0; i < 2; i++) {
        char b;
        assert_true(recv(cl[i], &b, 1, 0) <= 0); /* EOF (or reset): dropped */
        close(cl[i]);
    }
    /* The runtime works again once descriptors are back. */
    int err;
    mi_tcp *c = mi_tcp_connect(LOCALHOST, port, NULL, NULL, &err);
    assert_non_null(c);
    while (emfile_accepts == 0)
        net_backend_wait(UINT64_MAX);
    mi_tcp_close(emfile_conn, true);
    mi_tcp_close(c, true);
    mi_tcp_close(l, false);
    assert_int_equal(mi_run(), 0);
}

/* ---- timers and signals on the real clock ----------------------------------------- */
static int timer_hits;
static void check_not_early(mi_timer *t, void *arg)
{
    /* epoll_wait counts milliseconds: rounding must never wake us early. */
    assert_true(mi_now() >= t->deadline);
    if (++timer_hits < 5)
        mi_timer_after(t, 1500 * 1000 + (uint64_t)timer_hits * 333333);
}

static void timers_never_fire_early(void **state)
{
    mi_timer t;
    timer_hits = 0;
    mi_timer_init(&t, check_not_early, NULL);
    mi_timer_after(&t, 1);
    assert_int_equal(mi_run(), 0);
    assert_int_equal(timer_hits, 5);
}

static void send_signal(mi_timer *t, void *arg)
{
    raise((int)(intptr_t)arg);
}

static void signals_stop_the_loop(void **state)
{
    /* The runtime turns SIGINT/SIGTERM into events (they are blocked and
     * read through a signalfd), so raise() does not kill this test. */
    assert_int_equal(sock_setup(), 0);
    const int sigs[2] = {SIGINT, SIGTERM};
    for (int i = 0; i < 2; i++) {
        mi_timer t, never;
        mi_timer_init(&t, send_signal, (void *)(intptr_t)sigs[i]);
        mi_timer_init(&never, send_signal, (void *)0);
        mi_timer_after(&t, 1000);
        mi_timer_after(&never, 3600 * MI_NSEC_PER_SEC); /* keeps the loop alive */
        assert_int_equal(mi_run(), 128 + sigs[i]);
        mi_timer_stop(&never);
    }
}

/* ---- the dispatcher with handlers of the test's own ------------------------------ */
struct pipe_obj {
    struct sock_obj o;
    int wfd;
    int calls;
};
static int handler_calls;

static void count_and_exit(struct sock_obj *o, uint32_t events)
{
    struct pipe_obj *p = (struct pipe_obj *)o;
    assert_true(events & EPOLLIN);
    p->calls++;
    handler_calls++;
    mi_exit(7);
}

static void handlers_and_stop_after_exit(void **state)
{
    assert_int_equal(sock_setup(), 0);
    struct pipe_obj *p[2];
    for (int i = 0; i < 2; i++) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        p[i] = calloc(1, sizeof(*p[i]));
        assert_non_null(p[i]);
        p[i]->o.fd = fds[0];
        p[i]->wfd = fds[1];
        /* Level-triggered: both stay ready until read. */
        assert_int_equal(sock_add(&p[i]->o, EPOLLIN, count_and_exit), 0);
        assert_int_equal(write(fds[1], "x", 1), 1);
    }
    /* Both are ready in one batch: the first handler exits the loop, the
     * second is not called (stop after the current callback). */
    handler_calls = 0;
    net_backend_wait(0);
    assert_int_equal(handler_calls, 1);
    assert_int_equal(p[0]->calls + p[1]->calls, 1);
    /* mi_run ends at once on the pending exit and clears it. */
    assert_int_equal(mi_run(), 7);
    net_backend_wait(0);
    assert_int_equal(handler_calls, 2);
    assert_int_equal(mi_run(), 7);
    for (int i = 0; i < 2; i++) {
        close(p[i]->wfd);
        sock_release(&p[i]->o);
    }
}

static uint64_t expiry_at;
static uint64_t expired_now;

static uint64_t expiry_due(void)
{
    return expired_now == 0 ? expiry_at : UINT64_MAX;
}

static void expiry_expire(uint64_t now)
{
    if (now >= expiry_at)
        expired_now = now;
}

/* The expiry slot (tcp.c's lingering closes use it): a wait with no
 * deadline of its own ends at the expiry, which then runs. Runs last:
 * it takes the slot from tcp.c, which sets it again on its next linger. */
static void expiry_ends_the_wait(void **state)
{
    assert_int_equal(sock_setup(), 0);
    expired_now = 0;
    expiry_at = mi_now() + 20 * MI_NSEC_PER_MSEC;
    sock_set_expiry(expiry_due, expiry_expire);
    while (expired_now == 0)
        net_backend_wait(UINT64_MAX);
    assert_true(expired_now >= expiry_at);
    assert_true(mi_now() >= expiry_at);
    sock_set_expiry(NULL, NULL);
}

int main(void)
{
    /* A hung test is a failed test. */
    alarm(120);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(tcp_echo_round_trip, setup),
        cmocka_unit_test_setup(tcp_backpressure_4mib, setup),
        cmocka_unit_test_setup(endpoints_and_nodelay, setup),
        cmocka_unit_test_setup(accepts_are_capped_per_turn, setup),
        cmocka_unit_test_setup(listen_on_a_port_in_use, setup),
        cmocka_unit_test_setup(connect_refused, setup),
        cmocka_unit_test_setup(half_close, setup),
        cmocka_unit_test_setup(abortive_close_resets, setup),
        cmocka_unit_test_setup(close_inside_own_callback, setup),
        cmocka_unit_test_setup(close_others_with_events_pending, setup),
        cmocka_unit_test_setup(writev_sends_in_order, setup),
        cmocka_unit_test_setup(udp_round_trip, setup),
        cmocka_unit_test_setup(out_of_descriptors, setup),
        cmocka_unit_test_setup(timers_never_fire_early, setup),
        cmocka_unit_test_setup(signals_stop_the_loop, setup),
        cmocka_unit_test_setup(handlers_and_stop_after_exit, setup),
        cmocka_unit_test_setup(expiry_ends_the_wait, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
