/* SPDX-License-Identifier: ISC */
/* The interface of a stack instance: creation, address configuration,
 * frame input, and the counters of netstats.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <mirari/log.h>
#include <mirari/netstats.h>

#include "stack.h"

struct net_stack *net_current;

void net_stack_init(struct net_stack *s, const uint8_t mac[ETH_ALEN], uint16_t mtu,
                    const uint8_t key[NET_KEY_LEN])
{
    memset(s, 0, sizeof(*s));
    memcpy(s->mac, mac, ETH_ALEN);
    /* 576 is the smallest datagram every host must accept (RFC 791); a
     * device reporting less is not usable for TCP with a sane MSS. */
    if (mtu > MI_NET_MTU_MAX || mtu < 576)
        mtu = MI_NET_MTU_MAX;
    s->mtu = mtu;
    memcpy(s->nif.mac, mac, ETH_ALEN);
    s->nif.mtu = mtu;

    /* The hash key (ISNs, SYN cookies, ephemeral ports, DHCP xids): the
     * caller's, from the DRBG (net_backend_start), so RFC 6528's secret
     * is one an attacker cannot reconstruct from the boot instant. */
    memcpy(&s->key.k0, key, 8);
    memcpy(&s->key.k1, key + 8, 8);
    s->ip_id = (uint16_t)s->key.k0;

    arp_init(s);
    reass_init(s);
    icmp_init(s);
    udp_init(s);
    tcp_init(s);
}

void net_stack_destroy(struct net_stack *s)
{
    dhcp_stop(s);
    tcp_destroy(s);
    udp_destroy(s);
    reass_destroy(s);
    arp_destroy(s);
    if (net_current == s)
        net_current = NULL;
}

void net_stack_configure(struct net_stack *s, mi_ipv4 addr, mi_ipv4 netmask, mi_ipv4 gateway)
{
    bool changed = !s->configured || s->nif.address != addr;
    s->nif.address = addr;
    s->nif.netmask = netmask;
    s->nif.gateway = gateway;
    s->configured = addr != 0;
    if (changed)
        arp_flush(s);
    mi_info("net: " IP4_FMT "/" IP4_FMT " gateway " IP4_FMT " mac %02x:%02x:%02x:%02x:%02x:%02x",
            IP4_ARGS(addr), IP4_ARGS(netmask), IP4_ARGS(gateway), s->mac[0], s->mac[1], s->mac[2],
            s->mac[3], s->mac[4], s->mac[5]);
}

void net_stack_deconfigure(struct net_stack *s)
{
    s->configured = false;
    s->nif.address = 0;
    s->nif.netmask = 0;
    s->nif.gateway = 0;
    arp_flush(s);
}

void net_stack_input(struct net_stack *s, const void *frame, size_t len, unsigned flags)
{
    tcp_reap(s);
    eth_input(s, frame, len, flags);
}

void net_stack_batch_begin(struct net_stack *s)
{
    s->batching = true;
}

void net_stack_batch_end(struct net_stack *s)
{
    s->batching = false;
    tcp_flush(s);
}

uint64_t net_hash(const struct net_stack *s, const void *data, size_t len)
{
    return siphash24(&s->key, data, len);
}

/* ---- counters ---- */

int mi_net_stats_get(struct mi_net_stats *out)
{
    if (net_current == NULL)
        return -ENODEV;
    *out = net_current->stats;
    return 0;
}

size_t mi_net_stats_format(char *buf, size_t cap)
{
    struct mi_net_stats st;
    size_t n = 0;
    if (cap > 0)
        buf[0] = '\0';
    if (mi_net_stats_get(&st) != 0)
        return 0;
#define NET_STATS_LINE(name, desc)                                                                 \
    if (st.name != 0) {                                                                            \
        int w = snprintf(n < cap ? buf + n : NULL, n < cap ? cap - n : 0, "%s %llu\n", #name,      \
                         (unsigned long long)st.name);                                             \
        if (w > 0)                                                                                 \
            n += (size_t)w;                                                                        \
    }
    MI_NET_STATS_FIELDS(NET_STATS_LINE)
#undef NET_STATS_LINE
    return n;
}

void mi_net_stats_log(void)
{
    struct mi_net_stats st;
    if (mi_log_get_level() < MI_LOG_DEBUG || mi_net_stats_get(&st) != 0)
        return;
#define NET_STATS_LOG(name, desc)                                                                  \
    if (st.name != 0)                                                                              \
        mi_log(MI_LOG_DEBUG, "net: %-24s %10llu  %s", #name, (unsigned long long)st.name, desc);
    MI_NET_STATS_FIELDS(NET_STATS_LOG)
#undef NET_STATS_LOG
}
