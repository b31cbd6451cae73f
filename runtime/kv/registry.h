/* SPDX-License-Identifier: ISC */
/* The table of stores linked into the unikernel. mi_app_main() registers
 * each `fs-NAME` image once at start; applications then find them by name
 * with mi_kv_open(). */
#ifndef MIRARI_KV_REGISTRY_H
#define MIRARI_KV_REGISTRY_H

#include <mirari/kv.h>

/* Validate img and make it available as mi_kv_open(img->name). The name
 * is not copied (it lives in the generated main.c). 0, -EINVAL for a
 * malformed image or name, -EEXIST when the name is taken, -ENOMEM. */
int kv_register(const mi_store_image *img);

/* Forget every store (tests). */
void kv_unregister_all(void);

#endif
