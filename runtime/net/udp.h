/* SPDX-License-Identifier: ISC */
/* UDP (RFC 768) with checksums, and the socket table behind mi_udp_*. */
#ifndef MIRARI_NET_UDP_H
#define MIRARI_NET_UDP_H

#include <stddef.h>
#include <stdint.h>

#include <mirari/net.h>

#include "ipv4.h"
#include "util.h"

#define UDP_HLEN 8

struct mi_udp {
    struct net_stack *s;
    struct net_list link;
    mi_ipv4 addr;
    uint16_t port;
    bool internal; /* the DHCP client's: not counted as an application object */
    mi_udp_recv_fn fn;
    void *arg;
};

struct udp_table {
    struct net_list socks;
    size_t n, n_internal;
    uint16_t next_ephemeral;
};

void udp_init(struct net_stack *s);
void udp_destroy(struct net_stack *s);
void udp_input(struct net_stack *s, const struct ip_info *ip, const uint8_t *p, size_t len);
mi_udp *udp_bind(struct net_stack *s, mi_ipv4 addr, uint16_t port, mi_udp_recv_fn fn, void *arg,
                 int *err);
int udp_send(struct net_stack *s, mi_ipv4 src, uint16_t sport, mi_ipv4 dst, uint16_t dport,
             const void *data, size_t len);
void udp_unbind(mi_udp *u);

#endif
