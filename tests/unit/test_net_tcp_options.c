/* SPDX-License-Identifier: ISC */
/* The TCP option lists of the own stack (runtime/net/tcp_options.c):
 * what the SYN and SACK parsers take from well-formed and malformed lists
 * (RFC 9293 3.1), and that what we build parses back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "net/stack.h"

static void test_syn_options(void **state)
{
    (void)state;
    struct tcp_syn_opts o;
    /* MSS 1460, NOP, window scale 7, NOP NOP, SACK-permitted, EOL. */
    const uint8_t all[] = {2, 4, 0x05, 0xb4, 1, 3, 3, 7, 1, 1, 4, 2, 0, 0};
    tcp_parse_syn_options(all, sizeof(all), &o);
    assert_int_equal(o.mss, 1460);
    assert_int_equal(o.wscale, 7);
    assert_true(o.sack_ok);

    tcp_parse_syn_options(all, 0, &o);
    assert_int_equal(o.mss, 0);
    assert_int_equal(o.wscale, -1);
    assert_false(o.sack_ok);

    /* RFC 7323 2.3: a shift above 14 is taken as 14. Unknown options
     * (a timestamp) are skipped. */
    const uint8_t big[] = {8, 10, 1, 2, 3, 4, 5, 6, 7, 8, 3, 3, 20, 0};
    tcp_parse_syn_options(big, sizeof(big), &o);
    assert_int_equal(o.wscale, TCP_MAX_WSCALE);

    /* Known kinds with the wrong length are ignored, the list goes on. */
    const uint8_t odd[] = {2, 3, 9, 3, 4, 1, 4, 4, 2};
    tcp_parse_syn_options(odd, sizeof(odd), &o);
    assert_int_equal(o.mss, 0);
    assert_int_equal(o.wscale, -1);
    assert_true(o.sack_ok);
}

static void test_syn_options_end(void **state)
{
    (void)state;
    struct tcp_syn_opts o;
    /* After End of Option List nothing counts. */
    const uint8_t eol[] = {2, 4, 0x02, 0x00, 0, 3, 3, 7};
    tcp_parse_syn_options(eol, sizeof(eol), &o);
    assert_int_equal(o.mss, 512);
    assert_int_equal(o.wscale, -1);

    /* A malformed option ends the list; what came before still counts:
     * a length below 2, */
    const uint8_t short_len[] = {4, 2, 8, 1, 2, 4, 0x02, 0x00};
    tcp_parse_syn_options(short_len, sizeof(short_len), &o);
    assert_true(o.sack_ok);
    assert_int_equal(o.mss, 0);
    /* a length running past the header, */
    const uint8_t long_len[] = {4, 2, 2, 5, 0x02, 0x00};
    tcp_parse_syn_options(long_len, sizeof(long_len), &o);
    assert_true(o.sack_ok);
    assert_int_equal(o.mss, 0);
    /* a kind without its length byte. */
    const uint8_t no_len[] = {1, 4, 2, 3};
    tcp_parse_syn_options(no_len, sizeof(no_len), &o);
    assert_true(o.sack_ok);
    assert_int_equal(o.wscale, -1);
}

static void test_syn_options_built(void **state)
{
    (void)state;
    uint8_t buf[12];
    struct tcp_syn_opts o;
    size_t n = tcp_build_syn_options(buf, 1400, 9, true);
    assert_int_equal(n, 12);
    tcp_parse_syn_options(buf, n, &o);
    assert_int_equal(o.mss, 1400);
    assert_int_equal(o.wscale, 9);
    assert_true(o.sack_ok);
    n = tcp_build_syn_options(buf, 536, -1, false);
    assert_int_equal(n, 4);
    tcp_parse_syn_options(buf, n, &o);
    assert_int_equal(o.mss, 536);
    assert_int_equal(o.wscale, -1);
    assert_false(o.sack_ok);
}

static void put_block(uint8_t *p, uint32_t start, uint32_t end)
{
    put32(p, start);
    put32(p + 4, end);
}

static void test_sack_blocks(void **state)
{
    (void)state;
    struct tcp_sack_blocks sb;
    /* NOP NOP, SACK with two blocks. */
    uint8_t two[2 + 2 + 16] = {1, 1, 5, 18};
    put_block(two + 4, 100, 200);
    put_block(two + 12, 0xfffffff0u, 0x10);
    tcp_parse_sack(two, sizeof(two), &sb);
    assert_int_equal(sb.n, 2);
    assert_int_equal(sb.b[0].start, 100);
    assert_int_equal(sb.b[0].end, 200);
    assert_int_equal(sb.b[1].start, 0xfffffff0u);
    assert_int_equal(sb.b[1].end, 0x10);

    /* At most four blocks are kept, across options. */
    uint8_t many[2 + 24 + 2 + 24] = {5, 26};
    for (uint32_t i = 0; i < 3; i++)
        put_block(many + 2 + 8 * i, 1000 * i, 1000 * i + 10);
    many[26] = 5;
    many[27] = 26;
    for (uint32_t i = 0; i < 3; i++)
        put_block(many + 28 + 8 * i, 5000 + i, 6000 + i);
    tcp_parse_sack(many, sizeof(many), &sb);
    assert_int_equal(sb.n, 4);
    assert_int_equal(sb.b[3].start, 5000);

    /* A SACK option whose length is not 2 + 8 n is ignored, the list goes on. */
    uint8_t bad[2 + 12 + 2 + 8] = {5, 14};
    bad[14] = 5;
    bad[15] = 10;
    put_block(bad + 16, 7, 9);
    tcp_parse_sack(bad, sizeof(bad), &sb);
    assert_int_equal(sb.n, 1);
    assert_int_equal(sb.b[0].start, 7);

    /* A malformed option before it ends the list. */
    uint8_t cut[2 + 2 + 10] = {1, 8, 1, 5, 10};
    put_block(cut + 5, 7, 9);
    tcp_parse_sack(cut, sizeof(cut), &sb);
    assert_int_equal(sb.n, 0);
    /* So does a SACK option running past the header. */
    tcp_parse_sack(two, sizeof(two) - 1, &sb);
    assert_int_equal(sb.n, 0);
}

static void test_timestamps(void **state)
{
    (void)state;
    uint8_t buf[24];
    size_t n = tcp_build_syn_options(buf, 1400, 7, true);
    n += tcp_build_ts(buf + n, 0x01020304, 0);
    assert_int_equal(n, 24);
    assert_int_equal(n % 4, 0);
    struct tcp_syn_opts o;
    tcp_parse_syn_options(buf, n, &o);
    assert_true(o.ts);
    assert_int_equal(o.tsval, 0x01020304);
    assert_true(o.sack_ok);
    assert_int_equal(o.wscale, 7);

    struct tcp_ts ts;
    n = tcp_build_ts(buf, 77, 0xfffffffe);
    tcp_parse_ts(buf, n, &ts);
    assert_true(ts.ok);
    assert_int_equal(ts.val, 77);
    assert_int_equal(ts.ecr, 0xfffffffe);
    /* A timestamps option of the wrong length is not one. */
    uint8_t short_ts[8] = {8, 8, 0, 0, 0, 1, 0, 0};
    tcp_parse_ts(short_ts, sizeof(short_ts), &ts);
    assert_false(ts.ok);
    tcp_parse_ts(buf, 0, &ts);
    assert_false(ts.ok);
}

static void test_options_valid(void **state)
{
    (void)state;
    uint8_t buf[24];
    size_t n = tcp_build_syn_options(buf, 1400, 7, true);
    n += tcp_build_ts(buf + n, 1, 2);
    assert_true(tcp_options_valid(buf, n));
    assert_true(tcp_options_valid(buf, 0));
    /* Padding after End of Option List is anything. */
    uint8_t eol[4] = {1, 0, 0xff, 0xff};
    assert_true(tcp_options_valid(eol, sizeof(eol)));
    /* An unknown kind only has to fit. */
    uint8_t unknown[4] = {30, 4, 0, 0};
    assert_true(tcp_options_valid(unknown, sizeof(unknown)));
    /* A length byte missing, below 2, or beyond the header. */
    uint8_t no_len[1] = {2};
    assert_false(tcp_options_valid(no_len, sizeof(no_len)));
    uint8_t len1[4] = {30, 1, 0, 0};
    assert_false(tcp_options_valid(len1, sizeof(len1)));
    uint8_t past[4] = {1, 30, 6, 0};
    assert_false(tcp_options_valid(past, sizeof(past)));
    /* Known kinds with lengths they cannot have. */
    uint8_t mss3[4] = {2, 3, 5, 1};
    assert_false(tcp_options_valid(mss3, sizeof(mss3)));
    uint8_t ws4[4] = {3, 4, 1, 1};
    assert_false(tcp_options_valid(ws4, sizeof(ws4)));
    uint8_t ts8[8] = {8, 8, 0, 0, 0, 0, 0, 0};
    assert_false(tcp_options_valid(ts8, sizeof(ts8)));
    uint8_t sack6[8] = {5, 6, 0, 0, 0, 0, 1, 1};
    assert_false(tcp_options_valid(sack6, sizeof(sack6)));
    uint8_t sack2[4] = {5, 2, 1, 1};
    assert_false(tcp_options_valid(sack2, sizeof(sack2)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syn_options),       cmocka_unit_test(test_syn_options_end),
        cmocka_unit_test(test_syn_options_built), cmocka_unit_test(test_sack_blocks),
        cmocka_unit_test(test_timestamps),        cmocka_unit_test(test_options_valid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
