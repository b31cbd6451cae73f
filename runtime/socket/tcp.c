/* SPDX-License-Identifier: ISC */
/* TCP over host sockets: the mi_tcp_* half of include/mirari/net.h.
 *
 * Every socket is non-blocking and registered once, edge-triggered, for
 * input, output and peer shutdown. The hot path (a read and a write per
 * request) costs exactly those two system calls plus the shared
 * epoll_wait: the object remembers what the last event and the last
 * read/write said, so that a read that cannot return data and a write
 * that cannot take any are answered -EAGAIN without asking the kernel
 * (the same bookkeeping as nginx's ready flags). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <mirari/log.h>
#include <mirari/loop.h>
#include <mirari/net.h>

#include "socket/sock.h"

/* A graceful close waits this long at most for the peer to finish. */
#define LINGER_NS (5 * MI_NSEC_PER_SEC)
/* Retry accepting after a failure that no event will announce the end of
 * (no memory, no descriptor even after shedding). */
#define ACCEPT_RETRY_NS (100 * MI_NSEC_PER_MSEC)
/* Connections one listener accepts per turn of the loop. Registrations are
 * edge-triggered, so a listener that stops before EAGAIN gets no new
 * event: a zero-delay retry brings it back next turn, after the other
 * sockets' events of this turn. A flood of connections cannot then starve
 * the connections already open. */
#define ACCEPT_PER_TURN 64

enum tcp_state {
    T_LISTEN,
    T_CONNECTING,
    T_OPEN,
    T_LINGER, /* closed by the application, draining (see start_linger) */
    T_CLOSED,
};

struct mi_tcp {
    struct sock_obj o;
    uint8_t state;
    /* Input may be waiting: set by an input event, cleared when a read
     * says the socket is drained. Reads return -EAGAIN while clear. */
    bool readable;
    /* The last event reported the peer's FIN or an error: a short read no
     * longer proves the socket drained (the EOF is still to be read). */
    bool peer_done;
    bool eof; /* a read returned 0 */
    /* The send buffer has room: cleared by a short or refused write, set
     * by an output event. */
    bool writable;
    bool want_writable; /* a write was short: call on_writable on room */
    int err;            /* sticky error of a failed connection */
    struct mi_tcp_callbacks cb;
    void *arg;
    mi_ipv4 peer_addr;
    uint16_t peer_port;
    /* Listener: the accept retry timer. Lingering: the FIFO of lingering
     * connections (all have the same timeout, so FIFO = deadline order). */
    mi_timer retry;
    struct mi_tcp *linger_prev, *linger_next;
    uint64_t linger_deadline;
};

static struct mi_tcp *linger_head, *linger_tail;
/* A descriptor kept open so that, when the process runs out of them, one
 * can be freed to accept and drop a pending connection instead of leaving
 * the listener ready forever (the classic EMFILE trick). */
static int reserve_fd = -2; /* -2: not opened yet */

static void set_err(int *err, int e)
{
    if (err != NULL)
        *err = e;
}

static void to_sockaddr(struct sockaddr_in *sa, mi_ipv4 addr, uint16_t port)
{
    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    sa->sin_port = htons(port);
    sa->sin_addr.s_addr = htonl(addr);
}

static struct mi_tcp *tcp_new(int fd, enum tcp_state state)
{
    struct mi_tcp *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return NULL;
    t->o.fd = fd;
    t->state = (uint8_t)state;
    t->readable = true;
    t->writable = true;
    return t;
}

/* Connection events: everything, edge-triggered, once for its lifetime. */
#define CONN_EVENTS (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET)

static void conn_event(struct sock_obj *o, uint32_t events);

int sock_tcp_fd(const mi_tcp *t)
{
    return t->o.fd;
}

void mi_tcp_set_callbacks(mi_tcp *t, const struct mi_tcp_callbacks *cb, void *arg)
{
    if (cb != NULL)
        t->cb = *cb;
    else
        memset(&t->cb, 0, sizeof(t->cb));
    t->arg = arg;
}

/* ---- listening and accepting --------------------------------------------- */
static void accept_all(struct mi_tcp *l);

/* The handler of a listener: connections are waiting. */
static void listen_event(struct sock_obj *o, uint32_t events)
{
    accept_all((struct mi_tcp *)o);
}

static void accept_retry(mi_timer *timer, void *arg)
{
    sock_enter();
    accept_all(arg);
    sock_leave();
}

/* Out of descriptors: accept one pending connection with the reserve
 * descriptor and drop it, so the listener does not stay ready forever.
 * Linux reports EMFILE before it looks at the queue, so this is also how
 * we learn that the queue is empty. 1: dropped one, try again; 0: the
 * queue is empty; -1: no reserve, try again later. */
static int shed_one(struct mi_tcp *l)
{
    if (reserve_fd < 0)
        return -1;
    close(reserve_fd);
    int fd = accept4(l->o.fd, NULL, NULL, SOCK_CLOEXEC);
    int e = errno;
    if (fd >= 0)
        close(fd);
    reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        mi_warn("out of file descriptors: dropped a new connection");
        return 1;
    }
    return e == EAGAIN ? 0 : -1;
}

static void accept_all(struct mi_tcp *l)
{
    for (unsigned taken = 0; l->state == T_LISTEN; taken++) {
        if (taken == ACCEPT_PER_TURN) {
            mi_timer_after(&l->retry, 0);
            return;
        }
        struct sockaddr_in sa;
        socklen_t salen = sizeof(sa);
        int fd = accept4(l->o.fd, (struct sockaddr *)&sa, &salen, SOCK_NONBLOCK | SOCK_CLOEXEC);
        int e;
        if (fd < 0) {
            switch (errno) {
            case EAGAIN:
                return;
            case EINTR:
            case ECONNABORTED: /* gone before we took it */
            case EPROTO:
            case EPERM: /* refused by a firewall rule */
                continue;
            case EMFILE:
            case ENFILE:
                e = shed_one(l);
                if (e > 0)
                    continue;
                if (e == 0)
                    return;
                break;
            default:
                mi_warn("accept: %s", strerror(errno));
                break;
            }
            /* No event will say when this clears: poll for it. */
            mi_timer_after(&l->retry, ACCEPT_RETRY_NS);
            return;
        }
        /* TCP_NODELAY came from the listener (Linux copies it on accept). */
        struct mi_tcp *c = tcp_new(fd, T_OPEN);
        if (c == NULL || sock_add(&c->o, CONN_EVENTS, conn_event) < 0) {
            mi_warn("no memory for a new connection: dropped");
            close(fd);
            free(c);
            continue;
        }
        c->peer_addr = ntohl(sa.sin_addr.s_addr);
        c->peer_port = ntohs(sa.sin_port);
        sock_active++;
        if (l->cb.on_accept != NULL)
            l->cb.on_accept(l, c, l->arg);
        else
            mi_tcp_close(c, true);
    }
}

mi_tcp *mi_tcp_listen(mi_ipv4 addr, uint16_t port, const struct mi_tcp_callbacks *cb, void *arg,
                      int *err)
{
    int e = sock_setup();
    if (e < 0) {
        set_err(err, e);
        return NULL;
    }
    if (reserve_fd == -2)
        reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        set_err(err, -errno);
        return NULL;
    }
    const int one = 1;
    /* SO_REUSEADDR: restart at once although connections of the previous
     * run are in TIME_WAIT. TCP_NODELAY here is inherited by every
     * accepted connection, one system call less per connection: the
     * runtime writes whole responses, Nagle would only delay them. */
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    struct sockaddr_in sa;
    to_sockaddr(&sa, addr, port);
    struct mi_tcp *l = NULL;
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, SOMAXCONN) < 0) {
        e = -errno;
        goto fail;
    }
    l = tcp_new(fd, T_LISTEN);
    if (l == NULL) {
        e = -ENOMEM;
        goto fail;
    }
    mi_tcp_set_callbacks(l, cb, arg);
    mi_timer_init(&l->retry, accept_retry, l);
    e = sock_add(&l->o, EPOLLIN | EPOLLET, listen_event);
    if (e < 0)
        goto fail;
    sock_active++;
    set_err(err, 0);
    return l;
fail:
    close(fd);
    free(l);
    set_err(err, e);
    return NULL;
}

/* ---- connecting ------------------------------------------------------------ */
mi_tcp *mi_tcp_connect(mi_ipv4 addr, uint16_t port, const struct mi_tcp_callbacks *cb, void *arg,
                       int *err)
{
    int e = sock_setup();
    if (e < 0) {
        set_err(err, e);
        return NULL;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        set_err(err, -errno);
        return NULL;
    }
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    struct sockaddr_in sa;
    to_sockaddr(&sa, addr, port);
    struct mi_tcp *t = NULL;
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
        e = -errno;
        goto fail;
    }
    /* Connected or not, the first output event reports the outcome. */
    t = tcp_new(fd, T_CONNECTING);
    if (t == NULL) {
        e = -ENOMEM;
        goto fail;
    }
    mi_tcp_set_callbacks(t, cb, arg);
    t->peer_addr = addr;
    t->peer_port = port;
    e = sock_add(&t->o, CONN_EVENTS, conn_event);
    if (e < 0)
        goto fail;
    sock_active++;
    set_err(err, 0);
    return t;
fail:
    close(fd);
    free(t);
    set_err(err, e);
    return NULL;
}

/* The outcome of a connect: SO_ERROR says it. */
static void connect_done(struct mi_tcp *t, uint32_t events)
{
    int soerr = 0;
    socklen_t len = sizeof(soerr);
    if (getsockopt(t->o.fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
        soerr = errno;
    if (soerr == 0 && !(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
        return; /* still in progress */
    if (soerr == 0 && (events & (EPOLLERR | EPOLLHUP)))
        soerr = ECONNRESET;
    if (soerr == 0) {
        t->state = T_OPEN;
        if (t->cb.on_connect != NULL)
            t->cb.on_connect(t, 0, t->arg);
        return;
    }
    t->err = -soerr;
    if (t->cb.on_connect != NULL)
        t->cb.on_connect(t, -soerr, t->arg);
    /* As documented: a failed connection is closed after the callback. */
    mi_tcp_close(t, true);
}

/* ---- events of a connection ------------------------------------------------ */
static void linger_drain(struct mi_tcp *t);

/* The handler of a connection, whatever its state. */
static void conn_event(struct sock_obj *o, uint32_t events)
{
    struct mi_tcp *t = (struct mi_tcp *)o;
    switch (t->state) {
    case T_LINGER:
        linger_drain(t);
        return;
    case T_CONNECTING:
        connect_done(t, events);
        if (t->state != T_OPEN)
            return;
        break;
    default:
        break;
    }

    /* Output first: a writer waiting for room is flushed before new input
     * is handled, and a write made while handling the input below cannot
     * be answered by this event's stale EPOLLOUT. */
    if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) {
        t->writable = true;
        if (t->want_writable) {
            t->want_writable = false;
            if (t->cb.on_writable != NULL) {
                t->cb.on_writable(t, t->arg);
                if (t->state != T_OPEN)
                    return;
            }
        }
    }
    if (events & (EPOLLRDHUP | EPOLLERR | EPOLLHUP))
        t->peer_done = true;
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)) {
        t->readable = true;
        if (t->cb.on_readable != NULL)
            t->cb.on_readable(t, t->arg);
    }
}

ssize_t mi_tcp_read(mi_tcp *t, void *buf, size_t cap)
{
    if (t->state != T_OPEN)
        return t->state == T_CONNECTING ? -EAGAIN : -ENOTCONN;
    if (t->err != 0)
        return t->err;
    if (t->eof)
        return 0;
    if (!t->readable)
        return -EAGAIN;
    if (cap == 0)
        return -EINVAL; /* 0 would read as end of stream */
    for (;;) {
        ssize_t n = recv(t->o.fd, buf, cap, 0);
        if (n > 0) {
            /* Less than asked: the kernel had no more. Edge-triggered
             * epoll reports anything arriving after this, so the next
             * read can say -EAGAIN without a system call, unless the peer
             * has finished: its EOF must still be read. */
            if ((size_t)n < cap && !t->peer_done)
                t->readable = false;
            return n;
        }
        if (n == 0) {
            t->eof = true;
            return 0;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN) {
            t->readable = false;
            return -EAGAIN;
        }
        t->err = -errno;
        return t->err;
    }
}

/* After a send of `len` bytes that took n (or failed with errno). */
static ssize_t sent(struct mi_tcp *t, ssize_t n, size_t len)
{
    if (n >= 0) {
        if ((size_t)n < len) {
            t->writable = false;
            t->want_writable = true;
        }
        return n;
    }
    if (errno == EAGAIN) {
        t->writable = false;
        t->want_writable = true;
        return -EAGAIN;
    }
    return -errno;
}

ssize_t mi_tcp_write(mi_tcp *t, const void *buf, size_t len)
{
    if (t->state != T_OPEN)
        return t->state == T_CONNECTING ? -EAGAIN : -ENOTCONN;
    if (len == 0)
        return 0;
    if (!t->writable) {
        t->want_writable = true;
        return -EAGAIN;
    }
    ssize_t n;
    do
        n = send(t->o.fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    return sent(t, n, len);
}

/* The host's kernel copies anyway. */
ssize_t mi_tcp_write_ref(mi_tcp *t, const void *buf, size_t len)
{
    return mi_tcp_write(t, buf, len);
}

/* The kernel takes mi_iovec as struct iovec: same members, same places. */
_Static_assert(sizeof(struct mi_iovec) == sizeof(struct iovec), "mi_iovec layout");
_Static_assert(offsetof(struct mi_iovec, base) == offsetof(struct iovec, iov_base),
               "mi_iovec layout");
_Static_assert(offsetof(struct mi_iovec, len) == offsetof(struct iovec, iov_len),
               "mi_iovec layout");

ssize_t mi_tcp_writev(mi_tcp *t, const struct mi_iovec *iov, int n)
{
    if (t->state != T_OPEN)
        return t->state == T_CONNECTING ? -EAGAIN : -ENOTCONN;
    if (n <= 0 || n > MI_IOV_MAX)
        return -EINVAL;
    size_t len = 0;
    for (int i = 0; i < n; i++)
        len += iov[i].len;
    if (len == 0)
        return 0;
    if (!t->writable) {
        t->want_writable = true;
        return -EAGAIN;
    }
    struct msghdr msg = {.msg_iov = (struct iovec *)(uintptr_t)iov, .msg_iovlen = (size_t)n};
    ssize_t r;
    do
        r = sendmsg(t->o.fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    while (r < 0 && errno == EINTR);
    return sent(t, r, len);
}

int mi_tcp_shutdown(mi_tcp *t)
{
    if (t->state != T_OPEN)
        return -ENOTCONN;
    return shutdown(t->o.fd, SHUT_WR) == 0 ? 0 : -errno;
}

void mi_tcp_peer(const mi_tcp *t, mi_ipv4 *addr, uint16_t *port)
{
    if (addr != NULL)
        *addr = t->peer_addr;
    if (port != NULL)
        *port = t->peer_port;
}

void mi_tcp_local(const mi_tcp *t, mi_ipv4 *addr, uint16_t *port)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    if (t->o.fd < 0 || getsockname(t->o.fd, (struct sockaddr *)&sa, &len) < 0)
        memset(&sa, 0, sizeof(sa));
    if (addr != NULL)
        *addr = ntohl(sa.sin_addr.s_addr);
    if (port != NULL)
        *port = ntohs(sa.sin_port);
}

/* ---- closing --------------------------------------------------------------
 * close(2) on a socket with unread input makes Linux send a RST instead of
 * a FIN (RFC 1122 4.2.2.13 allows it), and a RST discards what was still
 * queued for the peer: a response written just before closing could be
 * lost because the peer had sent more (a pipelined request). So a
 * graceful close that has not seen the peer's EOF shuts down for writing
 * (FIN after the queued data) and keeps reading and discarding input,
 * detached from the application, until the peer closes or LINGER_NS
 * pass; like nginx's lingering_close. */
static void linger_unlink(struct mi_tcp *t)
{
    if (t->linger_prev != NULL)
        t->linger_prev->linger_next = t->linger_next;
    else
        linger_head = t->linger_next;
    if (t->linger_next != NULL)
        t->linger_next->linger_prev = t->linger_prev;
    else
        linger_tail = t->linger_prev;
}

static void linger_finish(struct mi_tcp *t)
{
    linger_unlink(t);
    t->state = T_CLOSED;
    sock_release(&t->o);
}

static void linger_drain(struct mi_tcp *t)
{
    static char sink[16384];
    /* Bounded per event: a peer that keeps sending is cut off by the
     * deadline, not served forever here. */
    for (int i = 0; i < 16; i++) {
        ssize_t n = recv(t->o.fd, sink, sizeof(sink), 0);
        if (n > 0)
            continue;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        break; /* EOF or error: the peer is done */
    }
    linger_finish(t);
}

/* The expiry of the lingering connections (sock_set_expiry): the
 * deadline of the oldest, and closing those whose time is up. */
static uint64_t linger_due(void)
{
    return linger_head != NULL ? linger_head->linger_deadline : UINT64_MAX;
}

static void linger_expire(uint64_t now)
{
    while (linger_head != NULL && linger_head->linger_deadline <= now)
        linger_finish(linger_head);
}

static void start_linger(struct mi_tcp *t)
{
    if (shutdown(t->o.fd, SHUT_WR) < 0) {
        t->state = T_CLOSED;
        sock_release(&t->o);
        return;
    }
    t->state = T_LINGER;
    memset(&t->cb, 0, sizeof(t->cb));
    t->linger_deadline = mi_now() + LINGER_NS;
    t->linger_next = NULL;
    t->linger_prev = linger_tail;
    if (linger_tail != NULL)
        linger_tail->linger_next = t;
    else
        linger_head = t;
    linger_tail = t;
    sock_set_expiry(linger_due, linger_expire);
    /* Input already waiting raises no new edge: drain it now. */
    linger_drain(t);
}

void mi_tcp_close(mi_tcp *t, bool abort)
{
    if (t == NULL || t->state == T_LINGER || t->state == T_CLOSED)
        return;
    sock_active--;
    if (t->state == T_LISTEN) {
        mi_timer_stop(&t->retry);
    } else if (t->state == T_OPEN && abort) {
        /* SO_LINGER with a zero timeout: close(2) sends a RST. */
        struct linger lg = {.l_onoff = 1, .l_linger = 0};
        setsockopt(t->o.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    } else if (t->state == T_OPEN && !t->eof && t->err == 0) {
        start_linger(t);
        return;
    }
    t->state = T_CLOSED;
    sock_release(&t->o);
}
