/* SPDX-License-Identifier: ISC */
/* The send queue: what the application wrote and the peer has not
 * acknowledged, from SND.UNA on. Bytes written with mi_tcp_write are
 * copied into the send ring; bytes written with mi_tcp_write_ref (a
 * store image's file, which the program never changes or frees) stay
 * where they are, and segments are built from them in place, so a file
 * served over a device with offloads is not copied by the stack at all
 * (issue 12: the copy into the ring was a third of the CPU time of a
 * 16 MiB download).
 *
 * While no reference is queued the ring is the queue (the common case
 * costs nothing more). Otherwise `snd_pieces` lists the queue in order:
 * a piece is either the next bytes of the ring or a reference. A
 * segment that would need more than TCP_SND_IOV pieces is copied into one
 * buffer first (the device takes the frame before the call returns,
 * platform.h). */
#include <string.h>

#include "stack.h"

/* Room for one segment of the largest size (TSO). */
static uint8_t bounce[IP_MAXPACKET];

static uint32_t room(const struct mi_tcp *t)
{
    return t->snd.cap > t->snd_len ? t->snd.cap - t->snd_len : 0;
}

static struct tcp_snd_piece *last(struct mi_tcp *t)
{
    return t->snd_npieces > 0 ? &t->snd_pieces[t->snd_npieces - 1] : NULL;
}

uint32_t tcp_sndq_write(struct mi_tcp *t, const void *data, uint32_t len)
{
    struct tcp_snd_piece *p = last(t);
    if (p != NULL && p->ref != NULL && t->snd_npieces == TCP_SND_PIECES)
        return 0; /* no piece left to say where these bytes go */
    uint32_t n = tcp_ring_push(&t->snd, data, len < room(t) ? len : room(t));
    if (n == 0)
        return 0;
    if (p != NULL && p->ref == NULL)
        p->len += n;
    else if (p != NULL)
        t->snd_pieces[t->snd_npieces++] = (struct tcp_snd_piece){NULL, n};
    t->snd_len += n;
    return n;
}

uint32_t tcp_sndq_write_ref(struct mi_tcp *t, const void *data, uint32_t len)
{
    uint32_t n = len < room(t) ? len : room(t);
    if (n == 0)
        return 0;
    if (t->snd_npieces == 0 && t->snd.len > 0)
        t->snd_pieces[t->snd_npieces++] = (struct tcp_snd_piece){NULL, t->snd.len};
    struct tcp_snd_piece *p = last(t);
    if (p != NULL && p->ref != NULL && p->ref + p->len == (const uint8_t *)data)
        p->len += n;
    else if (t->snd_npieces < TCP_SND_PIECES)
        t->snd_pieces[t->snd_npieces++] = (struct tcp_snd_piece){data, n};
    else
        return 0;
    t->snd_len += n;
    return n;
}

void tcp_sndq_drop(struct mi_tcp *t, uint32_t len)
{
    if (len > t->snd_len)
        len = t->snd_len;
    t->snd_len -= len;
    if (t->snd_npieces == 0) {
        tcp_ring_drop(&t->snd, len);
        return;
    }
    uint8_t k = 0;
    while (len > 0 && k < t->snd_npieces) {
        struct tcp_snd_piece *p = &t->snd_pieces[k];
        uint32_t n = len < p->len ? len : p->len;
        if (p->ref == NULL)
            tcp_ring_drop(&t->snd, n);
        else
            p->ref += n;
        p->len -= n;
        len -= n;
        if (p->len == 0)
            k++;
    }
    memmove(t->snd_pieces, t->snd_pieces + k, (t->snd_npieces - k) * sizeof(t->snd_pieces[0]));
    t->snd_npieces -= k;
    /* Only ring bytes left: the ring is the queue again. */
    if (t->snd_npieces == 1 && t->snd_pieces[0].ref == NULL)
        t->snd_npieces = 0;
}

void tcp_sndq_clear(struct mi_tcp *t)
{
    t->snd_npieces = 0;
    t->snd_len = 0;
}

/* The pieces of [off, off + len) of the queue, or -1 when there are more
 * than TCP_SND_IOV. */
static int peek(const struct mi_tcp *t, uint32_t off, uint32_t len, struct net_iov iov[TCP_SND_IOV])
{
    if (t->snd_npieces == 0)
        return tcp_ring_peek(&t->snd, off, len, iov);
    int n = 0;
    uint32_t ring_off = 0; /* ring bytes in the pieces before this one */
    for (uint8_t k = 0; k < t->snd_npieces && len > 0; k++) {
        const struct tcp_snd_piece *p = &t->snd_pieces[k];
        if (off < p->len) {
            uint32_t take = p->len - off < len ? p->len - off : len;
            struct net_iov two[2];
            int m = 1;
            if (p->ref == NULL)
                m = tcp_ring_peek(&t->snd, ring_off + off, take, two);
            else
                two[0] = (struct net_iov){p->ref + off, take};
            if (n + m > TCP_SND_IOV)
                return -1;
            for (int i = 0; i < m; i++)
                iov[n++] = two[i];
            len -= take;
            off = 0;
        } else {
            off -= p->len;
        }
        if (p->ref == NULL)
            ring_off += p->len;
    }
    return n;
}

int tcp_sndq_gather(const struct mi_tcp *t, uint32_t off, uint32_t len,
                    struct net_iov iov[TCP_SND_IOV])
{
    int n = peek(t, off, len, iov);
    if (n >= 0)
        return n;
    /* Too many pieces for one frame: the segment goes from one copy,
     * made TCP_SND_IOV pieces at a time. */
    uint32_t done = 0;
    while (done < len) {
        uint32_t want = len - done;
        struct net_iov part[TCP_SND_IOV];
        int m = peek(t, off + done, want, part);
        while (m < 0) {
            want /= 2;
            m = peek(t, off + done, want, part);
        }
        for (int i = 0; i < m; i++) {
            memcpy(bounce + done, part[i].base, part[i].len);
            done += (uint32_t)part[i].len;
        }
    }
    iov[0] = (struct net_iov){bounce, len};
    return 1;
}
