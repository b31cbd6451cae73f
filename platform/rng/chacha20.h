/* SPDX-License-Identifier: ISC */
/* The ChaCha20 block function and stream cipher of RFC 8439, section 2.3
 * and 2.4: the core of the DRBG (drbg.h) and, later, of the TLS library's
 * ChaCha20-Poly1305. Plain C on 32-bit words, no tables, so it runs in
 * constant time and without SIMD registers (the kernel calls it from
 * system calls). */
#ifndef MIRARI_CORE_CHACHA20_H
#define MIRARI_CORE_CHACHA20_H

#include <stddef.h>
#include <stdint.h>

#define CHACHA20_KEY_LEN   32
#define CHACHA20_NONCE_LEN 12
#define CHACHA20_BLOCK_LEN 64

/* One 64-byte block of key stream for this key, block counter and nonce
 * (RFC 8439 2.3: the state is the constants, the key, the counter and the
 * nonce, all little-endian words). */
void chacha20_block(const uint8_t key[CHACHA20_KEY_LEN], uint32_t counter,
                    const uint8_t nonce[CHACHA20_NONCE_LEN], uint8_t out[CHACHA20_BLOCK_LEN]);

/* out = in XOR the key stream that starts at block `counter` (RFC 8439
 * 2.4); in and out may be the same buffer. in may be NULL: out gets the
 * key stream itself. */
void chacha20_xor(const uint8_t key[CHACHA20_KEY_LEN], uint32_t counter,
                  const uint8_t nonce[CHACHA20_NONCE_LEN], const uint8_t *in, uint8_t *out,
                  size_t len);

/* Zero n bytes in a way the compiler does not remove (key material on
 * the stack). */
void secure_zero(void *p, size_t n);

#endif
