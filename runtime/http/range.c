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

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* One range-spec s[0..n) (§14.1.1), already trimmed of OWS. -1: not the
 * grammar; 0: unsatisfiable for this size; 1: *r holds it, clipped. */
static int range_spec(const char *s, size_t n, uint64_t size, struct http_byte_range *r)
{
    size_t i = 0;
    uint64_t a = 0, b = 0;
    if (n > 0 && s[0] == '-') {
        /* suffix-range: the last b bytes; none of an empty representation
         * (§14.1.3) */
        i = 1;
        if (!number(s, n, &i, &b) || i != n)
            return -1;
        if (b == 0 || size == 0)
            return 0;
        r->first = b >= size ? 0 : size - b;
        r->last = size - 1;
        return 1;
    }
    if (!number(s, n, &i, &a) || i == n || s[i] != '-')
        return -1;
    i++;
    bool open = !number(s, n, &i, &b);
    if (i != n || (!open && b < a))
        return -1; /* an invalid range-spec makes the whole field invalid */
    if (a >= size)
        return 0;
    r->first = a;
    r->last = open || b >= size ? size - 1 : b;
    return 1;
}

/* Sort by first (insertion sort: at most HTTP_MAX_RANGES), then merge
 * those that overlap or touch. Returns the new count. */
static size_t coalesce(struct http_byte_range *r, size_t k)
{
    for (size_t i = 1; i < k; i++) {
        struct http_byte_range x = r[i];
        size_t j = i;
        for (; j > 0 && r[j - 1].first > x.first; j--)
            r[j] = r[j - 1];
        r[j] = x;
    }
    size_t m = 0;
    for (size_t i = 1; i < k; i++) {
        /* r[m].last < size <= UINT64_MAX, so + 1 cannot wrap */
        if (r[i].first <= r[m].last + 1) {
            if (r[i].last > r[m].last)
                r[m].last = r[i].last;
        } else {
            r[++m] = r[i];
        }
    }
    return k == 0 ? 0 : m + 1;
}

enum http_range http_range_parse(const char *v, size_t n, uint64_t size,
                                 struct http_byte_range out[HTTP_MAX_RANGES], size_t *count)
{
    /* ranges-specifier = range-unit "=" range-set; the unit is
     * case-insensitive (RFC 9110 §14.1) */
    if (n < 6 || !http_token_eq(v, 6, "bytes="))
        return RANGE_NONE;
    size_t pos = 6, specs = 0, k = 0;
    /* range-set = 1#range-spec: elements separated by commas and OWS;
     * empty elements are ignored (§5.6.1) but there must be one spec. */
    for (;;) {
        size_t s = pos, e = pos;
        while (e < n && v[e] != ',')
            e++;
        size_t next = e + 1;
        while (s < e && is_ows(v[s]))
            s++;
        while (e > s && is_ows(v[e - 1]))
            e--;
        if (e > s) {
            if (++specs > HTTP_MAX_RANGES)
                return RANGE_NONE;
            int rc = range_spec(v + s, e - s, size, &out[k]);
            if (rc < 0)
                return RANGE_NONE;
            k += (size_t)rc;
        }
        if (next > n)
            break;
        pos = next;
    }
    if (specs == 0)
        return RANGE_NONE;
    if (k == 0)
        return RANGE_UNSATISFIABLE;
    *count = coalesce(out, k);
    return RANGE_OK;
}
