/* SPDX-License-Identifier: ISC */
/* Read-only key-value stores: each `fs-NAME: DIR` of app.conf is packed at
 * build time into an image linked into the unikernel, and read here by
 * NAME. Keys are normalised relative paths ("css/site.css"); values point
 * straight into the image (zero copy) and live as long as the program. */
#ifndef MIRARI_KV_H
#define MIRARI_KV_H

#include <stddef.h>
#include <stdint.h>

typedef struct mi_kv mi_kv;

typedef struct mi_kv_entry {
    const char *key; /* NUL-terminated, inside the image */
    size_t key_len;
    const void *data; /* inside the image */
    uint64_t size;
    uint64_t mtime; /* seconds since the epoch, from the packed file */
    uint64_t hash;  /* 64-bit content hash (FNV-1a), for ETags */
} mi_kv_entry;

/* A packed fs-NAME store linked into the image: what the generated main.c
 * hands the runtime (mi_app.stores), one per fs-NAME key. */
typedef struct mi_store_image {
    const char *name;
    const unsigned char *start;
    const unsigned char *end;
} mi_store_image;

/* The store named NAME (the NAME of fs-NAME), or NULL. */
const mi_kv *mi_kv_open(const char *name);
const char *mi_kv_name(const mi_kv *kv);
size_t mi_kv_count(const mi_kv *kv);
/* Entries in key order (bytewise), 0 <= i < mi_kv_count(). */
int mi_kv_at(const mi_kv *kv, size_t i, mi_kv_entry *out);
/* Look up an already normalised key. 0, or -ENOENT. */
int mi_kv_get(const mi_kv *kv, const char *key, size_t key_len, mi_kv_entry *out);
/* True when some key starts with "prefix/" (a directory in the store). */
int mi_kv_is_dir(const mi_kv *kv, const char *key, size_t key_len);

/* Normalise a path for lookup: percent-decoding already done by the
 * caller or not (flag), leading '/' removed, "." segments and repeated
 * '/' dropped. Anything that would escape the store is rejected: "..", a
 * NUL byte, a backslash, a control character. Writes at most cap bytes
 * (NUL-terminated) and returns the length, or -EINVAL (bad) / -ENAMETOOLONG. */
#define MI_KV_PERCENT_DECODE 1
long mi_kv_normalise(const char *path, size_t len, char *out, size_t cap, int flags);

#endif
