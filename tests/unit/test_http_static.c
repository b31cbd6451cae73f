/* SPDX-License-Identifier: ISC */
/* mi_http_serve_kv (runtime/http/static.c) on a store packed from a real
 * directory (tool/pack.c), through the server on the fake socket:
 * content types, index.html and directory redirects, validators and
 * conditional requests, ranges, 404/405/400 pages, HEAD, a URL prefix. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <mirari/http.h>

#include "http/date.h"
#include "kv_format.h"
#include "kv/image.h"
#include "pack.h"
#include "test_http_fake.h"

static char top[256];
static unsigned char *image;
static struct mi_kv store;
static char big[100000];

static void put(const char *rel, const void *data, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/tree/%s", top, rel);
    for (char *s = path + strlen(top) + 6; (s = strchr(s, '/')) != NULL; s++) {
        *s = '\0';
        mkdir(path, 0755);
        *s = '/';
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
    /* a fixed mtime, for Last-Modified: 2023-11-14 22:13:20 UTC */
    struct timeval tv[2] = {{1700000000, 0}, {1700000000, 0}};
    utimes(path, tv);
}

static int setup(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(top, sizeof top, "%s/mirari-test-static-XXXXXX", tmp ? tmp : P_tmpdir);
    if (mkdtemp(top) == NULL)
        return -1;
    char tree[300], out[300], err[256];
    snprintf(tree, sizeof tree, "%s/tree", top);
    mkdir(tree, 0755);
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)('a' + i % 26);
    put("index.html", "<h1>home</h1>", 13);
    put("css/site.css", "body{}", 6);
    put("docs/index.html", "<h1>docs</h1>", 13);
    put("docs/guide.txt", "guide", 5);
    put("nodex/file.json", "{}", 2);
    put("a b/c?d#e.txt", "odd", 3);
    put("big.bin", big, sizeof big);
    put("empty.txt", "", 0);
    snprintf(out, sizeof out, "%s/store.img", top);
    if (pack_dir(tree, out, PACK_DOTFILES, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    int fd = open(out, O_RDONLY);
    struct stat st;
    fstat(fd, &st);
    if (posix_memalign((void **)&image, 16, (size_t)st.st_size) != 0 ||
        read(fd, image, (size_t)st.st_size) != st.st_size)
        return -1;
    close(fd);
    return kv_image_parse(image, (size_t)st.st_size, &store);
}

static int cleanup(void **state)
{
    (void)state;
    free(image);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
    return system(cmd);
}

/* ---- the application: the store at /, and again below /static ---- */

static void app(mi_http_exchange *x)
{
    mi_str p = mi_http_path(x);
    if (p.n == 8 && memcmp(p.p, "/nostore", 8) == 0)
        mi_http_serve_kv(x, NULL, "/"); /* a store name the app got wrong */
    else if (p.n >= 7 && memcmp(p.p, "/static", 7) == 0)
        mi_http_serve_kv(x, &store, "/static/");
    else
        mi_http_serve_kv(x, &store, "/");
}

static mi_http_server *srv;
static mi_tcp *listener;

static int start(void **state)
{
    (void)state;
    int err;
    srv = mi_http_serve(MI_IPV4_ANY, 80, app, NULL, &err);
    listener = fake_all;
    return srv == NULL;
}

static int stop(void **state)
{
    (void)state;
    mi_http_server_close(srv);
    fake_reset();
    return 0;
}

struct resp {
    int status;
    char head[2048];
    const char *body;
    size_t body_len;
    char *raw;
};

/* One request on a new connection; the whole response. */
static void get(const char *request, bool head, struct resp *r)
{
    mi_tcp *t = fake_connect(listener, 1 << 20);
    fake_send(t, request, strlen(request));
    free(r->raw);
    r->raw = fake_output(t);
    char *end = strstr(r->raw, "\r\n\r\n");
    assert_non_null(end);
    size_t hlen = (size_t)(end + 4 - r->raw);
    assert_true(hlen < sizeof r->head);
    memcpy(r->head, r->raw, hlen);
    r->head[hlen] = '\0';
    assert_int_equal(sscanf(r->head, "HTTP/1.1 %d", &r->status), 1);
    r->body = end + 4;
    r->body_len = t->tx_len - hlen;
    const char *cl = strstr(r->head, "\r\nContent-Length: ");
    if (!head && cl != NULL)
        assert_int_equal(strtoul(cl + 18, NULL, 10), r->body_len);
    if (head)
        assert_int_equal(r->body_len, 0);
}

static const char *field(const struct resp *r, const char *name)
{
    static char out[512];
    char key[64];
    snprintf(key, sizeof key, "\r\n%s: ", name);
    const char *f = strstr(r->head, key);
    if (f == NULL)
        return NULL;
    f += strlen(key);
    size_t n = strcspn(f, "\r");
    memcpy(out, f, n);
    out[n] = '\0';
    return out;
}

static void request(struct resp *r, const char *method, const char *target, const char *extra)
{
    char buf[2048];
    snprintf(buf, sizeof buf, "%s %s HTTP/1.1\r\nHost: h\r\n%s\r\n", method, target,
             extra ? extra : "");
    get(buf, strcmp(method, "HEAD") == 0, r);
}

static void test_files_and_types(void **state)
{
    (void)state;
    struct resp r = {0};
    request(&r, "GET", "/css/site.css", NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(field(&r, "Content-Type"), "text/css; charset=utf-8");
    assert_string_equal(field(&r, "Accept-Ranges"), "bytes");
    assert_string_equal(field(&r, "Last-Modified"), "Tue, 14 Nov 2023 22:13:20 GMT");
    assert_int_equal(strlen(field(&r, "ETag")), 18);
    assert_memory_equal(r.body, "body{}", 6);

    request(&r, "GET", "/nodex/file.json", NULL);
    assert_string_equal(field(&r, "Content-Type"), "application/json");
    size_t by_ref = fake_write_ref_bytes;
    request(&r, "GET", "/big.bin", NULL);
    assert_string_equal(field(&r, "Content-Type"), "application/octet-stream");
    assert_int_equal(r.body_len, sizeof big);
    assert_memory_equal(r.body, big, sizeof big);
    /* The file went to TCP by reference (no copy), the head did not. */
    assert_int_equal(fake_write_ref_bytes, by_ref + sizeof big);
    request(&r, "GET", "/empty.txt", NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(field(&r, "Content-Length"), "0");
    /* names with spaces and URL delimiters, percent-encoded */
    request(&r, "GET", "/a%20b/c%3Fd%23e.txt", NULL);
    assert_int_equal(r.status, 200);
    assert_memory_equal(r.body, "odd", 3);
    request(&r, "GET", "/a%20b/c?d#e.txt", NULL); /* '?' starts the query */
    assert_int_equal(r.status, 404);
    /* HEAD: the same fields, no body */
    request(&r, "HEAD", "/big.bin", NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(field(&r, "Content-Length"), "100000");
    free(r.raw);
}

static void test_directories(void **state)
{
    (void)state;
    struct resp r = {0};
    request(&r, "GET", "/", NULL);
    assert_int_equal(r.status, 200);
    assert_memory_equal(r.body, "<h1>home</h1>", 13);
    request(&r, "GET", "/docs/", NULL);
    assert_int_equal(r.status, 200);
    assert_memory_equal(r.body, "<h1>docs</h1>", 13);
    request(&r, "GET", "//docs//", NULL);
    assert_int_equal(r.status, 200);
    request(&r, "GET", "/docs", NULL);
    assert_int_equal(r.status, 301);
    assert_string_equal(field(&r, "Location"), "/docs/");
    assert_string_equal(field(&r, "Content-Type"), "text/html; charset=utf-8");
    request(&r, "GET", "/docs?x=1&y", NULL);
    assert_string_equal(field(&r, "Location"), "/docs/?x=1&y");
    request(&r, "GET", "/a%20b", NULL);
    assert_int_equal(r.status, 301);
    assert_string_equal(field(&r, "Location"), "/a%20b/");
    /* never a protocol-relative Location to another host */
    request(&r, "GET", "//evil.example/../docs", NULL);
    assert_int_equal(r.status, 400);
    request(&r, "GET", "//docs", NULL);
    assert_int_equal(r.status, 301);
    assert_string_equal(field(&r, "Location"), "/docs/");
    /* a directory without index.html, and a file asked for as a directory */
    request(&r, "GET", "/nodex/", NULL);
    assert_int_equal(r.status, 404);
    request(&r, "GET", "/nodex", NULL);
    assert_int_equal(r.status, 301);
    request(&r, "GET", "/css/site.css/", NULL);
    assert_int_equal(r.status, 404);
    request(&r, "GET", "/missing", NULL);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(r.body, "404 Not Found"));
    request(&r, "GET", "/nostore", NULL);
    assert_int_equal(r.status, 500);
    free(r.raw);
}

static void test_traversal(void **state)
{
    (void)state;
    static const char *targets[] = {
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/docs/..%2f..%2fetc%2fpasswd",
        "/docs/%2e%2e/index.html",
        "/a%00b",
        "/a%5c..%5cb",
        "/docs/..",
        "/%2",
    };
    struct resp r = {0};
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        request(&r, "GET", targets[i], NULL);
        if (r.status != 400)
            fail_msg("%s: %d", targets[i], r.status);
    }
    free(r.raw);
}

static void test_methods(void **state)
{
    (void)state;
    struct resp r = {0};
    get("POST /index.html HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nab", false, &r);
    assert_int_equal(r.status, 405);
    assert_string_equal(field(&r, "Allow"), "GET, HEAD");
    assert_non_null(strstr(r.body, "405 Method Not Allowed"));
    request(&r, "DELETE", "/", NULL);
    assert_int_equal(r.status, 405);
    request(&r, "OPTIONS", "*", NULL);
    assert_int_equal(r.status, 405);
    free(r.raw);
}

static void test_conditionals(void **state)
{
    (void)state;
    struct resp r = {0};
    request(&r, "GET", "/index.html", NULL);
    char etag[32], extra[256];
    strcpy(etag, field(&r, "ETag"));

    snprintf(extra, sizeof extra, "If-None-Match: %s\r\n", etag);
    request(&r, "GET", "/index.html", extra);
    assert_int_equal(r.status, 304);
    assert_int_equal(r.body_len, 0);
    assert_null(field(&r, "Content-Length"));
    assert_string_equal(field(&r, "ETag"), etag);
    snprintf(extra, sizeof extra, "If-None-Match: \"x\", W/%s\r\n", etag);
    request(&r, "GET", "/index.html", extra);
    assert_int_equal(r.status, 304);
    request(&r, "GET", "/index.html", "If-None-Match: *\r\n");
    assert_int_equal(r.status, 304);
    request(&r, "GET", "/index.html", "If-None-Match: \"0000000000000000\"\r\n");
    assert_int_equal(r.status, 200);
    /* If-None-Match wins over If-Modified-Since */
    request(&r, "GET", "/index.html",
            "If-None-Match: \"0\"\r\nIf-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT\r\n");
    assert_int_equal(r.status, 200);

    request(&r, "GET", "/index.html", "If-Modified-Since: Tue, 14 Nov 2023 22:13:20 GMT\r\n");
    assert_int_equal(r.status, 304);
    request(&r, "HEAD", "/index.html", "If-Modified-Since: Wed, 15 Nov 2023 00:00:00 GMT\r\n");
    assert_int_equal(r.status, 304);
    request(&r, "GET", "/index.html", "If-Modified-Since: Tue, 14 Nov 2023 22:13:19 GMT\r\n");
    assert_int_equal(r.status, 200);
    request(&r, "GET", "/index.html", "If-Modified-Since: yesterday\r\n");
    assert_int_equal(r.status, 200);
    free(r.raw);
}

static void test_ranges(void **state)
{
    (void)state;
    struct resp r = {0};
    request(&r, "GET", "/big.bin", "Range: bytes=0-9\r\n");
    assert_int_equal(r.status, 206);
    assert_string_equal(field(&r, "Content-Range"), "bytes 0-9/100000");
    assert_int_equal(r.body_len, 10);
    assert_memory_equal(r.body, big, 10);
    request(&r, "GET", "/big.bin", "Range: bytes=99990-\r\n");
    assert_int_equal(r.status, 206);
    assert_string_equal(field(&r, "Content-Range"), "bytes 99990-99999/100000");
    assert_memory_equal(r.body, big + 99990, 10);
    request(&r, "GET", "/big.bin", "Range: bytes=-5\r\n");
    assert_string_equal(field(&r, "Content-Range"), "bytes 99995-99999/100000");
    request(&r, "GET", "/big.bin", "Range: bytes=100000-\r\n");
    assert_int_equal(r.status, 416);
    assert_string_equal(field(&r, "Content-Range"), "bytes */100000");
    request(&r, "GET", "/empty.txt", "Range: bytes=-5\r\n");
    assert_int_equal(r.status, 416);
    assert_string_equal(field(&r, "Content-Range"), "bytes */0");
    /* several ranges that coalesce: one part, no multipart (RFC 9110 §14.6) */
    request(&r, "GET", "/big.bin", "Range: bytes=5-9,0-4,3-6\r\n");
    assert_int_equal(r.status, 206);
    assert_string_equal(field(&r, "Content-Range"), "bytes 0-9/100000");
    assert_memory_equal(r.body, big, 10);
    /* several, none satisfiable */
    request(&r, "GET", "/big.bin", "Range: bytes=100000-,200000-300000\r\n");
    assert_int_equal(r.status, 416);
    assert_string_equal(field(&r, "Content-Range"), "bytes */100000");
    assert_string_equal(field(&r, "Content-Type"), "text/html; charset=utf-8");
    request(&r, "GET", "/big.bin", "Range: pages=1\r\n");
    assert_int_equal(r.status, 200);
    /* HEAD ignores Range */
    request(&r, "HEAD", "/big.bin", "Range: bytes=0-9\r\n");
    assert_int_equal(r.status, 200);
    /* If-Range: the range only while the validator holds */
    request(&r, "GET", "/big.bin", NULL);
    char extra[256], etag[32];
    strcpy(etag, field(&r, "ETag"));
    snprintf(extra, sizeof extra, "Range: bytes=0-0\r\nIf-Range: %s\r\n", etag);
    request(&r, "GET", "/big.bin", extra);
    assert_int_equal(r.status, 206);
    request(&r, "GET", "/big.bin", "Range: bytes=0-0\r\nIf-Range: \"other\"\r\n");
    assert_int_equal(r.status, 200);
    request(&r, "GET", "/big.bin",
            "Range: bytes=0-0\r\nIf-Range: Tue, 14 Nov 2023 22:13:20 GMT\r\n");
    assert_int_equal(r.status, 206);
    free(r.raw);
}

/* RFC 9110 §14.6: several ranges as multipart/byteranges, each part with
 * its Content-Type and Content-Range, delimited by the boundary named in
 * the Content-Type; Content-Length is that of the whole body. */
static void test_rfc9110_14_6_multipart(void **state)
{
    (void)state;
    struct resp r = {0};
    request(&r, "GET", "/big.bin", NULL);
    char etag[32];
    strcpy(etag, field(&r, "ETag"));
    request(&r, "GET", "/big.bin", "Range: bytes=-3, 0-1,5-6\r\n");
    assert_int_equal(r.status, 206);
    assert_null(field(&r, "Content-Range"));
    char b[64], want[1024];
    snprintf(b, sizeof b, "mirari-%.16s", etag + 1);
    char ct[128];
    snprintf(ct, sizeof ct, "multipart/byteranges; boundary=%s", b);
    assert_string_equal(field(&r, "Content-Type"), ct);
    int n = snprintf(want, sizeof want,
                     "--%s\r\nContent-Type: application/octet-stream\r\n"
                     "Content-Range: bytes 0-1/100000\r\n\r\nab\r\n"
                     "--%s\r\nContent-Type: application/octet-stream\r\n"
                     "Content-Range: bytes 5-6/100000\r\n\r\nfg\r\n"
                     "--%s\r\nContent-Type: application/octet-stream\r\n"
                     "Content-Range: bytes 99997-99999/100000\r\n\r\n%.3s\r\n"
                     "--%s--\r\n",
                     b, b, b, big + 99997, b);
    assert_int_equal(r.body_len, (size_t)n); /* get() checked Content-Length */
    assert_memory_equal(r.body, want, (size_t)n);
    /* a text file: the part's Content-Type is the file's */
    request(&r, "GET", "/docs/guide.txt", "Range: bytes=0-0,4-4\r\n");
    assert_int_equal(r.status, 206);
    assert_non_null(strstr(r.body, "Content-Type: text/plain; charset=utf-8\r\n"
                                   "Content-Range: bytes 4-4/5\r\n\r\ne\r\n"));
    /* more range-specs than HTTP_MAX_RANGES (32): ignored, the whole 200 */
    char extra[1024];
    size_t k = (size_t)snprintf(extra, sizeof extra, "Range: bytes=0-0");
    for (int i = 1; i < 33; i++)
        k += (size_t)snprintf(extra + k, sizeof extra - k, ",%d-%d", 2 * i, 2 * i);
    snprintf(extra + k, sizeof extra - k, "\r\n");
    request(&r, "GET", "/big.bin", extra);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body_len, sizeof big);
    /* 32 of them: 32 parts */
    k = (size_t)snprintf(extra, sizeof extra, "Range: bytes=0-0");
    for (int i = 1; i < 32; i++)
        k += (size_t)snprintf(extra + k, sizeof extra - k, ",%d-%d", 2 * i, 2 * i);
    snprintf(extra + k, sizeof extra - k, "\r\n");
    request(&r, "GET", "/big.bin", extra);
    assert_int_equal(r.status, 206);
    size_t parts = 0;
    for (const char *p = r.body; (p = strstr(p, "Content-Range: bytes ")) != NULL; p++)
        parts++;
    assert_int_equal(parts, 32);
    /* a multipart body over 64 KiB is not copied: the whole 200 */
    request(&r, "GET", "/big.bin", "Range: bytes=0-0,2-65000\r\n");
    assert_int_equal(r.status, 206);
    assert_true(r.body_len > 65000 && r.body_len <= 65536);
    request(&r, "GET", "/big.bin", "Range: bytes=0-0,2-65536\r\n");
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body_len, sizeof big);
    /* If-Range that fails: the whole 200, not the parts */
    request(&r, "GET", "/big.bin", "Range: bytes=0-1,5-6\r\nIf-Range: \"x\"\r\n");
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body_len, sizeof big);
    free(r.raw);
}

/* RFC 9110 §13.1.1 If-Match, §13.1.4 If-Unmodified-Since, and the order
 * of evaluation of §13.2.2. The file's mtime is 2023-11-14 22:13:20. */
static void test_rfc9110_13_preconditions(void **state)
{
    (void)state;
    struct resp r = {0};
    request(&r, "GET", "/index.html", NULL);
    char etag[32], extra[512];
    strcpy(etag, field(&r, "ETag"));

    snprintf(extra, sizeof extra, "If-Match: %s\r\n", etag);
    request(&r, "GET", "/index.html", extra);
    assert_int_equal(r.status, 200);
    snprintf(extra, sizeof extra, "If-Match: \"a\", %s\r\n", etag);
    request(&r, "GET", "/index.html", extra);
    assert_int_equal(r.status, 200);
    request(&r, "GET", "/index.html", "If-Match: *\r\n");
    assert_int_equal(r.status, 200);
    request(&r, "GET", "/index.html", "If-Match: \"0000000000000000\"\r\n");
    assert_int_equal(r.status, 412);
    request(&r, "HEAD", "/index.html", "If-Match: \"0000000000000000\"\r\n");
    assert_int_equal(r.status, 412);
    /* strong comparison: our tag given as weak does not match */
    snprintf(extra, sizeof extra, "If-Match: W/%s\r\n", etag);
    request(&r, "GET", "/index.html", extra);
    assert_int_equal(r.status, 412);

    request(&r, "GET", "/index.html", "If-Unmodified-Since: Tue, 14 Nov 2023 22:13:20 GMT\r\n");
    assert_int_equal(r.status, 200);
    request(&r, "GET", "/index.html", "If-Unmodified-Since: Tue, 14 Nov 2023 22:13:19 GMT\r\n");
    assert_int_equal(r.status, 412);
    request(&r, "GET", "/index.html", "If-Unmodified-Since: not a date\r\n");
    assert_int_equal(r.status, 200); /* ignored (§13.1.4) */

    /* §13.2.2 step 1 before 2: If-Match true, If-Unmodified-Since not looked at */
    snprintf(extra, sizeof extra,
             "If-Match: %s\r\nIf-Unmodified-Since: Mon, 01 Jan 2001 00:00:00 GMT\r\n", etag);
    request(&r, "GET", "/index.html", extra);
    assert_int_equal(r.status, 200);
    /* steps 1-2 before 3-4: a failing If-Match is 412 even when If-None-Match
     * would give 304 */
    snprintf(extra, sizeof extra, "If-Match: \"0\"\r\nIf-None-Match: %s\r\n", etag);
    request(&r, "GET", "/index.html", extra);
    assert_int_equal(r.status, 412);
    request(&r, "GET", "/index.html",
            "If-Unmodified-Since: Mon, 01 Jan 2001 00:00:00 GMT\r\n"
            "If-Modified-Since: Tue, 14 Nov 2023 22:13:20 GMT\r\n");
    assert_int_equal(r.status, 412);
    /* both hold: then If-None-Match decides (304) */
    snprintf(extra, sizeof extra, "If-Match: %s\r\nIf-None-Match: %s\r\n", etag, etag);
    request(&r, "GET", "/index.html", extra);
    assert_int_equal(r.status, 304);
    /* step 5: preconditions before the range: 412 rather than 206 */
    request(&r, "GET", "/big.bin", "If-Match: \"0\"\r\nRange: bytes=0-0\r\n");
    assert_int_equal(r.status, 412);
    free(r.raw);
}

static void test_prefix(void **state)
{
    (void)state;
    struct resp r = {0};
    request(&r, "GET", "/static/css/site.css", NULL);
    assert_int_equal(r.status, 200);
    request(&r, "GET", "/static/", NULL);
    assert_memory_equal(r.body, "<h1>home</h1>", 13);
    request(&r, "GET", "/static", NULL);
    assert_int_equal(r.status, 301);
    assert_string_equal(field(&r, "Location"), "/static/");
    request(&r, "GET", "/static/docs", NULL);
    assert_string_equal(field(&r, "Location"), "/static/docs/");
    request(&r, "GET", "/staticx/index.html", NULL); /* not below the prefix */
    assert_int_equal(r.status, 404);
    request(&r, "GET", "/static/../index.html", NULL);
    assert_int_equal(r.status, 400);
    free(r.raw);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, start, stop)
    const struct CMUnitTest tests[] = {
        T(test_files_and_types),
        T(test_directories),
        T(test_traversal),
        T(test_methods),
        T(test_conditionals),
        T(test_ranges),
        T(test_prefix),
        T(test_rfc9110_14_6_multipart),
        T(test_rfc9110_13_preconditions),
    };
    fake_verbose = getenv("FAKE_VERBOSE") != NULL;
    return cmocka_run_group_tests(tests, setup, cleanup);
}
