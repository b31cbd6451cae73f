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

void eth_input(struct net_stack *s, const uint8_t *frame, size_t len, unsigned flags)
{
    s->stats.eth_in++;
    if (len > (size_t)ETH_HLEN + s->mtu)
        s->stats.eth_in_large++;
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
        ipv4_input(s, frame + ETH_HLEN, len - ETH_HLEN, (flags & PLAT_NET_RX_CSUM_OK) != 0);
        break;
    case ETH_P_ARP:
        arp_input(s, frame + ETH_HLEN, len - ETH_HLEN);
        break;
    default:
        /* IPv6, VLAN tags, LLDP...: not spoken here. */
        NET_DROP(s, eth_drop_type, "type 0x%04x", type);
    }
}

int eth_output_frags(struct net_stack *s, const uint8_t dst[ETH_ALEN], uint16_t type, uint8_t *hdr,
                     size_t hlen, const struct net_iov *data, int n, const struct plat_net_tx *tx)
{
    static const uint8_t zeros[ETH_ZLEN];
    struct plat_net_frag f[1 + 4 + 1];
    memcpy(hdr, dst, ETH_ALEN);
    memcpy(hdr + ETH_ALEN, s->mac, ETH_ALEN);
    put16(hdr + 12, type);
    f[0] = (struct plat_net_frag){hdr, hlen};
    size_t len = hlen;
    int k = 1;
    for (int i = 0; i < n; i++)
        if (data[i].len > 0) {
            f[k++] = (struct plat_net_frag){data[i].base, data[i].len};
            len += data[i].len;
        }
    /* Padding, as eth_output: zeros do not change a checksum a device
     * completes over it. */
    if (len < ETH_ZLEN)
        f[k++] = (struct plat_net_frag){zeros, ETH_ZLEN - len};
    int r = plat_net_send(f, k, tx);
    if (r != 0) {
        s->stats.eth_out_err++;
        return r;
    }
    s->stats.eth_out++;
    return 0;
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
