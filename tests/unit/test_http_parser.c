/* SPDX-License-Identifier: ISC */
/* The HTTP request parser and chunked decoder (runtime/http/parser.c),
 * and the small pure helpers of the server: ranges, dates, media types. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mirari/loop.h>

#include "http/date.h"
#include "http/mime.h"
#include "http/parser.h"
#include "http/range.h"

/* date.c caches the current date for responses; not used here */
uint64_t mi_wall(void)
{
    return 0;
}

static const struct http_parse_limits lim = {.max_header_bytes = 8192, .max_uri_bytes = 2048};

static struct http_request req;

static long parse(const char *s)
{
    return http_parse_head(s, strlen(s), &lim, &req);
}

static long parse_n(const char *s, size_t n)
{
    return http_parse_head(s, n, &lim, &req);
}

#define SPAN_EQ(buf, sp, str)                                                                      \
    do {                                                                                           \
        assert_int_equal((sp).len, strlen(str));                                                   \
        assert_memory_equal((buf) + (sp).off, str, strlen(str));                                   \
    } while (0)

static void test_simple_get(void **state)
{
    (void)state;
    const char *r = "GET /index.html HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n";
    assert_int_equal(parse(r), strlen(r));
    assert_int_equal(req.method_id, HTTP_GET);
    SPAN_EQ(r, req.method, "GET");
    SPAN_EQ(r, req.target, "/index.html");
    SPAN_EQ(r, req.path, "/index.html");
    assert_int_equal(req.query.len, 0);
    assert_int_equal(req.minor, 1);
    assert_true(req.keep_alive);
    assert_false(req.chunked);
    assert_int_equal(req.content_length, 0);
    assert_int_equal(req.nheaders, 2);
    SPAN_EQ(r, req.headers[0].name, "Host");
    SPAN_EQ(r, req.headers[0].value, "example.com");
    SPAN_EQ(r, req.headers[1].name, "Accept");
    SPAN_EQ(r, req.headers[1].value, "*/*");
}

static void test_query_and_versions(void **state)
{
    (void)state;
    const char *r = "GET /a/b?x=1&y HTTP/1.0\r\n\r\n";
    assert_int_equal(parse(r), strlen(r));
    SPAN_EQ(r, req.path, "/a/b");
    SPAN_EQ(r, req.query, "x=1&y");
    assert_int_equal(req.minor, 0);
    assert_false(req.keep_alive); /* 1.0: close unless keep-alive */

    r = "GET /? HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n";
    assert_int_equal(parse(r), strlen(r));
    assert_int_equal(req.query.len, 0);
    assert_true(req.keep_alive);

    r = "GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, Close\r\n\r\n";
    assert_int_equal(parse(r), strlen(r));
    assert_false(req.keep_alive);

    r = "HEAD / HTTP/1.2\r\nHost: a\r\n\r\n"; /* a later 1.x is answered as 1.1 */
    assert_int_equal(parse(r), strlen(r));
    assert_int_equal(req.minor, 1);
    assert_int_equal(req.method_id, HTTP_HEAD);
}

static void test_lenient_but_safe(void **state)
{
    (void)state;
    /* empty lines before the request line are skipped (RFC 9112 §2.2) */
    const char *r = "\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n";
    assert_int_equal(parse(r), strlen(r));
    SPAN_EQ(r, req.target, "/");
    /* OWS around values, empty values, obs-text */
    r = "GET / HTTP/1.1\r\nX-Sp:   a b \t\r\nX-Empty:\r\nX-Utf8: caf\xc3\xa9\r\nHost: a\r\n\r\n";
    assert_int_equal(parse(r), strlen(r));
    SPAN_EQ(r, req.headers[0].value, "a b");
    SPAN_EQ(r, req.headers[1].value, "");
    SPAN_EQ(r, req.headers[2].value, "caf\xc3\xa9");
    /* a CR at the very end may be the start of CRLF */
    assert_int_equal(parse("\r"), 0);
    assert_int_equal(parse("GET / HTTP/1.1\r"), 0);
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: a\r\n\r"), 0);
}

static void test_target_forms(void **state)
{
    (void)state;
    const char *r = "GET http://example.com/p/q?z HTTP/1.1\r\nHost: example.com\r\n\r\n";
    assert_int_equal(parse(r), strlen(r));
    SPAN_EQ(r, req.path, "/p/q");
    SPAN_EQ(r, req.query, "z");
    r = "GET HTTPS://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n";
    assert_int_equal(parse(r), strlen(r));
    assert_int_equal(req.path.len, 0); /* shown as "/" by mi_http_path */
    r = "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n";
    assert_int_equal(parse(r), strlen(r));
    SPAN_EQ(r, req.path, "*");
    assert_int_equal(parse("GET * HTTP/1.1\r\nHost: a\r\n\r\n"), -400);
    assert_int_equal(parse("GET example.com:80 HTTP/1.1\r\nHost: a\r\n\r\n"), -400);
    assert_int_equal(parse("GET http:/// HTTP/1.1\r\nHost: a\r\n\r\n"), -400);
    assert_int_equal(parse("GET ftp://x/ HTTP/1.1\r\nHost: a\r\n\r\n"), -400);
}

static void test_methods(void **state)
{
    (void)state;
    static const char *known[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"};
    char r[128];
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        snprintf(r, sizeof r, "%s / HTTP/1.1\r\nHost: a\r\n\r\n", known[i]);
        assert_int_equal(parse(r), strlen(r));
        assert_int_equal(req.method_id, (int)i);
    }
    assert_int_equal(parse("get / HTTP/1.1\r\nHost: a\r\n\r\n"), -501); /* case-sensitive */
    assert_int_equal(parse("BREW / HTTP/1.1\r\nHost: a\r\n\r\n"), -501);
    assert_int_equal(parse("CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n"), -501);
    assert_int_equal(parse("TRACE / HTTP/1.1\r\nHost: a\r\n\r\n"), -501);
    assert_int_equal(parse("ABCDEFGHIJKLMNOPQRSTUVWXYZ / HTTP/1.1\r\n\r\n"), -501);
    /* a method token that is too long is 501 before its line ends */
    assert_int_equal(parse("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), -501);
}

static void test_bad_request_line(void **state)
{
    (void)state;
    static const char *bad[] = {
        "GET  / HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET / HTTP/1.1 \r\nHost: a\r\n\r\n",
        " GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET / HTTP/1\r\nHost: a\r\n\r\n",
        "GET / http/1.1\r\nHost: a\r\n\r\n",
        "GET / HTTP/1.1x\r\nHost: a\r\n\r\n",
        "GET / HTTP/a.1\r\nHost: a\r\n\r\n",
        "GET /\r\n\r\n",
        "GET\r\n\r\n",
        "G@T / HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /\x7f HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET / HTTP/1.1\r\r\nHost: a\r\n\r\n",
        "\rGET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /\rx HTTP/1.1\r\nHost: a\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        long rc = parse(bad[i]);
        if (rc != -400)
            fail_msg("case %zu: %ld", i, rc);
        assert_non_null(req.error);
    }
    assert_int_equal(parse("GET / HTTP/2.0\r\nHost: a\r\n\r\n"), -505);
    assert_int_equal(parse("GET / HTTP/0.9\r\nHost: a\r\n\r\n"), -505);
    /* garbage is refused before a line end arrives: a TLS ClientHello */
    assert_int_equal(parse_n("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11), -400);
    assert_int_equal(parse("GET\x01"), -400);
}

static void test_bad_fields(void **state)
{
    (void)state;
    static const char *bad[] = {
        "GET / HTTP/1.1\r\nHost : a\r\n\r\n",              /* space before colon */
        "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n",             /* tab before colon */
        "GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n c\r\n\r\n", /* obs-fold */
        "GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n\tc\r\n\r\n",
        "GET / HTTP/1.1\r\n Host: a\r\n\r\n", /* whitespace before the first field */
        "GET / HTTP/1.1\r\nHost a\r\n\r\n",   /* no colon */
        "GET / HTTP/1.1\r\n: a\r\nHost: a\r\n\r\n",
        "GET / HTTP/1.1\r\nHo\"st: a\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", /* bare CR */
        "GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\x7f\r\n\r\n",
        "GET / HTTP/1.1\r\n\r\n",                       /* 1.1 without Host */
        "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", /* two Hosts */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        long rc = parse(bad[i]);
        if (rc != -400)
            fail_msg("case %zu: %ld", i, rc);
        assert_false(req.framing_error);
    }
    const char nul[] = "GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n";
    assert_int_equal(parse_n(nul, sizeof nul - 1), -400);
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n\r\n"), -417);
}

static void test_framing(void **state)
{
    (void)state;
    const char *r = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 42\r\n\r\n";
    assert_int_equal(parse(r), strlen(r));
    assert_int_equal(req.content_length, 42);
    r = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 7, 7\r\nContent-Length: 7\r\n\r\n";
    assert_int_equal(parse(r), strlen(r));
    assert_int_equal(req.content_length, 7);
    r = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n";
    assert_int_equal(parse(r), strlen(r));
    assert_true(req.chunked);
    assert_true(req.keep_alive);
    r = "POST / HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n";
    assert_int_equal(parse(r), strlen(r));
    assert_true(req.chunked);
    assert_false(req.keep_alive); /* 1.0 with chunked: close after (RFC 9112 §6.1) */
    r = "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n";
    assert_int_equal(parse(r), strlen(r));
    assert_true(req.expect_continue);
    r = "POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n";
    assert_int_equal(parse(r), strlen(r));
    assert_false(req.expect_continue); /* ignored for 1.0 */

    static const char *bad[] = {
        "Content-Length: 5\r\nTransfer-Encoding: chunked",
        "Transfer-Encoding: chunked\r\nContent-Length: 5",
        "Content-Length: 5, 6",
        "Content-Length: 5\r\nContent-Length: 6",
        "Content-Length: abc",
        "Content-Length: -1",
        "Content-Length: +5",
        "Content-Length: 5 5",
        "Content-Length:",
        "Content-Length: 5,",
        "Transfer-Encoding: gzip",
        "Transfer-Encoding: chunked, gzip",
        "Transfer-Encoding: chunked, chunked",
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked",
        "Transfer-Encoding:",
        "Transfer-Encoding: chunkedx",
    };
    char buf[256];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(buf, sizeof buf, "POST / HTTP/1.1\r\nHost: a\r\n%s\r\n\r\n", bad[i]);
        long rc = parse(buf);
        if (rc != -400 || !req.framing_error)
            fail_msg("case %zu (%s): %ld", i, bad[i], rc);
    }
    assert_int_equal(
        parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n"),
        -413);
    /* RFC 9112 §6.1: chunked last after a coding we do not decode: 501 */
    assert_int_equal(
        parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"), -501);
    assert_int_equal(parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n"
                           "Transfer-Encoding: chunked\r\n\r\n"),
                     -501);
}

static void test_limits(void **state)
{
    (void)state;
    static char buf[20000];
    /* URI: exactly at the limit is fine, one more is 414, complete or not */
    int n = snprintf(buf, sizeof buf, "GET /%.*d HTTP/1.1\r\nHost: a\r\n\r\n",
                     (int)lim.max_uri_bytes - 1, 0);
    assert_int_equal(parse(buf), n);
    snprintf(buf, sizeof buf, "GET /%.*d HTTP/1.1\r\nHost: a\r\n\r\n", (int)lim.max_uri_bytes, 0);
    assert_int_equal(parse(buf), -414);
    snprintf(buf, sizeof buf, "GET /%.*d", (int)lim.max_uri_bytes, 0);
    assert_int_equal(parse(buf), -414);
    snprintf(buf, sizeof buf, "GET /%.*d", (int)lim.max_uri_bytes - 1, 0);
    assert_int_equal(parse(buf), 0);

    /* head: 431 when it cannot fit, whether or not it is complete */
    memset(buf, 0, sizeof buf);
    n = snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\nHost: a\r\nX: ");
    memset(buf + n, 'x', lim.max_header_bytes);
    assert_int_equal(parse(buf), -431);
    strcpy(buf + n + lim.max_header_bytes, "\r\n\r\n");
    assert_int_equal(parse(buf), -431);
    /* right at the limit */
    n = snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\nHost: a\r\nX: ");
    size_t fill = lim.max_header_bytes - (size_t)n - 4;
    memset(buf + n, 'x', fill);
    strcpy(buf + n + fill, "\r\n\r\n");
    assert_int_equal(strlen(buf), lim.max_header_bytes);
    assert_int_equal(parse(buf), lim.max_header_bytes);
    /* and one byte over it */
    memset(buf + n, 'x', fill + 1);
    strcpy(buf + n + fill + 1, "\r\n\r\n");
    assert_int_equal(strlen(buf), lim.max_header_bytes + 1);
    assert_int_equal(parse(buf), -431);

    /* too many fields */
    n = snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\nHost: a\r\n");
    for (int i = 0; i < HTTP_MAX_HEADERS - 1; i++)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "X-%d: %d\r\n", i, i);
    strcpy(buf + n, "\r\n");
    assert_int_equal(parse(buf), n + 2);
    assert_int_equal(req.nheaders, HTTP_MAX_HEADERS);
    n += snprintf(buf + n, sizeof buf - (size_t)n, "X-last: 1\r\n\r\n");
    assert_int_equal(parse(buf), -431);

    /* empty lines before the request count against the head */
    for (size_t i = 0; i < lim.max_header_bytes / 2 + 1; i++)
        memcpy(buf + 2 * i, "\r\n", 2);
    buf[lim.max_header_bytes + 2] = '\0';
    assert_int_equal(parse(buf), -431);

    /* the configured limit is capped at what 16-bit spans can address */
    struct http_parse_limits big = {.max_header_bytes = 1u << 20, .max_uri_bytes = 1u << 20};
    static char huge[70000];
    n = snprintf(huge, sizeof huge, "GET / HTTP/1.1\r\nHost: a\r\nX: ");
    memset(huge + n, 'y', 66000);
    strcpy(huge + n + 66000, "\r\n\r\n");
    assert_int_equal(http_parse_head(huge, strlen(huge), &big, &req), -431);
}

/* RFC 9112 §2.2: a bare LF is refused wherever a line ends in the head
 * (request smuggling: a proxy that splits only at CRLF sees other lines). */
static void test_rfc9112_2_2_bare_lf(void **state)
{
    (void)state;
    static const char *bad[] = {
        "GET / HTTP/1.1\nHost: a\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n\n",
        "GET / HTTP/1.1\nHost: a\n\n",
        "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "\r\n\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX: 1\nContent-Length: 5\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        long rc = parse(bad[i]);
        if (rc != -400)
            fail_msg("case %zu: %ld", i, rc);
    }
    /* refused as soon as the bare LF arrives, not when the head ends */
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: a\nX"), -400);
}

/* RFC 9112 §3.2: Host = uri-host [ ":" port ], exactly one in HTTP/1.1. */
static void test_rfc9112_3_2_host(void **state)
{
    (void)state;
    static const char *good[] = {
        "example.com", "example.com:8080", "127.0.0.1", "127.0.0.1:80", "[::1]",
        "[::1]:80",    "[v7.a:b]",         "",          "a:",           "xn--bcher-kva.example",
        "a%41b",       "a_b~c!$&'()*+,;=",
    };
    static const char *bad[] = {
        "a b",    "a/b", "user@a",  "a:b",  "a:80:80", "[::1", "[]",
        "[::1]x", "a%4", "a%zz",    "a\"b", "a\\b",    "::1",  "a:8 0",
        "a?b",    "a#b", "[::1]:x", "<a>",  "a{b}",    "a|b",  "a^b",
    };
    char buf[256];
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        int n = snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\nHost: %s\r\n\r\n", good[i]);
        long rc = parse(buf);
        if (rc != n)
            fail_msg("good %zu (%s): %ld", i, good[i], rc);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\nHost: %s\r\n\r\n", bad[i]);
        long rc = parse(buf);
        if (rc != -400)
            fail_msg("bad %zu (%s): %ld", i, bad[i], rc);
        /* and in HTTP/1.0, where Host is optional but still checked */
        snprintf(buf, sizeof buf, "GET / HTTP/1.0\r\nHost: %s\r\n\r\n", bad[i]);
        rc = parse(buf);
        if (rc != -400)
            fail_msg("bad 1.0 %zu (%s): %ld", i, bad[i], rc);
    }
    assert_int_equal(parse("GET / HTTP/1.1\r\n\r\n"), -400);
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n"), -400);
    assert_int_equal(parse("GET / HTTP/1.0\r\n\r\n"), (long)strlen("GET / HTTP/1.0\r\n\r\n"));
}

/* Every prefix of a valid request is "need more"; the whole is complete. */
static void test_incremental(void **state)
{
    (void)state;
    const char *r = "POST /form?a=b HTTP/1.1\r\nHost: example.com\r\nContent-Length: 3\r\n"
                    "User-Agent: test\r\n\r\n";
    size_t n = strlen(r);
    for (size_t i = 0; i < n; i++) {
        long rc = parse_n(r, i);
        if (rc != 0)
            fail_msg("prefix %zu: %ld", i, rc);
    }
    assert_int_equal(parse_n(r, n), n);
    assert_int_equal(req.content_length, 3);
}

static void test_pipelined(void **state)
{
    (void)state;
    const char *r = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n"
                    "HEAD /3 HTTP/1.1\r\nHost: a\r\n\r\nGET /4 HTTP/1.1\r\nHo";
    const char *expect[] = {"/1", "/2", "/3"};
    size_t off = 0;
    for (int i = 0; i < 3; i++) {
        long rc = parse(r + off);
        assert_true(rc > 0);
        SPAN_EQ(r + off, req.path, expect[i]);
        off += (size_t)rc;
    }
    assert_int_equal(parse(r + off), 0);
}

/* ---- chunked ---- */

/* Decode `in` fed in pieces of the given sizes (0-terminated list, the
 * rest in one go), the way the server does: the buffer grows at its end
 * and decoded data is compacted in place after each call. Returns the
 * final rc, and the decoded body in out. */
static int decode_in_pieces(const char *in, size_t len, const size_t *pieces, uint64_t max,
                            char *out, size_t *outlen, size_t *after)
{
    char *buf = malloc(len + 1);
    struct http_chunked ch = {0};
    size_t have = 0, fed = 0, w = 0, r = 0;
    int rc = 0;
    for (size_t k = 0; fed < len; k++) {
        size_t piece = pieces != NULL && pieces[k] != 0 ? pieces[k] : len - fed;
        if (piece > len - fed)
            piece = len - fed;
        memcpy(buf + have, in + fed, piece);
        have += piece;
        fed += piece;
        r = w;
        rc = http_chunked_decode(&ch, buf, &r, have, &w, max);
        if (rc != 0)
            break;
        assert_int_equal(r, have); /* need-more consumed everything */
        have = w;                  /* drop the framing */
    }
    memcpy(out, buf, w);
    *outlen = w;
    if (rc == 1 && after != NULL)
        *after = (have - r) + (len - fed); /* bytes after the body, fed or not */
    free(buf);
    return rc;
}

static void test_chunked_basic(void **state)
{
    (void)state;
    char out[256];
    size_t n, after;
    const char *b = "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    assert_int_equal(decode_in_pieces(b, strlen(b), NULL, 1000, out, &n, &after), 1);
    assert_int_equal(n, 11);
    assert_memory_equal(out, "hello world", 11);
    assert_int_equal(after, 0);

    b = "5;name=value;flag\r\nhello\r\nA ; x=\"q\"\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n"
        "Y: 2\r\n\r\nGET / HTTP/1.1\r\n";
    assert_int_equal(decode_in_pieces(b, strlen(b), NULL, 1000, out, &n, &after), 1);
    assert_int_equal(n, 15);
    assert_memory_equal(out, "hello0123456789", 15);
    assert_int_equal(after, strlen("GET / HTTP/1.1\r\n"));

    b = "000\r\n\r\n"; /* an empty body, leading zeros */
    assert_int_equal(decode_in_pieces(b, strlen(b), NULL, 1000, out, &n, &after), 1);
    assert_int_equal(n, 0);
    /* a bare LF in the trailer section is refused, as in the head */
    b = "0\r\n\n";
    assert_int_equal(decode_in_pieces(b, strlen(b), NULL, 1000, out, &n, &after), -400);
    b = "0\r\nT: v\n\r\n";
    assert_int_equal(decode_in_pieces(b, strlen(b), NULL, 1000, out, &n, &after), -400);
    b = "0\r\nT: v\r\n\n";
    assert_int_equal(decode_in_pieces(b, strlen(b), NULL, 1000, out, &n, &after), -400);
}

/* Split at every byte boundary (two pieces), and fed one byte at a time. */
static void test_chunked_splits(void **state)
{
    (void)state;
    const char *b = "3;ext=1\r\nabc\r\n10\r\n0123456789abcdef\r\n1\r\nZ\r\n0\r\nT: x\r\n\r\nNEXT";
    const char *want = "abc0123456789abcdefZ";
    size_t len = strlen(b);
    char out[256];
    size_t n, after;
    for (size_t split = 1; split < len; split++) {
        size_t pieces[] = {split, 0};
        assert_int_equal(decode_in_pieces(b, len, pieces, 1000, out, &n, &after), 1);
        assert_int_equal(n, strlen(want));
        assert_memory_equal(out, want, n);
        assert_int_equal(after, 4);
    }
    size_t ones[200];
    for (size_t i = 0; i < 200; i++)
        ones[i] = 1;
    assert_int_equal(decode_in_pieces(b, len, ones, 1000, out, &n, &after), 1);
    assert_memory_equal(out, want, strlen(want));
}

static void test_chunked_bad(void **state)
{
    (void)state;
    static const char *bad[] = {
        "x\r\n",                 /* not hex */
        "\r\n",                  /* no size */
        "5\r\nhelloX\r\n",       /* no CRLF after the data */
        "5\r\nhello\n0\r\n\r\n", /* bare LF after the data */
        "5\nhello\r\n",          /* bare LF after the size */
        "5\rhello",              /* CR without LF */
        "5 x\r\n",               /* junk after the size */
        "5;\x01\r\n",            /* control in an extension */
        "5;a\nb\r\n",            /* bare LF in an extension */
        "10000000000000000\r\n", /* 17 hex digits: beyond 64 bits */
        "0\r\n\x01\r\n\r\n",     /* junk trailer */
        "0\r\nT: a\x01\r\n\r\n", /* control in a trailer */
        "0\r\nT: a\rb\r\n\r\n",  /* bare CR in a trailer */
        "0\r\n\rX",              /* CR not followed by LF at the end */
        "-1\r\n",
    };
    char out[64];
    size_t n;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = decode_in_pieces(bad[i], strlen(bad[i]), NULL, 1000, out, &n, NULL);
        if (rc != -400)
            fail_msg("case %zu: %d", i, rc);
    }
    /* one chunk too large, or the sum of several */
    assert_int_equal(decode_in_pieces("11\r\n", 4, NULL, 16, out, &n, NULL), -413);
    assert_int_equal(decode_in_pieces("8\r\n12345678\r\n9\r\n", 17, NULL, 16, out, &n, NULL), -413);
    assert_int_equal(decode_in_pieces("8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n", 31, NULL, 16,
                                      out, &n, NULL),
                     1);
    /* endless size lines, endless trailers */
    static char big[20000];
    memset(big, '0', 5000);
    assert_int_equal(decode_in_pieces(big, 5000, NULL, 16, out, &n, NULL), -400);
    memcpy(big, "0\r\n", 3);
    for (size_t i = 3; i + 8 < sizeof big; i += 8)
        memcpy(big + i, "T: abc\r\n", 8);
    assert_int_equal(decode_in_pieces(big, sizeof big - 8, NULL, 16, out, &n, NULL), -400);
}

/* ---- ranges ---- */

static void test_ranges(void **state)
{
    (void)state;
    static const struct {
        const char *v;
        uint64_t size;
        enum http_range rc;
        uint64_t first, last;
    } cases[] = {
        {"bytes=0-0", 100, RANGE_OK, 0, 0},
        {"bytes=0-99", 100, RANGE_OK, 0, 99},
        {"bytes=10-", 100, RANGE_OK, 10, 99},
        {"bytes=10-1000", 100, RANGE_OK, 10, 99},
        {"bytes=-10", 100, RANGE_OK, 90, 99},
        {"bytes=-1000", 100, RANGE_OK, 0, 99},
        {"Bytes= 5-6 ", 100, RANGE_OK, 5, 6},
        {"bytes=99-", 100, RANGE_OK, 99, 99},
        {"bytes=100-", 100, RANGE_UNSATISFIABLE, 0, 0},
        {"bytes=100-200", 100, RANGE_UNSATISFIABLE, 0, 0},
        {"bytes=-0", 100, RANGE_UNSATISFIABLE, 0, 0},
        {"bytes=-5", 0, RANGE_UNSATISFIABLE, 0, 0},
        {"bytes=0-", 0, RANGE_UNSATISFIABLE, 0, 0},
        {"bytes=5-1", 100, RANGE_NONE, 0, 0},
        {"bytes=", 100, RANGE_NONE, 0, 0},
        {"bytes=-", 100, RANGE_NONE, 0, 0},
        {"bytes=a-b", 100, RANGE_NONE, 0, 0},
        {"bytes 0-1", 100, RANGE_NONE, 0, 0},
        {"items=0-1", 100, RANGE_NONE, 0, 0},
        {"bytes=99999999999999999999999-", 100, RANGE_UNSATISFIABLE, 0, 0},
        {"bytes=0-99999999999999999999999", 100, RANGE_OK, 0, 99},
        /* several that coalesce into one (RFC 9110 §14.6) */
        {"bytes=0-1,2-3", 100, RANGE_OK, 0, 3},     /* adjacent */
        {"bytes=5-10, 0-7", 100, RANGE_OK, 0, 10},  /* overlapping, out of order */
        {"bytes=0-9,-95", 100, RANGE_OK, 0, 99},    /* suffix overlapping */
        {"bytes=0-0,0-0,0-0", 100, RANGE_OK, 0, 0}, /* the same again */
        {"bytes=,, 3-4 ,", 100, RANGE_OK, 3, 4},    /* empty list elements */
        {"bytes=200-300,3-4", 100, RANGE_OK, 3, 4}, /* unsatisfiable ones dropped */
        {"bytes=200-,300-", 100, RANGE_UNSATISFIABLE, 0, 0},
        {"bytes=0-1,5-1", 100, RANGE_NONE, 0, 0}, /* one invalid spec: ignore all */
        {"bytes=0-1,x", 100, RANGE_NONE, 0, 0},
        {"bytes=,", 100, RANGE_NONE, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct http_byte_range r[HTTP_MAX_RANGES];
        size_t k = 0;
        enum http_range rc = http_range_parse(cases[i].v, strlen(cases[i].v), cases[i].size, r, &k);
        if (rc != cases[i].rc)
            fail_msg("case %zu (%s): %d", i, cases[i].v, rc);
        if (rc == RANGE_OK) {
            if (k != 1)
                fail_msg("case %zu (%s): %zu ranges", i, cases[i].v, k);
            assert_int_equal(r[0].first, cases[i].first);
            assert_int_equal(r[0].last, cases[i].last);
        }
    }
}

/* Several disjoint ranges stay apart, sorted; the cap on range-specs. */
static void test_ranges_several(void **state)
{
    (void)state;
    struct http_byte_range r[HTTP_MAX_RANGES];
    size_t k = 0;
    const char *v = "bytes=50-59, 0-4, -10, 6-8, 52-53";
    assert_int_equal(http_range_parse(v, strlen(v), 100, r, &k), RANGE_OK);
    assert_int_equal(k, 4);
    static const uint64_t want[4][2] = {{0, 4}, {6, 8}, {50, 59}, {90, 99}};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(r[i].first, want[i][0]);
        assert_int_equal(r[i].last, want[i][1]);
    }
    /* HTTP_MAX_RANGES specs are served; one more and the field is ignored */
    char buf[1024];
    size_t n = (size_t)snprintf(buf, sizeof buf, "bytes=0-0");
    for (int i = 1; i < HTTP_MAX_RANGES; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, ",%d-%d", 2 * i, 2 * i);
    assert_int_equal(http_range_parse(buf, n, 1000, r, &k), RANGE_OK);
    assert_int_equal(k, HTTP_MAX_RANGES);
    assert_int_equal(r[HTTP_MAX_RANGES - 1].first, 2 * (HTTP_MAX_RANGES - 1));
    n += (size_t)snprintf(buf + n, sizeof buf - n, ",999-999");
    assert_int_equal(http_range_parse(buf, n, 1000, r, &k), RANGE_NONE);
    /* the cap counts specs, even unsatisfiable or coalescing ones */
    n = (size_t)snprintf(buf, sizeof buf, "bytes=0-0");
    for (int i = 0; i < HTTP_MAX_RANGES; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, ",0-0");
    assert_int_equal(http_range_parse(buf, n, 1000, r, &k), RANGE_NONE);
}

/* ---- dates ---- */

static void test_dates(void **state)
{
    (void)state;
    char d[HTTP_DATE_LEN + 1] = {0};
    http_date_format(0, d);
    assert_string_equal(d, "Thu, 01 Jan 1970 00:00:00 GMT");
    http_date_format(784111777, d);
    assert_string_equal(d, "Sun, 06 Nov 1994 08:49:37 GMT");
    http_date_format(951782400, d); /* a leap day in a year divisible by 400 */
    assert_string_equal(d, "Tue, 29 Feb 2000 00:00:00 GMT");
    http_date_format(4107542400, d); /* 2100 is not a leap year */
    assert_string_equal(d, "Mon, 01 Mar 2100 00:00:00 GMT");
    http_date_format(UINT64_MAX, d);
    assert_string_equal(d, "Fri, 31 Dec 9999 23:59:59 GMT");

    static const char *same[] = {"Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
                                 "Sun Nov  6 08:49:37 1994"};
    for (size_t i = 0; i < 3; i++) {
        uint64_t t = 0;
        assert_int_equal(http_date_parse(same[i], strlen(same[i]), &t), 0);
        assert_int_equal(t, 784111777);
    }
    static const char *bad[] = {
        "",
        "Sun, 06 Nov 1994 08:49:37",
        "Sun, 06 Nov 1994 08:49:37 GMT ",
        "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Xyz, 06 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1969 08:49:37 GMT",
        "Sun Nov 6 08:49:37 1994",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t t;
        if (http_date_parse(bad[i], strlen(bad[i]), &t) == 0)
            fail_msg("accepted \"%s\"", bad[i]);
    }
    /* formatting and parsing agree over a long span */
    for (uint64_t t = 0; t < 4102444800ull; t += 86400 * 37 + 3601) {
        uint64_t back;
        http_date_format(t, d);
        assert_int_equal(http_date_parse(d, HTTP_DATE_LEN, &back), 0);
        assert_int_equal(back, t);
    }
}

static void test_mime(void **state)
{
    (void)state;
    static const char *cases[][2] = {
        {"index.html", "text/html; charset=utf-8"},
        {"a/b/site.CSS", "text/css; charset=utf-8"},
        {"app.js", "text/javascript; charset=utf-8"},
        {"x.json", "application/json"},
        {"logo.png", "image/png"},
        {"photo.JPG", "image/jpeg"},
        {"photo.jpeg", "image/jpeg"},
        {"anim.gif", "image/gif"},
        {"icon.svg", "image/svg+xml"},
        {"favicon.ico", "image/x-icon"},
        {"notes.txt", "text/plain; charset=utf-8"},
        {"feed.xml", "application/xml"},
        {"doc.pdf", "application/pdf"},
        {"mod.wasm", "application/wasm"},
        {"font.woff2", "font/woff2"},
        {"1k.bin", "application/octet-stream"},
        {"Makefile", "application/octet-stream"},
        {"dir.html/file", "application/octet-stream"},
        {".html", "text/html; charset=utf-8"},
        {"x.", "application/octet-stream"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(http_mime_type(cases[i][0], strlen(cases[i][0])), cases[i][1]);
}

static void test_lists(void **state)
{
    (void)state;
    assert_true(http_list_has("a, Close ,b", 11, "close"));
    assert_false(http_list_has("closed", 6, "close"));
    assert_false(http_list_has("", 0, "close"));
    assert_true(http_token_eq("KeEp-AlIvE", 10, "keep-alive"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_get),
        cmocka_unit_test(test_query_and_versions),
        cmocka_unit_test(test_lenient_but_safe),
        cmocka_unit_test(test_target_forms),
        cmocka_unit_test(test_methods),
        cmocka_unit_test(test_bad_request_line),
        cmocka_unit_test(test_bad_fields),
        cmocka_unit_test(test_framing),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_incremental),
        cmocka_unit_test(test_pipelined),
        cmocka_unit_test(test_chunked_basic),
        cmocka_unit_test(test_chunked_splits),
        cmocka_unit_test(test_chunked_bad),
        cmocka_unit_test(test_rfc9112_2_2_bare_lf),
        cmocka_unit_test(test_rfc9112_3_2_host),
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_ranges_several),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_mime),
        cmocka_unit_test(test_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
