/* SPDX-License-Identifier: ISC */
/* The Internet checksum (RFC 1071) and SipHash-2-4 of the own stack. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "net/checksum.h"
#include "net/siphash.h"

static void test_rfc1071_example(void **state)
{
    (void)state;
    /* RFC 1071 section 3: these bytes sum to ddf2, so the checksum is 220d. */
    const uint8_t b[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    assert_int_equal(cksum_buf(b, sizeof(b)), 0x220d);
}

static void test_pieces_of_any_length(void **state)
{
    (void)state;
    uint8_t buf[301];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof(buf); i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
    uint16_t whole = cksum_buf(buf, sizeof(buf));
    /* Split anywhere, even at odd offsets, in up to three pieces. */
    for (size_t a = 0; a <= sizeof(buf); a += 7)
        for (size_t b = a; b <= sizeof(buf); b += 13) {
            struct cksum c;
            cksum_init(&c);
            cksum_add(&c, buf, a);
            cksum_add(&c, buf + a, b - a);
            cksum_add(&c, buf + b, sizeof(buf) - b);
            assert_int_equal(cksum_finish(&c), whole);
        }
}

static void test_verifies_to_zero(void **state)
{
    (void)state;
    uint8_t b[20] = {0x45, 0, 0, 20, 0x12, 0x34, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2};
    uint16_t c = cksum_buf(b, sizeof(b));
    b[10] = (uint8_t)(c >> 8);
    b[11] = (uint8_t)c;
    assert_int_equal(cksum_buf(b, sizeof(b)), 0);
}

static void test_pseudo_header(void **state)
{
    (void)state;
    /* The pseudo-header equals summing its 12 bytes as data. */
    uint8_t ph[12] = {10, 0, 0, 1, 10, 0, 0, 2, 0, 17, 0x01, 0x23};
    struct cksum a, b;
    cksum_init(&a);
    cksum_add_pseudo(&a, 0x0a000001, 0x0a000002, 17, 0x0123);
    cksum_add(&a, "xyz", 3);
    cksum_init(&b);
    cksum_add(&b, ph, sizeof(ph));
    cksum_add(&b, "xyz", 3);
    assert_int_equal(cksum_finish(&a), cksum_finish(&b));
}

static void test_siphash_vector(void **state)
{
    (void)state;
    /* The SipHash paper, appendix A: key 00..0f, message 00..0e. */
    struct siphash_key k = {0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};
    uint8_t m[15];
    for (int i = 0; i < 15; i++)
        m[i] = (uint8_t)i;
    assert_true(siphash24(&k, m, sizeof(m)) == 0xa129ca6149be45e5ull);
    /* And the first of the 64 reference outputs: the empty message. */
    assert_true(siphash24(&k, m, 0) == 0x726fdb47dd0e0e31ull);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc1071_example),  cmocka_unit_test(test_pieces_of_any_length),
        cmocka_unit_test(test_verifies_to_zero), cmocka_unit_test(test_pseudo_header),
        cmocka_unit_test(test_siphash_vector),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
