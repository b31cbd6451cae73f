/* SPDX-License-Identifier: ISC */
/* SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
 * 2012): the keyed hash behind the stack's unpredictable numbers: TCP
 * initial sequence numbers (RFC 6528's F()), SYN cookies, ephemeral ports
 * (RFC 6056 algorithm 3) and DHCP transaction ids. */
#ifndef MIRARI_NET_SIPHASH_H
#define MIRARI_NET_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct siphash_key {
    uint64_t k0, k1;
};

uint64_t siphash24(const struct siphash_key *key, const void *data, size_t len);

#endif
