/* SPDX-License-Identifier: ISC */
/* The exchange API: what dispatch functions read from the request and
 * how they describe the response (include/mirari/http.h). The request
 * views point into the connection's input buffer, which does not move
 * while the exchange is active (the connection reads nothing meanwhile). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <mirari/http.h>

#include "http/buf.h"
#include "http/conn.h"
#include "http/parser.h"

static mi_str view(const mi_http_exchange *x, struct http_span s)
{
    return (mi_str){x->c->in.p + s.off, s.len};
}

mi_str mi_http_method(const mi_http_exchange *x)
{
    return view(x, x->c->req.method);
}

mi_str mi_http_target(const mi_http_exchange *x)
{
    return view(x, x->c->req.target);
}

mi_str mi_http_path(const mi_http_exchange *x)
{
    /* absolute-form without a path ("http://host") means "/" */
    if (x->c->req.path.len == 0)
        return (mi_str){"/", 1};
    return view(x, x->c->req.path);
}

mi_str mi_http_query(const mi_http_exchange *x)
{
    return view(x, x->c->req.query);
}

int mi_http_version_minor(const mi_http_exchange *x)
{
    return x->c->req.minor;
}

static bool name_eq(const char *a, size_t n, const char *b)
{
    for (size_t i = 0; i < n; i++, b++) {
        if (*b == '\0')
            return false;
        char ca = a[i] >= 'A' && a[i] <= 'Z' ? (char)(a[i] + 32) : a[i];
        char cb = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
        if (ca != cb)
            return false;
    }
    return *b == '\0';
}

mi_str mi_http_header(const mi_http_exchange *x, const char *name)
{
    const struct http_request *r = &x->c->req;
    for (size_t i = 0; i < r->nheaders; i++)
        if (name_eq(x->c->in.p + r->headers[i].name.off, r->headers[i].name.len, name))
            return view(x, r->headers[i].value);
    return (mi_str){NULL, 0};
}

size_t mi_http_header_count(const mi_http_exchange *x)
{
    return x->c->req.nheaders;
}

void mi_http_header_at(const mi_http_exchange *x, size_t i, mi_str *name, mi_str *value)
{
    if (i >= x->c->req.nheaders) {
        *name = *value = (mi_str){NULL, 0};
        return;
    }
    *name = view(x, x->c->req.headers[i].name);
    *value = view(x, x->c->req.headers[i].value);
}

mi_str mi_http_body(const mi_http_exchange *x)
{
    const struct http_conn *c = x->c;
    return (mi_str){c->in.p + c->head_len, c->body_end - c->head_len};
}

/* ---- the response ---- */

void mi_http_set_status(mi_http_exchange *x, int status)
{
    x->status = status;
}

int http_add_header_raw(mi_http_exchange *x, const char *name, size_t nlen, const char *value,
                        size_t vlen)
{
    return http_buf_header(&x->c->hdr, name, nlen, value, vlen);
}

int mi_http_add_header(mi_http_exchange *x, const char *name, const char *value)
{
    static const char *const reserved[] = {"content-length", "transfer-encoding", "connection",
                                           "date"};
    size_t nlen = strlen(name), vlen = strlen(value);
    if (nlen == 0)
        return -EINVAL;
    for (size_t i = 0; i < nlen; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c <= 0x20 || c >= 0x7f || strchr("\"(),/:;<=>?@[\\]{}", c) != NULL)
            return -EINVAL; /* not a token (RFC 9110 §5.6.2) */
    }
    for (size_t i = 0; i < vlen; i++) {
        unsigned char c = (unsigned char)value[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return -EINVAL; /* CR and LF would split the response */
    }
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (http_token_eq(name, nlen, reserved[i]))
            return -EINVAL;
    return http_add_header_raw(x, name, nlen, value, vlen);
}

int mi_http_body_copy(mi_http_exchange *x, const void *data, size_t len)
{
    if (x->body_is_ref) {
        x->body_is_ref = false;
        x->c->body.len = 0;
    }
    return http_buf_put(&x->c->body, data, len);
}

int mi_http_body_printf(mi_http_exchange *x, const char *fmt, ...)
{
    struct http_buf *b = &x->c->body;
    if (x->body_is_ref) {
        x->body_is_ref = false;
        b->len = 0;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->p ? b->p + b->len : NULL, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -EINVAL;
    if ((size_t)n >= b->cap - b->len) {
        if (http_buf_reserve(b, (size_t)n + 1) < 0)
            return -ENOMEM;
        va_start(ap, fmt);
        vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
    return 0;
}

int mi_http_body_ref(mi_http_exchange *x, const void *data, size_t len)
{
    x->ref_lives = false;
    x->body_is_ref = true;
    x->ref = data;
    x->ref_len = len;
    x->c->body.len = 0;
    return 0;
}

void mi_http_finish(mi_http_exchange *x)
{
    if (x == NULL || !x->active)
        return; /* finished twice: ignore the second */
    http_conn_respond(x->c);
}

void mi_http_error(mi_http_exchange *x, int status)
{
    http_conn_error(x->c, status);
}

void http_body_store_ref(mi_http_exchange *x, const void *data, size_t len)
{
    mi_http_body_ref(x, data, len);
    x->ref_lives = true;
}
