/* SPDX-License-Identifier: ISC */
/* ARP, RFC 826, for IPv4 over Ethernet.
 *
 * Entries live in a fixed table. An unknown neighbour gets an INCOMPLETE
 * entry, a broadcast request every second (3 at most) and a queue of up to
 * MI_NET_ARP_QUEUE frames that leave when the reply comes, or are dropped
 * (counted) when it does not. A REACHABLE entry is trusted for
 * MI_NET_ARP_TIMEOUT_S; after that it is still used while it is asked for
 * again by unicast (PROBE, like Linux's NUD_PROBE), and forgotten if that
 * goes unanswered. Receiving follows RFC 826's "packet reception"
 * algorithm: update the sender if known (merge), add it if the packet is
 * for us, answer requests for our address. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <mirari/loop.h>

#include "stack.h"

#define ARP_HLEN         28
#define ARP_REQUEST      1
#define ARP_REPLY        2
#define ARP_RETRIES      3
#define ARP_RETRY_NS     (1000 * MI_NSEC_PER_MSEC)
#define ARP_REACHABLE_NS ((uint64_t)MI_NET_ARP_TIMEOUT_S * MI_NSEC_PER_SEC)

static void arp_timer_fn(mi_timer *timer, void *arg);

void arp_init(struct net_stack *s)
{
    memset(&s->arp, 0, sizeof(s->arp));
    mi_timer_init(&s->arp.timer, arp_timer_fn, s);
}

static void drop_queue(struct net_stack *s, struct arp_entry *e, bool count)
{
    while (e->q != NULL) {
        struct arp_pending *p = e->q;
        e->q = p->next;
        free(p);
        if (count)
            NET_DROP(s, arp_drop_unresolved, IP4_FMT " did not answer", IP4_ARGS(e->ip));
    }
    e->qtail = &e->q;
    e->qbytes = 0;
}

static void free_entry(struct net_stack *s, struct arp_entry *e, bool count)
{
    drop_queue(s, e, count);
    memset(e, 0, sizeof(*e));
}

void arp_destroy(struct net_stack *s)
{
    for (size_t i = 0; i < MI_NET_ARP_ENTRIES; i++)
        free_entry(s, &s->arp.e[i], false);
    mi_timer_stop(&s->arp.timer);
}

void arp_flush(struct net_stack *s)
{
    for (size_t i = 0; i < MI_NET_ARP_ENTRIES; i++)
        if (s->arp.e[i].state != ARP_FREE)
            free_entry(s, &s->arp.e[i], true);
    mi_timer_stop(&s->arp.timer);
}

static struct arp_entry *find(struct net_stack *s, mi_ipv4 ip)
{
    for (size_t i = 0; i < MI_NET_ARP_ENTRIES; i++)
        if (s->arp.e[i].state != ARP_FREE && s->arp.e[i].ip == ip)
            return &s->arp.e[i];
    return NULL;
}

/* A free entry, or the least recently confirmed resolved one. Entries
 * still waiting for an answer are never evicted, so the table cannot be
 * churned into losing queued frames; when all are waiting, NULL. */
static struct arp_entry *alloc_entry(struct net_stack *s)
{
    struct arp_entry *victim = NULL;
    for (size_t i = 0; i < MI_NET_ARP_ENTRIES; i++) {
        struct arp_entry *e = &s->arp.e[i];
        if (e->state == ARP_FREE)
            return e;
        if (e->state != ARP_INCOMPLETE && (victim == NULL || e->used < victim->used))
            victim = e;
    }
    if (victim != NULL)
        free_entry(s, victim, false);
    return victim;
}

static void rearm(struct net_stack *s)
{
    uint64_t next = UINT64_MAX;
    for (size_t i = 0; i < MI_NET_ARP_ENTRIES; i++) {
        const struct arp_entry *e = &s->arp.e[i];
        if ((e->state == ARP_INCOMPLETE || e->state == ARP_PROBE) && e->deadline < next)
            next = e->deadline;
    }
    if (next == UINT64_MAX)
        mi_timer_stop(&s->arp.timer);
    else
        mi_timer_at(&s->arp.timer, next);
}

static void send_arp(struct net_stack *s, uint16_t op, const uint8_t *eth_dst, const uint8_t *tha,
                     mi_ipv4 tpa)
{
    uint8_t frame[ETH_ZLEN];
    uint8_t *a = frame + ETH_HLEN;
    put16(a, 1); /* hardware: Ethernet */
    put16(a + 2, ETH_P_IPV4);
    a[4] = ETH_ALEN;
    a[5] = 4;
    put16(a + 6, op);
    memcpy(a + 8, s->mac, ETH_ALEN);
    put32(a + 14, s->nif.address);
    memcpy(a + 18, tha, ETH_ALEN);
    put32(a + 24, tpa);
    s->stats.arp_out++;
    eth_output(s, eth_dst, ETH_P_ARP, frame, ETH_HLEN + ARP_HLEN);
}

static void send_request(struct net_stack *s, struct arp_entry *e)
{
    static const uint8_t zero[ETH_ALEN];
    /* A re-check of a known neighbour goes to it alone (RFC 1122 2.3.2.1
     * suggests unicast polls); a first request is broadcast. */
    send_arp(s, ARP_REQUEST, e->state == ARP_PROBE ? e->mac : eth_broadcast, zero, e->ip);
    e->tries++;
    e->deadline = mi_now() + ARP_RETRY_NS;
}

void arp_announce(struct net_stack *s)
{
    static const uint8_t zero[ETH_ALEN];
    /* RFC 5227 2.3: an ARP Announcement is a request with the sender and
     * target protocol addresses both ours; neighbours update their caches. */
    send_arp(s, ARP_REQUEST, eth_broadcast, zero, s->nif.address);
}

/* The neighbour answered (or spoke to us): send what waited for it. */
static void resolved(struct net_stack *s, struct arp_entry *e, const uint8_t *mac)
{
    memcpy(e->mac, mac, ETH_ALEN);
    e->state = ARP_REACHABLE;
    e->tries = 0;
    e->used = mi_now();
    e->deadline = e->used + ARP_REACHABLE_NS;
    /* eth_output does not come back into ARP, so the queue is stable. */
    while (e->q != NULL) {
        struct arp_pending *p = e->q;
        e->q = p->next;
        eth_output(s, e->mac, ETH_P_IPV4, p->frame, p->len);
        free(p);
    }
    e->qtail = &e->q;
    e->qbytes = 0;
    rearm(s);
}

void arp_input(struct net_stack *s, const uint8_t *a, size_t len)
{
    s->stats.arp_in++;
    if (len < ARP_HLEN || get16(a) != 1 || get16(a + 2) != ETH_P_IPV4 || a[4] != ETH_ALEN ||
        a[5] != 4) {
        NET_DROP(s, arp_drop_bad, "%zu bytes, htype %u", len, len >= 2 ? get16(a) : 0);
        return;
    }
    uint16_t op = get16(a + 6);
    const uint8_t *sha = a + 8;
    mi_ipv4 spa = get32(a + 14);
    mi_ipv4 tpa = get32(a + 24);
    if ((op != ARP_REQUEST && op != ARP_REPLY) || (sha[0] & 1)) {
        NET_DROP(s, arp_drop_bad, "op %u from a group address", op);
        return;
    }
    if (!s->configured)
        return;
    if (spa == s->nif.address) {
        if (memcmp(sha, s->mac, ETH_ALEN) != 0)
            mi_warn("net: address conflict: " IP4_FMT " is also used by "
                    "%02x:%02x:%02x:%02x:%02x:%02x",
                    IP4_ARGS(spa), sha[0], sha[1], sha[2], sha[3], sha[4], sha[5]);
        return;
    }
    /* A sender of 0.0.0.0 is an RFC 5227 probe: answer, learn nothing. */
    bool learn = spa != 0 && !ipv4_is_martian(s, spa);
    struct arp_entry *e = learn ? find(s, spa) : NULL;
    if (e != NULL)
        resolved(s, e, sha); /* RFC 826: merge_flag */
    if (tpa != s->nif.address)
        return;
    if (e == NULL && learn) {
        /* RFC 826: the sender is about to talk to us; remember it, if it
         * is on our link (a neighbour we could ever send to). */
        if (((spa ^ s->nif.address) & s->nif.netmask) == 0) {
            e = alloc_entry(s);
            if (e != NULL) {
                e->ip = spa;
                resolved(s, e, sha);
            }
        }
    }
    if (op == ARP_REQUEST)
        send_arp(s, ARP_REPLY, sha, sha, spa);
}

const uint8_t *arp_resolved(struct net_stack *s, mi_ipv4 nexthop)
{
    if (nexthop == IP_BROADCAST || ipv4_is_broadcast(s, nexthop))
        return eth_broadcast;
    struct arp_entry *e = find(s, nexthop);
    if (e == NULL || e->state == ARP_INCOMPLETE)
        return NULL;
    if (e->state == ARP_REACHABLE && mi_now() >= e->deadline) {
        e->state = ARP_PROBE;
        e->tries = 0;
        send_request(s, e);
        rearm(s);
    }
    return e->mac;
}

int arp_output(struct net_stack *s, mi_ipv4 nexthop, uint8_t *frame, size_t len)
{
    const uint8_t *mac = arp_resolved(s, nexthop);
    if (mac != NULL)
        return eth_output(s, mac, ETH_P_IPV4, frame, len);

    uint64_t now = mi_now();
    struct arp_entry *e = find(s, nexthop);
    if (e == NULL) {
        e = alloc_entry(s);
        if (e == NULL) {
            NET_DROP(s, arp_drop_table_full, "for " IP4_FMT, IP4_ARGS(nexthop));
            return -EAGAIN;
        }
        e->ip = nexthop;
        e->state = ARP_INCOMPLETE;
        e->used = now;
        e->qtail = &e->q;
        send_request(s, e);
        rearm(s);
    }
    if (e->qbytes + len > MI_NET_ARP_QUEUE) {
        NET_DROP(s, arp_drop_queue_full, "for " IP4_FMT, IP4_ARGS(nexthop));
        return -EAGAIN;
    }
    size_t cap = len < ETH_ZLEN ? ETH_ZLEN : len;
    struct arp_pending *p = malloc(sizeof(*p) + cap);
    if (p == NULL)
        return -ENOMEM;
    p->next = NULL;
    p->len = (uint16_t)len;
    memcpy(p->frame, frame, len);
    *e->qtail = p;
    e->qtail = &p->next;
    e->qbytes += (uint32_t)len;
    return 0;
}

static void arp_timer_fn(mi_timer *timer, void *arg)
{
    struct net_stack *s = arg;
    uint64_t now = mi_now();
    (void)timer;
    for (size_t i = 0; i < MI_NET_ARP_ENTRIES; i++) {
        struct arp_entry *e = &s->arp.e[i];
        if ((e->state != ARP_INCOMPLETE && e->state != ARP_PROBE) || e->deadline > now)
            continue;
        if (e->tries >= ARP_RETRIES) {
            mi_debug("net: arp " IP4_FMT " does not answer", IP4_ARGS(e->ip));
            free_entry(s, e, true);
        } else {
            send_request(s, e);
        }
    }
    rearm(s);
}

const uint8_t *arp_lookup(struct net_stack *s, mi_ipv4 ip)
{
    struct arp_entry *e = find(s, ip);
    return e != NULL && e->state != ARP_INCOMPLETE ? e->mac : NULL;
}
