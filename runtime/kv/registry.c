/* SPDX-License-Identifier: ISC */
/* The stores of this unikernel, by name. A handful at most, so a linear
 * list; registration happens once at start. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kv/image.h"
#include "kv/registry.h"

static struct mi_kv **stores;
static size_t nstores;

int kv_register(const mi_store_image *img)
{
    if (img == NULL || img->name == NULL || img->name[0] == '\0' || img->start == NULL ||
        img->end < img->start)
        return -EINVAL;
    if (mi_kv_open(img->name) != NULL)
        return -EEXIST;
    struct mi_kv kv;
    int rc = kv_image_parse(img->start, (size_t)(img->end - img->start), &kv);
    if (rc < 0)
        return rc;
    kv.name = img->name;

    struct mi_kv *copy = malloc(sizeof *copy);
    struct mi_kv **grown = realloc(stores, (nstores + 1) * sizeof *stores);
    if (copy == NULL || grown == NULL) {
        free(copy);
        if (grown != NULL)
            stores = grown;
        return -ENOMEM;
    }
    *copy = kv;
    stores = grown;
    stores[nstores++] = copy;
    return 0;
}

void kv_unregister_all(void)
{
    for (size_t i = 0; i < nstores; i++)
        free(stores[i]);
    free(stores);
    stores = NULL;
    nstores = 0;
}

const mi_kv *mi_kv_open(const char *name)
{
    for (size_t i = 0; i < nstores; i++)
        if (strcmp(stores[i]->name, name) == 0)
            return stores[i];
    return NULL;
}
