/* SPDX-License-Identifier: ISC */
/* ICMP, RFC 792, with the rules of RFC 1122 3.2.2: echo requests are
 * answered (also big ones, after reassembly; the reply is fragmented on
 * the way out), errors are sent for unreachable protocols and ports, never
 * about an ICMP error, a broadcast, a non-initial fragment or a martian
 * source, and at most ICMP_RATE_PER_S per second after a burst of
 * ICMP_RATE_BURST (RFC 1812 4.3.2.8's token bucket; RFC 1122 3.2.2 asks
 * that errors be limited). Echo replies are not rate limited, as on
 * Linux: they are answers, not unsolicited traffic. */
#include <string.h>

#include "checksum.h"
#include "stack.h"

#define ICMP_HLEN 8

void icmp_init(struct net_stack *s)
{
    s->icmp.tokens = ICMP_RATE_BURST;
    s->icmp.refilled = mi_now();
}

bool net_token_take(uint32_t *tokens, uint64_t *refilled, uint32_t burst, uint32_t per_s)
{
    uint64_t now = mi_now();
    uint64_t full = (uint64_t)burst * MI_NSEC_PER_SEC / per_s;
    uint64_t elapsed = now - *refilled;
    if (elapsed >= full) {
        *tokens = burst;
        *refilled = now;
    } else {
        uint64_t add = elapsed * per_s / MI_NSEC_PER_SEC;
        if (add > 0) {
            *tokens = *tokens + add > burst ? burst : (uint32_t)(*tokens + add);
            /* Keep the fraction of a token already earned. */
            *refilled += add * MI_NSEC_PER_SEC / per_s;
        }
    }
    if (*tokens == 0)
        return false;
    (*tokens)--;
    return true;
}

static void send_icmp(struct net_stack *s, mi_ipv4 dst, const uint8_t hdr[ICMP_HLEN],
                      const struct net_iov *rest, int nrest)
{
    uint8_t h[ICMP_HLEN];
    memcpy(h, hdr, ICMP_HLEN);
    put16(h + 2, 0);
    struct cksum c;
    cksum_init(&c);
    cksum_add(&c, h, ICMP_HLEN);
    for (int i = 0; i < nrest; i++)
        cksum_add(&c, rest[i].base, rest[i].len);
    put16(h + 2, cksum_finish(&c));
    struct net_iov iov[3] = {{h, ICMP_HLEN}};
    for (int i = 0; i < nrest; i++)
        iov[1 + i] = rest[i];
    if (ipv4_output(s, s->nif.address, dst, IP_PROTO_ICMP, iov, 1 + nrest, 0) == 0)
        s->stats.icmp_out++;
}

void icmp_input(struct net_stack *s, const struct ip_info *ip, const uint8_t *p, size_t len)
{
    s->stats.icmp_in++;
    if (len < ICMP_HLEN || cksum_buf(p, len) != 0) {
        NET_DROP(s, icmp_drop_bad, "%zu bytes from " IP4_FMT, len, IP4_ARGS(ip->src));
        return;
    }
    if (p[0] != ICMP_ECHO_REQUEST || !s->configured) {
        /* Errors about our own datagrams (unreachable, time exceeded) are
         * only counted: TCP recovers by retransmission, and RFC 5927
         * advises against acting on them without validation. */
        mi_debug("net: icmp type %u code %u from " IP4_FMT, p[0], p[1], IP4_ARGS(ip->src));
        return;
    }
    if (ip->to_broadcast) /* RFC 1122 3.2.2.6: MAY be silently discarded */
        return;
    uint8_t h[ICMP_HLEN];
    memcpy(h, p, ICMP_HLEN);
    h[0] = ICMP_ECHO_REPLY;
    h[1] = 0;
    struct net_iov data = {p + ICMP_HLEN, len - ICMP_HLEN};
    s->stats.icmp_echo_in++;
    send_icmp(s, ip->src, h, &data, 1);
}

static bool is_icmp_error(uint8_t type)
{
    return type == ICMP_DEST_UNREACH || type == 4 /* source quench */ || type == 5 /* redirect */ ||
           type == ICMP_TIME_EXCEEDED || type == 12 /* parameter problem */;
}

void icmp_send_error(struct net_stack *s, const struct ip_info *ip, const uint8_t *payload,
                     size_t len, uint8_t type, uint8_t code)
{
    if (!s->configured || ip->to_broadcast || ipv4_is_martian(s, ip->src))
        return;
    if (ip->proto == IP_PROTO_ICMP && (len < 1 || is_icmp_error(payload[0])))
        return;
    if ((get16(ip->hdr + 6) & 0x1fff) != 0)
        return;
    if (!net_token_take(&s->icmp.tokens, &s->icmp.refilled, ICMP_RATE_BURST, ICMP_RATE_PER_S)) {
        NET_DROP(s, icmp_rate_limited, "type %u to " IP4_FMT, type, IP4_ARGS(ip->src));
        return;
    }
    uint8_t h[ICMP_HLEN] = {type, code};
    struct net_iov quote[2] = {
        {ip->hdr, ip->hlen},
        {payload, len < 8 ? len : 8}, /* RFC 792: the header and 64 bits of data */
    };
    send_icmp(s, ip->src, h, quote, 2);
}
