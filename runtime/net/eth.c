/* SPDX-License-Identifier: ISC */
/* Ethernet II: accept frames for our MAC address or broadcast, hand IPv4
 * and ARP to their protocols, and build headers for output. The frame
 * check sequence is neither seen nor added: taps and virtio-net deal in
 * frames without it. */
#include <errno.h>
#include <string.h>

#include <platform.h>

#include "stack.h"

const uint8_t eth_broadcast[ETH_ALEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

void eth_input(struct net_stack *s, const uint8_t *frame, size_t len)
{
    s->stats.eth_in++;
    if (len < ETH_HLEN) {
        NET_DROP(s, eth_drop_short, "%zu bytes", len);
        return;
    }
    const uint8_t *dst = frame;
    if (memcmp(dst, s->mac, ETH_ALEN) != 0 && memcmp(dst, eth_broadcast, ETH_ALEN) != 0) {
        /* Multicast too: the stack joins no group. */
        NET_DROP(s, eth_drop_not_ours, "to %02x:%02x:%02x:%02x:%02x:%02x", dst[0], dst[1], dst[2],
                 dst[3], dst[4], dst[5]);
        return;
    }
    uint16_t type = get16(frame + 12);
    switch (type) {
    case ETH_P_IPV4:
        ipv4_input(s, frame + ETH_HLEN, len - ETH_HLEN);
        break;
    case ETH_P_ARP:
        arp_input(s, frame + ETH_HLEN, len - ETH_HLEN);
        break;
    default:
        /* IPv6, VLAN tags, LLDP...: not spoken here. */
        NET_DROP(s, eth_drop_type, "type 0x%04x", type);
    }
}

int eth_output(struct net_stack *s, const uint8_t dst[ETH_ALEN], uint16_t type, uint8_t *frame,
               size_t len)
{
    memcpy(frame, dst, ETH_ALEN);
    memcpy(frame + ETH_ALEN, s->mac, ETH_ALEN);
    put16(frame + 12, type);
    /* Pad to the Ethernet minimum: taps do not care, real wires do. */
    if (len < ETH_ZLEN) {
        memset(frame + len, 0, ETH_ZLEN - len);
        len = ETH_ZLEN;
    }
    int r = plat_net_write(frame, len);
    if (r != 0) {
        s->stats.eth_out_err++;
        return r;
    }
    s->stats.eth_out++;
    return 0;
}
