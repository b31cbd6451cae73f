/* SPDX-License-Identifier: ISC */
/* A small set of TCP sequence-number ranges, and the comparisons of
 * sequence numbers it is built on. TCP keeps two such sets per
 * connection: the out-of-order data the receiver holds beyond RCV.NXT
 * (tcp_buf.c) and the sender's SACK scoreboard beyond SND.UNA
 * (tcp_sack.c). Each user keeps its own policy; this is only the
 * bookkeeping of the ranges.
 *
 * Sequence numbers are compared modulo 2^32 (RFC 9293 3.4; RFC 1982
 * serial number arithmetic with SERIAL_BITS 32): a < b when b - a,
 * taken modulo 2^32, is below 2^31. This orders any two numbers less
 * than 2^31 apart, which all of a set's ranges are (they lie within one
 * window, and windows are below 2^30, RFC 7323 2.3). */
#ifndef MIRARI_NET_SEQSET_H
#define MIRARI_NET_SEQSET_H

#include <stdbool.h>
#include <stdint.h>

#include <mirari/netstats.h>

static inline bool seq_lt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}
static inline bool seq_le(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) <= 0;
}
static inline bool seq_gt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) > 0;
}
static inline bool seq_ge(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) >= 0;
}

/* Ranges a set holds at most. */
#define SEQSET_CAP MI_NET_TCP_OOO_RANGES

/* The sequence numbers [start, end), start before end. */
struct seq_range {
    uint32_t start, end;
};

/* Sorted, disjoint ranges that do not touch (two that touch or overlap
 * are merged into one), r[0] the lowest. All zero is the empty set.
 * Iterate over r[0] .. r[n - 1]; change it only with the functions
 * below. */
struct seqset {
    struct seq_range r[SEQSET_CAP];
    uint8_t n;
};

/* Add [start, end), merged with the ranges it touches or overlaps.
 * When the set is full (SEQSET_CAP ranges) and the new range touches
 * none of them, it is refused: false, and the set is unchanged. A range
 * that touches one is always taken, since merging never needs a new
 * slot. start must be before end. */
bool seqset_add(struct seqset *set, uint32_t start, uint32_t end);
/* Forget every sequence number before `point`: ranges that end at or
 * before it go, a range that straddles it now starts at it. */
void seqset_remove_below(struct seqset *set, uint32_t point);
void seqset_clear(struct seqset *set);
/* The index of the range holding seq, -1 if none does. */
int seqset_find(const struct seqset *set, uint32_t seq);
/* The number of sequence numbers in the set. */
uint32_t seqset_bytes(const struct seqset *set);

#endif
