/* SPDX-License-Identifier: ISC */
/* Internals of the host-socket runtime (target unix-socket): one epoll
 * instance, edge-triggered, with every socket registered once with its
 * object pointer as the event data.
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

enum sock_kind { SOCK_TCP, SOCK_UDP, SOCK_SIGNAL };

/* The first member of every object registered with epoll. */
struct sock_obj {
    int fd;
    uint8_t kind;
    bool closed;                /* released: skip its events, free it later */
    struct sock_obj *next_dead; /* in the list freed after the batch */
    /* Every live object is on one list: what is open can be found (and
     * is not reported as leaked when the program stops with it open). */
    struct sock_obj *prev, *next;
};

/* Create the epoll instance and the signal fd, once. 0 or -errno. */
int sock_setup(void);
/* Register o->fd for `events` (EPOLLIN|EPOLLET, ...) and put o on the
 * list of live objects. 0 or -errno. */
int sock_add(struct sock_obj *o, uint32_t events);
/* Close o->fd (when >= 0) and free o (allocated with malloc) as soon as
 * no event batch can refer to it. */
void sock_release(struct sock_obj *o);
/* Around runtime code that calls application callbacks and then looks at
 * objects again: releases inside are deferred until the outermost leave. */
void sock_enter(void);
void sock_leave(void);

/* Objects that keep the loop alive (net_backend_active). */
extern size_t sock_active;

/* Event handlers, called with the epoll event mask. */
void sock_tcp_event(struct sock_obj *o, uint32_t events);
void sock_udp_event(struct sock_obj *o, uint32_t events);

/* Connections closed gracefully with data possibly still arriving linger
 * (shut down for writing, input discarded) until the peer closes or a
 * timeout: the deadline of the oldest (UINT64_MAX when none), and expiry. */
uint64_t sock_linger_deadline(void);
void sock_linger_expire(uint64_t now);

/* The descriptor of a connection or listener (tests). */
int sock_tcp_fd(const mi_tcp *t);

#endif
