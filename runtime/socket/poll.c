/* SPDX-License-Identifier: ISC */
/* The host-socket backend of the event loop (runtime/core/net_backend.h):
 * one epoll instance, one epoll_wait per loop iteration, SIGINT/SIGTERM
 * as events through a signalfd.
 *
 * Registrations are edge-triggered: each socket is added once with every
 * event it can ever want (no epoll_ctl per read or write), and its handler
 * reads or accepts until EAGAIN, as the API's "read until -EAGAIN"
 * contract already requires. Events go to the handler each object was
 * registered with: this file knows no kind of object (sock.h). */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <mirari/log.h>
#include <mirari/loop.h>

#include "core/net_backend.h"
#include "core/core.h"
#include "socket/sock.h"

/* Events taken per epoll_wait; more wait for the next call. */
#define MAX_EVENTS 256

static int epfd = -1;
static struct sock_obj signals = {.fd = -1};
static unsigned depth;        /* nesting of sock_enter */
static struct sock_obj *dead; /* released while depth > 0 */
static struct sock_obj *live; /* every registered object */
size_t sock_active;
/* The deadline of sock_set_expiry, when set. */
static uint64_t (*expiry_due)(void);
static void (*expiry_run)(uint64_t now);

static void on_signal(struct sock_obj *o, uint32_t events);

int sock_setup(void)
{
    if (epfd >= 0)
        return 0;
    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0)
        return -errno;

    /* Each connection is a descriptor: a server should not fail at the
     * default soft limit of 1024 when the hard limit allows more. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }

    /* A write to a connection the peer reset must return EPIPE, not kill
     * the process (writes also pass MSG_NOSIGNAL; this covers the rest). */
    signal(SIGPIPE, SIG_IGN);

    /* SIGINT and SIGTERM become readable events: the loop logs them and
     * stops through mi_exit, so the program returns and cleans up instead
     * of dying in the middle of a callback. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    if (sigprocmask(SIG_BLOCK, &set, NULL) == 0) {
        signals.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
        if (signals.fd >= 0 && sock_add(&signals, EPOLLIN, on_signal) < 0) {
            close(signals.fd);
            signals.fd = -1;
        }
        if (signals.fd < 0) /* keep the default action: die on the signal */
            sigprocmask(SIG_UNBLOCK, &set, NULL);
    }
    return 0;
}

int sock_add(struct sock_obj *o, uint32_t events, sock_handler *handler)
{
    struct epoll_event ev = {.events = events, .data.ptr = o};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, o->fd, &ev) < 0)
        return -errno;
    o->handler = handler;
    o->prev = NULL;
    o->next = live;
    if (live != NULL)
        live->prev = o;
    live = o;
    return 0;
}

static void unlink_live(struct sock_obj *o)
{
    if (o->prev != NULL)
        o->prev->next = o->next;
    else if (live == o)
        live = o->next;
    else
        return; /* never registered */
    if (o->next != NULL)
        o->next->prev = o->prev;
    o->prev = o->next = NULL;
}

void sock_release(struct sock_obj *o)
{
    o->closed = true;
    unlink_live(o);
    if (o->fd >= 0) {
        /* Closing the last reference also removes it from the epoll set. */
        close(o->fd);
        o->fd = -1;
    }
    if (depth > 0) {
        o->next_dead = dead;
        dead = o;
    } else {
        free(o);
    }
}

void sock_enter(void)
{
    depth++;
}

void sock_leave(void)
{
    if (--depth > 0)
        return;
    while (dead != NULL) {
        struct sock_obj *o = dead;
        dead = o->next_dead;
        free(o);
    }
}

size_t net_backend_active(void)
{
    return sock_active;
}

void sock_set_expiry(uint64_t (*due)(void), void (*expire)(uint64_t now))
{
    expiry_due = due;
    expiry_run = expire;
}

/* The handler of the signal fd (sock_setup). */
static void on_signal(struct sock_obj *o, uint32_t events)
{
    struct signalfd_siginfo si;
    while (read(o->fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
        mi_info("stopping on %s", si.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM");
        /* The shell's convention for "ended by signal N": 128 + N. */
        mi_exit(128 + (int)si.ssi_signo);
    }
}

/* Milliseconds for epoll_wait until `deadline`, rounded up so that a
 * timer never fires early; -1 to wait without a deadline. */
static int timeout_ms(uint64_t deadline)
{
    if (deadline == UINT64_MAX)
        return -1;
    uint64_t now = mi_now();
    if (deadline <= now)
        return 0;
    uint64_t ms = (deadline - now + MI_NSEC_PER_MSEC - 1) / MI_NSEC_PER_MSEC;
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

void net_backend_wait(uint64_t deadline)
{
    static struct epoll_event events[MAX_EVENTS];

    int rc = sock_setup();
    if (rc < 0) {
        mi_error("cannot create the epoll instance: %s", strerror(-rc));
        mi_exit(1);
        return;
    }
    uint64_t expiry = expiry_due != NULL ? expiry_due() : UINT64_MAX;
    int n = epoll_wait(epfd, events, MAX_EVENTS, timeout_ms(expiry < deadline ? expiry : deadline));
    if (n < 0) {
        if (errno != EINTR) {
            mi_error("epoll_wait: %s", strerror(errno));
            mi_exit(1);
        }
        return;
    }

    sock_enter();
    for (int i = 0; i < n && !loop_exiting(); i++) {
        struct sock_obj *o = events[i].data.ptr;
        if (o->closed) /* closed by a callback earlier in this batch */
            continue;
        o->handler(o, events[i].events);
    }
    sock_leave();

    if (expiry != UINT64_MAX)
        expiry_run(mi_now());
}
