/* SPDX-License-Identifier: ISC */
/* TCP connection blocks: the table, allocation, opening and closing, and
 * their lifetime.
 *
 * A connection has two owners: the protocol (while it is in a table: a
 * state other than CLOSED) and the application (`user`, from accept or
 * connect until mi_tcp_close). It is released when both are done, and
 * freed at the next entry into the stack (tcp_reap), never in the middle
 * of processing a segment: callbacks may close it at any time. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stack.h"

#define EPHEMERAL_MIN 49152u
#define EPHEMERAL_N   (65536u - EPHEMERAL_MIN)

static const char *const state_names[] = {
    [TCP_CLOSED] = "CLOSED",           [TCP_LISTEN] = "LISTEN",
    [TCP_SYN_SENT] = "SYN-SENT",       [TCP_SYN_RECEIVED] = "SYN-RECEIVED",
    [TCP_ESTABLISHED] = "ESTABLISHED", [TCP_FIN_WAIT_1] = "FIN-WAIT-1",
    [TCP_FIN_WAIT_2] = "FIN-WAIT-2",   [TCP_CLOSE_WAIT] = "CLOSE-WAIT",
    [TCP_CLOSING] = "CLOSING",         [TCP_LAST_ACK] = "LAST-ACK",
    [TCP_TIME_WAIT] = "TIME-WAIT",
};

void tcp_init(struct net_stack *s)
{
    struct tcp_table *tb = &s->tcp;
    memset(tb, 0, sizeof(*tb));
    for (size_t i = 0; i < TCP_HASH_SIZE; i++)
        net_list_init(&tb->hash[i]);
    net_list_init(&tb->listeners);
    net_list_init(&tb->timewait);
    net_list_init(&tb->reap);
    net_list_init(&tb->output);
    tb->port_counter = (uint32_t)(s->key.k1 >> 32);
    tb->challenge_tokens = TCP_CHALLENGE_BURST;
    tb->challenge_refilled = mi_now();
}

static void tcp_free(struct mi_tcp *t)
{
    tcp_free_bufs(t);
    free(t);
}

void tcp_destroy(struct net_stack *s)
{
    struct tcp_table *tb = &s->tcp;
    for (size_t i = 0; i < TCP_HASH_SIZE; i++)
        while (!net_list_empty(&tb->hash[i])) {
            struct mi_tcp *t = net_container_of(tb->hash[i].next, struct mi_tcp, hash_link);
            t->user = false;
            tcp_drop(t, 0);
        }
    while (!net_list_empty(&tb->listeners)) {
        struct mi_tcp *t = net_container_of(tb->listeners.next, struct mi_tcp, hash_link);
        t->user = false;
        tcp_drop(t, 0);
    }
    tcp_reap(s);
}

struct mi_tcp *tcp_alloc(struct net_stack *s)
{
    struct mi_tcp *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return NULL;
    t->s = s;
    net_list_init(&t->hash_link);
    net_list_init(&t->list_link);
    net_list_init(&t->out_link);
    mi_timer_init(&t->timer, tcp_timer_fn, t);
    t->rto_ms = TCP_RTO_INITIAL_MS;
    t->rcv_mss = (uint16_t)(s->mtu - IP_HLEN - TCP_HLEN);
    t->snd_mss = TCP_DEFAULT_MSS;
    t->cc = s->tcp_cc;
    return t;
}

int tcp_alloc_bufs(struct mi_tcp *t)
{
    if (t->has_bufs)
        return 0;
    if (t->s->tcp.n_conns >= MI_NET_TCP_MAX_CONNS)
        return -ENOBUFS;
    if (tcp_ring_alloc(&t->snd, MI_NET_TCP_SNDBUF) != 0)
        return -ENOMEM;
    if (tcp_ring_alloc(&t->rcv, MI_NET_TCP_RCVBUF) != 0) {
        tcp_ring_free(&t->snd);
        return -ENOMEM;
    }
    t->has_bufs = true;
    t->s->tcp.n_conns++;
    return 0;
}

void tcp_free_bufs(struct mi_tcp *t)
{
    if (!t->has_bufs)
        return;
    tcp_ring_free(&t->snd);
    tcp_ring_free(&t->rcv);
    tcp_sndq_clear(t);
    t->has_bufs = false;
    t->s->tcp.n_conns--;
}

static size_t bucket(const struct net_stack *s, mi_ipv4 laddr, uint16_t lport, mi_ipv4 raddr,
                     uint16_t rport)
{
    /* Keyed, so a peer cannot choose ports that all land in one bucket. */
    uint32_t h =
        (raddr * 0x9e3779b1u) ^ ((uint32_t)rport << 16 | lport) ^ laddr ^ (uint32_t)s->key.k0;
    h ^= h >> 15;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    return h % TCP_HASH_SIZE;
}

void tcp_hash_insert(struct mi_tcp *t)
{
    net_list_add_tail(&t->s->tcp.hash[bucket(t->s, t->laddr, t->lport, t->raddr, t->rport)],
                      &t->hash_link);
}

struct mi_tcp *tcp_lookup(struct net_stack *s, mi_ipv4 laddr, uint16_t lport, mi_ipv4 raddr,
                          uint16_t rport)
{
    struct net_list *h = &s->tcp.hash[bucket(s, laddr, lport, raddr, rport)];
    for (struct net_list *l = h->next; l != h; l = l->next) {
        struct mi_tcp *t = net_container_of(l, struct mi_tcp, hash_link);
        if (t->lport == lport && t->rport == rport && t->raddr == raddr && t->laddr == laddr)
            return t;
    }
    return NULL;
}

struct mi_tcp *tcp_lookup_listener(struct net_stack *s, mi_ipv4 laddr, uint16_t lport)
{
    struct mi_tcp *wild = NULL;
    for (struct net_list *l = s->tcp.listeners.next; l != &s->tcp.listeners; l = l->next) {
        struct mi_tcp *t = net_container_of(l, struct mi_tcp, hash_link);
        if (t->lport != lport)
            continue;
        if (t->laddr == laddr)
            return t;
        if (t->laddr == MI_IPV4_ANY)
            wild = t;
    }
    return wild;
}

uint32_t tcp_isn(struct net_stack *s, mi_ipv4 laddr, uint16_t lport, mi_ipv4 raddr, uint16_t rport)
{
    /* RFC 6528 section 3: ISN = M + F(localip, localport, remoteip,
     * remoteport, secretkey), M a 4 microsecond timer, F a keyed hash. */
    uint8_t in[12];
    put32(in, laddr);
    put16(in + 4, lport);
    put32(in + 6, raddr);
    put16(in + 10, rport);
    uint32_t m = (uint32_t)(mi_now() / 4000);
    return m + (uint32_t)net_hash(s, in, sizeof(in));
}

int tcp_pick_port(struct net_stack *s, mi_ipv4 laddr, mi_ipv4 raddr, uint16_t rport, uint16_t *port)
{
    /* RFC 6056 section 3.3.3, algorithm 3: a keyed offset per destination
     * plus a global counter, so ports are hard to guess from outside and
     * successive connections to one peer do not reuse a port soon. */
    uint8_t in[10];
    put32(in, laddr);
    put32(in + 4, raddr);
    put16(in + 8, rport);
    uint32_t offset = (uint32_t)net_hash(s, in, sizeof(in));
    for (uint32_t i = 0; i < EPHEMERAL_N; i++) {
        uint16_t p = (uint16_t)(EPHEMERAL_MIN + (offset + s->tcp.port_counter++) % EPHEMERAL_N);
        if (tcp_lookup(s, laddr, p, raddr, rport) == NULL &&
            tcp_lookup_listener(s, laddr, p) == NULL) {
            *port = p;
            return 0;
        }
    }
    return -EADDRNOTAVAIL;
}

void tcp_set_state(struct mi_tcp *t, enum tcp_state st)
{
    mi_debug("net: tcp %u->" IP4_FMT ":%u %s -> %s", t->lport, IP4_ARGS(t->raddr), t->rport,
             state_names[t->state], state_names[st]);
    t->state = st;
}

static void reap_deferred(void *arg)
{
    struct net_stack *s = arg;
    s->tcp.reap_scheduled = false;
    tcp_reap(s);
}

/* Both owners are done: out of every list, freed at the next tcp_reap
 * (soon, from the loop, or at the next entry into the stack). */
static void tcp_release(struct mi_tcp *t)
{
    if (t->reaped)
        return;
    net_list_del(&t->hash_link);
    net_list_del(&t->list_link);
    net_list_del(&t->out_link);
    mi_timer_stop(&t->timer);
    t->reaped = true;
    t->events = 0;
    net_list_add_tail(&t->s->tcp.reap, &t->list_link);
    if (!t->s->tcp.reap_scheduled && mi_defer(reap_deferred, t->s) == 0)
        t->s->tcp.reap_scheduled = true;
}

void tcp_reap(struct net_stack *s)
{
    while (!net_list_empty(&s->tcp.reap)) {
        struct mi_tcp *t = net_container_of(s->tcp.reap.next, struct mi_tcp, list_link);
        net_list_del(&t->list_link);
        tcp_free(t);
    }
}

void tcp_drop(struct mi_tcp *t, int err)
{
    struct net_stack *s = t->s;
    enum tcp_state old = t->state;
    if (old == TCP_TIME_WAIT) {
        net_list_del(&t->list_link);
        s->tcp.n_timewait--;
    }
    if (old == TCP_LISTEN)
        s->tcp.n_listeners--;
    net_list_del(&t->hash_link);
    net_list_del(&t->out_link);
    if (t->embryonic) {
        t->embryonic = false;
        s->tcp.n_synq--;
        if (t->listener != NULL)
            t->listener->synq--;
    }
    t->listener = NULL;
    if (old != TCP_CLOSED)
        tcp_set_state(t, TCP_CLOSED);
    t->rexmt_at = t->delack_at = t->close_at = t->keep_at = 0;
    t->persist = false;
    mi_timer_stop(&t->timer);
    if (err != 0 && t->err == 0)
        t->err = err;
    if (!t->user) {
        tcp_release(t);
        return;
    }
    if (old == TCP_SYN_SENT || (old == TCP_SYN_RECEIVED && !t->passive)) {
        if (t->err == 0)
            t->err = -ECONNRESET;
        t->events |= TCP_EV_CONNECT;
    } else if (t->err != 0) {
        t->events |= TCP_EV_READABLE | (t->want_writable ? TCP_EV_WRITABLE : 0);
    }
}

void tcp_enter_time_wait(struct mi_tcp *t)
{
    struct net_stack *s = t->s;
    tcp_set_state(t, TCP_TIME_WAIT);
    t->rexmt_at = t->delack_at = t->keep_at = 0;
    t->persist = false;
    t->close_at = mi_now() + 2ull * TCP_MSL_S * MI_NSEC_PER_SEC;
    net_list_add_tail(&s->tcp.timewait, &t->list_link);
    s->tcp.n_timewait++;
    if (!t->user)
        tcp_free_bufs(t);
    if (s->tcp.n_timewait > MI_NET_TCP_MAX_TIMEWAIT) {
        struct mi_tcp *old = net_container_of(s->tcp.timewait.next, struct mi_tcp, list_link);
        if (old != t) {
            s->stats.tcp_timewait_recycled++;
            tcp_drop(old, 0);
        }
    }
    tcp_timer_update(t);
}

void tcp_listener_closed(struct mi_tcp *l)
{
    struct net_stack *s = l->s;
    for (size_t i = 0; i < TCP_HASH_SIZE && l->synq > 0; i++) {
        struct net_list *h = &s->tcp.hash[i];
        for (struct net_list *n = h->next, *next; n != h; n = next) {
            next = n->next;
            struct mi_tcp *t = net_container_of(n, struct mi_tcp, hash_link);
            if (t->embryonic && t->listener == l) {
                tcp_send_rst(s, t->laddr, t->lport, t->raddr, t->rport, t->snd_nxt, 0, false);
                tcp_drop(t, 0);
            }
        }
    }
}

void tcp_notify(struct mi_tcp *t)
{
    struct net_stack *s = t->s;
    while (t->events != 0 && !t->reaped) {
        unsigned ev = t->events;
        t->events = 0;
        if (ev & TCP_EV_ACCEPT) {
            struct mi_tcp *l = t->listener;
            t->listener = NULL;
            if (l == NULL || !l->user || l->cb.on_accept == NULL) {
                tcp_send_rst(s, t->laddr, t->lport, t->raddr, t->rport, t->snd_nxt, 0, false);
                tcp_drop(t, 0);
                return;
            }
            t->user = true;
            s->tcp.n_user++;
            l->cb.on_accept(l, t, l->arg);
            if (t->user && (t->rcv.len > 0 || t->fin_rcvd || t->err != 0))
                t->events |= TCP_EV_READABLE;
            continue;
        }
        if (!t->user)
            return;
        if (ev & TCP_EV_CONNECT) {
            int err = t->err;
            if (t->cb.on_connect != NULL)
                t->cb.on_connect(t, err, t->arg);
            if (err != 0) {
                /* net.h: a failed connection is closed by the runtime. */
                tcp_close(t, true);
                return;
            }
            if (!t->user)
                return;
        }
        if ((ev & TCP_EV_READABLE) && t->cb.on_readable != NULL) {
            t->cb.on_readable(t, t->arg);
            if (!t->user)
                return;
        }
        if ((ev & TCP_EV_WRITABLE) && t->cb.on_writable != NULL) {
            t->cb.on_writable(t, t->arg);
            if (!t->user)
                return;
        }
    }
}

static void init_send_side(struct mi_tcp *t)
{
    t->iss = tcp_isn(t->s, t->laddr, t->lport, t->raddr, t->rport);
    t->snd_una = t->iss;
    t->snd_nxt = t->snd_max = t->iss + 1;
    t->recover = t->iss;
}

struct mi_tcp *tcp_open(struct net_stack *s, uint16_t lport, mi_ipv4 raddr, uint16_t rport,
                        const struct mi_tcp_callbacks *cb, void *arg, int *err)
{
    mi_ipv4 nexthop;
    if (!s->configured) {
        *err = -ENETDOWN;
        return NULL;
    }
    /* No loopback interface: a connection to ourselves is unreachable. */
    if (ipv4_is_martian(s, raddr) || raddr == s->nif.address || rport == 0) {
        *err = -ENETUNREACH;
        return NULL;
    }
    if (ipv4_route(s, raddr, &nexthop) != 0) {
        *err = -EHOSTUNREACH;
        return NULL;
    }
    if (lport == 0) {
        if ((*err = tcp_pick_port(s, s->nif.address, raddr, rport, &lport)) != 0)
            return NULL;
    } else if (tcp_lookup(s, s->nif.address, lport, raddr, rport) != NULL) {
        *err = -EADDRINUSE;
        return NULL;
    }
    struct mi_tcp *t = tcp_alloc(s);
    if (t == NULL) {
        *err = -ENOMEM;
        return NULL;
    }
    if ((*err = tcp_alloc_bufs(t)) != 0) {
        free(t);
        return NULL;
    }
    t->laddr = s->nif.address;
    t->lport = lport;
    t->raddr = raddr;
    t->rport = rport;
    t->cb = *cb;
    t->arg = arg;
    t->user = true;
    s->tcp.n_user++;
    t->rcv_wscale = tcp_our_wscale();
    init_send_side(t);
    tcp_cc_init(t);
    tcp_set_state(t, TCP_SYN_SENT);
    tcp_hash_insert(t);
    tcp_open_syn(t);
    *err = 0;
    return t;
}

struct mi_tcp *tcp_listen(struct net_stack *s, mi_ipv4 addr, uint16_t port,
                          const struct mi_tcp_callbacks *cb, void *arg, int *err)
{
    if (port == 0) {
        *err = -EINVAL;
        return NULL;
    }
    if (addr != MI_IPV4_ANY && (!s->configured || addr != s->nif.address)) {
        *err = -EADDRNOTAVAIL;
        return NULL;
    }
    for (struct net_list *l = s->tcp.listeners.next; l != &s->tcp.listeners; l = l->next) {
        struct mi_tcp *o = net_container_of(l, struct mi_tcp, hash_link);
        if (o->lport == port && (o->laddr == addr || o->laddr == 0 || addr == 0)) {
            *err = -EADDRINUSE;
            return NULL;
        }
    }
    struct mi_tcp *t = tcp_alloc(s);
    if (t == NULL) {
        *err = -ENOMEM;
        return NULL;
    }
    t->laddr = addr;
    t->lport = port;
    t->cb = *cb;
    t->arg = arg;
    t->user = true;
    t->state = TCP_LISTEN;
    s->tcp.n_user++;
    s->tcp.n_listeners++;
    net_list_add_tail(&s->tcp.listeners, &t->hash_link);
    *err = 0;
    return t;
}

int tcp_established(struct mi_tcp *t)
{
    if (t->passive) {
        int r = tcp_alloc_bufs(t);
        if (r != 0) {
            NET_DROP(t->s, tcp_drop_conn_limit, "%zu connections", t->s->tcp.n_conns);
            return r;
        }
        if (t->embryonic) {
            t->embryonic = false;
            t->s->tcp.n_synq--;
            if (t->listener != NULL)
                t->listener->synq--;
        }
        t->events |= TCP_EV_ACCEPT;
    } else {
        t->events |= TCP_EV_CONNECT;
    }
    tcp_set_state(t, t->fin_queued ? TCP_FIN_WAIT_1 : TCP_ESTABLISHED);
    tcp_keep_touch(t);
    return 0;
}

void tcp_close(struct mi_tcp *t, bool abort)
{
    struct net_stack *s = t->s;
    if (!t->user)
        return;
    t->user = false;
    t->user_closed = true;
    s->tcp.n_user--;
    t->events = 0;
    memset(&t->cb, 0, sizeof(t->cb));
    t->want_writable = false;

    switch (t->state) {
    case TCP_CLOSED:
        tcp_release(t);
        return;
    case TCP_LISTEN:
        tcp_listener_closed(t);
        tcp_drop(t, 0);
        return;
    case TCP_SYN_SENT:
        tcp_drop(t, 0);
        return;
    case TCP_TIME_WAIT:
        if (abort)
            tcp_drop(t, 0);
        else
            tcp_free_bufs(t);
        return;
    default:
        break;
    }
    /* RFC 2525 2.17 (and Linux): closing with unread data resets the
     * connection, so the peer learns its data was not consumed. */
    if (abort || (t->has_bufs && t->rcv.len > 0)) {
        tcp_send_rst(s, t->laddr, t->lport, t->raddr, t->rport, t->snd_nxt, 0, false);
        tcp_drop(t, 0);
        return;
    }
    t->fin_queued = true;
    if (t->state == TCP_ESTABLISHED)
        tcp_set_state(t, TCP_FIN_WAIT_1);
    else if (t->state == TCP_CLOSE_WAIT)
        tcp_set_state(t, TCP_LAST_ACK);
    else if (t->state == TCP_FIN_WAIT_2) {
        t->close_at = mi_now() + (uint64_t)TCP_FIN_WAIT_2_S * MI_NSEC_PER_SEC;
        tcp_timer_update(t);
    }
    tcp_output(t);
    tcp_timer_update(t);
}

int tcp_shutdown(struct mi_tcp *t)
{
    switch (t->state) {
    case TCP_LISTEN:
        return -ENOTCONN;
    case TCP_SYN_SENT:
    case TCP_SYN_RECEIVED:
        t->fin_queued = true; /* sent once established */
        return 0;
    case TCP_ESTABLISHED:
        tcp_set_state(t, TCP_FIN_WAIT_1);
        break;
    case TCP_CLOSE_WAIT:
        tcp_set_state(t, TCP_LAST_ACK);
        break;
    default:
        return t->err != 0 ? t->err : 0; /* already shut down or closed */
    }
    t->fin_queued = true;
    tcp_output_soon(t);
    return 0;
}
