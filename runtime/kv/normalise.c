/* SPDX-License-Identifier: ISC */
/* Turning a URL path (or any slash-separated path) into a store key.
 *
 * The result is what kv_key_valid() accepts, or empty for the root.
 * Nothing is resolved: a ".." segment is refused outright rather than
 * applied, since a client has no business sending one (RFC 3986 §5.2.4
 * removes dot-segments on the client side) and refusing cannot be tricked
 * by an encoding the resolver did not foresee. Percent-decoding happens
 * before the checks, so "%2e%2e", "%2f", "%5c" and "%00" are seen for
 * what they are.
 *
 * The output is built in place, so a "." segment briefly takes two bytes
 * of out before it is dropped: a result of n bytes needs cap >= n + 3 to be
 * sure of fitting (cap >= n + 1 when the path has no "." segment). */
#include <errno.h>

#include "kv_format.h"
#include <mirari/kv.h>

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

long mi_kv_normalise(const char *path, size_t len, char *out, size_t cap, int flags)
{
    size_t w = 0;                          /* bytes written to out */
    size_t seg = 0;                        /* where the current segment starts in out */
    int in_seg = 0;                        /* a byte of the current segment was written */
    size_t limit = cap == 0 ? 0 : cap - 1; /* room for the NUL */
    if (limit > KV_MAX_KEY_LEN)
        limit = KV_MAX_KEY_LEN;

    for (size_t i = 0; i <= len; i++) {
        unsigned char c;
        if (i == len) {
            c = '/'; /* ends the last segment */
        } else if (path[i] == '%' && (flags & MI_KV_PERCENT_DECODE)) {
            int hi = i + 2 < len ? hexval((unsigned char)path[i + 1]) : -1;
            int lo = i + 2 < len ? hexval((unsigned char)path[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return -EINVAL; /* a '%' not followed by two hex digits */
            c = (unsigned char)(hi << 4 | lo);
            i += 2;
        } else {
            c = (unsigned char)path[i];
        }

        if (c == '/') {
            if (!in_seg)
                continue; /* empty segment: leading or repeated '/' */
            size_t n = w - seg;
            if (n == 2 && out[seg] == '.' && out[seg + 1] == '.')
                return -EINVAL;
            if (n == 1 && out[seg] == '.')
                w = seg > 0 ? seg - 1 : 0; /* drop "." and its separator */
            in_seg = 0;
            continue;
        }
        if (!kv_key_byte_ok(c))
            return -EINVAL;
        if (!in_seg) {
            if (w > 0) {
                if (w >= limit)
                    return -ENAMETOOLONG;
                out[w++] = '/';
            }
            seg = w;
            in_seg = 1;
        }
        if (w >= limit)
            return -ENAMETOOLONG;
        out[w++] = (char)c;
    }
    if (cap == 0)
        return -ENAMETOOLONG;
    out[w] = '\0';
    return (long)w;
}
