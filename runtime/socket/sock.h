/* SPDX-License-Identifier: ISC */
/* Internals of the host-socket runtime (target unix-socket): one epoll
 * instance, edge-triggered, with every socket registered once with its
 * object pointer as the event data.
 *
 * Dependencies go one way: poll.c (the epoll instance, the object
 * lifetimes, the loop's wait) knows no kind of object; tcp.c and udp.c
 * register theirs with the handler that their events go to, the way
 * redis's ae.c keeps a handler with each file event it is given.
 *
 * Lifetime: an object closed by the application, possibly from a callback
 * while later events of the same epoll batch still point at it, is marked
 * closed (its events are skipped) and freed only when no batch is being
 * dispatched. That is what makes closing any object from any callback
 * safe. */
#ifndef MIRARI_SOCKET_SOCK_H
#define MIRARI_SOCKET_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mirari/net.h>

struct sock_obj;

/* What an object does with an event: called with the object and the
 * epoll event mask. */
typedef void sock_handler(struct sock_obj *o, uint32_t events);

/* The first member of every object registered with epoll. */
struct sock_obj {
    int fd;
    bool closed;                /* released: skip its events, free it later */
    sock_handler *handler;      /* set by sock_add */
    struct sock_obj *next_dead; /* in the list freed after the batch */
    /* Every live object is on one list: what is open can be found (and
     * is not reported as leaked when the program stops with it open). */
    struct sock_obj *prev, *next;
};

/* Create the epoll instance and the signal fd, once. 0 or -errno. */
int sock_setup(void);
/* Register o->fd for `events` (EPOLLIN|EPOLLET, ...) with the handler
 * its events are dispatched to, and put o on the list of live objects.
 * 0 or -errno. */
int sock_add(struct sock_obj *o, uint32_t events, sock_handler *handler);
/* Close o->fd (when >= 0) and free o (allocated with malloc) as soon as
 * no event batch can refer to it. */
void sock_release(struct sock_obj *o);
/* Around runtime code that calls application callbacks and then looks at
 * objects again: releases inside are deferred until the outermost leave. */
void sock_enter(void);
void sock_leave(void);

/* Objects that keep the loop alive (net_backend_active). */
extern size_t sock_active;

/* A deadline that does not keep the loop alive, of one part of the
 * backend (tcp.c: connections closed gracefully linger until the peer
 * closes or a timeout). The wait for events ends by due() at the latest
 * (UINT64_MAX: nothing due), and expire(now) runs after the batch when
 * something was due. One slot: its user sets it when it starts needing
 * it (setting it again is harmless). */
void sock_set_expiry(uint64_t (*due)(void), void (*expire)(uint64_t now));

/* The descriptor of a connection or listener (tests). */
int sock_tcp_fd(const mi_tcp *t);

#endif
