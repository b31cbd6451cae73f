/* SPDX-License-Identifier: ISC */
/* ARP (RFC 826) for IPv4 over Ethernet: a small neighbour cache with
 * expiry, requests for unknown neighbours with a bounded queue of frames
 * waiting for the answer, replies, and the gratuitous ARP of RFC 5227. */
#ifndef MIRARI_NET_ARP_H
#define MIRARI_NET_ARP_H

#include <stddef.h>
#include <stdint.h>

#include <mirari/loop.h>
#include <mirari/net.h>
#include <mirari/netstats.h>

struct net_stack;

enum arp_state {
    ARP_FREE = 0,
    ARP_INCOMPLETE, /* request sent, no answer yet: frames wait in q[] */
    ARP_REACHABLE,  /* answered within MI_NET_ARP_TIMEOUT_S */
    ARP_PROBE,      /* expired but still used while we ask again */
};

/* A frame waiting for its neighbour's MAC address. */
struct arp_pending {
    struct arp_pending *next;
    uint16_t len;
    uint8_t frame[];
};

struct arp_entry {
    mi_ipv4 ip;
    uint8_t mac[6];
    uint8_t state;
    uint8_t tries;                  /* requests sent in INCOMPLETE or PROBE */
    uint64_t deadline;              /* REACHABLE: expiry; INCOMPLETE/PROBE: next request */
    uint64_t used;                  /* last time the entry was created or confirmed */
    struct arp_pending *q, **qtail; /* FIFO of at most MI_NET_ARP_QUEUE bytes */
    uint32_t qbytes;
};

struct arp_table {
    struct arp_entry e[MI_NET_ARP_ENTRIES];
    mi_timer timer; /* armed while some entry waits for an answer */
};

void arp_init(struct net_stack *s);
void arp_destroy(struct net_stack *s);
void arp_input(struct net_stack *s, const uint8_t *pkt, size_t len);
/* Send an IPv4 frame (header reserved, see eth.h) to the neighbour
 * `nexthop`, resolving it first if needed. 0 when sent or queued,
 * -EAGAIN when dropped because the neighbour's queue is full, or the
 * device's error. */
int arp_output(struct net_stack *s, mi_ipv4 nexthop, uint8_t *frame, size_t len);
/* The MAC address to send to nexthop now (the broadcast address for a
 * broadcast), or NULL when it is not known yet; unlike arp_output this
 * neither asks for it nor queues anything. An expired entry is asked for
 * again, as by arp_output. */
const uint8_t *arp_resolved(struct net_stack *s, mi_ipv4 nexthop);
/* Announce our address (RFC 5227 section 2.3): a request for ourselves. */
void arp_announce(struct net_stack *s);
/* Forget every neighbour (the address changed) and drop waiting frames. */
void arp_flush(struct net_stack *s);
/* The cached MAC of ip, or NULL (for tests and diagnostics). */
const uint8_t *arp_lookup(struct net_stack *s, mi_ipv4 ip);

#endif
