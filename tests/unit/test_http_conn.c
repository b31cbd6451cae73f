/* SPDX-License-Identifier: ISC */
/* The HTTP server's connection machine (runtime/http/server.c) against a
 * fake socket and clock (test_http_fake.h): keep-alive, pipelining in
 * order, asynchronous dispatch, HEAD, 100-continue, chunked bodies,
 * errors and limits, timeouts, backpressure and short writes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <mirari/http.h>

#include "test_http_fake.h"

/* ---- responses as the client sees them ---- */

struct resp {
    int status;
    char head[4096]; /* status line and fields, NUL-terminated */
    const char *body;
    size_t body_len;
};

/* Split the next response off s[0..len): returns its size, 0 if it is
 * not all there. `head_req` says it answers a HEAD (no body follows). */
static size_t next_response(const char *s, size_t len, bool head_req, struct resp *r)
{
    const char *end = NULL;
    for (size_t i = 0; i + 4 <= len; i++)
        if (memcmp(s + i, "\r\n\r\n", 4) == 0) {
            end = s + i + 4;
            break;
        }
    if (end == NULL)
        return 0;
    size_t hlen = (size_t)(end - s);
    assert_true(hlen < sizeof r->head);
    memcpy(r->head, s, hlen);
    r->head[hlen] = '\0';
    assert_int_equal(sscanf(r->head, "HTTP/1.1 %d ", &r->status), 1);
    size_t cl = 0;
    const char *f = strstr(r->head, "\r\nContent-Length: ");
    if (f != NULL)
        cl = strtoul(f + 18, NULL, 10);
    if (head_req || r->status == 304 || r->status == 204 || r->status < 200)
        cl = 0;
    if (hlen + cl > len)
        return 0;
    r->body = end;
    r->body_len = cl;
    return hlen + cl;
}

static const char *field(const struct resp *r, const char *name, char *out, size_t cap)
{
    char key[128];
    snprintf(key, sizeof key, "\r\n%s: ", name);
    const char *f = strstr(r->head, key);
    if (f == NULL)
        return NULL;
    f += strlen(key);
    size_t n = strcspn(f, "\r");
    if (n >= cap)
        n = cap - 1;
    memcpy(out, f, n);
    out[n] = '\0';
    return out;
}

/* ---- the application ---- */

static mi_http_exchange *held[16];
static size_t nheld;
static char big[1 << 20];

static void app(mi_http_exchange *x)
{
    mi_str m = mi_http_method(x), p = mi_http_path(x), q = mi_http_query(x), b = mi_http_body(x);
    if (p.n == 6 && memcmp(p.p, "/async", 6) == 0) {
        held[nheld++] = x; /* answered later */
        return;
    }
    if (p.n == 4 && memcmp(p.p, "/big", 4) == 0) {
        mi_http_add_header(x, "Content-Type", "application/octet-stream");
        mi_http_body_ref(x, big, sizeof big);
        mi_http_finish(x);
        return;
    }
    if (p.n == 8 && memcmp(p.p, "/headers", 8) == 0) {
        /* what mi_http_add_header refuses */
        assert_int_equal(mi_http_add_header(x, "X-Bad", "a\r\nSet-Cookie: x=1"), -EINVAL);
        assert_int_equal(mi_http_add_header(x, "X-Bad", "a\nb"), -EINVAL);
        assert_int_equal(mi_http_add_header(x, "X Bad", "a"), -EINVAL);
        assert_int_equal(mi_http_add_header(x, "X-Bad:", "a"), -EINVAL);
        assert_int_equal(mi_http_add_header(x, "", "a"), -EINVAL);
        assert_int_equal(mi_http_add_header(x, "content-length", "5"), -EINVAL);
        assert_int_equal(mi_http_add_header(x, "Connection", "close"), -EINVAL);
        assert_int_equal(mi_http_add_header(x, "Transfer-Encoding", "chunked"), -EINVAL);
        assert_int_equal(mi_http_add_header(x, "X-Good", "tab\tand utf-8 \xc3\xa9"), 0);
        mi_str h = mi_http_header(x, "x-REQ");
        assert_non_null(h.p);
        mi_http_body_copy(x, h.p, h.n);
        assert_null(mi_http_header(x, "X-Missing").p);
        assert_int_equal(mi_http_header_count(x), 2);
        mi_str n, v;
        mi_http_header_at(x, 1, &n, &v);
        assert_int_equal(n.n, 5);
        mi_http_header_at(x, 7, &n, &v);
        assert_null(n.p);
        mi_http_finish(x);
        mi_http_finish(x); /* a second finish is ignored */
        return;
    }
    if (p.n > 8 && memcmp(p.p, "/status/", 8) == 0) {
        mi_http_set_status(x, atoi(p.p + 8));
        mi_http_body_printf(x, "status %d", atoi(p.p + 8));
        mi_http_finish(x);
        return;
    }
    mi_http_body_printf(x, "%.*s %.*s q=%.*s v=%d b=", (int)m.n, m.p, (int)p.n, p.p, (int)q.n, q.p,
                        mi_http_version_minor(x));
    mi_http_body_copy(x, b.p, b.n);
    mi_http_finish(x);
}

static mi_http_server *srv;
static mi_tcp *listener;

static void start(const struct mi_http_limits *lim)
{
    int err = 0;
    nheld = 0;
    srv = mi_http_serve(MI_IPV4_ANY, 8080, app, lim, &err);
    assert_non_null(srv);
    listener = fake_all;
    assert_true(listener->listener);
}

static int teardown(void **state)
{
    (void)state;
    mi_http_server_close(srv);
    for (size_t i = 0; i < nheld; i++)
        mi_http_finish(held[i]); /* frees connections closed meanwhile */
    nheld = 0;
    fake_reset();
    assert_int_equal(mi_http_stats()->conns_active, 0);
    return 0;
}

/* Everything the server sent on t, split into responses. */
static size_t responses_h(mi_tcp *t, struct resp *out, size_t max, const bool *head, size_t nhead)
{
    size_t n = 0, off = 0, k;
    while (n < max &&
           (k = next_response(t->tx + off, t->tx_len - off, n < nhead && head[n], &out[n])) > 0) {
        off += k;
        n++;
    }
    assert_int_equal(off, t->tx_len); /* nothing partial or extra */
    return n;
}

static size_t responses(mi_tcp *t, struct resp *out, size_t max, const bool *unused)
{
    (void)unused;
    return responses_h(t, out, max, NULL, 0);
}

static void test_keep_alive(void **state)
{
    (void)state;
    start(NULL);
    mi_tcp *t = fake_connect(listener, 1 << 20);
    size_t writes = fake_writev_calls;
    fake_send_str(t, "GET /a?x=1 HTTP/1.1\r\nHost: h\r\n\r\n");
    fake_send_str(t, "GET /b HTTP/1.1\r\nHost: h\r\n\r\n");
    assert_int_equal(fake_writev_calls, writes + 2); /* head and body in one write each */
    struct resp r[4];
    assert_int_equal(responses(t, r, 4, NULL), 2);
    assert_int_equal(r[0].status, 200);
    assert_int_equal(r[0].body_len, strlen("GET /a q=x=1 v=1 b="));
    assert_memory_equal(r[0].body, "GET /a q=x=1 v=1 b=", r[0].body_len);
    assert_memory_equal(r[1].body, "GET /b q= v=1 b=", r[1].body_len);
    char v[64];
    assert_null(field(&r[0], "Connection", v, sizeof v)); /* 1.1: keep-alive is the default */
    assert_non_null(field(&r[0], "Date", v, sizeof v));
    assert_int_equal(strlen(v), 29);
    assert_false(t->closed);
    assert_false(t->shut);
}

static void test_http10(void **state)
{
    (void)state;
    start(NULL);
    mi_tcp *t = fake_connect(listener, 1 << 20);
    fake_send_str(t, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    struct resp r[2];
    assert_int_equal(responses(t, r, 2, NULL), 1);
    char v[64];
    assert_string_equal(field(&r[0], "Connection", v, sizeof v), "keep-alive");
    assert_false(t->shut);
    fake_send_str(t, "GET / HTTP/1.0\r\n\r\n"); /* no keep-alive: close after */
    assert_int_equal(responses(t, r, 2, NULL), 2);
    assert_string_equal(field(&r[1], "Connection", v, sizeof v), "close");
    assert_true(t->shut); /* FIN, then lingering until the client closes */
    assert_false(t->closed);
    fake_eof(t);
    assert_true(t->closed);
    assert_false(t->aborted);
}

static void test_pipelined_in_order(void **state)
{
    (void)state;
    start(NULL);
    mi_tcp *t = fake_connect(listener, 1 << 20);
    char batch[2048];
    size_t n = 0;
    for (int i = 0; i < 10; i++)
        n +=
            (size_t)snprintf(batch + n, sizeof batch - n, "GET /%d HTTP/1.1\r\nHost: h\r\n\r\n", i);
    fake_send(t, batch, n);
    struct resp r[12];
    assert_int_equal(responses(t, r, 12, NULL), 10);
    for (int i = 0; i < 10; i++) {
        char want[64];
        snprintf(want, sizeof want, "GET /%d q= v=1 b=", i);
        assert_int_equal(r[i].body_len, strlen(want));
        assert_memory_equal(r[i].body, want, r[i].body_len);
    }
}

/* A request answered later holds the ones behind it. */
static void test_async_holds_pipeline(void **state)
{
    (void)state;
    start(NULL);
    mi_tcp *t = fake_connect(listener, 1 << 20);
    fake_send_str(t,
                  "GET /async HTTP/1.1\r\nHost: h\r\n\r\nGET /after HTTP/1.1\r\nHost: h\r\n\r\n");
    assert_int_equal(nheld, 1);
    assert_int_equal(t->tx_len, 0);
    fake_send_str(t, "GET /more HTTP/1.1\r\nHost: h\r\n\r\n"); /* not read while held */
    assert_int_equal(t->tx_len, 0);
    fake_advance(60 * MI_NSEC_PER_SEC); /* no timeout while the application works */
    assert_false(t->closed);
    mi_http_exchange *x = held[--nheld];
    assert_int_equal(mi_http_path(x).n, 6);
    mi_http_body_copy(x, "late", 4);
    mi_http_finish(x);
    struct resp r[4];
    assert_int_equal(responses(t, r, 4, NULL), 3);
    assert_memory_equal(r[0].body, "late", 4);
    assert_memory_equal(r[1].body, "GET /after", 10);
    assert_memory_equal(r[2].body, "GET /more", 9);
}

/* The connection dies while the application holds the exchange: the
 * exchange stays usable and finishing it frees everything. */
static void test_async_after_close(void **state)
{
    (void)state;
    start(NULL);
    mi_tcp *t = fake_connect(listener, 1 << 20);
    fake_send_str(t, "GET /async HTTP/1.1\r\nHost: h\r\n\r\n");
    assert_int_equal(nheld, 1);
    mi_http_server_close(srv); /* closes the connection under the exchange */
    srv = NULL;
    assert_true(t->closed);
    mi_http_exchange *x = held[--nheld];
    assert_int_equal(mi_http_path(x).n, 6);
    mi_http_body_printf(x, "nobody reads this");
    mi_http_finish(x);
    assert_int_equal(t->tx_len, 0);
}

static void test_head(void **state)
{
    (void)state;
    start(NULL);
    mi_tcp *t = fake_connect(listener, 1 << 20);
    fake_send_str(t, "HEAD /big HTTP/1.1\r\nHost: h\r\n\r\nGET /x HTTP/1.1\r\nHost: h\r\n\r\n");
    struct resp r[3];
    bool head[] = {true, false};
    assert_int_equal(responses_h(t, r, 3, head, 2), 2);
    char v[64];
    assert_string_equal(field(&r[0], "Content-Length", v, sizeof v), "1048576");
    assert_string_equal(field(&r[0], "Content-Type", v, sizeof v), "application/octet-stream");
    assert_memory_equal(r[1].body, "GET /x", 6);
}

static void test_headers_api(void **state)
{
    (void)state;
    start(NULL);
    mi_tcp *t = fake_connect(listener, 1 << 20);
    fake_send_str(t, "GET /headers HTTP/1.1\r\nHost: h\r\nX-Req: value 1\r\n\r\n");
    struct resp r[2];
    assert_int_equal(responses(t, r, 2, NULL), 1);
    assert_int_equal(r[0].status, 200);
    assert_memory_equal(r[0].body, "value 1", 7);
    char v[64];
    assert_string_equal(field(&r[0], "X-Good", v, sizeof v), "tab\tand utf-8 \xc3\xa9");
    assert_null(strstr(r[0].head, "Set-Cookie"));
}

static void test_status_codes(void **state)
{
    (void)state;
    start(NULL);
    mi_tcp *t = fake_connect(listener, 1 << 20);
    fake_send_str(t, "GET /status/204 HTTP/1.1\r\nHost: h\r\n\r\n"
                     "GET /status/418 HTTP/1.1\r\nHost: h\r\n\r\n"
                     "GET /status/99 HTTP/1.1\r\nHost: h\r\n\r\n");
    struct resp r[4];
    assert_int_equal(responses(t, r, 4, NULL), 3);
    assert_int_equal(r[0].status, 204);
    assert_null(strstr(r[0].head, "Content-Length")); /* and no body */
    assert_int_equal(r[1].status, 418);
    assert_int_equal(r[2].status, 500); /* not a final status */
}

static void test_post_content_length(void **state)
{
    (void)state;
    start(NULL);
    mi_tcp *t = fake_connect(listener, 1 << 20);
    fake_send_str(t, "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello");
    assert_int_equal(t->tx_len, 0);
    fake_send_str(t, " world");
    struct resp r[2];
    assert_int_equal(responses(t, r, 2, NULL), 1);
    assert_memory_equal(r[0].body, "POST /p q= v=1 b=hello world", r[0].body_len);
}

static void test_expect_continue(void **state)
{
    (void)state;
    struct mi_http_limits lim = {.max_body_bytes = 100};
    start(&lim);
    mi_tcp *t = fake_connect(listener, 1 << 20);
    fake_send_str(t, "POST /p HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
                     "Content-Length: 3\r\n\r\n");
    char *out = fake_output(t);
    assert_string_equal(out, "HTTP/1.1 100 Continue\r\n\r\n");
    free(out);
    fake_send_str(t, "abc");
    out = fake_output(t);
    assert_non_null(strstr(out, "\r\n\r\nPOST /p q= v=1 b=abc"));
    free(out);

    /* too large: 413 at once, no 100, and the connection ends */
    mi_tcp *u = fake_connect(listener, 1 << 20);
    fake_send_str(u, "POST /p HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
                     "Content-Length: 101\r\n\r\n");
    struct resp r[2];
    assert_int_equal(responses(u, r, 2, NULL), 1);
    assert_int_equal(r[0].status, 413);
    assert_true(u->shut);

    /* the body already on its way: no 100 */
    mi_tcp *w = fake_connect(listener, 1 << 20);
    fake_send_str(w, "POST /p HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
                     "Content-Length: 2\r\n\r\nok");
    assert_int_equal(responses(w, r, 2, NULL), 1);
    assert_int_equal(r[0].status, 200);
}

/* A chunked body cut at every byte boundary gives the same request. */
static void test_chunked_any_split(void **state)
{
    (void)state;
    const char *req = "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "4;x=y\r\nWiki\r\n6\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\n"
                      "Trailer: t\r\n\r\nGET /next HTTP/1.1\r\nHost: h\r\n\r\n";
    const char *want = "POST /c q= v=1 b=Wikipedia in \r\n\r\nchunks.";
    size_t len = strlen(req);
    start(NULL);
    for (size_t split = 1; split < len; split++) {
        mi_tcp *t = fake_connect(listener, 1 << 20);
        fake_send(t, req, split);
        fake_send(t, req + split, len - split);
        struct resp r[3];
        assert_int_equal(responses(t, r, 3, NULL), 2);
        assert_int_equal(r[0].body_len, strlen(want));
        assert_memory_equal(r[0].body, want, r[0].body_len);
        assert_memory_equal(r[1].body, "GET /next", 9);
        fake_eof(t);
        assert_true(t->closed);
    }
    /* and byte by byte */
    mi_tcp *t = fake_connect(listener, 1 << 20);
    for (size_t i = 0; i < len; i++)
        fake_send(t, req + i, 1);
    struct resp r[3];
    assert_int_equal(responses(t, r, 3, NULL), 2);
    assert_memory_equal(r[0].body, want, r[0].body_len);
}

static void expect_refused(const char *request, int status, const uint64_t *counter)
{
    uint64_t before = *counter;
    mi_tcp *t = fake_connect(listener, 1 << 20);
    fake_send_str(t, request);
    struct resp r[2];
    if (responses(t, r, 2, NULL) != 1 || r[0].status != status)
        fail_msg("\"%.40s...\": want %d, got %d", request, status, r[0].status);
    char v[64];
    assert_string_equal(field(&r[0], "Connection", v, sizeof v), "close");
    assert_true(t->shut);
    assert_int_equal(*counter, before + 1);
    /* what follows is never answered */
    size_t sent = t->tx_len;
    fake_send_str(t, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    assert_int_equal(t->tx_len, sent);
}

static void test_refusals(void **state)
{
    (void)state;
    struct mi_http_limits lim = {
        .max_header_bytes = 1024, .max_uri_bytes = 256, .max_body_bytes = 64};
    start(&lim);
    const struct mi_http_stats *s = mi_http_stats();
    expect_refused("GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400, &s->bad_syntax);
    expect_refused("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n", 400, &s->bad_syntax);
    expect_refused("\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03", 400, &s->bad_syntax);
    expect_refused("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n"
                   "Transfer-Encoding: chunked\r\n\r\n",
                   400, &s->bad_framing);
    expect_refused("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
                   400, &s->bad_framing);
    expect_refused("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", 400,
                   &s->bad_framing);
    expect_refused("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400,
                   &s->bad_framing);
    expect_refused("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "41\r\n",
                   413, &s->body_too_large);
    expect_refused("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 65\r\n\r\n", 413,
                   &s->body_too_large);
    expect_refused("BREW / HTTP/1.1\r\nHost: h\r\n\r\n", 501, &s->not_implemented);
    expect_refused("GET / HTTP/2.0\r\n\r\n", 505, &s->bad_version);
    expect_refused("GET / HTTP/1.1\r\nHost: h\r\nExpect: nothing\r\n\r\n", 417,
                   &s->bad_expectation);

    char buf[4096];
    snprintf(buf, sizeof buf, "GET /%0300d HTTP/1.1\r\nHost: h\r\n\r\n", 0);
    expect_refused(buf, 414, &s->uri_too_long);
    int n = snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\nHost: h\r\nX: ");
    memset(buf + n, 'x', 1100);
    strcpy(buf + n + 1100, "\r\n\r\n");
    expect_refused(buf, 431, &s->header_too_large);
    /* the same without the end of the head: 431 as soon as it cannot fit */
    buf[n + 1100] = '\0';
    expect_refused(buf, 431, &s->header_too_large);

    /* a refused HEAD gets no body */
    mi_tcp *t = fake_connect(listener, 1 << 20);
    fake_send_str(t, "HEAD / HTTP/1.1\r\nHost: h\r\nExpect: x\r\n\r\n");
    struct resp r[2];
    bool head[] = {true};
    assert_int_equal(responses_h(t, r, 2, head, 1), 1);
    assert_int_equal(r[0].status, 417);
}

static void test_timeouts(void **state)
{
    (void)state;
    struct mi_http_limits lim = {.idle_timeout_ns = 5 * MI_NSEC_PER_SEC,
                                 .request_timeout_ns = 2 * MI_NSEC_PER_SEC};
    start(&lim);
    const struct mi_http_stats *s = mi_http_stats();
    uint64_t idle = s->timeouts_idle, req = s->timeouts_request, wr = s->timeouts_write;

    /* connected, silent: dropped after the idle timeout, as a kept-alive
     * connection (the request's clock starts with its first byte) */
    mi_tcp *silent = fake_connect(listener, 1 << 20);
    /* keep-alive, idle after one request */
    mi_tcp *ka = fake_connect(listener, 1 << 20);
    fake_send_str(ka, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    /* slow: a request that never completes */
    mi_tcp *slow = fake_connect(listener, 1 << 20);
    fake_send_str(slow, "GET / HTTP/1.1\r\nHo");
    /* a reader that stops reading a large response */
    mi_tcp *stuck = fake_connect(listener, 4096);
    fake_send_str(stuck, "GET /big HTTP/1.1\r\nHost: h\r\n\r\n");

    fake_advance(MI_NSEC_PER_SEC);
    fake_send_str(slow, "s"); /* a byte now and then does not extend the deadline */
    assert_false(slow->shut);
    fake_advance(MI_NSEC_PER_SEC + 1);
    assert_false(silent->closed);
    assert_true(slow->shut);
    char *out = fake_output(slow);
    assert_non_null(strstr(out, "HTTP/1.1 408 Request Timeout\r\n"));
    free(out);
    assert_int_equal(s->timeouts_request, req + 1);
    assert_false(ka->closed);
    assert_false(stuck->closed);

    fake_advance(3 * MI_NSEC_PER_SEC + 1);
    assert_true(silent->closed);
    assert_true(ka->closed);
    assert_false(ka->aborted);
    assert_true(stuck->closed);
    assert_true(stuck->aborted);
    assert_int_equal(s->timeouts_idle, idle + 2);
    assert_int_equal(s->timeouts_write, wr + 1);
    /* the lingering 408 connection goes too */
    fake_advance(3 * MI_NSEC_PER_SEC);
    assert_true(slow->closed);
}

/* A 1 MiB body goes out in pieces as the client reads; pipelined requests
 * wait behind it and are not even read meanwhile. */
static void test_backpressure(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)(i * 7 + i / 251);
    start(NULL);
    mi_tcp *t = fake_connect(listener, 10000);
    fake_send_str(t, "GET /big HTTP/1.1\r\nHost: h\r\n\r\nGET /after HTTP/1.1\r\nHost: h\r\n\r\n");
    assert_int_equal(t->tx_len, 10000);
    size_t unread = t->rx_len - t->rx_off;
    const char *third = "GET /third HTTP/1.1\r\nHost: h\r\n\r\n";
    fake_send_str(t, third);
    assert_int_equal(t->rx_len - t->rx_off, unread + strlen(third)); /* not read while writing */
    int rounds = 0;
    while (t->want_writable) {
        fake_drain(t);
        rounds++;
    }
    assert_true(rounds > 100);
    struct resp r[4];
    assert_int_equal(responses(t, r, 4, NULL), 3);
    assert_int_equal(r[0].body_len, sizeof big);
    assert_memory_equal(r[0].body, big, sizeof big);
    assert_memory_equal(r[1].body, "GET /after", 10);
    assert_memory_equal(r[2].body, "GET /third", 10);
    /* The application's mi_http_body_ref need only live until the
     * response is written: copied into TCP, never lent to it. */
    assert_int_equal(fake_write_ref_bytes, 0);
}

/* A client pipelining without end gets its turn, then the others theirs. */
static void test_fair_turns(void **state)
{
    (void)state;
    start(NULL);
    mi_tcp *greedy = fake_connect(listener, 1 << 20);
    mi_tcp *other = fake_connect(listener, 1 << 20);
    static char batch[200 * 40];
    size_t n = 0;
    for (int i = 0; i < 200; i++)
        n += (size_t)snprintf(batch + n, sizeof batch - n, "GET /%03d HTTP/1.1\r\nHost: h\r\n\r\n",
                              i);
    fake_hold_deferred = true;
    fake_send(greedy, batch, n);
    struct resp *r = calloc(201, sizeof *r);
    assert_int_equal(responses(greedy, r, 201, NULL), 64); /* one turn */
    fake_send_str(other, "GET /other HTTP/1.1\r\nHost: h\r\n\r\n");
    assert_int_equal(responses(other, r, 2, NULL), 1); /* served meanwhile */
    fake_run_deferred();                               /* its next turns */
    assert_int_equal(responses(greedy, r, 201, NULL), 200);
    for (int i = 0; i < 200; i++) {
        char want[32];
        snprintf(want, sizeof want, "GET /%03d", i);
        assert_memory_equal(r[i].body, want, strlen(want));
    }
    /* closing the server with a turn pending: freed when it comes */
    fake_send(greedy, batch, n);
    mi_http_server_close(srv);
    srv = NULL;
    fake_run_deferred();
    assert_true(greedy->closed);
    free(r);
}

static void test_half_close(void **state)
{
    (void)state;
    start(NULL);
    mi_tcp *t = fake_connect(listener, 1 << 20);
    t->rx_eof = true; /* request and FIN arrive together */
    fake_send_str(t, "GET /x HTTP/1.1\r\nHost: h\r\n\r\nGET /y HTTP/1.1\r\nHost: h\r\n\r\n");
    struct resp r[3];
    assert_int_equal(responses(t, r, 3, NULL), 2);
    /* both answered (the FIN is seen only after them), then closed */
    assert_memory_equal(r[1].body, "GET /y", 6);
    assert_true(t->closed);
    assert_false(t->aborted);

    /* FIN in the middle of a request: closed, counted, no response */
    uint64_t inc = mi_http_stats()->incomplete_eof;
    mi_tcp *u = fake_connect(listener, 1 << 20);
    fake_send_str(u, "GET /x HTTP/1.1\r\n");
    fake_eof(u);
    assert_true(u->closed);
    assert_int_equal(u->tx_len, 0);
    assert_int_equal(mi_http_stats()->incomplete_eof, inc + 1);
}

static void test_errors_from_socket(void **state)
{
    (void)state;
    start(NULL);
    const struct mi_http_stats *s = mi_http_stats();
    uint64_t re = s->read_errors, we = s->write_errors;
    mi_tcp *t = fake_connect(listener, 1 << 20);
    t->rx_error = -ECONNRESET;
    fake_send_str(t, "GET / HTTP/1.1\r\n");
    assert_true(t->closed);
    assert_int_equal(s->read_errors, re + 1);

    mi_tcp *u = fake_connect(listener, 1 << 20);
    u->write_error = -EPIPE;
    fake_send_str(u, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    assert_true(u->closed);
    assert_true(u->aborted);
    assert_int_equal(s->write_errors, we + 1);
}

static void test_max_connections(void **state)
{
    (void)state;
    struct mi_http_limits lim = {.max_connections = 2};
    start(&lim);
    uint64_t refused = mi_http_stats()->conns_refused;
    mi_tcp *a = fake_connect(listener, 1 << 20);
    mi_tcp *b = fake_connect(listener, 1 << 20);
    mi_tcp *c = fake_connect(listener, 1 << 20);
    assert_false(a->closed);
    assert_false(b->closed);
    assert_true(c->closed);
    assert_true(c->aborted);
    assert_int_equal(mi_http_stats()->conns_refused, refused + 1);
    assert_int_equal(mi_http_stats()->conns_active, 2);
    fake_eof(a);
    mi_tcp *d = fake_connect(listener, 1 << 20);
    assert_false(d->closed);
}

static void test_listen_error(void **state)
{
    (void)state;
    fake_listen_error = -EACCES;
    int err = 0;
    assert_null(mi_http_serve(MI_IPV4_ANY, 80, app, NULL, &err));
    assert_int_equal(err, -EACCES);
    fake_listen_error = 0;
    start(NULL);
}

int main(void)
{
#define T(fn) cmocka_unit_test_teardown(fn, teardown)
    const struct CMUnitTest tests[] = {
        T(test_keep_alive),
        T(test_http10),
        T(test_pipelined_in_order),
        T(test_async_holds_pipeline),
        T(test_async_after_close),
        T(test_head),
        T(test_headers_api),
        T(test_status_codes),
        T(test_post_content_length),
        T(test_expect_continue),
        T(test_chunked_any_split),
        T(test_refusals),
        T(test_timeouts),
        T(test_backpressure),
        T(test_fair_turns),
        T(test_half_close),
        T(test_errors_from_socket),
        T(test_max_connections),
        T(test_listen_error),
    };
    fake_verbose = getenv("FAKE_VERBOSE") != NULL;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
