/* SPDX-License-Identifier: ISC */
#include <stdbool.h>

#include "http/parser.h"
#include "http/range.h"

/* 1*DIGIT at v[*i..n), saturating. false when there is no digit. */
static bool number(const char *v, size_t n, size_t *i, uint64_t *out)
{
    size_t start = *i;
    uint64_t x = 0;
    while (*i < n && v[*i] >= '0' && v[*i] <= '9') {
        unsigned d = (unsigned)(v[*i] - '0');
        x = x > (UINT64_MAX - d) / 10 ? UINT64_MAX : x * 10 + d;
        (*i)++;
    }
    *out = x;
    return *i > start;
}

enum http_range http_range_parse(const char *v, size_t n, uint64_t size, uint64_t *first,
                                 uint64_t *last)
{
    /* ranges-specifier = range-unit "=" range-set; the unit is
     * case-insensitive (RFC 9110 §14.1) */
    if (n < 6 || !http_token_eq(v, 6, "bytes="))
        return RANGE_NONE;
    size_t i = 6;
    while (i < n && (v[i] == ' ' || v[i] == '\t'))
        i++;
    uint64_t a = 0, b = 0;
    bool suffix = false, open = false;
    if (i < n && v[i] == '-') {
        i++;
        if (!number(v, n, &i, &b))
            return RANGE_NONE;
        suffix = true;
    } else {
        if (!number(v, n, &i, &a) || i >= n || v[i] != '-')
            return RANGE_NONE;
        i++;
        open = !number(v, n, &i, &b);
        if (!open && b < a)
            return RANGE_NONE; /* invalid range-spec: ignore the field */
    }
    while (i < n && (v[i] == ' ' || v[i] == '\t'))
        i++;
    if (i != n)
        return RANGE_NONE; /* several ranges, or junk */

    if (suffix) {
        /* the last b bytes; none of an empty representation (§14.1.3) */
        if (b == 0 || size == 0)
            return RANGE_UNSATISFIABLE;
        *first = b >= size ? 0 : size - b;
        *last = size - 1;
        return RANGE_OK;
    }
    if (a >= size)
        return RANGE_UNSATISFIABLE;
    *first = a;
    *last = open || b >= size ? size - 1 : b;
    return RANGE_OK;
}
