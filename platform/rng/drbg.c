/* SPDX-License-Identifier: ISC */
/* The ChaCha20 fast-key-erasure DRBG (drbg.h). */
#include <string.h>

#include "drbg.h"

/* Nonces that keep the two uses of the key apart: output blocks run
 * under the all-zero nonce, the reseed's mixing under this one. */
static const uint8_t gen_nonce[CHACHA20_NONCE_LEN];
static const uint8_t mix_nonce[CHACHA20_NONCE_LEN] = {'m', 'i', 'r', 'a', 'r', 'i',
                                                      '-', 'r', 'e', 's', 'e', 'd'};

void drbg_init(struct drbg *d, const struct drbg_source *src)
{
    memset(d, 0, sizeof *d);
    d->src = src;
    d->weak = true;
}

/* Seed material when the source has none: clock readings. Whatever
 * jitter they hold is all there is; the generator says it is weak. */
static void clock_material(struct drbg *d, uint8_t seed[DRBG_SEED_LEN])
{
    for (size_t i = 0; i + 8 <= DRBG_SEED_LEN; i += 8) {
        uint64_t v = d->src->now_ns() ^ (++d->weak_mixes << 48);
        memcpy(seed + i, &v, 8);
    }
}

void drbg_reseed(struct drbg *d)
{
    uint8_t seed[DRBG_SEED_LEN];
    /* Weak until some (re)seed had real entropy: a later failure of the
     * source leaves a key that already holds it strong. */
    if (d->src->entropy(seed, sizeof seed) == (int)sizeof seed)
        d->weak = false;
    else
        clock_material(d, seed);
    /* key' = ChaCha20(key XOR seed, mix nonce)[0..32): a PRF of both, so
     * the new key is unpredictable if either the old key or the seed is
     * (the seed's entropy adds to the state's, it cannot cancel it
     * without knowing it). */
    uint8_t k[CHACHA20_KEY_LEN], block[CHACHA20_BLOCK_LEN];
    for (size_t i = 0; i < sizeof k; i++)
        k[i] = d->key[i] ^ seed[i];
    chacha20_block(k, 0, mix_nonce, block);
    memcpy(d->key, block, sizeof d->key);
    secure_zero(k, sizeof k);
    secure_zero(block, sizeof block);
    secure_zero(seed, sizeof seed);
    d->seeded = true;
    d->since_reseed = 0;
    d->reseeded_ns = d->src->now_ns();
    d->reseeds++;
}

static bool reseed_due(const struct drbg *d)
{
    return !d->seeded || d->since_reseed >= DRBG_RESEED_BYTES ||
           d->src->now_ns() - d->reseeded_ns >= DRBG_RESEED_NS;
}

/* Up to DRBG_CHUNK bytes under one key: block 0's first 32 bytes are the
 * next key, the rest of the stream is output; the old key is gone. */
static void generate_chunk(struct drbg *d, uint8_t *out, size_t n)
{
    uint8_t block[CHACHA20_BLOCK_LEN], next[CHACHA20_KEY_LEN];
    chacha20_block(d->key, 0, gen_nonce, block);
    memcpy(next, block, sizeof next);
    size_t k = n < sizeof block - sizeof next ? n : sizeof block - sizeof next;
    memcpy(out, block + sizeof next, k);
    if (n > k)
        chacha20_xor(d->key, 1, gen_nonce, NULL, out + k, n - k);
    memcpy(d->key, next, sizeof d->key);
    secure_zero(block, sizeof block);
    secure_zero(next, sizeof next);
}

void drbg_generate(struct drbg *d, void *out, size_t n)
{
    if (reseed_due(d))
        drbg_reseed(d);
    uint8_t *p = out;
    while (n > 0) {
        size_t k = n < DRBG_CHUNK ? n : DRBG_CHUNK;
        generate_chunk(d, p, k);
        p += k;
        n -= k;
        d->since_reseed += k;
    }
}
