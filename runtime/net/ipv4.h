/* SPDX-License-Identifier: ISC */
/* IPv4 (RFC 791, RFC 1122 section 3): input validation, delivery to the
 * transport protocols, routing over one interface (on-link or via the
 * gateway), output with fragmentation, and reassembly (ipv4_reass.c). */
#ifndef MIRARI_NET_IPV4_H
#define MIRARI_NET_IPV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mirari/loop.h>
#include <mirari/net.h>
#include <mirari/netstats.h>

#define IP_HLEN        20
#define IP_PROTO_ICMP  1
#define IP_PROTO_TCP   6
#define IP_PROTO_UDP   17
#define IP_DEFAULT_TTL 64
#define IP_MAXPACKET   65535
#define IP_BROADCAST   0xffffffffu

/* ipv4_output flags */
#define IPV4_DF 1u /* don't fragment: -EMSGSIZE instead */

struct net_stack;

/* What the transports learn about a datagram they receive. */
struct ip_info {
    mi_ipv4 src, dst;
    uint8_t proto;
    bool to_broadcast;  /* sent to a broadcast address: never answer with an error */
    bool fragmented;    /* was reassembled */
    bool csum_ok;       /* the device checked the TCP/UDP checksum, or it is partial: skip it */
    const uint8_t *hdr; /* the IP header, for ICMP errors quoting it */
    size_t hlen;
};

struct net_iov {
    const void *base;
    size_t len;
};

/* csum_ok: the device says the transport checksum needs no check
 * (PLAT_NET_RX_CSUM_OK). */
void ipv4_input(struct net_stack *s, const uint8_t *pkt, size_t len, bool csum_ok);
/* Hand a complete datagram to its protocol (also used by reassembly). */
void ipv4_deliver(struct net_stack *s, const struct ip_info *ip, const uint8_t *payload,
                  size_t len);
/* Send a datagram whose payload is the concatenation of iov[]. Fragments
 * when it does not fit the MTU, unless IPV4_DF. Returns 0, or -EMSGSIZE,
 * -EHOSTUNREACH (no route), -ENETDOWN (no address yet, and src is not
 * 0.0.0.0), -EAGAIN (next hop being resolved and its queue full). */
int ipv4_output(struct net_stack *s, mi_ipv4 src, mi_ipv4 dst, uint8_t proto,
                const struct net_iov *iov, int iovcnt, unsigned flags);
/* Offloaded output (for TCP): the MAC address of the next hop towards
 * dst when a segment can go through the device's offloads now (it
 * completes checksums, and the neighbour is known and not a broadcast),
 * else NULL: then ipv4_output, which resolves and queues. */
const uint8_t *ipv4_offload_mac(struct net_stack *s, mi_ipv4 dst);
/* Send a TCP segment to mac (from ipv4_offload_mac): the header tcp
 * (tcp_hlen bytes, its checksum field holding the folded sum of the
 * pseudo-header, platform.h) then data[0..n-1] (n <= 4), with DF. With
 * tso_mss > 0 (the device has PLAT_NET_TX_TSO4) the datagram may exceed
 * the MTU, up to IP_MAXPACKET, and the device cuts it into segments of
 * tso_mss payload bytes. 0 or a negative errno. */
int ipv4_output_tcp_offload(struct net_stack *s, const uint8_t *mac, mi_ipv4 src, mi_ipv4 dst,
                            const uint8_t *tcp, size_t tcp_hlen, const struct net_iov *data, int n,
                            uint16_t tso_mss);
/* The neighbour to send to for dst: dst itself when on-link, else the
 * gateway. -EHOSTUNREACH when there is none. */
int ipv4_route(const struct net_stack *s, mi_ipv4 dst, mi_ipv4 *nexthop);
/* A broadcast address of our interface (limited or directed). */
bool ipv4_is_broadcast(const struct net_stack *s, mi_ipv4 a);
/* Not a valid unicast address of a peer: 0.0.0.0, broadcast, multicast,
 * class E, loopback (RFC 1122 3.2.1.3). */
bool ipv4_is_martian(const struct net_stack *s, mi_ipv4 a);
/* The largest transport payload that fits one frame. */
size_t ipv4_mtu_payload(const struct net_stack *s);

/* ---- reassembly (ipv4_reass.c) ----
 * RFC 815's hole idea, kept as a sorted list of received ranges. A
 * fragment that overlaps another one (other than an exact duplicate)
 * discards the whole datagram, as RFC 5722 requires for IPv6: overlaps
 * have no legitimate use and were the basis of filter-evasion attacks.
 * Exact duplicates (the network may duplicate) are dropped alone. */
struct reass_range {
    uint16_t start, end; /* payload bytes [start, end) */
};

struct reass_entry {
    bool used;
    mi_ipv4 src, dst;
    uint16_t id;
    uint8_t proto;
    uint8_t nranges;
    uint64_t deadline;
    uint8_t *buf; /* payload, grown as fragments arrive */
    size_t cap;
    uint32_t total; /* payload length once the last fragment arrived, else 0 */
    uint8_t hdr[60];
    size_t hlen; /* header of the first fragment, 0 until it arrives */
    struct reass_range ranges[MI_NET_REASS_FRAGS];
};

struct reass_table {
    struct reass_entry e[MI_NET_REASS_MAX];
    size_t mem; /* bytes of buf allocated, all entries */
    mi_timer timer;
};

void reass_init(struct net_stack *s);
void reass_destroy(struct net_stack *s);
/* A fragment (MF set or offset non-zero), header already validated. */
void reass_input(struct net_stack *s, const uint8_t *pkt, size_t hlen, size_t len);

#endif
