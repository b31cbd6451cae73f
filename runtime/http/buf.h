/* SPDX-License-Identifier: ISC */
/* The server's growable byte buffers (request input, response head,
 * header lines, copied bodies): used by the connection machine
 * (server.c) and the exchange API (exchange.c) alike, so that neither
 * depends on the other for them. Not part of the public API. */
#ifndef MIRARI_HTTP_BUF_H
#define MIRARI_HTTP_BUF_H

#include <stddef.h>

/* A growable byte buffer, allocated on first use and kept for the life
 * of the connection: no allocation per request in the steady state. */
struct http_buf {
    char *p;
    size_t len, cap;
};

/* Make room for `extra` more bytes after b->len, doubling the capacity
 * (256 at first). 0 or -ENOMEM (then b is unchanged). */
int http_buf_reserve(struct http_buf *b, size_t extra);
/* Append bytes to a buffer, growing it. 0 or -ENOMEM. */
int http_buf_put(struct http_buf *b, const void *data, size_t len);
/* Append the header line "name: value\r\n" without checks (the caller's
 * name and value are known good). 0 or -ENOMEM. */
int http_buf_header(struct http_buf *b, const char *name, size_t nlen, const char *value,
                    size_t vlen);

#endif
