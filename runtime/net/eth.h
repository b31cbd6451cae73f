/* SPDX-License-Identifier: ISC */
/* Ethernet II framing. Frames are built in place: every sender reserves
 * ETH_HLEN bytes at the start of its buffer for the header. */
#ifndef MIRARI_NET_ETH_H
#define MIRARI_NET_ETH_H

#include <stddef.h>
#include <stdint.h>

#include <mirari/netstats.h>

#define ETH_ALEN      6
#define ETH_HLEN      14
#define ETH_ZLEN      60 /* minimum frame without FCS; shorter ones are padded */
#define ETH_P_IPV4    0x0800
#define ETH_P_ARP     0x0806
#define NET_FRAME_MAX (ETH_HLEN + MI_NET_MTU_MAX)

struct net_stack;

extern const uint8_t eth_broadcast[ETH_ALEN];

/* flags: PLAT_NET_RX_CSUM_OK from the device (platform.h). */
void eth_input(struct net_stack *s, const uint8_t *frame, size_t len, unsigned flags);
struct net_iov;
struct plat_net_tx;
/* Fill in the Ethernet header at the start of hdr (hlen bytes: the
 * headers of the frame, all of them when tx asks for TSO) and send hdr
 * followed by data[0..n-1] (n <= 4) through plat_net_send, finished as tx
 * says. 0 or a negative errno. */
int eth_output_frags(struct net_stack *s, const uint8_t dst[ETH_ALEN], uint16_t type, uint8_t *hdr,
                     size_t hlen, const struct net_iov *data, int n, const struct plat_net_tx *tx);
/* Fill in the header of `frame` (len bytes including the reserved header,
 * at least ETH_ZLEN bytes of buffer) and send it. 0 or a negative errno. */
int eth_output(struct net_stack *s, const uint8_t dst[ETH_ALEN], uint16_t type, uint8_t *frame,
               size_t len);

#endif
