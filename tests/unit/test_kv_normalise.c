/* SPDX-License-Identifier: ISC */
/* mi_kv_normalise: URL paths to store keys, and everything that must not
 * get through (traversal in all its encodings, NUL, backslash, controls). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "kv_format.h"
#include <mirari/kv.h>

#define DEC MI_KV_PERCENT_DECODE

struct ok_case {
    const char *in;
    int flags;
    const char *out;
};

static const struct ok_case ok_cases[] = {
    {"/", DEC, ""},
    {"", DEC, ""},
    {"///", DEC, ""},
    {"/index.html", DEC, "index.html"},
    {"index.html", DEC, "index.html"},
    {"//a///b/./c/", DEC, "a/b/c"},
    {"/./a/.", DEC, "a"},
    {"/%2e/x", DEC, "x"},
    {"/a/%2E/b", DEC, "a/b"},
    {"/.hidden", DEC, ".hidden"},
    {"/...", DEC, "..."},
    {"/..a/b..", DEC, "..a/b.."},
    {"/a b", DEC, "a b"},
    {"/a%20b", DEC, "a b"},
    {"/a%2fb", DEC, "a/b"},
    {"/a%2F%2Fb", DEC, "a/b"},
    {"/caf%C3%A9", DEC, "caf\xc3\xa9"},
    {"/caf\xc3\xa9", DEC, "caf\xc3\xa9"},
    {"/100%25", DEC, "100%"},
    {"/q?x", DEC, "q?x"},
    /* without decoding, '%' is an ordinary byte */
    {"/%2e%2e/", 0, "%2e%2e"},
    {"/files/..%2f", 0, "files/..%2f"},
    {"/a%zz", 0, "a%zz"},
    {"/a%", 0, "a%"},
};

static const struct {
    const char *in;
    size_t len; /* 0: strlen */
    int flags;
} bad_cases[] = {
    {"/../../etc/passwd", 0, DEC},
    {"/../../etc/passwd", 0, 0},
    {"..", 0, DEC},
    {"/a/..", 0, DEC},
    {"/a/../b", 0, DEC},
    {"/%2e%2e/", 0, DEC},
    {"/%2E%2e/etc/passwd", 0, DEC},
    {"/.%2e/", 0, DEC},
    {"/files/..%2f", 0, DEC},
    {"/files/..%2fetc", 0, DEC},
    {"/files/%2e%2e%2fetc%2fpasswd", 0, DEC},
    {"/%00", 0, DEC},
    {"/a%00b", 0, DEC},
    {"/a\0b", 4, DEC},
    {"/a\0b", 4, 0},
    {"/a\\b", 0, DEC},
    {"/a\\b", 0, 0},
    {"/..\\..\\etc", 0, DEC},
    {"/a%5cb", 0, DEC},
    {"/a%5C..%5Cb", 0, DEC},
    {"/a\x01", 0, DEC},
    {"/a\x1f", 0, 0},
    {"/a\x7f", 0, DEC},
    {"/a%0a", 0, DEC},
    {"/a%0D%0Ab", 0, DEC},
    {"/a%7f", 0, DEC},
    {"/a%", 0, DEC},
    {"/a%2", 0, DEC},
    {"/a%zz", 0, DEC},
    {"/a%g0", 0, DEC},
    {"/a%%41", 0, DEC},
};

static void test_accepted(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof ok_cases / sizeof ok_cases[0]; i++) {
        const struct ok_case *c = &ok_cases[i];
        char out[256];
        memset(out, 'X', sizeof out);
        long n = mi_kv_normalise(c->in, strlen(c->in), out, sizeof out, c->flags);
        if (n < 0)
            fail_msg("case %zu \"%s\": rejected (%ld)", i, c->in, n);
        assert_int_equal(n, strlen(c->out));
        assert_string_equal(out, c->out);
        /* What comes out is a key the reader accepts (or the root). */
        assert_true(n == 0 || kv_key_valid(out, (size_t)n));
    }
}

static void test_rejected(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        size_t len = bad_cases[i].len ? bad_cases[i].len : strlen(bad_cases[i].in);
        char out[256];
        long n = mi_kv_normalise(bad_cases[i].in, len, out, sizeof out, bad_cases[i].flags);
        if (n != -EINVAL)
            fail_msg("case %zu \"%s\": got %ld, want -EINVAL", i, bad_cases[i].in, n);
    }
}

static void test_capacity(void **state)
{
    (void)state;
    char out[8];
    /* "abcdefg" + NUL fits exactly in 8 bytes */
    assert_int_equal(mi_kv_normalise("/abcdefg", 8, out, sizeof out, DEC), 7);
    assert_string_equal(out, "abcdefg");
    assert_int_equal(mi_kv_normalise("/abcdefgh", 9, out, sizeof out, DEC), -ENAMETOOLONG);
    /* the separator counts too */
    assert_int_equal(mi_kv_normalise("/abc/defg", 9, out, sizeof out, DEC), -ENAMETOOLONG);
    assert_int_equal(mi_kv_normalise("/abc/def", 8, out, sizeof out, DEC), 7);
    /* a dropped "." segment gives its room back (it needs two bytes of
     * room while it is looked at, see mi_kv_normalise) */
    char big[12];
    assert_int_equal(mi_kv_normalise("/abc/./defg/./", 14, big, 11, DEC), 8);
    assert_string_equal(big, "abc/defg");
    assert_int_equal(mi_kv_normalise("/abc/./././defg", 15, out, sizeof out, DEC), -ENAMETOOLONG);
    assert_int_equal(mi_kv_normalise("/abc/./././defg", 15, big, sizeof big, DEC), 8);
    assert_int_equal(mi_kv_normalise("/", 1, out, 0, DEC), -ENAMETOOLONG);
    assert_int_equal(mi_kv_normalise("/", 1, out, 1, DEC), 0);
    assert_string_equal(out, "");
}

static void test_long_keys(void **state)
{
    (void)state;
    static char in[KV_MAX_KEY_LEN + 3], out[KV_MAX_KEY_LEN + 100];
    in[0] = '/';
    memset(in + 1, 'k', KV_MAX_KEY_LEN);
    assert_int_equal(mi_kv_normalise(in, KV_MAX_KEY_LEN + 1, out, sizeof out, DEC),
                     KV_MAX_KEY_LEN);
    in[KV_MAX_KEY_LEN + 1] = 'k';
    /* longer than any key can be, whatever the buffer */
    assert_int_equal(mi_kv_normalise(in, KV_MAX_KEY_LEN + 2, out, sizeof out, DEC),
                     -ENAMETOOLONG);
}

static void test_key_valid(void **state)
{
    (void)state;
    assert_true(kv_key_valid("a", 1));
    assert_true(kv_key_valid("a/b.c", 5));
    assert_true(kv_key_valid("...", 3));
    assert_false(kv_key_valid("", 0));
    assert_false(kv_key_valid("/a", 2));
    assert_false(kv_key_valid("a/", 2));
    assert_false(kv_key_valid("a//b", 4));
    assert_false(kv_key_valid("./a", 3));
    assert_false(kv_key_valid("a/..", 4));
    assert_false(kv_key_valid("a\\b", 3));
    assert_false(kv_key_valid("a\nb", 3));
    assert_false(kv_key_valid("a\0b", 3));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepted),  cmocka_unit_test(test_rejected),
        cmocka_unit_test(test_capacity),  cmocka_unit_test(test_long_keys),
        cmocka_unit_test(test_key_valid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
