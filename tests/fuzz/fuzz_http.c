/* SPDX-License-Identifier: ISC */
/* The HTTP server on arbitrary input, two ways (the first byte chooses):
 *
 *   even: the pure parser on the bytes, the range parser on any Range
 *         field, then the chunked decoder on what follows a chunked
 *         head, fed in pieces;
 *   odd:  the whole connection machine (server.c, exchange.c, static.c)
 *         on the fake socket and clock of tests/unit/test_http_fake.h,
 *         driven by a little program in the input: send bytes, let the
 *         client read, move the clock, half-close, finish held requests,
 *         open another connection.
 *
 * The fake aborts on a read or write after close or a write after FIN;
 * ASan and LeakSanitizer watch the rest; every response must start with a
 * status line. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mirari/http.h>

#include "../unit/test_http_fake.h"
#include "http/parser.h"
#include "http/range.h"
#include "kv_format.h"
#include "kv/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- mode 1: the parser alone ---- */

/* A Range field against a few sizes: the ranges must come out sorted,
 * disjoint and not adjacent (coalesced), inside the size, and at most
 * HTTP_MAX_RANGES of them. */
static void fuzz_range(const char *v, size_t n)
{
    static const uint64_t sizes[] = {0, 1, 20, 1000, UINT64_MAX};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        struct http_byte_range r[HTTP_MAX_RANGES];
        size_t k = 0;
        if (http_range_parse(v, n, sizes[s], r, &k) != RANGE_OK)
            continue;
        if (k == 0 || k > HTTP_MAX_RANGES)
            abort();
        for (size_t i = 0; i < k; i++) {
            if (r[i].first > r[i].last || r[i].last >= sizes[s])
                abort();
            if (i > 0 && r[i].first <= r[i - 1].last + 1)
                abort();
        }
    }
}

static void fuzz_parser(const uint8_t *data, size_t size)
{
    struct http_parse_limits lim = {.max_header_bytes = 4096, .max_uri_bytes = 1024};
    struct http_request req;
    char *buf = malloc(size ? size : 1);
    memcpy(buf, data, size);
    long rc = http_parse_head(buf, size, &lim, &req);
    if (rc > (long)size)
        abort();
    if (rc > 0) {
        /* every span inside the head */
        for (size_t i = 0; i < req.nheaders; i++)
            if ((size_t)req.headers[i].value.off + req.headers[i].value.len > (size_t)rc ||
                (size_t)req.headers[i].name.off + req.headers[i].name.len > (size_t)rc)
                abort();
        if ((size_t)req.target.off + req.target.len > (size_t)rc)
            abort();
        for (size_t i = 0; i < req.nheaders; i++)
            if (http_token_eq(buf + req.headers[i].name.off, req.headers[i].name.len, "range"))
                fuzz_range(buf + req.headers[i].value.off, req.headers[i].value.len);
        if (req.chunked) {
            /* decode the rest in pieces of varying size, in place */
            struct http_chunked ch = {0};
            size_t have = (size_t)rc, w = (size_t)rc, fed = (size_t)rc;
            unsigned step = 1;
            int crc = 0;
            while (fed < size && crc == 0) {
                size_t piece = step % 7 + 1;
                step = step * 5 + 3;
                if (piece > size - fed)
                    piece = size - fed;
                memmove(buf + have, data + fed, piece); /* refill from the input */
                have += piece;
                fed += piece;
                size_t r = w;
                crc = http_chunked_decode(&ch, buf, &r, have, &w, 1 << 16);
                if (r > have || w > r)
                    abort();
                if (crc == 0)
                    have = w;
            }
        }
    }
    free(buf);
}

/* ---- mode 2: the connection machine ---- */

static unsigned char store_img[4096] __attribute__((aligned(16)));
static struct mi_kv store;
static bool store_ready;

/* A tiny store built by hand in the image format: three files. */
static void make_store(void)
{
    static const char *keys[] = {"a.txt", "dir/index.html", "z.bin"};
    static const char *vals[] = {"alpha", "<p>index</p>", "0123456789abcdef0123"};
    struct kv_header h = {.version = KV_VERSION, .header_size = sizeof h, .count = 3};
    memcpy(h.magic, KV_MAGIC, 8);
    h.index_off = sizeof h;
    h.keys_off = h.index_off + 3 * sizeof(struct kv_record);
    size_t k = 0;
    struct kv_record rec[3];
    for (int i = 0; i < 3; i++) {
        rec[i] = (struct kv_record){.key_off = k, .key_len = (uint32_t)strlen(keys[i])};
        memcpy(store_img + h.keys_off + k, keys[i], strlen(keys[i]) + 1);
        k += strlen(keys[i]) + 1;
    }
    h.keys_len = k;
    h.data_off = (h.keys_off + k + 15) / 16 * 16;
    size_t d = 0;
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(vals[i]);
        rec[i].data_off = d;
        rec[i].size = n;
        rec[i].mtime = 1700000000 + (uint64_t)i;
        rec[i].hash = kv_hash(KV_HASH_INIT, vals[i], n);
        memcpy(store_img + h.data_off + d, vals[i], n);
        d = (d + n + 15) / 16 * 16;
    }
    h.image_size = h.data_off + d;
    memcpy(store_img, &h, sizeof h);
    memcpy(store_img + h.index_off, rec, sizeof rec);
    if (kv_image_parse(store_img, h.image_size, &store) != 0)
        abort();
    store_ready = true;
}

static mi_http_exchange *held[8];
static size_t nheld;

static void app(mi_http_exchange *x)
{
    mi_str p = mi_http_path(x);
    if (p.n >= 2 && p.p[1] == 'a' && nheld < 8) {
        held[nheld++] = x; /* answered later, or never (the server closes) */
        return;
    }
    if (p.n >= 2 && p.p[1] == 's') {
        mi_http_serve_kv(x, &store, "/s");
        return;
    }
    if (p.n >= 2 && p.p[1] == 'r') {
        mi_http_serve_kv(x, &store, "/");
        return;
    }
    mi_str b = mi_http_body(x), m = mi_http_method(x), h = mi_http_header(x, "x");
    mi_http_add_header(x, "X-Echo", h.p ? "yes" : "no");
    mi_http_body_printf(x, "%.*s %zu ", (int)m.n, m.p, b.n);
    mi_http_body_copy(x, b.p, b.n);
    mi_http_finish(x);
}

static void finish_held(void)
{
    while (nheld > 0) {
        mi_http_exchange *x = held[--nheld];
        mi_http_body_copy(x, "late", 4);
        mi_http_finish(x);
    }
}

/* What the client got starts like a response (it may be cut short by a
 * small window the client never emptied). */
static void check_output(const mi_tcp *t)
{
    size_t n = t->tx_len < 9 ? t->tx_len : 9;
    if (n > 0 && memcmp(t->tx, "HTTP/1.1 ", n) != 0)
        abort();
}

static void fuzz_server(const uint8_t *data, size_t size)
{
    if (!store_ready)
        make_store();
    struct mi_http_limits lim = {.max_header_bytes = 512,
                                 .max_uri_bytes = 128,
                                 .max_body_bytes = 1024,
                                 .idle_timeout_ns = 3 * MI_NSEC_PER_SEC,
                                 .request_timeout_ns = 2 * MI_NSEC_PER_SEC,
                                 .max_connections = 3};
    int err;
    mi_http_server *srv = mi_http_serve(MI_IPV4_ANY, 80, app, &lim, &err);
    if (srv == NULL)
        abort();
    mi_tcp *listener = fake_all;
    mi_tcp *conns[4];
    size_t nconns = 0, cur = 0;
    size_t window = size > 1 ? (size_t)data[1] * 64 + 1 : 4096;
    conns[nconns++] = fake_connect(listener, window);

    size_t i = 2;
    while (i < size) {
        uint8_t op = data[i++];
        mi_tcp *t = conns[cur];
        switch (op % 8) {
        case 0:
        case 1:
        case 2: { /* send the next n bytes */
            size_t n = (size_t)(op >> 3) + 1;
            if (n > size - i)
                n = size - i;
            fake_send(t, data + i, n);
            i += n;
            break;
        }
        case 3:
            fake_drain(t);
            break;
        case 4:
            fake_advance((uint64_t)(op >> 3) * 250 * MI_NSEC_PER_MSEC);
            break;
        case 5:
            fake_eof(t);
            break;
        case 6:
            finish_held();
            break;
        case 7:
            if (op & 0x80 && nconns < 4)
                conns[nconns++] = fake_connect(listener, window);
            cur = (size_t)(op >> 3) % nconns;
            break;
        }
    }
    for (size_t k = 0; k < nconns; k++) {
        fake_drain(conns[k]);
        check_output(conns[k]);
    }
    mi_http_server_close(srv);
    finish_held();
    fake_reset();
    if (mi_http_stats()->conns_active != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] & 1)
        fuzz_server(data, size);
    else
        fuzz_parser(data + 1, size - 1);
    return 0;
}
