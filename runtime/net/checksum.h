/* SPDX-License-Identifier: ISC */
/* The Internet checksum (RFC 1071): the ones' complement of the ones'
 * complement sum of 16-bit big-endian words, computed over pieces that may
 * have odd lengths (a TCP payload taken from a wrapping ring buffer). */
#ifndef MIRARI_NET_CHECKSUM_H
#define MIRARI_NET_CHECKSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mirari/net.h>

struct cksum {
    uint64_t sum;
    bool odd; /* an odd number of bytes has been added so far */
};

static inline void cksum_init(struct cksum *c)
{
    c->sum = 0;
    c->odd = false;
}

void cksum_add(struct cksum *c, const void *data, size_t len);
/* The pseudo-header of TCP and UDP (RFC 9293 3.1, RFC 768). */
void cksum_add_pseudo(struct cksum *c, mi_ipv4 src, mi_ipv4 dst, uint8_t proto, uint16_t len);
/* The 16-bit checksum to store (in host order; write it big-endian). A
 * buffer that already contains its correct checksum finishes to 0. */
uint16_t cksum_finish(const struct cksum *c);

/* One-shot over a single buffer. */
uint16_t cksum_buf(const void *data, size_t len);

#endif
