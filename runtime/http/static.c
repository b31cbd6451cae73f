/* SPDX-License-Identifier: ISC */
/* mi_http_serve_kv: a store served as a static web site, the way nginx
 * serves a directory: GET and HEAD, index.html for directories, validators
 * (ETag from the content hash, Last-Modified from the file's mtime) with
 * conditional requests, and single byte ranges. */
#include <errno.h>
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

/* If-None-Match (RFC 9110 §13.1.2): "*" or a list of entity-tags,
 * compared weakly (a W/ prefix is ignored). */
static bool none_match_hits(mi_str v, const char etag[ETAG_LEN])
{
    size_t i = 0;
    while (i < v.n) {
        while (i < v.n && (v.p[i] == ' ' || v.p[i] == '\t' || v.p[i] == ','))
            i++;
        if (i == v.n)
            break;
        if (v.p[i] == '*')
            return true;
        if (v.n - i >= 2 && v.p[i] == 'W' && v.p[i + 1] == '/')
            i += 2;
        if (i == v.n || v.p[i] != '"')
            return false; /* not an entity-tag: no match */
        size_t end = i + 1;
        while (end < v.n && v.p[end] != '"')
            end++;
        if (end == v.n)
            return false;
        if (end + 1 - i == ETAG_LEN && memcmp(v.p + i, etag, ETAG_LEN) == 0)
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

static void serve_entry(mi_http_exchange *x, const mi_kv_entry *e, bool is_get)
{
    char etag[ETAG_LEN], lm[HTTP_DATE_LEN];
    format_etag(e->hash, etag);
    http_date_format(e->mtime, lm);

    /* Conditionals first (RFC 9110 §13.2.2): If-None-Match, or, without
     * it, If-Modified-Since. */
    mi_str inm = mi_http_header(x, "If-None-Match");
    bool not_modified = false;
    if (inm.p != NULL) {
        not_modified = none_match_hits(inm, etag);
    } else {
        mi_str ims = mi_http_header(x, "If-Modified-Since");
        uint64_t since;
        if (ims.p != NULL && http_date_parse(ims.p, ims.n, &since) == 0)
            not_modified = e->mtime <= since;
    }
    header(x, "ETag", etag, ETAG_LEN);
    header(x, "Last-Modified", lm, HTTP_DATE_LEN);
    if (not_modified) {
        mi_http_set_status(x, 304);
        mi_http_finish(x);
        return;
    }

    const char *type = http_mime_type(e->key, e->key_len);
    header(x, "Content-Type", type, strlen(type));
    header(x, "Accept-Ranges", "bytes", 5);
    mi_str range = mi_http_header(x, "Range");
    if (range.p != NULL && is_get) {
        mi_str ifr = mi_http_header(x, "If-Range");
        uint64_t first, last;
        enum http_range r = RANGE_NONE;
        if (ifr.p == NULL || if_range_holds(ifr, etag, lm))
            r = http_range_parse(range.p, range.n, e->size, &first, &last);
        char cr[64], *p = cr;
        p = memcpy(p, "bytes ", 6), p += 6;
        if (r == RANGE_OK) {
            p = http_put_u64(p, first);
            *p++ = '-';
            p = http_put_u64(p, last);
            *p++ = '/';
            p = http_put_u64(p, e->size);
            header(x, "Content-Range", cr, (size_t)(p - cr));
            mi_http_set_status(x, 206);
            mi_http_body_ref(x, (const char *)e->data + first, (size_t)(last - first + 1));
            mi_http_finish(x);
            return;
        }
        if (r == RANGE_UNSATISFIABLE) {
            *p++ = '*';
            *p++ = '/';
            p = http_put_u64(p, e->size);
            header(x, "Content-Range", cr, (size_t)(p - cr));
            page(x, 416);
            return;
        }
    }
    mi_http_set_status(x, 200);
    mi_http_body_ref(x, e->data, (size_t)e->size);
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
