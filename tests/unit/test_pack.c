/* SPDX-License-Identifier: ISC */
/* The packer (tool/pack.c) and the reader (runtime/kv/image.c) together:
 * real directory trees in a temporary directory, packed, read back. */
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
#include <sys/time.h>
#include <unistd.h>

#include "kv_format.h"
#include "kv/image.h"
#include "pack.h"

struct fixture {
    char top[256];  /* the temporary directory */
    char tree[300]; /* top/tree: what gets packed */
    char out[300];  /* top/out/store.img */
    unsigned char *image;
    size_t image_len;
    struct mi_kv kv;
};

static void pathf(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void pathf(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    assert_true(n > 0 && (size_t)n < cap);
}

/* Write a file below the tree; rel may contain '/' (parents are made). */
static void put(struct fixture *f, const char *rel, const void *data, size_t len)
{
    char path[1024];
    pathf(path, sizeof path, "%s/%s", f->tree, rel);
    for (char *s = path + strlen(f->tree) + 1; (s = strchr(s, '/')) != NULL; s++) {
        *s = '\0';
        mkdir(path, 0755);
        *s = '/';
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
}

static void put_str(struct fixture *f, const char *rel, const char *s)
{
    put(f, rel, s, strlen(s));
}

static void mkdir_in(struct fixture *f, const char *rel)
{
    char path[1024];
    pathf(path, sizeof path, "%s/%s", f->tree, rel);
    assert_int_equal(mkdir(path, 0755), 0);
}

static void link_in(struct fixture *f, const char *target, const char *rel)
{
    char path[1024];
    pathf(path, sizeof path, "%s/%s", f->tree, rel);
    assert_int_equal(symlink(target, path), 0);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    const char *tmp = getenv("TMPDIR");
    pathf(f->top, sizeof f->top, "%s/mirari-test-pack-XXXXXX", tmp ? tmp : P_tmpdir);
    assert_non_null(mkdtemp(f->top));
    pathf(f->tree, sizeof f->tree, "%s/tree", f->top);
    assert_int_equal(mkdir(f->tree, 0755), 0);
    char outdir[300];
    pathf(outdir, sizeof outdir, "%s/out", f->top);
    assert_int_equal(mkdir(outdir, 0755), 0);
    pathf(f->out, sizeof f->out, "%s/store.img", outdir);
    *state = f;
    return 0;
}

static void rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d != NULL && (e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char child[1024];
            snprintf(child, sizeof child, "%s/%s", path, e->d_name);
            rm_rf(child);
        }
        if (d != NULL)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    rm_rf(f->top);
    free(f->image);
    free(f);
    return 0;
}

/* Read the packed image into memory and parse it. */
static void load(struct fixture *f)
{
    free(f->image);
    int fd = open(f->out, O_RDONLY);
    assert_true(fd >= 0);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    f->image_len = (size_t)st.st_size;
    /* 16-aligned, as the linker places it */
    assert_int_equal(posix_memalign((void **)&f->image, 16, f->image_len + 1), 0);
    assert_int_equal(read(fd, f->image, f->image_len), (ssize_t)f->image_len);
    close(fd);
    assert_int_equal(kv_image_parse(f->image, f->image_len, &f->kv), 0);
}

static void pack_ok(struct fixture *f)
{
    char err[512] = "";
    if (pack_dir(f->tree, f->out, PACK_DOTFILES, err, sizeof err) != 0)
        fail_msg("pack failed: %s", err);
    load(f);
}

/* Pack must fail with a message containing `needle`, leaving no file in
 * the output directory. */
static void pack_fails(struct fixture *f, const char *needle)
{
    char err[512] = "";
    assert_int_equal(pack_dir(f->tree, f->out, PACK_DOTFILES, err, sizeof err), -1);
    if (strstr(err, needle) == NULL)
        fail_msg("message \"%s\" does not mention \"%s\"", err, needle);
    char outdir[300];
    pathf(outdir, sizeof outdir, "%s/out", f->top);
    DIR *d = opendir(outdir);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    assert_int_equal(n, 0);
}

static void expect(const struct fixture *f, const char *key, const void *data, size_t len)
{
    mi_kv_entry e;
    if (mi_kv_get(&f->kv, key, strlen(key), &e) != 0)
        fail_msg("key \"%s\" missing", key);
    assert_int_equal(e.size, len);
    assert_int_equal(e.key_len, strlen(key));
    assert_string_equal(e.key, key);
    assert_memory_equal(e.data, data, len);
    assert_int_equal(e.hash, kv_hash(KV_HASH_INIT, data, len));
    /* zero copy: the data lies inside the image, 16-byte aligned */
    const unsigned char *p = e.data;
    assert_true(p >= f->image && p + len <= f->image + f->image_len);
    assert_int_equal((uintptr_t)p % 16, 0);
}

static void test_round_trip(void **state)
{
    struct fixture *f = *state;
    put_str(f, "index.html", "<h1>hi</h1>\n");
    put_str(f, "css/site.css", "body{}\n");
    put(f, "empty.txt", "", 0);
    put_str(f, "odd names/with space & %41 #?.txt", "odd\n");
    put_str(f, "caf\xc3\xa9/men\xc3\xba", "utf-8\n");
    put_str(f, ".hidden", "dot\n");
    put_str(f, "...", "three dots\n");
    put(f, "bin", "\0\1\2\xff\0", 5);
    mkdir_in(f, "empty-dir");
    mkdir_in(f, "deep");
    mkdir_in(f, "deep/er");
    mkdir_in(f, "deep/er/still-empty");
    pack_ok(f);

    assert_int_equal(mi_kv_count(&f->kv), 8);
    expect(f, "index.html", "<h1>hi</h1>\n", 12);
    expect(f, "css/site.css", "body{}\n", 7);
    expect(f, "empty.txt", "", 0);
    expect(f, "odd names/with space & %41 #?.txt", "odd\n", 4);
    expect(f, "caf\xc3\xa9/men\xc3\xba", "utf-8\n", 6);
    expect(f, ".hidden", "dot\n", 4);
    expect(f, "...", "three dots\n", 11);
    expect(f, "bin", "\0\1\2\xff\0", 5);

    /* bytewise order, strictly increasing */
    mi_kv_entry prev, e;
    assert_int_equal(mi_kv_at(&f->kv, 0, &prev), 0);
    for (size_t i = 1; i < mi_kv_count(&f->kv); i++) {
        assert_int_equal(mi_kv_at(&f->kv, i, &e), 0);
        assert_true(strcmp(prev.key, e.key) < 0);
        prev = e;
    }
    assert_int_equal(mi_kv_at(&f->kv, 8, &e), -ENOENT);

    /* mtime is the file's */
    char path[1024];
    struct stat st;
    pathf(path, sizeof path, "%s/css/site.css", f->tree);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(mi_kv_get(&f->kv, "css/site.css", 12, &e), 0);
    assert_int_equal(e.mtime, (uint64_t)st.st_mtime);

    /* directories are not entries, and empty ones leave nothing */
    assert_int_equal(mi_kv_get(&f->kv, "css", 3, &e), -ENOENT);
    assert_true(mi_kv_is_dir(&f->kv, "css", 3));
    assert_true(mi_kv_is_dir(&f->kv, "", 0));
    assert_false(mi_kv_is_dir(&f->kv, "empty-dir", 9));
    assert_false(mi_kv_is_dir(&f->kv, "deep", 4));
    assert_false(mi_kv_is_dir(&f->kv, "index.html", 10));
    assert_false(mi_kv_is_dir(&f->kv, "cs", 2));
    assert_int_equal(mi_kv_get(&f->kv, "index.htm", 9, &e), -ENOENT);
    assert_int_equal(mi_kv_get(&f->kv, "index.html2", 11, &e), -ENOENT);
    assert_int_equal(mi_kv_get(&f->kv, "", 0, &e), -ENOENT);
}

/* Keys that sort around "dir/" ('-' < '/' < '0') must not confuse the
 * directory test. */
static void test_dir_lookup_order(void **state)
{
    struct fixture *f = *state;
    put_str(f, "a-b", "1");
    put_str(f, "a/c", "2");
    put_str(f, "a0", "3");
    put_str(f, "b/c/d", "5");
    put_str(f, "b.txt", "6");
    pack_ok(f);
    const char *order[] = {"a-b", "a/c", "a0", "b.txt", "b/c/d"};
    for (size_t i = 0; i < 5; i++) {
        mi_kv_entry e;
        assert_int_equal(mi_kv_at(&f->kv, i, &e), 0);
        assert_string_equal(e.key, order[i]);
    }
    assert_true(mi_kv_is_dir(&f->kv, "a", 1));
    assert_true(mi_kv_is_dir(&f->kv, "b", 1));
    assert_true(mi_kv_is_dir(&f->kv, "b/c", 3));
    assert_false(mi_kv_is_dir(&f->kv, "b/c/d", 5));
    assert_false(mi_kv_is_dir(&f->kv, "a-b", 3));
    assert_false(mi_kv_is_dir(&f->kv, "a0", 2));
    assert_false(mi_kv_is_dir(&f->kv, "c", 1));
    assert_false(mi_kv_is_dir(&f->kv, "0", 1));
}

static void test_big_files(void **state)
{
    struct fixture *f = *state;
    size_t len = 5 * 1024 * 1024 + 7; /* not a multiple of any buffer */
    unsigned char *big = malloc(len);
    for (size_t i = 0; i < len; i++)
        big[i] = (unsigned char)(i * 2654435761u >> 13);
    put(f, "big.bin", big, len);
    put(f, "big2.bin", big + 1, len - 1);
    put_str(f, "small", "s");
    pack_ok(f);
    expect(f, "big.bin", big, len);
    expect(f, "big2.bin", big + 1, len - 1);
    expect(f, "small", "s", 1);
    free(big);
}

static void test_symlinks_inside(void **state)
{
    struct fixture *f = *state;
    put_str(f, "real/file.txt", "real\n");
    link_in(f, "real/file.txt", "alias.txt");
    link_in(f, "real", "linked-dir");
    link_in(f, "../real/file.txt", "real/again.txt"); /* relative, still inside */
    pack_ok(f);
    assert_int_equal(mi_kv_count(&f->kv), 5);
    expect(f, "alias.txt", "real\n", 5);
    expect(f, "linked-dir/file.txt", "real\n", 5);
    expect(f, "linked-dir/again.txt", "real\n", 5);
    expect(f, "real/again.txt", "real\n", 5);
    expect(f, "real/file.txt", "real\n", 5);
}

static void test_symlink_outside(void **state)
{
    struct fixture *f = *state;
    put_str(f, "ok.txt", "fine\n");
    char secret[400];
    pathf(secret, sizeof secret, "%s/secret", f->top);
    int fd = open(secret, O_WRONLY | O_CREAT, 0600);
    close(fd);
    link_in(f, secret, "leak");
    pack_fails(f, "leak: symbolic link points outside");
}

static void test_symlink_outside_relative(void **state)
{
    struct fixture *f = *state;
    mkdir_in(f, "sub");
    link_in(f, "../../out", "sub/up");
    pack_fails(f, "sub/up: symbolic link points outside");
}

/* A link to nothing (an editor's lock file such as .#index.html is one)
 * is left out with a warning, not a failure of the build. */
static void test_symlink_dangling(void **state)
{
    struct fixture *f = *state;
    put_str(f, "index.html", "x");
    link_in(f, "nowhere", "dangling");
    pack_ok(f);
    assert_int_equal(mi_kv_count(&f->kv), 1);
    expect(f, "index.html", "x", 1);
}

/* Without PACK_DOTFILES a store leaves out dotfiles, dot-directories and
 * version-control directories: a checkout's .git is not published. */
static void test_dotfiles_left_out(void **state)
{
    struct fixture *f = *state;
    put_str(f, "index.html", "x");
    put_str(f, ".htaccess", "deny");
    mkdir_in(f, ".git");
    put_str(f, ".git/config", "[core]");
    mkdir_in(f, "sub");
    put_str(f, "sub/.env", "SECRET=1");
    mkdir_in(f, "sub/CVS");
    put_str(f, "sub/CVS/Entries", "e");
    mkdir_in(f, "_darcs");
    put_str(f, "_darcs/format", "d");
    put_str(f, "sub/CVS.txt", "kept");
    put_str(f, "CVS", "a file, not the directory: kept");
    link_in(f, "index.html", ".#index.html");
    char err[512] = "";
    if (pack_dir(f->tree, f->out, 0, err, sizeof err) != 0)
        fail_msg("pack failed: %s", err);
    load(f);
    assert_int_equal(mi_kv_count(&f->kv), 3);
    expect(f, "index.html", "x", 1);
    expect(f, "sub/CVS.txt", "kept", 4);
    expect(f, "CVS", "a file, not the directory: kept", 31);
    /* and with it, everything is packed */
    pack_ok(f);
    assert_int_equal(mi_kv_count(&f->kv), 9);
    expect(f, ".git/config", "[core]", 6);
    expect(f, "sub/CVS/Entries", "e", 1);
    expect(f, ".#index.html", "x", 1);
    assert_true(pack_leaves_out(".git", true, 0));
    assert_true(pack_leaves_out("CVS", true, 0));
    assert_false(pack_leaves_out("CVS", false, 0));
    assert_false(pack_leaves_out(".git", true, PACK_DOTFILES));
    assert_false(pack_leaves_out("index.html", false, 0));
}

static void test_symlink_loop(void **state)
{
    struct fixture *f = *state;
    mkdir_in(f, "a");
    link_in(f, "..", "a/loop");
    pack_fails(f, "symbolic link loop");
}

static void test_bad_names(void **state)
{
    struct fixture *f = *state;
    put_str(f, "fine.txt", "x");
    put_str(f, "back\\slash.txt", "x");
    /* the message names the file, with the backslash visible */
    pack_fails(f, "back\\\\slash.txt: the name contains a backslash");
}

static void test_control_names(void **state)
{
    struct fixture *f = *state;
    put_str(f, "new\nline", "x");
    pack_fails(f, "new\\nline: the name contains a control character");
}

static void test_special_file(void **state)
{
    struct fixture *f = *state;
    char path[1024];
    pathf(path, sizeof path, "%s/fifo", f->tree);
    assert_int_equal(mkfifo(path, 0644), 0);
    pack_fails(f, "fifo: not a regular file");
}

static void test_missing_dir(void **state)
{
    struct fixture *f = *state;
    char err[512];
    char dir[400];
    pathf(dir, sizeof dir, "%s/no-such-dir", f->top);
    assert_int_equal(pack_dir(dir, f->out, PACK_DOTFILES, err, sizeof err), -1);
    assert_non_null(strstr(err, "no-such-dir"));
    put_str(f, "file", "x");
    pathf(dir, sizeof dir, "%s/file", f->tree);
    assert_int_equal(pack_dir(dir, f->out, PACK_DOTFILES, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a directory"));
}

/* A failed pack leaves an earlier image alone. */
static void test_failure_keeps_old_image(void **state)
{
    struct fixture *f = *state;
    put_str(f, "a.txt", "first\n");
    pack_ok(f);
    struct stat before, after;
    assert_int_equal(stat(f->out, &before), 0);
    put_str(f, "bad\\name", "x");
    char err[512];
    assert_int_equal(pack_dir(f->tree, f->out, PACK_DOTFILES, err, sizeof err), -1);
    assert_int_equal(stat(f->out, &after), 0);
    assert_int_equal(before.st_ino, after.st_ino);
    load(f);
    expect(f, "a.txt", "first\n", 6);
    /* and the output directory holds nothing else */
    char outdir[300];
    pathf(outdir, sizeof outdir, "%s/out", f->top);
    DIR *d = opendir(outdir);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    assert_int_equal(n, 1);
}

static void test_empty_store(void **state)
{
    struct fixture *f = *state;
    mkdir_in(f, "nothing");
    pack_ok(f);
    assert_int_equal(mi_kv_count(&f->kv), 0);
    mi_kv_entry e;
    assert_int_equal(mi_kv_get(&f->kv, "x", 1, &e), -ENOENT);
    assert_int_equal(mi_kv_at(&f->kv, 0, &e), -ENOENT);
    assert_true(mi_kv_is_dir(&f->kv, "", 0));
    assert_false(mi_kv_is_dir(&f->kv, "nothing", 7));
}

/* The same tree packs to the same bytes (order does not depend on readdir). */
static void test_deterministic(void **state)
{
    struct fixture *f = *state;
    char name[32];
    for (int i = 0; i < 200; i++) {
        snprintf(name, sizeof name, "d%d/f%03d", i % 7, (i * 37) % 200);
        put_str(f, name, name);
    }
    pack_ok(f);
    unsigned char *first = malloc(f->image_len);
    size_t first_len = f->image_len;
    memcpy(first, f->image, first_len);
    pack_ok(f);
    assert_int_equal(f->image_len, first_len);
    assert_memory_equal(f->image, first, first_len);
    assert_int_equal(mi_kv_count(&f->kv), 200);
    for (int i = 0; i < 200; i++) {
        snprintf(name, sizeof name, "d%d/f%03d", i % 7, (i * 37) % 200);
        expect(f, name, name, strlen(name));
    }
    free(first);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_round_trip),
        T(test_dir_lookup_order),
        T(test_big_files),
        T(test_symlinks_inside),
        T(test_symlink_outside),
        T(test_symlink_outside_relative),
        T(test_symlink_dangling),
        T(test_dotfiles_left_out),
        T(test_symlink_loop),
        T(test_bad_names),
        T(test_control_names),
        T(test_special_file),
        T(test_missing_dir),
        T(test_failure_keeps_old_image),
        T(test_empty_store),
        T(test_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
