/* SPDX-License-Identifier: ISC */
/* IPv4, RFC 791 with the host requirements of RFC 1122 section 3.
 *
 * Input checks, in the order of RFC 1122 3.2.1: version 4, header length
 * at least 20 and within the datagram, total length within the frame
 * (Ethernet pads short frames: the bytes beyond the total length are
 * ignored), header checksum; then the destination must be ours (or a
 * broadcast) and the source a possible unicast peer. Options are skipped:
 * none of them is required of a host that does not forward. */
#include <errno.h>
#include <string.h>

#include <platform.h>

#include "checksum.h"
#include "stack.h"

bool ipv4_is_broadcast(const struct net_stack *s, mi_ipv4 a)
{
    if (a == IP_BROADCAST)
        return true;
    if (!s->configured || s->nif.netmask == IP_BROADCAST)
        return false;
    /* Directed broadcast of our subnet: host part all ones. */
    return (a & ~s->nif.netmask) == ~s->nif.netmask &&
           (a & s->nif.netmask) == (s->nif.address & s->nif.netmask);
}

bool ipv4_is_martian(const struct net_stack *s, mi_ipv4 a)
{
    uint8_t first = (uint8_t)(a >> 24);
    return a == 0 || first == 0 || first == 127 || first >= 224 || ipv4_is_broadcast(s, a);
}

size_t ipv4_mtu_payload(const struct net_stack *s)
{
    return (size_t)s->mtu - IP_HLEN;
}

int ipv4_route(const struct net_stack *s, mi_ipv4 dst, mi_ipv4 *nexthop)
{
    if (dst == IP_BROADCAST || ipv4_is_broadcast(s, dst) ||
        ((dst ^ s->nif.address) & s->nif.netmask) == 0) {
        *nexthop = dst;
        return 0;
    }
    if (s->nif.gateway == 0)
        return -EHOSTUNREACH;
    *nexthop = s->nif.gateway;
    return 0;
}

void ipv4_input(struct net_stack *s, const uint8_t *p, size_t len, bool csum_ok)
{
    s->stats.ip_in++;
    if (len < IP_HLEN || p[0] >> 4 != 4) {
        NET_DROP(s, ip_drop_bad_header, "%zu bytes, version %u", len, len ? p[0] >> 4 : 0);
        return;
    }
    size_t hlen = (size_t)(p[0] & 15) * 4;
    size_t total = get16(p + 2);
    if (hlen < IP_HLEN || hlen > total || total > len) {
        NET_DROP(s, ip_drop_bad_header, "ihl %zu, total length %zu, frame %zu", hlen, total, len);
        return;
    }
    if (cksum_buf(p, hlen) != 0) {
        NET_DROP(s, ip_drop_bad_checksum, "header checksum 0x%04x", get16(p + 10));
        return;
    }
    len = total;
    mi_ipv4 src = get32(p + 12), dst = get32(p + 16);
    uint8_t proto = p[9];

    if (!s->configured) {
        /* Before DHCP has given us an address, only its replies matter:
         * they may come to the offered address or to broadcast. */
        if (proto != IP_PROTO_UDP) {
            NET_DROP(s, ip_drop_not_ours, "no address yet, protocol %u", proto);
            return;
        }
    } else if (dst != s->nif.address && !ipv4_is_broadcast(s, dst)) {
        NET_DROP(s, ip_drop_not_ours, "to " IP4_FMT, IP4_ARGS(dst));
        return;
    }
    /* RFC 1122 3.2.1.3: a datagram from a broadcast, multicast, loopback
     * or "this network" source is discarded; one claiming our own address
     * came from someone else. */
    if (ipv4_is_martian(s, src) || (s->configured && src == s->nif.address)) {
        NET_DROP(s, ip_drop_bad_source, "from " IP4_FMT, IP4_ARGS(src));
        return;
    }

    uint16_t frag = get16(p + 6);
    if ((frag & 0x3fff) != 0) { /* MF, or a non-zero offset */
        s->stats.ip_frag_in++;
        reass_input(s, p, hlen, len);
        return;
    }
    struct ip_info ip = {
        .src = src,
        .dst = dst,
        .proto = proto,
        .to_broadcast = !s->configured || ipv4_is_broadcast(s, dst),
        .csum_ok = csum_ok,
        .hdr = p,
        .hlen = hlen,
    };
    ipv4_deliver(s, &ip, p + hlen, len - hlen);
}

void ipv4_deliver(struct net_stack *s, const struct ip_info *ip, const uint8_t *payload, size_t len)
{
    switch (ip->proto) {
    case IP_PROTO_ICMP:
        icmp_input(s, ip, payload, len);
        break;
    case IP_PROTO_TCP:
        tcp_input(s, ip, payload, len);
        break;
    case IP_PROTO_UDP:
        udp_input(s, ip, payload, len);
        break;
    default:
        NET_DROP(s, ip_drop_proto, "protocol %u from " IP4_FMT, ip->proto, IP4_ARGS(ip->src));
        icmp_send_error(s, ip, payload, len, ICMP_DEST_UNREACH, ICMP_PROTO_UNREACH);
    }
}

/* Copy len bytes starting `off` bytes into the concatenation of iov[]. */
static void iov_copy(uint8_t *out, const struct net_iov *iov, int n, size_t off, size_t len)
{
    for (int i = 0; i < n && len > 0; i++) {
        if (off >= iov[i].len) {
            off -= iov[i].len;
            continue;
        }
        size_t k = iov[i].len - off;
        if (k > len)
            k = len;
        memcpy(out, (const uint8_t *)iov[i].base + off, k);
        out += k;
        len -= k;
        off = 0;
    }
}

const uint8_t *ipv4_offload_mac(struct net_stack *s, mi_ipv4 dst)
{
    mi_ipv4 nexthop;
    if (!(s->offloads & PLAT_NET_TX_CSUM) || !s->configured || ipv4_is_broadcast(s, dst) ||
        ipv4_route(s, dst, &nexthop) != 0)
        return NULL;
    const uint8_t *mac = arp_resolved(s, nexthop);
    return mac == eth_broadcast ? NULL : mac;
}

/* The IPv4 header of a datagram we send, no options, checksum included. */
static void put_header(uint8_t *h, size_t total, uint16_t id, uint16_t frag, uint8_t proto,
                       mi_ipv4 src, mi_ipv4 dst)
{
    h[0] = 0x45;
    h[1] = 0;
    put16(h + 2, (uint16_t)total);
    put16(h + 4, id);
    put16(h + 6, frag);
    h[8] = IP_DEFAULT_TTL;
    h[9] = proto;
    put16(h + 10, 0);
    put32(h + 12, src);
    put32(h + 16, dst);
    put16(h + 10, cksum_buf(h, IP_HLEN));
}

int ipv4_output_tcp_offload(struct net_stack *s, const uint8_t *mac, mi_ipv4 src, mi_ipv4 dst,
                            const uint8_t *tcp, size_t tcp_hlen, const struct net_iov *data, int n,
                            uint16_t tso_mss)
{
    size_t total = IP_HLEN + tcp_hlen;
    for (int i = 0; i < n; i++)
        total += data[i].len;
    if (total > IP_MAXPACKET || (tso_mss == 0 && total > s->mtu) ||
        (tso_mss != 0 && !(s->offloads & PLAT_NET_TX_TSO4)))
        return -EMSGSIZE;
    /* All headers in one piece: a device cutting the segment copies them
     * to each (platform.h). */
    uint8_t hdr[ETH_HLEN + IP_HLEN + TCP_HLEN + 40];
    uint8_t *h = hdr + ETH_HLEN;
    /* The device gives the segments it cuts consecutive IDs from this
     * one (as Linux's GSO does): reserve them all. */
    uint16_t id = s->ip_id;
    s->ip_id =
        (uint16_t)(s->ip_id + (tso_mss ? (total - IP_HLEN - tcp_hlen + tso_mss - 1) / tso_mss : 1));
    put_header(h, total, id, 0x4000 /* DF */, IP_PROTO_TCP, src, dst);
    memcpy(h + IP_HLEN, tcp, tcp_hlen);
    struct plat_net_tx tx = {
        .csum_start = ETH_HLEN + IP_HLEN,
        .csum_offset = 16, /* the TCP checksum field */
        .tso_mss = tso_mss,
        .hdr_len = (uint16_t)(ETH_HLEN + IP_HLEN + tcp_hlen),
    };
    s->stats.ip_out++;
    return eth_output_frags(s, mac, ETH_P_IPV4, hdr, ETH_HLEN + IP_HLEN + tcp_hlen, data, n, &tx);
}

int ipv4_output(struct net_stack *s, mi_ipv4 src, mi_ipv4 dst, uint8_t proto,
                const struct net_iov *iov, int iovcnt, unsigned flags)
{
    size_t total = 0;
    for (int i = 0; i < iovcnt; i++)
        total += iov[i].len;
    if (total > IP_MAXPACKET - IP_HLEN)
        return -EMSGSIZE;

    mi_ipv4 nexthop;
    if (dst == IP_BROADCAST) {
        nexthop = dst;
    } else if (!s->configured) {
        return -ENETDOWN;
    } else {
        int r = ipv4_route(s, dst, &nexthop);
        if (r != 0) {
            NET_DROP(s, ip_drop_no_route, "to " IP4_FMT, IP4_ARGS(dst));
            return r;
        }
    }

    size_t room = ipv4_mtu_payload(s);
    if (total > room && (flags & IPV4_DF))
        return -EMSGSIZE;
    /* Every fragment but the last carries a multiple of 8 bytes. */
    size_t chunk = total > room ? room & ~(size_t)7 : total;
    uint16_t id = s->ip_id++;
    int result = 0;

    s->stats.ip_out++;
    for (size_t off = 0;;) {
        uint8_t frame[NET_FRAME_MAX];
        uint8_t *h = frame + ETH_HLEN;
        size_t n = total - off < chunk ? total - off : chunk;
        bool more = off + n < total;
        put_header(h, IP_HLEN + n, id,
                   (uint16_t)(((flags & IPV4_DF) ? 0x4000 : 0) | (more ? 0x2000 : 0) | (off / 8)),
                   proto, src, dst);
        iov_copy(h + IP_HLEN, iov, iovcnt, off, n);
        if (total > room)
            s->stats.ip_frag_out++;
        int r = arp_output(s, nexthop, frame, ETH_HLEN + IP_HLEN + n);
        if (r != 0 && result == 0)
            result = r;
        off += n;
        if (!more)
            break;
    }
    return result;
}
