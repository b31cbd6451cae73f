/* SPDX-License-Identifier: ISC */
/* The byte rings behind a connection's send and receive queues, and the
 * receive-side reassembly of out-of-order segments.
 *
 * Out-of-order data needs no memory of its own: the window we advertise
 * never exceeds the free space of the receive ring (tcp_output.c), so a
 * segment beyond RCV.NXT is copied straight to its final place in that
 * free space, and only its sequence range is remembered (in a seqset.h
 * set: at most SEQSET_CAP ranges, merged when they touch). When the hole
 * before them is filled, RCV.NXT jumps over them. */
#include <stdlib.h>
#include <string.h>

#include "stack.h"

int tcp_ring_alloc(struct tcp_ring *r, uint32_t cap)
{
    r->buf = malloc(cap);
    if (r->buf == NULL)
        return -1;
    r->cap = cap;
    r->head = r->len = 0;
    return 0;
}

int tcp_ring_grow(struct tcp_ring *r, uint32_t cap, bool all)
{
    if (cap <= r->cap)
        return 0;
    uint8_t *b = malloc(cap);
    if (b == NULL)
        return -1;
    /* The data, and with `all` the free space too: a receive ring keeps
     * out-of-order data there, at its offset from the head. */
    struct net_iov iov[2];
    uint32_t keep = all ? r->cap : r->len;
    int n = keep > 0 ? tcp_ring_peek(r, 0, keep, iov) : 0;
    size_t at = 0;
    for (int i = 0; i < n; i++) {
        memcpy(b + at, iov[i].base, iov[i].len);
        at += iov[i].len;
    }
    free(r->buf);
    r->buf = b;
    r->cap = cap;
    r->head = 0;
    return 0;
}

bool tcp_snd_grow(struct mi_tcp *t)
{
    /* Twice what may be in flight (Linux's tcp_sndbuf_expand sizes its
     * send buffer so too): the application refills one window's worth
     * while the other is on its way. With the initial size alone a fast
     * sender waits for every ACK with its one window. */
    uint32_t wnd = t->cwnd < t->max_snd_wnd ? t->cwnd : t->max_snd_wnd;
    uint32_t cap = t->snd.cap;
    if (!t->has_bufs || cap >= MI_NET_TCP_SNDBUF_MAX || wnd <= cap / 2)
        return false;
    while (cap < MI_NET_TCP_SNDBUF_MAX && cap / 2 < wnd)
        cap *= 2;
    if (cap > MI_NET_TCP_SNDBUF_MAX)
        cap = MI_NET_TCP_SNDBUF_MAX;
    return tcp_ring_grow(&t->snd, cap, false) == 0;
}

void tcp_rcv_tune(struct mi_tcp *t)
{
    /* As Linux's tcp_rcv_space_adjust: once per round trip, see how much
     * the application read in it. The window can carry at most the ring's
     * free space per round trip; when the reader takes half the ring or
     * more, the window may be what holds the peer back, so the ring
     * doubles, keeping it at least twice what one round trip delivers. A
     * slow reader, or a peer that sends less, never reaches that. */
    uint64_t now = mi_now();
    uint32_t consumed = t->rcv_nxt - t->rcv.len; /* stream bytes read so far */
    uint64_t rtt = (uint64_t)t->srtt_us * 1000;
    if (!t->has_bufs || rtt == 0)
        return;
    if (t->rcv_space_at == 0) { /* the first read starts the measure */
        t->rcv_space_at = now;
        t->rcv_space_seq = consumed;
        return;
    }
    if (now - t->rcv_space_at < rtt)
        return;
    /* What was read per round trip, since the last look. */
    uint64_t per_rtt = (uint64_t)(consumed - t->rcv_space_seq) * rtt / (now - t->rcv_space_at);
    t->rcv_space_at = now;
    t->rcv_space_seq = consumed;
    if (per_rtt < t->rcv.cap / 2 || t->rcv.cap >= MI_NET_TCP_RCVBUF_MAX)
        return;
    uint32_t cap = t->rcv.cap * 2;
    if (cap > MI_NET_TCP_RCVBUF_MAX)
        cap = MI_NET_TCP_RCVBUF_MAX;
    tcp_ring_grow(&t->rcv, cap, true);
}

void tcp_ring_free(struct tcp_ring *r)
{
    free(r->buf);
    memset(r, 0, sizeof(*r));
}

/* Copy len bytes in at ring position pos (modulo cap). */
static void copy_in(struct tcp_ring *r, uint32_t pos, const uint8_t *data, uint32_t len)
{
    pos %= r->cap;
    uint32_t first = r->cap - pos < len ? r->cap - pos : len;
    memcpy(r->buf + pos, data, first);
    memcpy(r->buf, data + first, len - first);
}

uint32_t tcp_ring_push(struct tcp_ring *r, const void *data, uint32_t len)
{
    uint32_t room = r->cap - r->len;
    if (len > room)
        len = room;
    if (len == 0)
        return 0;
    copy_in(r, r->head + r->len, data, len);
    r->len += len;
    return len;
}

void tcp_ring_write_at(struct tcp_ring *r, uint32_t off, const void *data, uint32_t len)
{
    if (len > 0)
        copy_in(r, r->head + r->len + off, data, len);
}

uint32_t tcp_ring_pop(struct tcp_ring *r, void *out, uint32_t len)
{
    struct net_iov iov[2];
    if (len > r->len)
        len = r->len;
    if (len == 0)
        return 0;
    tcp_ring_peek(r, 0, len, iov);
    memcpy(out, iov[0].base, iov[0].len);
    memcpy((uint8_t *)out + iov[0].len, iov[1].base, iov[1].len);
    tcp_ring_drop(r, len);
    return len;
}

void tcp_ring_drop(struct tcp_ring *r, uint32_t len)
{
    if (len > r->len)
        len = r->len;
    /* The head only moves forward: out-of-order data beyond the end is
     * placed relative to it. */
    r->head = (r->head + len) % r->cap;
    r->len -= len;
}

int tcp_ring_peek(const struct tcp_ring *r, uint32_t off, uint32_t len, struct net_iov iov[2])
{
    uint32_t pos = (r->head + off) % r->cap;
    uint32_t first = r->cap - pos < len ? r->cap - pos : len;
    iov[0].base = r->buf + pos;
    iov[0].len = first;
    iov[1].base = r->buf;
    iov[1].len = len - first;
    return iov[1].len > 0 ? 2 : 1;
}

uint32_t tcp_rcv_data(struct mi_tcp *t, uint32_t seq, const uint8_t *data, uint32_t len)
{
    struct tcp_ring *r = &t->rcv;
    uint32_t off = seq - t->rcv_nxt; /* callers trimmed old bytes: seq >= RCV.NXT */
    uint32_t room = r->cap - r->len;
    if (off >= room)
        return 0;
    if (len > room - off)
        len = room - off;
    if (len == 0)
        return 0;

    if (off > 0) {
        if (!seqset_add(&t->ooo, seq, seq + len)) {
            NET_DROP(t->s, tcp_drop_ooo_full, "%u ranges already", t->ooo.n);
            return 0;
        }
        tcp_ring_write_at(r, off, data, len);
        return 0;
    }

    uint32_t before = t->rcv_nxt;
    tcp_ring_push(r, data, len);
    t->rcv_nxt += len;
    /* Swallow the out-of-order ranges the new data reaches. */
    while (t->ooo.n > 0 && seq_le(t->ooo.r[0].start, t->rcv_nxt)) {
        if (seq_gt(t->ooo.r[0].end, t->rcv_nxt)) {
            r->len += t->ooo.r[0].end - t->rcv_nxt;
            t->rcv_nxt = t->ooo.r[0].end;
        }
        seqset_remove_below(&t->ooo, t->rcv_nxt);
    }
    return t->rcv_nxt - before;
}
