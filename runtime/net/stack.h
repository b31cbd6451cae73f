/* SPDX-License-Identifier: ISC */
/* The state of one instance of mirari's TCP/IP stack: one Ethernet
 * interface with one IPv4 address. A program has one (backend.c); the
 * unit tests wire two back to back. Every function of the stack takes the
 * instance; only the net.h API functions (api.c) use net_current. */
#ifndef MIRARI_NET_STACK_H
#define MIRARI_NET_STACK_H

#include <stdbool.h>
#include <stdint.h>

#include <mirari/net.h>
#include <mirari/netstats.h>

#include "arp.h"
#include "dhcp.h"
#include "eth.h"
#include "icmp.h"
#include "ipv4.h"
#include "siphash.h"
#include "tcp.h"
#include "udp.h"
#include "util.h"

struct net_stack {
    uint8_t mac[ETH_ALEN];
    uint16_t mtu;
    uint32_t offloads;       /* the device's PLAT_NET_TX_* and PLAT_NET_RX_* (platform.h) */
    bool batching;           /* between net_stack_batch_begin and _end */
    bool configured;         /* has an address */
    enum tcp_cc_algo tcp_cc; /* of new connections (tcp-congestion) */
    mi_netif nif;
    struct siphash_key key; /* see net_stack_init */
    uint16_t ip_id;
    struct mi_net_stats stats;
    struct arp_table arp;
    struct reass_table reass;
    struct icmp_state icmp;
    struct udp_table udp;
    struct tcp_table tcp;
    struct dhcp_client dhcp;
};

/* The instance the net.h functions act on. */
extern struct net_stack *net_current;

/* seed: entropy for the hash key (ISNs, SYN cookies, ports, DHCP xid). */
/* The SipHash key's length: random bytes from the caller. */
#define NET_KEY_LEN 16
void net_stack_init(struct net_stack *s, const uint8_t mac[ETH_ALEN], uint16_t mtu,
                    const uint8_t key[NET_KEY_LEN]);
/* Free everything the instance holds (connections are dropped silently). */
void net_stack_destroy(struct net_stack *s);
void net_stack_configure(struct net_stack *s, mi_ipv4 addr, mi_ipv4 netmask, mi_ipv4 gateway);
void net_stack_deconfigure(struct net_stack *s);
/* One received frame; flags are plat_net_recv's (PLAT_NET_RX_CSUM_OK). */
void net_stack_input(struct net_stack *s, const void *frame, size_t len, unsigned flags);
/* Frames received together: between these, TCP's answers to data (the
 * ACKs, and what the application wrote meanwhile) wait until the end,
 * which sends them: the data segments of a batch draw one ACK. Every
 * frame waiting at the device is one batch (backend.c). */
void net_stack_batch_begin(struct net_stack *s);
void net_stack_batch_end(struct net_stack *s);
/* A keyed hash of the instance (see siphash.h). */
uint64_t net_hash(const struct net_stack *s, const void *data, size_t len);

#endif
