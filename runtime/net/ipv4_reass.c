/* SPDX-License-Identifier: ISC */
/* IPv4 fragment reassembly (RFC 791 section 3.2, RFC 815), bounded:
 *
 *  - at most MI_NET_REASS_MAX datagrams at once; a new one evicts the
 *    oldest when all slots are busy;
 *  - at most MI_NET_REASS_MEM bytes of payload buffers in total; growing
 *    one evicts the oldest others first, and if it still does not fit the
 *    datagram is dropped;
 *  - at most MI_NET_REASS_FRAGS fragments per datagram (8-byte fragments
 *    cannot make us keep thousands of ranges);
 *  - MI_NET_REASS_TIMEOUT_S after its first fragment a datagram is
 *    dropped, with an ICMP "fragment reassembly time exceeded" if its
 *    first fragment had arrived (RFC 1122 3.3.2).
 *
 * Overlaps: RFC 5722 (for IPv6) makes any overlap discard the whole
 * datagram; we do the same for IPv4, except for exact duplicates of a
 * fragment, which the network may create and which are dropped alone
 * (RFC 8200 4.5 allows this refinement). A fragment inconsistent with
 * what is known (data past the end, two different ends) also discards the
 * datagram. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stack.h"

#define REASS_TIMEOUT_NS ((uint64_t)MI_NET_REASS_TIMEOUT_S * MI_NSEC_PER_SEC)

static void reass_timer_fn(mi_timer *timer, void *arg);

void reass_init(struct net_stack *s)
{
    memset(&s->reass, 0, sizeof(s->reass));
    mi_timer_init(&s->reass.timer, reass_timer_fn, s);
}

static void free_entry(struct net_stack *s, struct reass_entry *e)
{
    s->reass.mem -= e->cap;
    free(e->buf);
    memset(e, 0, sizeof(*e));
}

void reass_destroy(struct net_stack *s)
{
    for (size_t i = 0; i < MI_NET_REASS_MAX; i++)
        if (s->reass.e[i].used)
            free_entry(s, &s->reass.e[i]);
    mi_timer_stop(&s->reass.timer);
}

static void rearm(struct net_stack *s)
{
    uint64_t next = UINT64_MAX;
    for (size_t i = 0; i < MI_NET_REASS_MAX; i++)
        if (s->reass.e[i].used && s->reass.e[i].deadline < next)
            next = s->reass.e[i].deadline;
    if (next == UINT64_MAX)
        mi_timer_stop(&s->reass.timer);
    else
        mi_timer_at(&s->reass.timer, next);
}

/* The oldest datagram other than `keep`, or NULL. */
static struct reass_entry *oldest(struct net_stack *s, const struct reass_entry *keep)
{
    struct reass_entry *o = NULL;
    for (size_t i = 0; i < MI_NET_REASS_MAX; i++) {
        struct reass_entry *e = &s->reass.e[i];
        if (e->used && e != keep && (o == NULL || e->deadline < o->deadline))
            o = e;
    }
    return o;
}

static struct reass_entry *find_or_add(struct net_stack *s, mi_ipv4 src, mi_ipv4 dst, uint16_t id,
                                       uint8_t proto)
{
    struct reass_entry *free_slot = NULL;
    for (size_t i = 0; i < MI_NET_REASS_MAX; i++) {
        struct reass_entry *e = &s->reass.e[i];
        if (!e->used) {
            if (free_slot == NULL)
                free_slot = e;
        } else if (e->src == src && e->dst == dst && e->id == id && e->proto == proto) {
            return e;
        }
    }
    if (free_slot == NULL) {
        free_slot = oldest(s, NULL);
        NET_DROP(s, ip_reass_no_mem, "all %d slots busy, evicting id %u", MI_NET_REASS_MAX,
                 free_slot->id);
        free_entry(s, free_slot);
    }
    struct reass_entry *e = free_slot;
    e->used = true;
    e->src = src;
    e->dst = dst;
    e->id = id;
    e->proto = proto;
    e->deadline = mi_now() + REASS_TIMEOUT_NS;
    rearm(s);
    return e;
}

/* Make room for `end` payload bytes in e's buffer. */
static int grow(struct net_stack *s, struct reass_entry *e, size_t end)
{
    if (end <= e->cap)
        return 0;
    size_t want = e->cap * 2;
    if (want < end)
        want = end;
    if (want < 2048)
        want = 2048;
    if (want > IP_MAXPACKET)
        want = IP_MAXPACKET;
    while (s->reass.mem - e->cap + want > MI_NET_REASS_MEM) {
        struct reass_entry *o = oldest(s, e);
        if (o == NULL)
            return -ENOMEM;
        NET_DROP(s, ip_reass_no_mem, "memory full, evicting id %u", o->id);
        free_entry(s, o);
    }
    uint8_t *nb = realloc(e->buf, want);
    if (nb == NULL)
        return -ENOMEM;
    s->reass.mem += want - e->cap;
    e->buf = nb;
    e->cap = want;
    return 0;
}

void reass_input(struct net_stack *s, const uint8_t *p, size_t hlen, size_t len)
{
    mi_ipv4 src = get32(p + 12), dst = get32(p + 16);
    uint16_t id = get16(p + 4);
    uint16_t frag = get16(p + 6);
    bool more = frag & 0x2000;
    size_t off = (size_t)(frag & 0x1fff) * 8;
    size_t n = len - hlen;
    size_t end = off + n;

    if (n == 0 || (more && n % 8 != 0) || end > IP_MAXPACKET - hlen) {
        NET_DROP(s, ip_reass_bad, "id %u offset %zu length %zu%s", id, off, n, more ? " MF" : "");
        return;
    }
    struct reass_entry *e = find_or_add(s, src, dst, id, p[9]);

    /* Consistency with the end of the datagram, once known. */
    if ((e->total != 0 && end > e->total) || (!more && e->total != 0 && end != e->total)) {
        NET_DROP(s, ip_reass_bad, "id %u: fragment ends at %zu, datagram at %u", id, end, e->total);
        free_entry(s, e);
        rearm(s);
        return;
    }
    for (unsigned i = 0; i < e->nranges; i++) {
        const struct reass_range *r = &e->ranges[i];
        if (off < r->end && end > r->start) {
            if (off == r->start && end == r->end) {
                NET_DROP(s, ip_reass_dup, "id %u offset %zu", id, off);
                return;
            }
            NET_DROP(s, ip_reass_overlap, "id %u: [%zu,%zu) overlaps [%u,%u)", id, off, end,
                     r->start, r->end);
            free_entry(s, e);
            rearm(s);
            return;
        }
        if (!more && r->end > end) {
            NET_DROP(s, ip_reass_bad, "id %u: last fragment ends at %zu, data up to %u", id, end,
                     r->end);
            free_entry(s, e);
            rearm(s);
            return;
        }
    }
    if (e->nranges == MI_NET_REASS_FRAGS || grow(s, e, end) != 0) {
        NET_DROP(s, ip_reass_no_mem, "id %u: %u fragments, %zu bytes", id, e->nranges, end);
        free_entry(s, e);
        rearm(s);
        return;
    }

    memcpy(e->buf + off, p + hlen, n);
    unsigned at = 0;
    while (at < e->nranges && e->ranges[at].start < off)
        at++;
    memmove(&e->ranges[at + 1], &e->ranges[at], (e->nranges - at) * sizeof(e->ranges[0]));
    e->ranges[at].start = (uint16_t)off;
    e->ranges[at].end = (uint16_t)end;
    e->nranges++;
    if (!more)
        e->total = (uint32_t)end;
    if (off == 0) {
        memcpy(e->hdr, p, hlen);
        e->hlen = hlen;
    }

    /* Complete when the first and last fragments are in and the ranges,
     * which never overlap, add up to the whole. */
    if (e->total == 0 || e->hlen == 0)
        return;
    size_t have = 0;
    for (unsigned i = 0; i < e->nranges; i++)
        have += e->ranges[i].end - e->ranges[i].start;
    if (have != e->total)
        return;

    s->stats.ip_reass_ok++;
    struct ip_info ip = {
        .src = src,
        .dst = dst,
        .proto = e->proto,
        .to_broadcast = !s->configured || ipv4_is_broadcast(s, dst),
        .fragmented = true,
        .hdr = e->hdr,
        .hlen = e->hlen,
    };
    /* Delivery never feeds input back into the stack, so e stays valid. */
    ipv4_deliver(s, &ip, e->buf, e->total);
    free_entry(s, e);
    rearm(s);
}

static void reass_timer_fn(mi_timer *timer, void *arg)
{
    struct net_stack *s = arg;
    uint64_t now = mi_now();
    (void)timer;
    for (size_t i = 0; i < MI_NET_REASS_MAX; i++) {
        struct reass_entry *e = &s->reass.e[i];
        if (!e->used || e->deadline > now)
            continue;
        NET_DROP(s, ip_reass_timeout, "id %u from " IP4_FMT, e->id, IP4_ARGS(e->src));
        if (e->hlen != 0 && e->ranges[0].start == 0) {
            struct ip_info ip = {
                .src = e->src,
                .dst = e->dst,
                .proto = e->proto,
                .to_broadcast = !s->configured || ipv4_is_broadcast(s, e->dst),
                .hdr = e->hdr,
                .hlen = e->hlen,
            };
            size_t have = e->ranges[0].end;
            icmp_send_error(s, &ip, e->buf, have < 8 ? have : 8, ICMP_TIME_EXCEEDED, 1);
        }
        free_entry(s, e);
    }
    rearm(s);
}
