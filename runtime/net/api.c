/* SPDX-License-Identifier: ISC */
/* include/mirari/net.h on mirari's own stack: the functions act on
 * net_current, the program's single interface (backend.c). The semantics
 * are the ones documented in net.h, the same as the host-socket
 * implementation's. */
#include <errno.h>
#include <string.h>

#include <mirari/net.h>
#include <mirari/netstats.h>

#include "stack.h"

const mi_netif *mi_net_interface(void)
{
    struct net_stack *s = net_current;
    return s != NULL && s->configured ? &s->nif : NULL;
}

mi_tcp *mi_tcp_listen(mi_ipv4 addr, uint16_t port, const struct mi_tcp_callbacks *cb, void *arg,
                      int *err)
{
    int e;
    if (err == NULL)
        err = &e;
    if (net_current == NULL) {
        *err = -ENETDOWN;
        return NULL;
    }
    tcp_reap(net_current);
    return tcp_listen(net_current, addr, port, cb, arg, err);
}

mi_tcp *mi_tcp_connect(mi_ipv4 addr, uint16_t port, const struct mi_tcp_callbacks *cb, void *arg,
                       int *err)
{
    int e;
    if (err == NULL)
        err = &e;
    if (net_current == NULL) {
        *err = -ENETDOWN;
        return NULL;
    }
    tcp_reap(net_current);
    struct mi_tcp *t = tcp_open(net_current, 0, addr, port, cb, arg, err);
    if (t != NULL)
        tcp_timer_update(t);
    return t;
}

void mi_tcp_set_callbacks(mi_tcp *t, const struct mi_tcp_callbacks *cb, void *arg)
{
    if (cb != NULL)
        t->cb = *cb;
    else
        memset(&t->cb, 0, sizeof(t->cb));
    t->arg = arg;
}

/* After the application made room in the receive queue: if the window
 * grew enough to be worth telling (tcp_rcv_window decides), say so now. */
static void maybe_window_update(mi_tcp *t)
{
    if (t->state != TCP_ESTABLISHED && t->state != TCP_FIN_WAIT_1 && t->state != TCP_FIN_WAIT_2)
        return;
    uint32_t cur = seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
    uint8_t shift = t->ws_ok ? t->rcv_wscale : 0;
    if ((tcp_rcv_window(t) >> shift) > (cur >> shift)) {
        t->ack_now = true;
        tcp_output_soon(t);
    }
}

ssize_t mi_tcp_read(mi_tcp *t, void *buf, size_t cap)
{
    if (t->state == TCP_LISTEN)
        return -ENOTCONN;
    if (t->has_bufs && t->rcv.len > 0 && cap > 0) {
        uint32_t n = tcp_ring_pop(&t->rcv, buf, cap > UINT32_MAX ? UINT32_MAX : (uint32_t)cap);
        tcp_rcv_tune(t);
        maybe_window_update(t);
        return n;
    }
    if (t->err != 0)
        return t->err;
    if (t->fin_rcvd || t->state == TCP_CLOSED)
        return 0;
    return -EAGAIN;
}

/* Queue up to len bytes of buf: copied into the send ring, or lent
 * (mi_tcp_write_ref). */
static ssize_t queue(mi_tcp *t, const void *buf, size_t len, bool lend)
{
    if (t->state == TCP_LISTEN)
        return -ENOTCONN;
    if (t->err != 0)
        return t->err;
    if (t->fin_queued || !t->has_bufs ||
        (t->state != TCP_SYN_SENT && t->state != TCP_SYN_RECEIVED && t->state != TCP_ESTABLISHED &&
         t->state != TCP_CLOSE_WAIT))
        return -EPIPE;
    if (len == 0)
        return 0;
    uint32_t (*put)(struct mi_tcp *, const void *, uint32_t) =
        lend ? tcp_sndq_write_ref : tcp_sndq_write;
    uint32_t want = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
    uint32_t n = put(t, buf, want);
    if (n < want && tcp_snd_grow(t))
        n += put(t, (const uint8_t *)buf + n, want - n);
    /* Lent, with every piece of the queue in use: copy rather than wait. */
    if (n == 0 && lend)
        return queue(t, buf, len, false);
    if (n < len)
        t->want_writable = true;
    if (n == 0)
        return -EAGAIN;
    tcp_output_soon(t);
    return n;
}

ssize_t mi_tcp_write(mi_tcp *t, const void *buf, size_t len)
{
    return queue(t, buf, len, false);
}

ssize_t mi_tcp_write_ref(mi_tcp *t, const void *buf, size_t len)
{
    return queue(t, buf, len, true);
}

ssize_t mi_tcp_writev(mi_tcp *t, const struct mi_iovec *iov, int n)
{
    if (n <= 0 || n > MI_IOV_MAX)
        return -EINVAL;
    size_t total = 0;
    for (int i = 0; i < n; i++)
        total += iov[i].len;
    if (total == 0)
        return mi_tcp_write(t, NULL, 0);
    /* The same checks and results as one write of the concatenation:
     * the first piece decides the error, the rest only add bytes. */
    ssize_t done = 0;
    for (int i = 0; i < n; i++) {
        if (iov[i].len == 0)
            continue;
        ssize_t r = mi_tcp_write(t, iov[i].base, iov[i].len);
        if (r < 0)
            return done > 0 ? done : r;
        done += r;
        if ((size_t)r < iov[i].len)
            break;
    }
    return done;
}

int mi_tcp_shutdown(mi_tcp *t)
{
    return tcp_shutdown(t);
}

void mi_tcp_close(mi_tcp *t, bool abort)
{
    tcp_close(t, abort);
}

void mi_tcp_peer(const mi_tcp *t, mi_ipv4 *addr, uint16_t *port)
{
    if (addr != NULL)
        *addr = t->raddr;
    if (port != NULL)
        *port = t->rport;
}

void mi_tcp_local(const mi_tcp *t, mi_ipv4 *addr, uint16_t *port)
{
    if (addr != NULL)
        *addr = t->laddr != MI_IPV4_ANY || t->s->nif.address == 0 ? t->laddr : t->s->nif.address;
    if (port != NULL)
        *port = t->lport;
}

int mi_tcp_keepalive(mi_tcp *t, unsigned idle_s, unsigned interval_s, unsigned count)
{
    if (t->state == TCP_LISTEN || (idle_s != 0 && (interval_s == 0 || count == 0 || count > 255)))
        return -EINVAL;
    t->keep_idle_s = idle_s;
    t->keep_intvl_s = interval_s;
    t->keep_count = (uint8_t)count;
    t->keep_at = 0;
    if (idle_s != 0) {
        t->keep_at = mi_now() + (uint64_t)idle_s * MI_NSEC_PER_SEC;
        if (t->last_input == 0)
            t->last_input = mi_now();
    }
    tcp_timer_update(t);
    return 0;
}

int mi_tcp_congestion(mi_tcp *t, const char *name)
{
    enum tcp_cc_algo cc;
    if (tcp_cc_by_name(name, &cc) != 0)
        return -EINVAL;
    if (cc != t->cc) {
        /* The other one starts from the window there is; BBR measures
         * the path anew. */
        t->cc = cc;
        tcp_bbr_init(t);
    }
    return 0;
}

/* ---- UDP ---- */

mi_udp *mi_udp_bind(mi_ipv4 addr, uint16_t port, mi_udp_recv_fn fn, void *arg, int *err)
{
    int e;
    if (err == NULL)
        err = &e;
    if (net_current == NULL) {
        *err = -ENETDOWN;
        return NULL;
    }
    return udp_bind(net_current, addr, port, fn, arg, err);
}

ssize_t mi_udp_sendto(mi_udp *u, mi_ipv4 dst, uint16_t dport, const void *data, size_t len)
{
    struct net_stack *s = u->s;
    if (!s->configured)
        return -ENETDOWN;
    if (dport == 0)
        return -EINVAL;
    mi_ipv4 src = u->addr != MI_IPV4_ANY ? u->addr : s->nif.address;
    int r = udp_send(s, src, u->port, dst, dport, data, len);
    return r < 0 ? r : (ssize_t)len;
}

void mi_udp_close(mi_udp *u)
{
    udp_unbind(u);
}
