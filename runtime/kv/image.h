/* SPDX-License-Identifier: ISC */
/* The reader's view of one store image (abi/kv_format.h), shared by the
 * registry and the tests. Not part of the public API: applications get a
 * const mi_kv * from mi_kv_open(). */
#ifndef MIRARI_KV_IMAGE_H
#define MIRARI_KV_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include <mirari/kv.h>

struct mi_kv {
    const char *name;
    const unsigned char *base; /* the image, validated */
    uint64_t count;
    const unsigned char *index; /* count records, not necessarily aligned */
    const char *keys;
    const unsigned char *data;
    uint64_t data_len;
};

/* Check that image[0..len) is a well-formed store image (header, bounds,
 * key syntax, strictly increasing keys, data inside the image) and fill
 * *kv (name left NULL). After this nothing a reader does can go out of
 * bounds. 0 or -EINVAL. */
int kv_image_parse(const void *image, size_t len, struct mi_kv *kv);

#endif
