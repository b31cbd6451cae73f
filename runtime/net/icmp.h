/* SPDX-License-Identifier: ISC */
/* ICMP (RFC 792, RFC 1122 3.2.2): echo replies, and destination
 * unreachable errors sent under a token bucket (RFC 1812 4.3.2.8). */
#ifndef MIRARI_NET_ICMP_H
#define MIRARI_NET_ICMP_H

#include <stddef.h>
#include <stdint.h>

#include "ipv4.h"

#define ICMP_ECHO_REPLY    0
#define ICMP_DEST_UNREACH  3
#define ICMP_ECHO_REQUEST  8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PROTO_UNREACH 2
#define ICMP_PORT_UNREACH  3
#define ICMP_FRAG_NEEDED   4

/* Errors: a burst of ICMP_RATE_BURST, refilled at ICMP_RATE_PER_S. */
#define ICMP_RATE_BURST 20
#define ICMP_RATE_PER_S 100

struct icmp_state {
    uint32_t tokens;
    uint64_t refilled; /* time of the last refill */
};

void icmp_init(struct net_stack *s);
void icmp_input(struct net_stack *s, const struct ip_info *ip, const uint8_t *p, size_t len);
/* An error about a received datagram: quotes its header and the first
 * 8 bytes of its payload. Never about an ICMP error, a broadcast, a
 * non-initial fragment, or a martian source (RFC 1122 3.2.2). */
void icmp_send_error(struct net_stack *s, const struct ip_info *ip, const uint8_t *payload,
                     size_t len, uint8_t type, uint8_t code);
/* Take one token of a bucket of `burst` refilled at `per_s` per second;
 * false when empty. Shared with TCP's challenge ACK limit. */
bool net_token_take(uint32_t *tokens, uint64_t *refilled, uint32_t burst, uint32_t per_s);

#endif
