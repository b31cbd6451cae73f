/* SPDX-License-Identifier: ISC */
/* The store image: what `mirari pack DIR OUT` writes (tool/pack.c) and what
 * the runtime reads in place (runtime/kv/image.c). One image per fs-NAME,
 * linked into the unikernel with .incbin.
 *
 * Layout (all integers little-endian, offsets from the start of the image):
 *
 *   header      struct kv_header, 64 bytes
 *   index       count x struct kv_record (48 bytes), sorted by key,
 *               bytewise (memcmp, a shorter key before its extensions)
 *   keys        key strings, each NUL-terminated
 *   data        file contents, each starting on a 16-byte boundary,
 *               zero padding between them
 *
 * The image must be linked 16-byte aligned (`.balign 16` before the
 * .incbin) for the data alignment to hold in memory; the reader itself
 * does not depend on alignment (it loads fields with memcpy).
 *
 * Keys are normalised relative paths, exactly what mi_kv_normalise()
 * produces: "css/site.css", never "/x", "x/", "a//b", "./x", "../x", and
 * no NUL, backslash or control character (kv_key_valid()). Directories
 * are not entries: they exist through the keys below them, so an empty
 * directory leaves no trace in the image.
 *
 * The packer and the reader share this header: the tool includes it as
 * "kv_format.h" (both are built with -Iabi). */
#ifndef MIRARI_ABI_KV_FORMAT_H
#define MIRARI_ABI_KV_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the store image is read in place as little-endian"
#endif

#define KV_MAGIC       "MIRARIKV" /* 8 bytes, no NUL */
#define KV_VERSION     1u
#define KV_DATA_ALIGN  16u
#define KV_MAX_KEY_LEN 4095u /* PATH_MAX - 1: longer keys are refused */

struct kv_header {
    char magic[8];        /* KV_MAGIC */
    uint32_t version;     /* KV_VERSION */
    uint32_t header_size; /* sizeof(struct kv_header) */
    uint64_t count;       /* number of records */
    uint64_t index_off;   /* == header_size */
    uint64_t keys_off;    /* == index_off + count * sizeof(record) */
    uint64_t keys_len;    /* bytes of key strings, NULs included */
    uint64_t data_off;    /* 16-aligned, >= keys_off + keys_len */
    uint64_t image_size;  /* total bytes; data runs up to here */
};

struct kv_record {
    uint64_t key_off;  /* from keys_off */
    uint32_t key_len;  /* without the NUL */
    uint32_t reserved; /* 0 */
    uint64_t data_off; /* from data_off, a multiple of 16 */
    uint64_t size;
    uint64_t mtime; /* seconds since the epoch */
    uint64_t hash;  /* FNV-1a 64 of the contents (kv_hash) */
};

_Static_assert(sizeof(struct kv_header) == 64, "header is 64 bytes");
_Static_assert(sizeof(struct kv_record) == 48, "record is 48 bytes");

/* FNV-1a, 64 bit (http://www.isthe.com/chongo/tech/comp/fnv/). Not a
 * cryptographic hash: it only has to change when the contents change, for
 * ETags. Streamable: start from KV_HASH_INIT and feed chunks. */
#define KV_HASH_INIT 0xcbf29ce484222325ull
static inline uint64_t kv_hash(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

/* A byte that may appear in a key: anything but NUL, control characters,
 * DEL and backslash (which some clients and file systems treat as a
 * separator). '/' separates segments. */
static inline bool kv_key_byte_ok(unsigned char c)
{
    return c >= 0x20 && c != 0x7f && c != '\\';
}

/* True when key[0..len) is a normalised key (see above). */
static inline bool kv_key_valid(const char *key, size_t len)
{
    if (len == 0 || len > KV_MAX_KEY_LEN)
        return false;
    size_t seg = 0; /* start of the current segment */
    for (size_t i = 0; i <= len; i++) {
        if (i == len || key[i] == '/') {
            size_t n = i - seg;
            if (n == 0)
                return false; /* leading, trailing or doubled '/' */
            if (key[seg] == '.' && (n == 1 || (n == 2 && key[seg + 1] == '.')))
                return false; /* "." or ".." */
            seg = i + 1;
        } else if (!kv_key_byte_ok((unsigned char)key[i])) {
            return false;
        }
    }
    return true;
}

#endif
