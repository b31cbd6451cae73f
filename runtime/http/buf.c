/* SPDX-License-Identifier: ISC */
/* The server's growable byte buffers (buf.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/buf.h"

int http_buf_reserve(struct http_buf *b, size_t extra)
{
    if (extra <= b->cap - b->len)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < extra) {
        if (cap > SIZE_MAX / 2)
            return -ENOMEM;
        cap *= 2;
    }
    char *p = realloc(b->p, cap);
    if (p == NULL)
        return -ENOMEM;
    b->p = p;
    b->cap = cap;
    return 0;
}

int http_buf_put(struct http_buf *b, const void *data, size_t len)
{
    if (http_buf_reserve(b, len) < 0)
        return -ENOMEM;
    if (len > 0)
        memcpy(b->p + b->len, data, len);
    b->len += len;
    return 0;
}

int http_buf_header(struct http_buf *b, const char *name, size_t nlen, const char *value,
                    size_t vlen)
{
    if (http_buf_reserve(b, nlen + vlen + 4) < 0)
        return -ENOMEM;
    memcpy(b->p + b->len, name, nlen);
    b->len += nlen;
    b->p[b->len++] = ':';
    b->p[b->len++] = ' ';
    memcpy(b->p + b->len, value, vlen);
    b->len += vlen;
    b->p[b->len++] = '\r';
    b->p[b->len++] = '\n';
    return 0;
}
