/* SPDX-License-Identifier: ISC */
/* The net backend contract: what the portable core (the event loop in
 * core/loop.c, the app start-up in runtime/app) needs from the network
 * implementation linked with it. Two implement it: runtime/socket (host
 * sockets and epoll) and runtime/net (mirari's own TCP/IP stack on the
 * platform interface). The choice is made at link time (the target's
 * library), never through function pointers. */
#ifndef MIRARI_CORE_NET_BACKEND_H
#define MIRARI_CORE_NET_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mirari/net.h>

/* Block until the monotonic clock reaches deadline_ns or I/O is ready, and
 * run the I/O callbacks that became due. deadline_ns == UINT64_MAX means
 * no timer is armed. Returns at once when the deadline has passed (after
 * polling for I/O without waiting). */
void net_backend_wait(uint64_t deadline_ns);

/* How many I/O objects keep the loop alive (listeners, connections, UDP
 * sockets, a DHCP exchange in progress). The loop ends when this is 0 and
 * no timer or deferred call is pending. */
size_t net_backend_active(void);

/* The network configuration after boot arguments. */
struct net_backend_config {
    bool dhcp;
    mi_ipv4 address, netmask, gateway;
    const char *tcp_congestion; /* tcp-congestion: "bbr" or "newreno"; NULL: the default */
};

/* Bring the network up and call ready(arg) from the loop once it can be
 * used (at once on host sockets; after the DHCP lease or the gratuitous
 * ARP on the own stack). Returns 0 or a negative errno. */
int net_backend_start(const struct net_backend_config *cfg, void (*ready)(void *arg), void *arg);

#endif
