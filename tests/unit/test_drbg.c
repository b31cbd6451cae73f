/* SPDX-License-Identifier: ISC */
/* ChaCha20 against RFC 8439's test vectors (2.3.2, 2.4.2, A.1), and the
 * DRBG (platform/rng/drbg.c, rng.c) on a fake entropy source and clock:
 * its construction, fast key erasure, reseeding by volume and by time,
 * and the weak state without entropy. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <platform.h>

#include "../../platform/rng/chacha20.h"
#include "../../platform/rng/drbg.h"
#include <rng.h>

/* ---- the fake source and clock ---- */

static uint64_t fake_now;
static int fake_calls;    /* entropy requests */
static int fake_fail;     /* 0, or the errno the source returns */
static uint8_t fake_fill; /* the byte the source returns, +1 per call */

static int fake_entropy(void *buf, size_t n)
{
    fake_calls++;
    if (fake_fail)
        return -fake_fail;
    memset(buf, fake_fill++, n);
    return (int)n;
}

static uint64_t fake_clock(void)
{
    return fake_now;
}

static const struct drbg_source fake = {fake_entropy, fake_clock};

/* rng.c's platform. */
int plat_entropy(void *buf, size_t n)
{
    return fake_entropy(buf, n);
}

uint64_t plat_monotonic_ns(void)
{
    return fake_now;
}

static int reset(void **state)
{
    (void)state;
    fake_now = 1000000000ull;
    fake_calls = 0;
    fake_fail = 0;
    fake_fill = 0x42;
    return 0;
}

static void unhex(const char *hex, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
    assert_int_equal(strlen(hex), 2 * n);
}

static void key_0_to_31(uint8_t key[32])
{
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)i;
}

/* ---- ChaCha20, RFC 8439 ---- */

static void chacha20_block_rfc8439_2_3_2(void **state)
{
    (void)state;
    uint8_t key[32], nonce[12], want[64], got[64];
    key_0_to_31(key);
    unhex("000000090000004a00000000", nonce, sizeof nonce);
    unhex("10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
          "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e",
          want, sizeof want);
    chacha20_block(key, 1, nonce, got);
    assert_memory_equal(got, want, 64);
}

static void chacha20_encrypt_rfc8439_2_4_2(void **state)
{
    (void)state;
    static const char plain[] = "Ladies and Gentlemen of the class of '99: If I could offer you "
                                "only one tip for the future, sunscreen would be it.";
    uint8_t key[32], nonce[12], want[sizeof plain - 1], buf[sizeof plain - 1];
    key_0_to_31(key);
    unhex("000000000000004a00000000", nonce, sizeof nonce);
    unhex("6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b"
          "f91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8"
          "07ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736"
          "5af90bbf74a35be6b40b8eedf2785e42874d",
          want, sizeof want);
    chacha20_xor(key, 1, nonce, (const uint8_t *)plain, buf, sizeof buf);
    assert_memory_equal(buf, want, sizeof want);
    /* In place, back again. */
    chacha20_xor(key, 1, nonce, buf, buf, sizeof buf);
    assert_memory_equal(buf, plain, sizeof buf);
}

static void chacha20_keystream_rfc8439_a_1(void **state)
{
    (void)state;
    /* A.1 test vectors #1 and #2: the all-zero key and nonce, blocks 0
     * and 1 (as one stream from counter 0, with in == NULL). */
    uint8_t key[32] = {0}, nonce[12] = {0}, want[128], got[128];
    unhex("76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
          "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586"
          "9f07e7be5551387a98ba977c732d080dcb0f29a048e3656912c6533e32ee7aed"
          "29b721769ce64e43d57133b074d839d531ed1f28510afb45ace10a1f4b794d6f",
          want, sizeof want);
    chacha20_xor(key, 0, nonce, NULL, got, sizeof got);
    assert_memory_equal(got, want, sizeof want);
}

/* ---- the DRBG ---- */

/* The construction, computed here from the block function: the seed
 * (32 bytes of 0x42) XOR the all-zero initial key, through ChaCha20
 * under the reseed nonce, is the key; the first output is that key's
 * block 0 past its first 32 bytes, which are the next key. */
static void drbg_first_output_follows_the_construction(void **state)
{
    (void)state;
    static const uint8_t mix_nonce[12] = {'m', 'i', 'r', 'a', 'r', 'i',
                                          '-', 'r', 'e', 's', 'e', 'd'};
    uint8_t seed[32], block[64], key[32], zero[12] = {0}, out[32];
    memset(seed, 0x42, sizeof seed);
    chacha20_block(seed, 0, mix_nonce, block);
    memcpy(key, block, 32);
    chacha20_block(key, 0, zero, block);

    struct drbg d;
    drbg_init(&d, &fake);
    drbg_generate(&d, out, sizeof out);
    assert_int_equal(fake_calls, 1);
    assert_false(d.weak);
    assert_memory_equal(out, block + 32, 32);
    /* Fast key erasure: the state is now the block's first 32 bytes,
     * not the key that made the output. */
    assert_memory_equal(d.key, block, 32);
    assert_memory_not_equal(d.key, key, 32);
}

static void drbg_outputs_differ_and_long_requests_span_keys(void **state)
{
    (void)state;
    struct drbg d;
    drbg_init(&d, &fake);
    uint8_t a[64], b[64];
    drbg_generate(&d, a, sizeof a);
    drbg_generate(&d, b, sizeof b);
    assert_memory_not_equal(a, b, sizeof a);

    /* A request longer than one key's share: every chunk differs, and
     * it is the same as the same state gives in smaller pieces. */
    static uint8_t big[3 * DRBG_CHUNK + 5];
    struct drbg copy = d;
    drbg_generate(&d, big, sizeof big);
    assert_memory_not_equal(big, big + DRBG_CHUNK, DRBG_CHUNK);
    assert_memory_not_equal(big + DRBG_CHUNK, big + 2 * DRBG_CHUNK, DRBG_CHUNK);
    uint8_t piece[DRBG_CHUNK];
    drbg_generate(&copy, piece, sizeof piece);
    assert_memory_equal(piece, big, sizeof piece);
    drbg_generate(&copy, piece, sizeof piece);
    assert_memory_equal(piece, big + DRBG_CHUNK, sizeof piece);
    assert_int_equal(fake_calls, 1); /* one seeding, no reseed yet */
}

static void drbg_reseeds_after_its_volume(void **state)
{
    (void)state;
    struct drbg d;
    drbg_init(&d, &fake);
    static uint8_t buf[64 * 1024];
    for (uint64_t n = 0; n < DRBG_RESEED_BYTES; n += sizeof buf)
        drbg_generate(&d, buf, sizeof buf);
    assert_int_equal(fake_calls, 1);
    assert_int_equal(d.reseeds, 1);

    /* The next request is past the volume: new entropy first. The same
     * state with a source that gives other bytes diverges from there. */
    struct drbg other = d;
    uint8_t a[32], b[32];
    drbg_generate(&d, a, sizeof a);
    assert_int_equal(fake_calls, 2);
    assert_int_equal(d.reseeds, 2);
    assert_int_equal(d.since_reseed, sizeof a);
    fake_fill = 0x42; /* the seeding's bytes again, not the reseed's */
    drbg_generate(&other, b, sizeof b);
    assert_memory_not_equal(a, b, sizeof a);
}

static void drbg_reseeds_after_its_time(void **state)
{
    (void)state;
    struct drbg d;
    drbg_init(&d, &fake);
    uint8_t buf[16];
    drbg_generate(&d, buf, sizeof buf);
    fake_now += DRBG_RESEED_NS - 1;
    drbg_generate(&d, buf, sizeof buf);
    assert_int_equal(fake_calls, 1);
    fake_now += 1;
    drbg_generate(&d, buf, sizeof buf);
    assert_int_equal(fake_calls, 2);
    assert_int_equal(d.reseeded_ns, fake_now);
    /* An explicit reseed asks the source at once. */
    drbg_reseed(&d);
    assert_int_equal(fake_calls, 3);
}

static void drbg_without_entropy_is_weak_until_it_comes(void **state)
{
    (void)state;
    fake_fail = ENODEV;
    struct drbg d;
    drbg_init(&d, &fake);
    uint8_t a[32], b[32];
    drbg_generate(&d, a, sizeof a);
    assert_true(d.weak);
    /* The clock stands in: another instant, another stream. */
    struct drbg e;
    drbg_init(&e, &fake);
    fake_now += 1;
    drbg_generate(&e, b, sizeof b);
    assert_memory_not_equal(a, b, sizeof a);

    /* The source comes back: the next reseed is a real one. */
    fake_fail = 0;
    fake_now += DRBG_RESEED_NS;
    drbg_generate(&d, a, sizeof a);
    assert_false(d.weak);

    /* And fails again: the key holds real entropy, the generator stays
     * strong, and the reseed still changes the stream (the clock). */
    fake_fail = EIO;
    struct drbg copy = d;
    fake_now += DRBG_RESEED_NS;
    drbg_generate(&d, a, sizeof a);
    assert_false(d.weak);
    assert_int_equal(d.reseeds, copy.reseeds + 1);
    copy.reseeded_ns = fake_now; /* the same state, no reseed due */
    drbg_generate(&copy, b, sizeof b);
    assert_memory_not_equal(a, b, sizeof a);
}

/* rng.c: one instance on plat_entropy, whose weakness the platform's
 * answer decides. A single sequence: the instance is the program's. */
static void rng_weak_follows_the_platform(void **state)
{
    (void)state;
    fake_fail = ENODEV;
    assert_true(entropy_is_weak());
    assert_int_equal(fake_calls, 1);
    uint8_t a[16], b[16];
    rng_bytes(a, sizeof a);
    rng_bytes(b, sizeof b);
    assert_memory_not_equal(a, b, sizeof a);
    assert_true(entropy_is_weak());
    fake_fail = 0;
    fake_now += DRBG_RESEED_NS;
    rng_bytes(a, sizeof a);
    assert_false(entropy_is_weak());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(chacha20_block_rfc8439_2_3_2, reset),
        cmocka_unit_test_setup(chacha20_encrypt_rfc8439_2_4_2, reset),
        cmocka_unit_test_setup(chacha20_keystream_rfc8439_a_1, reset),
        cmocka_unit_test_setup(drbg_first_output_follows_the_construction, reset),
        cmocka_unit_test_setup(drbg_outputs_differ_and_long_requests_span_keys, reset),
        cmocka_unit_test_setup(drbg_reseeds_after_its_volume, reset),
        cmocka_unit_test_setup(drbg_reseeds_after_its_time, reset),
        cmocka_unit_test_setup(drbg_without_entropy_is_weak_until_it_comes, reset),
        cmocka_unit_test_setup(rng_weak_follows_the_platform, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
