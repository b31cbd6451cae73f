/* SPDX-License-Identifier: ISC */
/* UDP, RFC 768. Checksums are always sent, and checked when present (a
 * zero checksum means the sender did not compute one, RFC 768). A
 * datagram for a port nobody has bound is answered with ICMP port
 * unreachable (RFC 1122 4.1.3.1). Datagrams are handed to the socket's
 * callback as they arrive: there is no receive queue to bound. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "checksum.h"
#include "stack.h"

#define EPHEMERAL_MIN 49152u
#define EPHEMERAL_N   (65536u - EPHEMERAL_MIN)

void udp_init(struct net_stack *s)
{
    net_list_init(&s->udp.socks);
    s->udp.n = s->udp.n_internal = 0;
    s->udp.next_ephemeral = (uint16_t)(s->key.k1 % EPHEMERAL_N);
}

void udp_destroy(struct net_stack *s)
{
    while (!net_list_empty(&s->udp.socks))
        udp_unbind(net_container_of(s->udp.socks.next, mi_udp, link));
}

static mi_udp *find(struct net_stack *s, mi_ipv4 addr, uint16_t port, bool exact)
{
    mi_udp *wild = NULL;
    for (struct net_list *l = s->udp.socks.next; l != &s->udp.socks; l = l->next) {
        mi_udp *u = net_container_of(l, mi_udp, link);
        if (u->port != port)
            continue;
        if (u->addr == addr)
            return u;
        if (!exact && (u->addr == MI_IPV4_ANY || addr == MI_IPV4_ANY))
            wild = u;
    }
    return wild;
}

void udp_input(struct net_stack *s, const struct ip_info *ip, const uint8_t *p, size_t len)
{
    s->stats.udp_in++;
    if (len < UDP_HLEN || get16(p + 4) < UDP_HLEN || get16(p + 4) > len) {
        NET_DROP(s, udp_drop_bad, "%zu bytes, length field %u", len, len >= 6 ? get16(p + 4) : 0);
        return;
    }
    len = get16(p + 4);
    /* See tcp_input.c: the device may vouch for the checksum. */
    if (get16(p + 6) != 0 && !ip->csum_ok) {
        struct cksum c;
        cksum_init(&c);
        cksum_add_pseudo(&c, ip->src, ip->dst, IP_PROTO_UDP, (uint16_t)len);
        cksum_add(&c, p, len);
        if (cksum_finish(&c) != 0) {
            NET_DROP(s, udp_drop_checksum, "from " IP4_FMT, IP4_ARGS(ip->src));
            return;
        }
    }
    uint16_t sport = get16(p), dport = get16(p + 2);
    /* Unicast to our address matches a socket bound to it or to any;
     * broadcast matches sockets bound to any. */
    mi_udp *u = find(s, ip->to_broadcast ? MI_IPV4_ANY : ip->dst, dport, false);
    if (u == NULL || (ip->to_broadcast && u->addr != MI_IPV4_ANY)) {
        NET_DROP(s, udp_drop_no_port, "port %u from " IP4_FMT, dport, IP4_ARGS(ip->src));
        icmp_send_error(s, ip, p, len, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH);
        return;
    }
    /* The callback may close u: nothing touches it afterwards. */
    u->fn(u, ip->src, sport, p + UDP_HLEN, len - UDP_HLEN, u->arg);
}

int udp_send(struct net_stack *s, mi_ipv4 src, uint16_t sport, mi_ipv4 dst, uint16_t dport,
             const void *data, size_t len)
{
    if (len > IP_MAXPACKET - IP_HLEN - UDP_HLEN)
        return -EMSGSIZE;
    uint8_t h[UDP_HLEN];
    put16(h, sport);
    put16(h + 2, dport);
    put16(h + 4, (uint16_t)(UDP_HLEN + len));
    put16(h + 6, 0);
    struct cksum c;
    cksum_init(&c);
    cksum_add_pseudo(&c, src, dst, IP_PROTO_UDP, (uint16_t)(UDP_HLEN + len));
    cksum_add(&c, h, UDP_HLEN);
    cksum_add(&c, data, len);
    uint16_t sum = cksum_finish(&c);
    put16(h + 6, sum == 0 ? 0xffff : sum); /* 0 would mean "no checksum" */
    struct net_iov iov[2] = {{h, UDP_HLEN}, {data, len}};
    int r = ipv4_output(s, src, dst, IP_PROTO_UDP, iov, 2, 0);
    if (r == 0)
        s->stats.udp_out++;
    return r;
}

mi_udp *udp_bind(struct net_stack *s, mi_ipv4 addr, uint16_t port, mi_udp_recv_fn fn, void *arg,
                 int *err)
{
    if (s->udp.n + s->udp.n_internal >= MI_NET_UDP_MAX_SOCKETS) {
        *err = -ENOBUFS;
        return NULL;
    }
    if (addr != MI_IPV4_ANY && (!s->configured || addr != s->nif.address)) {
        *err = -EADDRNOTAVAIL;
        return NULL;
    }
    if (port == 0) {
        for (unsigned i = 0; i < EPHEMERAL_N; i++) {
            uint16_t cand = (uint16_t)(EPHEMERAL_MIN + (s->udp.next_ephemeral++ % EPHEMERAL_N));
            if (find(s, addr, cand, false) == NULL) {
                port = cand;
                break;
            }
        }
        if (port == 0) {
            *err = -EADDRINUSE;
            return NULL;
        }
    } else if (find(s, addr, port, false) != NULL) {
        *err = -EADDRINUSE;
        return NULL;
    }
    mi_udp *u = calloc(1, sizeof(*u));
    if (u == NULL) {
        *err = -ENOMEM;
        return NULL;
    }
    u->s = s;
    u->addr = addr;
    u->port = port;
    u->fn = fn;
    u->arg = arg;
    net_list_add_tail(&s->udp.socks, &u->link);
    s->udp.n++;
    *err = 0;
    return u;
}

void udp_unbind(mi_udp *u)
{
    struct net_stack *s = u->s;
    net_list_del(&u->link);
    if (u->internal)
        s->udp.n_internal--;
    else
        s->udp.n--;
    free(u);
}
