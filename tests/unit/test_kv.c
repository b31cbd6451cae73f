/* SPDX-License-Identifier: ISC */
/* The store reader against images that are wrong in every way the format
 * allows to be wrong, and the registry by name. A valid image comes from
 * the packer; each case breaks one field. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kv_format.h"
#include "kv/image.h"
#include "kv/registry.h"
#include "pack.h"

static unsigned char *good; /* a valid image of the tree below */
static size_t good_len;

static const char *const files[][2] = {
    {"a.txt", "alpha\n"},
    {"b/c.txt", "gamma gamma\n"},
    {"b/d.txt", ""},
    {"z", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"},
};
#define NFILES (sizeof files / sizeof files[0])

static int make_image(void **state)
{
    (void)state;
    char top[256], path[512];
    const char *tmp = getenv("TMPDIR");
    snprintf(top, sizeof top, "%s/mirari-test-kv-XXXXXX", tmp ? tmp : P_tmpdir);
    if (mkdtemp(top) == NULL)
        return -1;
    snprintf(path, sizeof path, "%s/b", top);
    mkdir(path, 0755);
    for (size_t i = 0; i < NFILES; i++) {
        snprintf(path, sizeof path, "%s/%s", top, files[i][0]);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || write(fd, files[i][1], strlen(files[i][1])) < 0)
            return -1;
        close(fd);
    }
    char out[300], err[256];
    snprintf(out, sizeof out, "%s.img", top);
    if (pack_dir(top, out, PACK_DOTFILES, err, sizeof err) != 0) {
        fprintf(stderr, "pack: %s\n", err);
        return -1;
    }
    int fd = open(out, O_RDONLY);
    struct stat st;
    fstat(fd, &st);
    good_len = (size_t)st.st_size;
    good = malloc(good_len);
    if (read(fd, good, good_len) != (ssize_t)good_len)
        return -1;
    close(fd);
    unlink(out);
    for (size_t i = 0; i < NFILES; i++) {
        snprintf(path, sizeof path, "%s/%s", top, files[i][0]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/b", top);
    rmdir(path);
    rmdir(top);
    return 0;
}

static int free_image(void **state)
{
    (void)state;
    free(good);
    return 0;
}

/* A fresh copy of the good image to break. */
static unsigned char *copy(void)
{
    unsigned char *c = malloc(good_len);
    memcpy(c, good, good_len);
    return c;
}

static struct kv_header header(const unsigned char *img)
{
    struct kv_header h;
    memcpy(&h, img, sizeof h);
    return h;
}

static void set_header(unsigned char *img, const struct kv_header *h)
{
    memcpy(img, h, sizeof *h);
}

static struct kv_record record(const unsigned char *img, size_t i)
{
    struct kv_record r;
    memcpy(&r, img + sizeof(struct kv_header) + i * sizeof r, sizeof r);
    return r;
}

static void set_record(unsigned char *img, size_t i, const struct kv_record *r)
{
    memcpy(img + sizeof(struct kv_header) + i * sizeof *r, r, sizeof *r);
}

static void expect_invalid(unsigned char *img, size_t len, const char *what)
{
    struct mi_kv kv;
    if (kv_image_parse(img, len, &kv) != -EINVAL)
        fail_msg("accepted an image with %s", what);
    free(img);
}

/* Walk everything a reader can reach; ASan reports any stray access. */
static void touch_all(const struct mi_kv *kv)
{
    volatile unsigned sum = 0;
    for (size_t i = 0; i < mi_kv_count(kv); i++) {
        mi_kv_entry e, g;
        assert_int_equal(mi_kv_at(kv, i, &e), 0);
        for (uint64_t j = 0; j < e.size; j++)
            sum += ((const unsigned char *)e.data)[j];
        assert_int_equal(strlen(e.key), e.key_len);
        assert_int_equal(mi_kv_get(kv, e.key, e.key_len, &g), 0);
        assert_ptr_equal(g.data, e.data);
        for (size_t k = 1; k < e.key_len; k++)
            if (e.key[k] == '/')
                assert_true(mi_kv_is_dir(kv, e.key, k));
    }
    (void)sum;
}

static void test_good_image(void **state)
{
    (void)state;
    struct mi_kv kv;
    assert_int_equal(kv_image_parse(good, good_len, &kv), 0);
    assert_int_equal(mi_kv_count(&kv), NFILES);
    for (size_t i = 0; i < NFILES; i++) {
        mi_kv_entry e;
        assert_int_equal(mi_kv_at(&kv, i, &e), 0);
        assert_string_equal(e.key, files[i][0]);
        assert_int_equal(e.size, strlen(files[i][1]));
        assert_memory_equal(e.data, files[i][1], e.size);
    }
    touch_all(&kv);
    /* padding after the image (the linker's) is fine */
    unsigned char *longer = calloc(1, good_len + 64);
    memcpy(longer, good, good_len);
    assert_int_equal(kv_image_parse(longer, good_len + 64, &kv), 0);
    free(longer);
}

static void test_bad_header(void **state)
{
    (void)state;
    struct kv_header h;
    unsigned char *c;

    expect_invalid(copy(), 0, "length 0");
    expect_invalid(copy(), sizeof h - 1, "a truncated header");

#define BREAK(field_change, what)                                                                  \
    do {                                                                                           \
        c = copy();                                                                                \
        h = header(c);                                                                             \
        field_change;                                                                              \
        set_header(c, &h);                                                                         \
        expect_invalid(c, good_len, what);                                                         \
    } while (0)

    BREAK(h.magic[0] ^= 1, "a bad magic");
    BREAK(h.version = 2, "version 2");
    BREAK(h.header_size = 72, "a header size of 72");
    BREAK(h.count = h.count + 1, "one record too many");
    BREAK(h.count = UINT64_MAX / 48 + 2, "a count that overflows");
    BREAK(h.count = UINT64_MAX, "count UINT64_MAX");
    BREAK(h.index_off += 16, "a moved index");
    BREAK(h.keys_off -= 1, "keys overlapping the index");
    BREAK(h.keys_len = UINT64_MAX - 10, "a keys length that overflows");
    BREAK(h.keys_len = h.image_size, "keys beyond the image");
    BREAK(h.data_off -= 16, "data overlapping the keys");
    BREAK(h.data_off += 1, "unaligned data");
    BREAK(h.data_off = h.image_size + 16, "data beyond the image");
    BREAK(h.image_size += 1, "an image size beyond the buffer");
    BREAK(h.image_size = UINT64_MAX, "image size UINT64_MAX");
#undef BREAK
}

static void test_bad_records(void **state)
{
    (void)state;
    struct kv_header h = header(good);
    struct kv_record r;
    unsigned char *c;

#define BREAK(i, field_change, what)                                                               \
    do {                                                                                           \
        c = copy();                                                                                \
        r = record(c, i);                                                                          \
        field_change;                                                                              \
        set_record(c, i, &r);                                                                      \
        expect_invalid(c, good_len, what);                                                         \
    } while (0)

    BREAK(0, r.reserved = 1, "a reserved field set");
    BREAK(1, r.key_off = h.keys_len, "a key beyond the key section");
    BREAK(3, r.key_off = UINT64_MAX, "a key offset that overflows");
    BREAK(3, r.key_len = UINT32_MAX, "a huge key length");
    BREAK(0, r.key_len += 1, "a key without its NUL");
    BREAK(0, r.key_len -= 1, "a key with a NUL before its end");
    BREAK(2, r.key_len = 0, "an empty key");
    BREAK(2, r.data_off += 8, "unaligned data");
    BREAK(3, r.size = UINT64_MAX, "a size that overflows");
    BREAK(3, r.data_off = UINT64_MAX - 15, "a data offset that overflows");
    BREAK(3, r.size = h.image_size, "data beyond the image");
    BREAK(0, r = record(good, 1), "a duplicate key");
#undef BREAK

    /* swapped records: unsorted */
    c = copy();
    struct kv_record r0 = record(c, 0), r1 = record(c, 1);
    set_record(c, 0, &r1);
    set_record(c, 1, &r0);
    expect_invalid(c, good_len, "unsorted keys");
}

/* Keys that are not normalised would let "../x" or "a\\b" into a lookup. */
static void test_bad_keys(void **state)
{
    (void)state;
    const char *bad[] = {"..", "/a", "a/", "//", "a\\", "a\n", "./", "\x7f."};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        /* replace record 0's key ("a.txt") in place by a 2-byte bad one */
        unsigned char *c = copy();
        struct kv_header h = header(c);
        struct kv_record r = record(c, 0);
        assert_int_equal(strlen(bad[i]), 2);
        memcpy(c + h.keys_off + r.key_off, bad[i], 3);
        r.key_len = 2;
        set_record(c, 0, &r);
        expect_invalid(c, good_len, bad[i]);
    }
}

/* Every truncation fails; every single-byte flip either fails or yields
 * an image that can be walked entirely in bounds. */
static void test_truncations_and_flips(void **state)
{
    (void)state;
    for (size_t len = 0; len < good_len; len++) {
        unsigned char *c = malloc(len ? len : 1);
        memcpy(c, good, len);
        expect_invalid(c, len, "a truncation");
    }
    for (size_t i = 0; i < good_len; i++) {
        for (int bit = 0; bit < 8; bit += 3) {
            unsigned char *c = copy();
            c[i] ^= (unsigned char)(1u << bit);
            struct mi_kv kv;
            if (kv_image_parse(c, good_len, &kv) == 0)
                touch_all(&kv);
            free(c);
        }
    }
}

static void test_registry(void **state)
{
    (void)state;
    mi_store_image a = {"static", good, good + good_len};
    mi_store_image b = {"template", good, good + good_len};
    unsigned char *broken = copy();
    broken[0] = 'X';
    mi_store_image bad = {"broken", broken, broken + good_len};

    assert_null(mi_kv_open("static"));
    assert_int_equal(kv_register(&a), 0);
    assert_int_equal(kv_register(&b), 0);
    assert_int_equal(kv_register(&a), -EEXIST);
    assert_int_equal(kv_register(&bad), -EINVAL);
    mi_store_image noname = {"", good, good + good_len};
    assert_int_equal(kv_register(&noname), -EINVAL);
    mi_store_image backwards = {"back", good + 10, good};
    assert_int_equal(kv_register(&backwards), -EINVAL);
    assert_int_equal(kv_register(NULL), -EINVAL);

    const mi_kv *kv = mi_kv_open("static");
    assert_non_null(kv);
    assert_string_equal(mi_kv_name(kv), "static");
    assert_int_equal(mi_kv_count(kv), NFILES);
    assert_string_equal(mi_kv_name(mi_kv_open("template")), "template");
    assert_ptr_not_equal(mi_kv_open("template"), kv);
    assert_null(mi_kv_open("broken"));
    assert_null(mi_kv_open("stat"));

    mi_kv_entry e;
    assert_int_equal(mi_kv_get(kv, "b/c.txt", 7, &e), 0);
    assert_memory_equal(e.data, "gamma gamma\n", 12);

    kv_unregister_all();
    assert_null(mi_kv_open("static"));
    assert_int_equal(kv_register(&a), 0);
    kv_unregister_all();
    free(broken);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_image),
        cmocka_unit_test(test_bad_header),
        cmocka_unit_test(test_bad_records),
        cmocka_unit_test(test_bad_keys),
        cmocka_unit_test(test_truncations_and_flips),
        cmocka_unit_test(test_registry),
    };
    return cmocka_run_group_tests(tests, make_image, free_image);
}
