/* SPDX-License-Identifier: ISC */
/* Reading a store image in place: validation once at registration, then
 * lookups by binary search that return pointers into the image. */
#include <errno.h>
#include <string.h>

#include "kv_format.h"
#include "kv/image.h"

/* Fields are loaded with memcpy: the image (or a fuzzer's buffer) need not
 * be aligned, and compilers turn this into plain loads. */
static struct kv_record load_record(const struct mi_kv *kv, uint64_t i)
{
    struct kv_record r;
    memcpy(&r, kv->index + i * sizeof r, sizeof r);
    return r;
}

/* a + b <= limit, without overflow. */
static int fits(uint64_t a, uint64_t b, uint64_t limit)
{
    return a <= limit && b <= limit - a;
}

/* Bytewise order of two keys without NULs: memcmp on the common prefix,
 * then the shorter first. The same order as strcmp() for such keys. */
static int key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    if (c != 0)
        return c;
    return (alen > blen) - (alen < blen);
}

int kv_image_parse(const void *image, size_t len, struct mi_kv *kv)
{
    const unsigned char *base = image;
    struct kv_header h;

    if (image == NULL || len < sizeof h)
        return -EINVAL;
    memcpy(&h, base, sizeof h);
    if (memcmp(h.magic, KV_MAGIC, sizeof h.magic) != 0 || h.version != KV_VERSION ||
        h.header_size != sizeof h)
        return -EINVAL;
    /* The sections follow each other in this order, inside the image. The
     * linker may pad after the image, so len may exceed image_size. */
    if (h.image_size > len || h.index_off != sizeof h ||
        h.count > (h.image_size - h.index_off) / sizeof(struct kv_record) ||
        h.keys_off != h.index_off + h.count * sizeof(struct kv_record) ||
        !fits(h.keys_off, h.keys_len, h.image_size) || h.data_off < h.keys_off + h.keys_len ||
        h.data_off > h.image_size || h.data_off % KV_DATA_ALIGN != 0)
        return -EINVAL;

    *kv = (struct mi_kv){
        .base = base,
        .count = h.count,
        .index = base + h.index_off,
        .keys = (const char *)base + h.keys_off,
        .data = base + h.data_off,
        .data_len = h.image_size - h.data_off,
    };

    const char *prev = NULL;
    size_t prev_len = 0;
    for (uint64_t i = 0; i < h.count; i++) {
        struct kv_record r = load_record(kv, i);
        /* The key and its NUL inside the key section, no NUL inside it. */
        if (r.reserved != 0 || !fits(r.key_off, (uint64_t)r.key_len + 1, h.keys_len))
            return -EINVAL;
        const char *key = kv->keys + r.key_off;
        if (key[r.key_len] != '\0' || !kv_key_valid(key, r.key_len))
            return -EINVAL;
        if (prev != NULL && key_cmp(prev, prev_len, key, r.key_len) >= 0)
            return -EINVAL; /* unsorted or duplicate: binary search would lie */
        if (r.data_off % KV_DATA_ALIGN != 0 || !fits(r.data_off, r.size, kv->data_len))
            return -EINVAL;
        prev = key;
        prev_len = r.key_len;
    }
    return 0;
}

const char *mi_kv_name(const mi_kv *kv)
{
    return kv->name;
}

size_t mi_kv_count(const mi_kv *kv)
{
    return (size_t)kv->count;
}

static void fill_entry(const struct mi_kv *kv, const struct kv_record *r, mi_kv_entry *out)
{
    *out = (mi_kv_entry){
        .key = kv->keys + r->key_off,
        .key_len = r->key_len,
        .data = kv->data + r->data_off,
        .size = r->size,
        .mtime = r->mtime,
        .hash = r->hash,
    };
}

int mi_kv_at(const mi_kv *kv, size_t i, mi_kv_entry *out)
{
    if (i >= kv->count)
        return -ENOENT;
    struct kv_record r = load_record(kv, i);
    fill_entry(kv, &r, out);
    return 0;
}

/* Order of key k against the target t[0..len) followed by the optional
 * byte `suffix` (0 for none), as key_cmp() would order k and that string. */
static int cmp_target(const char *k, size_t klen, const char *t, size_t len, char suffix)
{
    int c = key_cmp(k, klen, t, len);
    if (suffix == 0 || c < 0)
        return c;
    if (c == 0)
        return -1;                            /* k == t, a proper prefix of t + suffix */
    if (klen > len && memcmp(k, t, len) == 0) /* k extends t: the next byte decides */
        return (unsigned char)k[len] < (unsigned char)suffix   ? -1
               : (unsigned char)k[len] > (unsigned char)suffix ? 1
                                                               : 0;
    return c;
}

/* Index of the first record whose key is >= the target (see cmp_target):
 * the lower bound of a binary search. */
static uint64_t lower_bound(const struct mi_kv *kv, const char *key, size_t len, char suffix)
{
    uint64_t lo = 0, hi = kv->count;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        struct kv_record r = load_record(kv, mid);
        if (cmp_target(kv->keys + r.key_off, r.key_len, key, len, suffix) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int mi_kv_get(const mi_kv *kv, const char *key, size_t key_len, mi_kv_entry *out)
{
    uint64_t i = lower_bound(kv, key, key_len, 0);
    if (i < kv->count) {
        struct kv_record r = load_record(kv, i);
        if (r.key_len == key_len && memcmp(kv->keys + r.key_off, key, key_len) == 0) {
            fill_entry(kv, &r, out);
            return 0;
        }
    }
    return -ENOENT;
}

int mi_kv_is_dir(const mi_kv *kv, const char *key, size_t key_len)
{
    if (key_len == 0)
        return 1; /* the root */
    /* Keys below "key/" are contiguous in the sorted index and start at the
     * lower bound of "key/". */
    uint64_t i = lower_bound(kv, key, key_len, '/');
    if (i >= kv->count)
        return 0;
    struct kv_record r = load_record(kv, i);
    const char *k = kv->keys + r.key_off;
    return r.key_len > key_len && memcmp(k, key, key_len) == 0 && k[key_len] == '/';
}
