/* SPDX-License-Identifier: ISC */
/* Decimal numbers written straight into a response head (status codes,
 * Content-Length, Content-Range), without snprintf on the hot path. */
#ifndef MIRARI_HTTP_DECIMAL_H
#define MIRARI_HTTP_DECIMAL_H

#include <stdint.h>

/* Write v in decimal at p (at most 20 bytes, no NUL); returns the end. */
static inline char *http_put_u64(char *p, uint64_t v)
{
    char tmp[20];
    unsigned n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0)
        *p++ = tmp[--n];
    return p;
}

#endif
