/* SPDX-License-Identifier: ISC */
/* A deterministic random bit generator on ChaCha20 (chacha20.h), in the
 * "fast-key-erasure" style (D. J. Bernstein, "Fast-key-erasure random-
 * number generators", 2017): the state is one 256-bit key; every request
 * runs ChaCha20 under it, keeps the first 32 bytes of key stream as the
 * next key and hands out the rest, and forgets the old key, so a state
 * captured later does not reveal output given earlier.
 *
 * The key is seeded from an entropy source on first use and reseeded
 * (new entropy mixed with the current key) every DRBG_RESEED_BYTES of
 * output or DRBG_RESEED_NS of time, whichever comes first. When the
 * source has nothing, clock readings stand in; the generator is "weak"
 * until a (re)seed gets real entropy, and stays strong after that even
 * if the source fails later (its key holds that entropy).
 *
 * One instance serves an image (rng.h); the struct is here for the tests,
 * which give it a fake source and clock. Not thread-safe: the runtime
 * and the kernel are single-threaded. */
#ifndef MIRARI_CORE_DRBG_H
#define MIRARI_CORE_DRBG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chacha20.h"

#define DRBG_RESEED_BYTES (1ull << 20)                   /* 1 MiB */
#define DRBG_RESEED_NS    (300ull * 1000000000ull)       /* 5 minutes */
#define DRBG_SEED_LEN     32                             /* bytes of entropy per (re)seed */
#define DRBG_CHUNK        (16 * CHACHA20_BLOCK_LEN - 32) /* output per key, at most */

struct drbg_source {
    /* As plat_entropy(): fill buf with n bytes of real entropy and return
     * n, or return a negative errno when there is none. */
    int (*entropy)(void *buf, size_t n);
    /* A monotonic clock in nanoseconds. */
    uint64_t (*now_ns)(void);
};

struct drbg {
    const struct drbg_source *src;
    uint8_t key[CHACHA20_KEY_LEN];
    uint64_t since_reseed; /* bytes handed out under the current seed */
    uint64_t reseeded_ns;  /* when it was last (re)seeded */
    uint64_t reseeds;      /* how many times, the first seeding included */
    uint64_t weak_mixes;   /* clock readings mixed in, a counter for uniqueness */
    bool seeded;
    bool weak; /* no (re)seed so far had real entropy */
};

/* A generator that seeds itself from src on its first request. */
void drbg_init(struct drbg *d, const struct drbg_source *src);
/* n bytes of output (n may be 0: the generator is then only seeded, or
 * reseeded if due). */
void drbg_generate(struct drbg *d, void *out, size_t n);
/* Mix fresh entropy (or, without, the clock) into the key now. */
void drbg_reseed(struct drbg *d);

#endif
