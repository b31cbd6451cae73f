/* SPDX-License-Identifier: ISC */
/* Range requests (RFC 9110 §14): the single byte range the static helper
 * serves. */
#ifndef MIRARI_HTTP_RANGE_H
#define MIRARI_HTTP_RANGE_H

#include <stddef.h>
#include <stdint.h>

enum http_range {
    RANGE_NONE,          /* no usable range: send the whole 200 */
    RANGE_OK,            /* 206 with bytes first..last */
    RANGE_UNSATISFIABLE, /* 416 */
};

/* Interpret a Range field value v[0..n) for a representation of `size`
 * bytes. "bytes=a-b", "bytes=a-" and "bytes=-n" give one range (clipped
 * to the size); a syntax error, another unit or several ranges give
 * RANGE_NONE (the RFC lets a server ignore Range, and serving one
 * 200 is simpler and never wrong than multipart/byteranges). */
enum http_range http_range_parse(const char *v, size_t n, uint64_t size, uint64_t *first,
                                 uint64_t *last);

#endif
