/* SPDX-License-Identifier: ISC */
/* The server's growable byte buffers (runtime/http/buf.c): growth by
 * doubling from 256 bytes, appends, header lines, and a request too large
 * to grow to, refused with -ENOMEM and the buffer left as it was. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "http/buf.h"

static void grows_by_doubling(void **state)
{
    struct http_buf b = {0};
    assert_int_equal(http_buf_reserve(&b, 0), 0);
    assert_null(b.p); /* nothing asked, nothing allocated */
    assert_int_equal(http_buf_reserve(&b, 1), 0);
    assert_int_equal(b.cap, 256);
    assert_int_equal(b.len, 0);
    b.len = 200;
    assert_int_equal(http_buf_reserve(&b, 56), 0);
    assert_int_equal(b.cap, 256); /* fits exactly */
    assert_int_equal(http_buf_reserve(&b, 57), 0);
    assert_int_equal(b.cap, 512);
    assert_int_equal(http_buf_reserve(&b, 2000), 0);
    assert_int_equal(b.cap, 4096);
    assert_int_equal(b.len, 200);
    free(b.p);
}

static void put_appends(void **state)
{
    struct http_buf b = {0};
    assert_int_equal(http_buf_put(&b, "abc", 3), 0);
    assert_int_equal(http_buf_put(&b, NULL, 0), 0);
    char big[300];
    memset(big, 'x', sizeof big);
    assert_int_equal(http_buf_put(&b, big, sizeof big), 0);
    assert_int_equal(b.len, 303);
    assert_true(b.cap >= 303);
    assert_memory_equal(b.p, "abcxxx", 6);
    assert_int_equal(b.p[302], 'x');
    free(b.p);
}

static void header_lines(void **state)
{
    struct http_buf b = {0};
    assert_int_equal(http_buf_header(&b, "Content-Type", 12, "text/plain", 10), 0);
    assert_int_equal(http_buf_header(&b, "X-Empty", 7, "", 0), 0);
    const char want[] = "Content-Type: text/plain\r\nX-Empty: \r\n";
    assert_int_equal(b.len, sizeof want - 1);
    assert_memory_equal(b.p, want, sizeof want - 1);
    free(b.p);
}

static void too_large_is_refused(void **state)
{
    struct http_buf b = {0};
    assert_int_equal(http_buf_put(&b, "abc", 3), 0);
    char *p = b.p;
    assert_int_equal(http_buf_reserve(&b, SIZE_MAX - 1), -ENOMEM);
    assert_int_equal(http_buf_put(&b, "x", SIZE_MAX / 2 + 2), -ENOMEM);
    assert_ptr_equal(b.p, p);
    assert_int_equal(b.len, 3);
    assert_int_equal(b.cap, 256);
    free(b.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(grows_by_doubling),
        cmocka_unit_test(put_appends),
        cmocka_unit_test(header_lines),
        cmocka_unit_test(too_large_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
