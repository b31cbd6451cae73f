/* SPDX-License-Identifier: ISC */
/* ChaCha20, RFC 8439 section 2. Written from the RFC's description; its
 * test vectors are tests/unit/test_drbg.c's. */
#include <string.h>

#include "chacha20.h"

static uint32_t rotl(uint32_t v, int n)
{
    return (v << n) | (v >> (32 - n));
}

static uint32_t load32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void store32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* RFC 8439 2.1: the quarter round on four words of the state. */
#define QR(a, b, c, d)                                                                             \
    do {                                                                                           \
        a += b;                                                                                    \
        d = rotl(d ^ a, 16);                                                                       \
        c += d;                                                                                    \
        b = rotl(b ^ c, 12);                                                                       \
        a += b;                                                                                    \
        d = rotl(d ^ a, 8);                                                                        \
        c += d;                                                                                    \
        b = rotl(b ^ c, 7);                                                                        \
    } while (0)

void chacha20_block(const uint8_t key[CHACHA20_KEY_LEN], uint32_t counter,
                    const uint8_t nonce[CHACHA20_NONCE_LEN], uint8_t out[CHACHA20_BLOCK_LEN])
{
    /* RFC 8439 2.3: "expand 32-byte k", key, counter, nonce. */
    uint32_t in[16] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};
    for (int i = 0; i < 8; i++)
        in[4 + i] = load32(key + 4 * i);
    in[12] = counter;
    for (int i = 0; i < 3; i++)
        in[13 + i] = load32(nonce + 4 * i);

    /* x and in are never passed by address (no memcpy, no secure_zero),
     * so the compiler keeps them in registers: a wipe here would force
     * them into memory and make the function several times slower, and
     * registers spilled to the stack could not be wiped anyway. */
    uint32_t x[16];
    for (int i = 0; i < 16; i++)
        x[i] = in[i];
    for (int i = 0; i < 10; i++) { /* 20 rounds: a column and a diagonal round each */
        QR(x[0], x[4], x[8], x[12]);
        QR(x[1], x[5], x[9], x[13]);
        QR(x[2], x[6], x[10], x[14]);
        QR(x[3], x[7], x[11], x[15]);
        QR(x[0], x[5], x[10], x[15]);
        QR(x[1], x[6], x[11], x[12]);
        QR(x[2], x[7], x[8], x[13]);
        QR(x[3], x[4], x[9], x[14]);
    }
    for (int i = 0; i < 16; i++)
        store32(out + 4 * i, x[i] + in[i]);
}

void chacha20_xor(const uint8_t key[CHACHA20_KEY_LEN], uint32_t counter,
                  const uint8_t nonce[CHACHA20_NONCE_LEN], const uint8_t *in, uint8_t *out,
                  size_t len)
{
    uint8_t ks[CHACHA20_BLOCK_LEN];
    while (len > 0) {
        chacha20_block(key, counter++, nonce, ks);
        size_t k = len < sizeof ks ? len : sizeof ks;
        for (size_t i = 0; i < k; i++)
            out[i] = (uint8_t)((in != NULL ? in[i] : 0) ^ ks[i]);
        if (in != NULL)
            in += k;
        out += k;
        len -= k;
    }
    secure_zero(ks, sizeof ks);
}

void secure_zero(void *p, size_t n)
{
    memset(p, 0, n);
    /* The buffer is "used" by an empty asm the compiler cannot see into,
     * so the memset is not a dead store. */
    __asm__ volatile("" : : "r"(p) : "memory");
}
