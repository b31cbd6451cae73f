/* SPDX-License-Identifier: ISC */
/* DHCP client (RFC 2131, options RFC 2132): INIT -> SELECTING ->
 * REQUESTING -> BOUND, RENEWING at T1, REBINDING at T2, back to INIT at
 * expiry or on a NAK. Retransmissions back off 4, 8, 16, 32, 64 s with up
 * to a second of jitter (RFC 2131 4.1). */
#ifndef MIRARI_NET_DHCP_H
#define MIRARI_NET_DHCP_H

#include <stdbool.h>
#include <stdint.h>

#include <mirari/loop.h>
#include <mirari/net.h>

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68

enum dhcp_state {
    DHCP_OFF = 0,
    DHCP_SELECTING, /* DISCOVER sent, waiting for OFFERs */
    DHCP_REQUESTING,
    DHCP_BOUND,
    DHCP_RENEWING,
    DHCP_REBINDING,
};

struct dhcp_client {
    enum dhcp_state state;
    mi_udp *sock;
    mi_timer timer;
    uint32_t xid;
    unsigned tries;   /* transmissions in this state */
    uint64_t started; /* start of the exchange, for the secs field */
    mi_ipv4 offered;  /* yiaddr of the chosen OFFER / the lease */
    mi_ipv4 server;   /* server identifier */
    mi_ipv4 netmask, router;
    uint32_t lease_s;
    uint64_t t1_at, t2_at, expire_at;
    void (*ready)(void *arg);
    void *ready_arg;
};

struct net_stack;

/* Start (or restart) the client; ready(arg) is called from the loop once,
 * at the first lease. */
int dhcp_start(struct net_stack *s, void (*ready)(void *arg), void *arg);
void dhcp_stop(struct net_stack *s);

#endif
