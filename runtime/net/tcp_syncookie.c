/* SPDX-License-Identifier: ISC */
/* SYN cookies (the technique of D. J. Bernstein, described in RFC 4987
 * 3.6), used only when the SYN queue is full: the SYN-ACK's sequence
 * number encodes what we need to rebuild the connection from the ACK that
 * completes the handshake, so a flood of SYNs costs no memory.
 *
 *   bits 31-27  a 5-bit counter of 64-second slots (cookies live 1-2 slots)
 *   bits 26-24  index of the peer's MSS in a small table
 *   bits 23-0   keyed hash of the 4-tuple, the slot and the peer's ISN
 *
 * A cookie connection has no window scaling (it cannot be encoded here),
 * which only costs throughput while the queue is full. */
#include "stack.h"

static const uint16_t mss_table[] = {536, 1200, 1360, 1440, 1460};
#define N_MSS (sizeof(mss_table) / sizeof(mss_table[0]))

static uint32_t slot_now(void)
{
    return (uint32_t)(mi_now() / (64 * MI_NSEC_PER_SEC)) & 31;
}

static uint32_t cookie_hash(struct net_stack *s, const struct tcp_seg *seg, uint32_t slot,
                            uint32_t peer_isn)
{
    uint8_t in[20];
    put32(in, seg->ip->dst);
    put16(in + 4, seg->dport);
    put32(in + 6, seg->ip->src);
    put16(in + 10, seg->sport);
    put32(in + 12, slot);
    put32(in + 16, peer_isn);
    return (uint32_t)net_hash(s, in, sizeof(in)) & 0xffffff;
}

uint32_t tcp_syncookie_make(struct net_stack *s, const struct tcp_seg *seg, uint16_t mss)
{
    uint32_t idx = 0;
    for (uint32_t i = 0; i < N_MSS; i++)
        if (mss_table[i] <= mss)
            idx = i;
    uint32_t slot = slot_now();
    return slot << 27 | idx << 24 | cookie_hash(s, seg, slot, seg->seq);
}

int tcp_syncookie_check(struct net_stack *s, const struct tcp_seg *seg, uint16_t *mss)
{
    uint32_t cookie = seg->ack - 1;
    uint32_t slot = cookie >> 27;
    uint32_t idx = (cookie >> 24) & 7;
    if (((slot_now() - slot) & 31) > 1 || idx >= N_MSS)
        return -1;
    if (cookie_hash(s, seg, slot, seg->seq - 1) != (cookie & 0xffffff))
        return -1;
    *mss = mss_table[idx];
    return 0;
}
