/* SPDX-License-Identifier: ISC */
/* Range requests (RFC 9110 §14): the byte ranges the static helper
 * serves, one (206 with Content-Range) or several (206 with a
 * multipart/byteranges body, §14.6). */
#ifndef MIRARI_HTTP_RANGE_H
#define MIRARI_HTTP_RANGE_H

#include <stddef.h>
#include <stdint.h>

/* A Range field with more range-specs than this is ignored: the whole
 * representation is sent with 200, as RFC 9110 §14.2 lets a server do
 * with "many small ranges" (a denial of service by many tiny parts, or by
 * overlapping ranges asking for the same bytes again and again). nginx
 * (max_ranges) and Apache (MaxRanges) have the same kind of cap. */
#define HTTP_MAX_RANGES 32

enum http_range {
    RANGE_NONE,          /* no usable range: send the whole 200 */
    RANGE_OK,            /* 206 with the ranges */
    RANGE_UNSATISFIABLE, /* 416 */
};

/* first..last, inclusive, both below the size of the representation */
struct http_byte_range {
    uint64_t first, last;
};

/* Interpret a Range field value v[0..n) for a representation of `size`
 * bytes: "bytes=" and a list of "a-b", "a-" and "-n" (§14.1.2). Each
 * range is clipped to the size; those that start past its end are
 * dropped (unsatisfiable, §14.1.1). The rest are sorted, and overlapping
 * or adjacent ones merged into one (§14.6 lets a server coalesce), into
 * out[0..*count), at most HTTP_MAX_RANGES of them.
 *   RANGE_OK             *count >= 1 ranges, in ascending order, disjoint
 *   RANGE_UNSATISFIABLE  none is satisfiable: 416
 *   RANGE_NONE           a syntax error, another unit, or more than
 *                        HTTP_MAX_RANGES range-specs: ignore the field */
enum http_range http_range_parse(const char *v, size_t n, uint64_t size,
                                 struct http_byte_range out[HTTP_MAX_RANGES], size_t *count);

#endif
