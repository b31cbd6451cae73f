/* SPDX-License-Identifier: ISC */
/* The store reader on arbitrary bytes: an image either fails validation
 * or can be walked, searched and read entirely inside its bounds (ASan
 * watches every access). Also through the registry, by name. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kv_format.h"
#include "kv/image.h"
#include "kv/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile unsigned sink;

static void walk(const mi_kv *kv)
{
    for (size_t i = 0; i < mi_kv_count(kv); i++) {
        mi_kv_entry e, g;
        if (mi_kv_at(kv, i, &e) != 0)
            abort();
        const unsigned char *d = e.data;
        for (uint64_t j = 0; j < e.size; j++)
            sink += d[j];
        if (strlen(e.key) != e.key_len || !kv_key_valid(e.key, e.key_len))
            abort();
        if (mi_kv_get(kv, e.key, e.key_len, &g) != 0 || g.data != e.data)
            abort();
        for (size_t k = 1; k < e.key_len; k++)
            if (e.key[k] == '/' && !mi_kv_is_dir(kv, e.key, k))
                abort();
        /* keys that are not there */
        mi_kv_get(kv, e.key, e.key_len - 1, &g);
        mi_kv_is_dir(kv, e.key, e.key_len);
    }
    mi_kv_entry g;
    if (mi_kv_at(kv, mi_kv_count(kv), &g) != -2 /* -ENOENT */)
        abort();
    mi_kv_get(kv, "index.html", 10, &g);
    mi_kv_is_dir(kv, "a", 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size copy, so reading one byte past the image is caught */
    unsigned char *img = malloc(size ? size : 1);
    memcpy(img, data, size);
    struct mi_kv kv;
    if (kv_image_parse(img, size, &kv) == 0)
        walk(&kv);
    mi_store_image si = {"fuzz", img, img + size};
    if (kv_register(&si) == 0) {
        const mi_kv *r = mi_kv_open("fuzz");
        if (r == NULL)
            abort();
        walk(r);
    }
    kv_unregister_all();
    free(img);
    return 0;
}
