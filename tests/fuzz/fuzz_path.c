/* SPDX-License-Identifier: ISC */
/* mi_kv_normalise on arbitrary bytes: whatever comes out must be a key
 * the reader accepts (or the root), so nothing can escape a store. The
 * first byte picks the flags and the output capacity. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kv_format.h"
#include <mirari/kv.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    int flags = data[0] & 1 ? MI_KV_PERCENT_DECODE : 0;
    size_t cap = data[0] & 2 ? (size_t)(data[0] >> 2) : KV_MAX_KEY_LEN + 3;
    const char *path = (const char *)data + 1;
    size_t len = size - 1;
    char *out = malloc(cap ? cap : 1);
    long n = mi_kv_normalise(path, len, out, cap, flags);
    if (n >= 0) {
        if ((size_t)n >= cap || out[n] != '\0' || strlen(out) != (size_t)n)
            abort();
        if (n > 0 && !kv_key_valid(out, (size_t)n))
            abort();
        /* the properties spelled out: no "..", NUL, backslash or control
         * byte, no leading, trailing or doubled '/' */
        for (long i = 0; i < n; i++) {
            unsigned char c = (unsigned char)out[i];
            if (c < 0x20 || c == 0x7f || c == '\\')
                abort();
        }
        if (n > 0 && (out[0] == '/' || out[n - 1] == '/' || strstr(out, "//")))
            abort();
        if (strcmp(out, "..") == 0 || strncmp(out, "../", 3) == 0 || strstr(out, "/../") ||
            (n >= 3 && strcmp(out + n - 3, "/..") == 0))
            abort();
        /* normalising a key again changes nothing */
        char *again = malloc((size_t)n + 3);
        if (mi_kv_normalise(out, (size_t)n, again, (size_t)n + 3, 0) != n ||
            memcmp(again, out, (size_t)n) != 0)
            abort();
        free(again);
    } else if (n != -22 /* -EINVAL */ && n != -36 /* -ENAMETOOLONG */) {
        abort();
    }
    free(out);
    return 0;
}
