/* SPDX-License-Identifier: ISC */
/* mi_http_serve_kv: a store served as a static web site, the way nginx
 * serves a directory: GET and HEAD, index.html for directories, validators
 * (ETag from the content hash, Last-Modified from the file's mtime) with
 * conditional requests (RFC 9110 §13), and byte ranges (§14), several
 * of them as multipart/byteranges. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <mirari/http.h>
#include <mirari/kv.h>
#include <mirari/log.h>

#include "http/conn.h"
#include "http/date.h"
#include "http/decimal.h"
#include "http/mime.h"
#include "http/parser.h"
#include "http/range.h"
#include "kv_format.h"

#define ETAG_LEN 18 /* '"' + 16 hex digits + '"' */
/* A multipart/byteranges body is copied into the connection's body
 * buffer, which a keep-alive connection keeps: beyond this size the
 * ranges are ignored and the whole representation goes out (zero copy),
 * so that many connections asking for large multipart bodies cannot pin
 * much memory each. */
#define HTTP_MAX_MULTIPART_BYTES (64 * 1024)

static void header(mi_http_exchange *x, const char *name, const char *value, size_t vlen)
{
    http_add_header_raw(x, name, strlen(name), value, vlen);
}

/* A small HTML page for an error or a redirect, then finish. */
static void page(mi_http_exchange *x, int status)
{
    const char *reason = mi_http_reason(status);
    mi_http_set_status(x, status);
    header(x, "Content-Type", "text/html; charset=utf-8", 24);
    mi_http_body_printf(x,
                        "<!DOCTYPE html>\n<html><head><title>%d %s</title></head>\n"
                        "<body><h1>%d %s</h1></body></html>\n",
                        status, reason, status, reason);
    mi_http_finish(x);
}

static void format_etag(uint64_t hash, char out[ETAG_LEN])
{
    static const char hex[] = "0123456789abcdef";
    out[0] = '"';
    for (int i = 0; i < 16; i++)
        out[1 + i] = hex[(hash >> (60 - 4 * i)) & 0xf];
    out[17] = '"';
}

/* Does the list of entity-tags v (If-Match, If-None-Match) match ours?
 * "*" matches any current representation (RFC 9110 §13.1.1, §13.1.2).
 * Strong comparison (If-Match) never matches a weak tag; weak comparison
 * (If-None-Match) ignores the W/ prefix (§8.8.3.2). Our tags are strong.
 * Something that is not an entity-tag ends the list: no match. */
static bool etag_list_match(mi_str v, const char etag[ETAG_LEN], bool strong)
{
    size_t i = 0;
    while (i < v.n) {
        while (i < v.n && (v.p[i] == ' ' || v.p[i] == '\t' || v.p[i] == ','))
            i++;
        if (i == v.n)
            break;
        if (v.p[i] == '*')
            return true;
        bool weak = v.n - i >= 2 && v.p[i] == 'W' && v.p[i + 1] == '/';
        if (weak)
            i += 2;
        if (i == v.n || v.p[i] != '"')
            return false;
        size_t end = i + 1;
        while (end < v.n && v.p[end] != '"')
            end++;
        if (end == v.n)
            return false;
        if ((!strong || !weak) && end + 1 - i == ETAG_LEN && memcmp(v.p + i, etag, ETAG_LEN) == 0)
            return true;
        i = end + 1;
    }
    return false;
}

/* If-Range (RFC 9110 §13.1.5): the range applies only if the validator
 * still matches: a strong entity-tag, or exactly the Last-Modified date. */
static bool if_range_holds(mi_str v, const char etag[ETAG_LEN], const char *lm)
{
    if (v.n > 0 && v.p[0] == '"')
        return v.n == ETAG_LEN && memcmp(v.p, etag, ETAG_LEN) == 0;
    return v.n == HTTP_DATE_LEN && memcmp(v.p, lm, HTTP_DATE_LEN) == 0;
}

/* The preconditions in the order of RFC 9110 §13.2.2: If-Match, or
 * without it If-Unmodified-Since (412 when false); then If-None-Match,
 * or without it If-Modified-Since (304 when false: we serve only GET and
 * HEAD). A date that does not parse makes its field ignored (§13.1.3,
 * §13.1.4). If-Range comes last, with the range (serve_range).
 * 0 when the request goes on, else the status to answer with. */
static int preconditions(mi_http_exchange *x, const mi_kv_entry *e, const char etag[ETAG_LEN])
{
    uint64_t since;
    mi_str im = mi_http_header(x, "If-Match");
    if (im.p != NULL) {
        if (!etag_list_match(im, etag, true))
            return 412;
    } else {
        mi_str ius = mi_http_header(x, "If-Unmodified-Since");
        if (ius.p != NULL && http_date_parse(ius.p, ius.n, &since) == 0 && e->mtime > since)
            return 412;
    }
    mi_str inm = mi_http_header(x, "If-None-Match");
    if (inm.p != NULL)
        return etag_list_match(inm, etag, false) ? 304 : 0;
    mi_str ims = mi_http_header(x, "If-Modified-Since");
    if (ims.p != NULL && http_date_parse(ims.p, ims.n, &since) == 0 && e->mtime <= since)
        return 304;
    return 0;
}

/* "bytes FIRST-LAST/SIZE", or "bytes * /SIZE" (without the space) when r
 * is NULL (RFC 9110 §14.4). Returns the length; out has room for 68. */
static size_t content_range(char *out, const struct http_byte_range *r, uint64_t size)
{
    char *p = memcpy(out, "bytes ", 6);
    p += 6;
    if (r != NULL) {
        p = http_put_u64(p, r->first);
        *p++ = '-';
        p = http_put_u64(p, r->last);
    } else {
        *p++ = '*';
    }
    *p++ = '/';
    p = http_put_u64(p, size);
    return (size_t)(p - out);
}

#define BOUNDARY_LEN 23 /* "mirari-" and the 16 hex digits of the ETag */

/* The boundary must not occur in the body; the 16 hex digits are the
 * content hash, but a file could still hold the string: look for it. */
static bool boundary_in(const mi_kv_entry *e, const struct http_byte_range *r, size_t k,
                        const char *b)
{
    for (size_t i = 0; i < k; i++) {
        const char *p = (const char *)e->data + r[i].first;
        const char *end = p + (r[i].last - r[i].first + 1);
        while (end - p >= BOUNDARY_LEN && (p = memchr(p, 'm', (size_t)(end - p))) != NULL) {
            if (end - p >= BOUNDARY_LEN && memcmp(p, b, BOUNDARY_LEN) == 0)
                return true;
            p++;
        }
    }
    return false;
}

/* Several ranges: a multipart/byteranges body (RFC 9110 §14.6), each part
 * with its Content-Type and Content-Range, copied (the server sends one
 * body): so at most HTTP_MAX_MULTIPART_BYTES of it. false when it cannot
 * be built: then the whole 200 goes out instead. */
static bool serve_multipart(mi_http_exchange *x, const mi_kv_entry *e, const char *type,
                            const char etag[ETAG_LEN], const struct http_byte_range *r, size_t k)
{
    char b[BOUNDARY_LEN + 1], cr[68];
    memcpy(b, "mirari-", 7);
    memcpy(b + 7, etag + 1, 16);
    b[BOUNDARY_LEN] = '\0';
    size_t tlen = strlen(type), total = 2 + BOUNDARY_LEN + 4; /* the close delimiter */
    for (size_t i = 0; i < k; i++)
        total += 2 + BOUNDARY_LEN + 2 + 14 + tlen + 2 + 15 + content_range(cr, &r[i], e->size) + 4 +
                 (size_t)(r[i].last - r[i].first + 1) + 2;
    if (total > HTTP_MAX_MULTIPART_BYTES || boundary_in(e, r, k, b) ||
        http_buf_reserve(&x->c->body, total) < 0)
        return false;
    for (size_t i = 0; i < k; i++) {
        mi_http_body_printf(x, "--%s\r\nContent-Type: %s\r\nContent-Range: ", b, type);
        mi_http_body_copy(x, cr, content_range(cr, &r[i], e->size));
        mi_http_body_copy(x, "\r\n\r\n", 4);
        mi_http_body_copy(x, (const char *)e->data + r[i].first,
                          (size_t)(r[i].last - r[i].first + 1));
        mi_http_body_copy(x, "\r\n", 2);
    }
    mi_http_body_printf(x, "--%s--\r\n", b);
    char ct[64];
    int n = snprintf(ct, sizeof ct, "multipart/byteranges; boundary=%s", b);
    header(x, "Content-Type", ct, (size_t)n);
    mi_http_set_status(x, 206);
    mi_http_finish(x);
    return true;
}

/* Range (RFC 9110 §14.2) on a GET, when If-Range holds: one range is a
 * 206 with Content-Range, several a multipart 206, none satisfiable a
 * 416. false when the whole 200 is to be sent. */
static bool serve_range(mi_http_exchange *x, const mi_kv_entry *e, const char *type,
                        const char etag[ETAG_LEN], const char *lm)
{
    mi_str range = mi_http_header(x, "Range");
    mi_str ifr = mi_http_header(x, "If-Range");
    if (range.p == NULL || (ifr.p != NULL && !if_range_holds(ifr, etag, lm)))
        return false;
    struct http_byte_range r[HTTP_MAX_RANGES];
    size_t k;
    char cr[68];
    switch (http_range_parse(range.p, range.n, e->size, r, &k)) {
    case RANGE_NONE:
        return false;
    case RANGE_UNSATISFIABLE:
        header(x, "Content-Range", cr, content_range(cr, NULL, e->size));
        page(x, 416);
        return true;
    case RANGE_OK:
        break;
    }
    if (k > 1)
        return serve_multipart(x, e, type, etag, r, k);
    header(x, "Content-Type", type, strlen(type));
    header(x, "Content-Range", cr, content_range(cr, &r[0], e->size));
    mi_http_set_status(x, 206);
    http_body_store_ref(x, (const char *)e->data + r[0].first,
                        (size_t)(r[0].last - r[0].first + 1));
    mi_http_finish(x);
    return true;
}

static void serve_entry(mi_http_exchange *x, const mi_kv_entry *e, bool is_get)
{
    char etag[ETAG_LEN], lm[HTTP_DATE_LEN];
    format_etag(e->hash, etag);
    http_date_format(e->mtime, lm);

    int pre = preconditions(x, e, etag);
    if (pre == 412) {
        page(x, 412);
        return;
    }
    header(x, "ETag", etag, ETAG_LEN);
    header(x, "Last-Modified", lm, HTTP_DATE_LEN);
    if (pre == 304) {
        mi_http_set_status(x, 304);
        mi_http_finish(x);
        return;
    }
    const char *type = http_mime_type(e->key, e->key_len);
    header(x, "Accept-Ranges", "bytes", 5);
    if (is_get && serve_range(x, e, type, etag, lm))
        return;
    header(x, "Content-Type", type, strlen(type));
    mi_http_set_status(x, 200);
    http_body_store_ref(x, e->data, (size_t)e->size);
    mi_http_finish(x);
}

/* Location for a directory requested without its slash: built from the
 * normalised key, percent-encoded, never from the raw path (which could
 * start with "//" and send the browser to another host). */
static void redirect_dir(mi_http_exchange *x, const char *prefix, size_t plen, const char *key,
                         size_t klen)
{
    static const char hex[] = "0123456789ABCDEF";
    mi_str query = mi_http_query(x);
    char loc[3 * (KV_MAX_KEY_LEN + 1) + 1024];
    size_t n = 0;
    if (plen + 3 * klen + 3 > sizeof loc) {
        page(x, 404);
        return;
    }
    memcpy(loc, prefix, plen);
    n = plen;
    loc[n++] = '/';
    for (size_t i = 0; i < klen; i++) {
        unsigned char c = (unsigned char)key[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            strchr("-._~/!$&'()*+,;=:@", c) != NULL) {
            loc[n++] = (char)c;
        } else {
            loc[n++] = '%';
            loc[n++] = hex[c >> 4];
            loc[n++] = hex[c & 15];
        }
    }
    if (klen > 0)
        loc[n++] = '/';
    /* the query goes along unchanged (it holds no CR or LF: the parser
     * refused those) */
    if (query.n > 0 && n + 1 + query.n <= sizeof loc) {
        loc[n++] = '?';
        memcpy(loc + n, query.p, query.n);
        n += query.n;
    }
    http_add_header_raw(x, "Location", 8, loc, n);
    page(x, 301);
}

void mi_http_serve_kv(mi_http_exchange *x, const mi_kv *kv, const char *prefix)
{
    if (kv == NULL) {
        /* mi_kv_open() found no such store: the application's mistake,
         * not the client's */
        mi_error("http: mi_http_serve_kv without a store (check the fs-NAME in app.conf)");
        page(x, 500);
        return;
    }
    enum mi_http_method m = x->c->req.method_id;
    if (m != HTTP_GET && m != HTTP_HEAD) {
        header(x, "Allow", "GET, HEAD", 9);
        page(x, 405);
        return;
    }
    /* The prefix without its trailing slashes: "/" -> "", "/s/" -> "/s". */
    size_t plen = strlen(prefix);
    while (plen > 0 && prefix[plen - 1] == '/')
        plen--;
    mi_str path = mi_http_path(x);
    if (path.n < plen || memcmp(path.p, prefix, plen) != 0 ||
        (path.n > plen && path.p[plen] != '/')) {
        page(x, 404);
        return;
    }
    const char *rest = path.p + plen;
    size_t rlen = path.n - plen;

    static const char index[] = "index.html";
    char key[KV_MAX_KEY_LEN + 3 + sizeof index];
    long n = mi_kv_normalise(rest, rlen, key, KV_MAX_KEY_LEN + 3, MI_KV_PERCENT_DECODE);
    if (n == -EINVAL) {
        page(x, 400); /* "..", NUL, backslash, bad escapes: never a file */
        return;
    }
    if (n < 0) {
        page(x, 404);
        return;
    }
    mi_kv_entry e;
    bool is_get = m == HTTP_GET;
    if (rlen == 0) {
        redirect_dir(x, prefix, plen, key, 0); /* "/static" -> "/static/" */
        return;
    }
    if (rest[rlen - 1] != '/' && n > 0) {
        if (mi_kv_get(kv, key, (size_t)n, &e) == 0) {
            serve_entry(x, &e, is_get);
            return;
        }
        if (mi_kv_is_dir(kv, key, (size_t)n))
            redirect_dir(x, prefix, plen, key, (size_t)n);
        else
            page(x, 404);
        return;
    }
    /* A directory: its index.html, no listing. */
    size_t k = (size_t)n;
    if (k > 0)
        key[k++] = '/';
    memcpy(key + k, index, sizeof index);
    k += sizeof index - 1;
    if (mi_kv_get(kv, key, k, &e) == 0)
        serve_entry(x, &e, is_get);
    else
        page(x, 404);
}
