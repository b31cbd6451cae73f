/* SPDX-License-Identifier: ISC */
/* libFuzzer target for what configure reads from tls-cert and tls-key
 * (tool/tls.c): any bytes as the certificate file and as the key file
 * (the first byte says where to split one input into the two), then the
 * pair check when both decode. Nothing may crash, leak or read out of
 * bounds; a chain that comes out is in the image's format. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "../../tool/tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t split = (size_t)data[0] * (size - 1) / 255;
    const char *cert = (const char *)data + 1, *key = cert + split;
    struct tls_blob chain, k;
    /* -1: no validity check, so that old and future certificates get to
     * the key and pair checks too. */
    char *ce = tls_parse_chain(cert, split, -1, &chain);
    char *ke = tls_parse_key(key, size - 1 - split, &k);
    if (ce == NULL) {
        /* Each certificate after its 3-byte length, exactly. */
        size_t off = 0;
        while (off < chain.len) {
            if (chain.len - off < 3)
                abort();
            off +=
                3 + ((size_t)chain.p[off] << 16 | (size_t)chain.p[off + 1] << 8 | chain.p[off + 2]);
        }
        if (off != chain.len)
            abort();
    }
    if (ce == NULL && ke == NULL)
        free(tls_check_pair(&chain, &k));
    free(ce);
    free(ke);
    tls_blob_free(&chain);
    tls_blob_free(&k);
    return 0;
}
