/* SPDX-License-Identifier: ISC */
/* A fake of the event loop and of net.h's TCP, for driving the HTTP
 * server's connection machine deterministically: the test plays the
 * client (fake_send, fake_drain), owns the clock (fake_advance) and
 * decides how much the "socket" takes per write (window). Included by one
 * test or fuzzer per program: it defines the runtime's functions. */
#ifndef MIRARI_TEST_HTTP_FAKE_H
#define MIRARI_TEST_HTTP_FAKE_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mirari/log.h>
#include <mirari/loop.h>
#include <mirari/net.h>

struct mi_tcp {
    bool listener;
    struct mi_tcp_callbacks cb;
    void *arg;
    /* client -> server */
    char *rx;
    size_t rx_len, rx_off;
    bool rx_eof;
    int rx_error; /* returned by the next read when set */
    /* server -> client: what the server wrote and the client has not
     * drained yet, and everything it ever wrote */
    size_t window; /* bytes the socket takes before -EAGAIN */
    size_t pending;
    char *tx;
    size_t tx_len, tx_cap;
    bool want_writable;
    int write_error;
    bool shut, closed, aborted;
    struct mi_tcp *next_all;
};

static uint64_t fake_clock = 1000 * MI_NSEC_PER_SEC;
static struct mi_tcp *fake_all;
static mi_timer *fake_timers[4096];
static size_t fake_ntimers;
static bool fake_verbose;

uint64_t mi_now(void)
{
    return fake_clock;
}

uint64_t mi_wall(void)
{
    return 1700000000ull * MI_NSEC_PER_SEC + fake_clock;
}

void mi_timer_init(mi_timer *t, mi_timer_fn fn, void *arg)
{
    memset(t, 0, sizeof *t);
    t->fn = fn;
    t->arg = arg;
}

void mi_timer_stop(mi_timer *t)
{
    if (t->slot == 0)
        return;
    for (size_t i = 0; i < fake_ntimers; i++)
        if (fake_timers[i] == t) {
            fake_timers[i] = fake_timers[--fake_ntimers];
            break;
        }
    t->slot = 0;
}

void mi_timer_at(mi_timer *t, uint64_t deadline)
{
    mi_timer_stop(t);
    t->deadline = deadline;
    t->slot = 1;
    if (fake_ntimers == sizeof fake_timers / sizeof fake_timers[0])
        abort();
    fake_timers[fake_ntimers++] = t;
}

void mi_timer_after(mi_timer *t, uint64_t delay_ns)
{
    mi_timer_at(t, fake_clock + delay_ns);
}

bool mi_timer_armed(const mi_timer *t)
{
    return t->slot != 0;
}

/* Deferred calls, run as the real loop does: after the current callback. */
static struct {
    void (*fn)(void *);
    void *arg;
} fake_deferred[4096];
static size_t fake_ndeferred;
static bool fake_hold_deferred; /* a test looks at the state in between */

int mi_defer(void (*fn)(void *arg), void *arg)
{
    if (fake_ndeferred == sizeof fake_deferred / sizeof fake_deferred[0])
        return -ENOMEM;
    fake_deferred[fake_ndeferred].fn = fn;
    fake_deferred[fake_ndeferred].arg = arg;
    fake_ndeferred++;
    return 0;
}

static inline void fake_run_deferred(void)
{
    while (fake_ndeferred > 0) {
        void (*fn)(void *) = fake_deferred[0].fn;
        void *arg = fake_deferred[0].arg;
        memmove(fake_deferred, fake_deferred + 1, --fake_ndeferred * sizeof fake_deferred[0]);
        fn(arg);
    }
}

static inline void fake_loop_tail(void)
{
    if (!fake_hold_deferred)
        fake_run_deferred();
}

/* Move the clock forward, firing due timers in deadline order. */
static inline void fake_advance(uint64_t ns)
{
    uint64_t end = fake_clock + ns;
    for (;;) {
        mi_timer *first = NULL;
        for (size_t i = 0; i < fake_ntimers; i++)
            if (fake_timers[i]->deadline <= end &&
                (first == NULL || fake_timers[i]->deadline < first->deadline))
                first = fake_timers[i];
        if (first == NULL)
            break;
        if (first->deadline > fake_clock)
            fake_clock = first->deadline;
        mi_timer_stop(first);
        first->fn(first, first->arg);
        fake_loop_tail();
    }
    fake_clock = end;
}

void mi_log_set_level(enum mi_log_level level)
{
    (void)level;
}

enum mi_log_level mi_log_get_level(void)
{
    return MI_LOG_DEBUG; /* so that every debug message is formatted */
}

void mi_log(enum mi_log_level level, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (fake_verbose)
        fprintf(stderr, "log %d: %s\n", (int)level, line);
}

/* ---- TCP ---- */

static int fake_listen_error;

mi_tcp *mi_tcp_listen(mi_ipv4 addr, uint16_t port, const struct mi_tcp_callbacks *cb, void *arg,
                      int *err)
{
    (void)addr;
    (void)port;
    if (fake_listen_error != 0) {
        *err = fake_listen_error;
        return NULL;
    }
    mi_tcp *t = calloc(1, sizeof *t);
    t->listener = true;
    t->cb = *cb;
    t->arg = arg;
    t->next_all = fake_all;
    fake_all = t;
    return t;
}

void mi_tcp_set_callbacks(mi_tcp *t, const struct mi_tcp_callbacks *cb, void *arg)
{
    t->cb = *cb;
    t->arg = arg;
}

ssize_t mi_tcp_read(mi_tcp *t, void *buf, size_t cap)
{
    if (t->closed)
        abort(); /* a use after close */
    if (t->rx_error != 0) {
        int e = t->rx_error;
        t->rx_error = 0;
        return e;
    }
    size_t n = t->rx_len - t->rx_off;
    if (n == 0)
        return t->rx_eof ? 0 : -EAGAIN;
    if (n > cap)
        n = cap;
    memcpy(buf, t->rx + t->rx_off, n);
    t->rx_off += n;
    return (ssize_t)n;
}

ssize_t mi_tcp_write(mi_tcp *t, const void *buf, size_t len)
{
    if (t->closed || t->shut)
        abort();
    if (t->write_error != 0)
        return t->write_error;
    size_t room = t->window > t->pending ? t->window - t->pending : 0;
    if (room == 0) {
        t->want_writable = true;
        return -EAGAIN;
    }
    size_t n = len < room ? len : room;
    if (t->tx_len + n > t->tx_cap) {
        t->tx_cap = (t->tx_len + n) * 2;
        t->tx = realloc(t->tx, t->tx_cap);
    }
    memcpy(t->tx + t->tx_len, buf, n);
    t->tx_len += n;
    t->pending += n;
    if (n < len)
        t->want_writable = true;
    return (ssize_t)n;
}

/* Bytes taken by reference: the real stack would send them from where
 * they are. */
static size_t fake_write_ref_bytes;

ssize_t mi_tcp_write_ref(mi_tcp *t, const void *buf, size_t len)
{
    ssize_t n = mi_tcp_write(t, buf, len);
    if (n > 0)
        fake_write_ref_bytes += (size_t)n;
    return n;
}

static size_t fake_writev_calls;

/* Like the real ones: the concatenation, as one write would take it. */
ssize_t mi_tcp_writev(mi_tcp *t, const struct mi_iovec *iov, int n)
{
    if (n <= 0 || n > MI_IOV_MAX)
        abort();
    fake_writev_calls++;
    ssize_t total = 0;
    for (int i = 0; i < n; i++) {
        if (iov[i].len == 0)
            continue;
        ssize_t k = mi_tcp_write(t, iov[i].base, iov[i].len);
        if (k < 0)
            return total > 0 ? total : k;
        total += k;
        if ((size_t)k < iov[i].len)
            break;
    }
    return total;
}

int mi_tcp_shutdown(mi_tcp *t)
{
    t->shut = true;
    return 0;
}

void mi_tcp_close(mi_tcp *t, bool abort_)
{
    t->closed = true;
    t->aborted = abort_;
}

void mi_tcp_peer(const mi_tcp *t, mi_ipv4 *addr, uint16_t *port)
{
    (void)t;
    *addr = MI_IPV4(127, 0, 0, 1);
    *port = 40000;
}

void mi_tcp_local(const mi_tcp *t, mi_ipv4 *addr, uint16_t *port)
{
    (void)t;
    *addr = MI_IPV4(127, 0, 0, 1);
    *port = 8080;
}

/* The client side. */
static inline mi_tcp *fake_connect(mi_tcp *listener, size_t window)
{
    mi_tcp *t = calloc(1, sizeof *t);
    t->window = window;
    t->next_all = fake_all;
    fake_all = t;
    listener->cb.on_accept(listener, t, listener->arg);
    fake_loop_tail();
    return t;
}

static inline void fake_send(mi_tcp *t, const void *data, size_t len)
{
    if (t->closed)
        return; /* nobody listens any more */
    t->rx = realloc(t->rx, t->rx_len + len + 1);
    memcpy(t->rx + t->rx_len, data, len);
    t->rx_len += len;
    if (t->cb.on_readable != NULL)
        t->cb.on_readable(t, t->arg);
    fake_loop_tail();
}

static inline void fake_send_str(mi_tcp *t, const char *s)
{
    fake_send(t, s, strlen(s));
}

static inline void fake_eof(mi_tcp *t)
{
    t->rx_eof = true;
    if (!t->closed && t->cb.on_readable != NULL)
        t->cb.on_readable(t, t->arg);
    fake_loop_tail();
}

/* The client reads everything sent so far, making room in the window. */
static inline void fake_drain(mi_tcp *t)
{
    t->pending = 0;
    if (t->want_writable && !t->closed) {
        t->want_writable = false;
        if (t->cb.on_writable != NULL)
            t->cb.on_writable(t, t->arg);
    }
    fake_loop_tail();
}

/* NUL-terminated copy of what the server sent (the caller frees). */
static inline char *fake_output(const mi_tcp *t)
{
    char *s = malloc(t->tx_len + 1);
    if (t->tx_len > 0)
        memcpy(s, t->tx, t->tx_len);
    s[t->tx_len] = '\0';
    return s;
}

static inline void fake_reset(void)
{
    while (fake_all != NULL) {
        mi_tcp *t = fake_all;
        fake_all = t->next_all;
        free(t->rx);
        free(t->tx);
        free(t);
    }
    fake_ntimers = 0;
    fake_ndeferred = 0;
    fake_hold_deferred = false;
    fake_listen_error = 0;
}

#endif
