/* SPDX-License-Identifier: ISC */
/* clean's safety (tool/manifest.c): only what the manifest lists goes,
 * only below _build/ or the built image, never through a symbolic link,
 * never a user's file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../tool/manifest.h"
#include "test_conf_helpers.h"

static char app[256];

static void put(const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", app, rel);
    char *dir = path_dir(path);
    assert_int_equal(make_dirs(dir), 0);
    free(dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static bool exists(const char *rel)
{
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", app, rel);
    return lstat(path, &st) == 0;
}

static int setup(void **state)
{
    make_temp_dir(app, sizeof app);
    return 0;
}

static int teardown(void **state)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", app);
    return system(cmd);
}

static void test_entry_ok(void **state)
{
    assert_true(manifest_entry_ok("_build/main.c"));
    assert_true(manifest_entry_ok("_build/app/hello.o"));
    assert_true(manifest_entry_ok("_build/app/"));
    assert_true(manifest_entry_ok("mir-hello"));
    assert_true(manifest_entry_ok("mir-hello.xen"));
    const char *bad[] = {
        "",          "main.c",      "Makefile",   "hello.c",          "_build",      "_build/",
        "_build//x", "_build/../x", "_build/./x", "_build/a/../../x", "/etc/passwd", "../x",
        "mir-",      "mir-../x",    "mir-a/b",    "mir-..",           " _build/x",   "./_build/x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (manifest_entry_ok(bad[i]))
            fail_msg("accepted %s", bad[i]);
}

/* A user's main.c, Makefile and other files next to the .conf, and a file
 * of theirs inside _build/, all survive; listed files go. */
static void test_clean_only_listed(void **state)
{
    put("app.conf", "main-noip: a\n");
    put("main.c", "int main;\n");
    put("Makefile", "all:\n");
    put("notes.txt", "mine\n");
    put("mir-other", "not built by mirari\n");
    put("_build/main.c", "generated\n");
    put("_build/Makefile", "generated\n");
    put("_build/configuration", "generated\n");
    put("_build/app/main.o", "object\n");
    put("_build/mine.txt", "the user's own\n");
    put("mir-hello", "image\n");
    struct strlist entries = {0};
    sl_add(&entries, "_build/main.c");
    sl_add(&entries, "_build/Makefile");
    sl_add(&entries, "_build/configuration");
    sl_add(&entries, "_build/app/main.o");
    sl_add(&entries, "_build/app/main.d"); /* listed but never built */
    sl_add(&entries, "_build/app/");
    sl_add(&entries, "mir-hello");
    assert_int_equal(manifest_update(app, &entries), 0);
    sl_free(&entries);

    int removed;
    struct strlist kept = {0};
    assert_int_equal(clean_app(app, &removed, &kept), 0);
    assert_int_equal(removed, 6); /* 5 listed files that existed + the manifest */
    assert_true(exists("app.conf"));
    assert_true(exists("main.c"));
    assert_true(exists("Makefile"));
    assert_true(exists("notes.txt"));
    assert_true(exists("mir-other"));
    assert_false(exists("mir-hello"));
    assert_false(exists("_build/main.c"));
    assert_false(exists("_build/app"));
    assert_false(exists("_build/manifest"));
    /* _build/ stays for the user's file, and clean says so. */
    assert_true(exists("_build/mine.txt"));
    assert_int_equal(kept.n, 1);
    assert_string_equal(kept.v[0], "_build/mine.txt");
    sl_free(&kept);

    /* Without a manifest nothing is removed at all. */
    assert_int_equal(clean_app(app, &removed, &kept), -1);
    assert_true(exists("_build/mine.txt"));
    sl_free(&kept);
}

/* A manifest with entries that point outside is not one mirari wrote:
 * nothing at all is removed, and the check says why. */
static void test_clean_hostile_manifest(void **state)
{
    put("victim.c", "precious\n");
    put("_build/y.o", "built\n");
    put("_build/manifest", "# Files mirari generated for this app; \n_build/configuration\n"
                           "../victim.c\n_build/y.o\n");
    int removed;
    struct strlist kept = {0};
    assert_int_equal(clean_app(app, &removed, &kept), -1);
    assert_int_equal(removed, 0);
    assert_true(exists("victim.c"));
    assert_true(exists("_build/y.o"));
    assert_true(exists("_build/manifest"));
    sl_free(&kept);
}

/* Entries through a symbolic link are left alone. */
static void test_clean_through_symlink(void **state)
{
    put("outside/x.o", "precious\n");
    put("_build/y.o", "built\n");
    char link[600], target[600];
    snprintf(link, sizeof link, "%s/_build/app", app);
    snprintf(target, sizeof target, "%s/outside", app);
    assert_int_equal(symlink(target, link), 0);
    put("_build/manifest", "# Files mirari generated for this app; \n_build/configuration\n"
                           "_build/app/x.o\n_build/app/\n_build/y.o\n");
    int removed;
    struct strlist kept = {0};
    assert_int_equal(clean_app(app, &removed, &kept), 0);
    assert_true(exists("outside/x.o"));
    assert_false(exists("_build/y.o"));
    /* The symlink itself is in _build/ but not listed as a file: kept. */
    assert_true(exists("_build/app"));
    assert_int_equal(removed, 2);
    sl_free(&kept);
}

/* What makes a manifest damaged: cut short, written over, or listing what
 * mirari never writes. */
static void test_manifest_check(void **state)
{
    char *bad;
    assert_int_equal(manifest_check(app, &bad), -1);
    assert_null(bad);
    static const char *const damaged[] = {
        "",
        "_build/configuration\n",
        "# Files mirari generated for this app; \n_build/main.c\n",
        "# Files mirari generated for this app; \n_build/configuration\n/etc/passwd\n",
    };
    for (size_t i = 0; i < sizeof damaged / sizeof damaged[0]; i++) {
        put("_build/manifest", damaged[i]);
        assert_int_equal(manifest_check(app, &bad), 1);
        assert_non_null(bad);
        free(bad);
    }
    put("_build/manifest", "# Files mirari generated for this app; \n_build/configuration\n");
    assert_int_equal(manifest_check(app, &bad), 0);
    assert_null(bad);
}

/* _build/ itself a symbolic link: nothing is touched. */
static void test_clean_build_symlink(void **state)
{
    put("elsewhere/manifest", "_build/x\n");
    put("elsewhere/x", "precious\n");
    char link[600], target[600];
    snprintf(link, sizeof link, "%s/_build", app);
    snprintf(target, sizeof target, "%s/elsewhere", app);
    assert_int_equal(symlink(target, link), 0);
    int removed;
    struct strlist kept = {0};
    assert_int_equal(clean_app(app, &removed, &kept), -1);
    assert_true(exists("elsewhere/x"));
    assert_true(exists("elsewhere/manifest"));
    sl_free(&kept);
}

/* Entries of an earlier configuration stay listed. */
static void test_manifest_keeps_old_entries(void **state)
{
    put("_build/keep", "");
    struct strlist a = {0}, b = {0}, got = {0};
    sl_add(&a, "_build/app/old.o");
    sl_add(&a, "_build/main.c");
    assert_int_equal(manifest_update(app, &a), 0);
    sl_add(&b, "_build/app/new.o");
    sl_add(&b, "_build/main.c");
    assert_int_equal(manifest_update(app, &b), 0);
    assert_int_equal(manifest_read(app, &got), 0);
    assert_int_equal(got.n, 3);
    assert_true(sl_has(&got, "_build/app/old.o"));
    assert_true(sl_has(&got, "_build/app/new.o"));
    sl_free(&a);
    sl_free(&b);
    sl_free(&got);
}

static void test_nothing_to_clean(void **state)
{
    int removed = -1;
    struct strlist kept = {0};
    assert_int_equal(clean_app(app, &removed, &kept), 0);
    assert_int_equal(removed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entry_ok),
        cmocka_unit_test_setup_teardown(test_clean_only_listed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clean_hostile_manifest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clean_through_symlink, setup, teardown),
        cmocka_unit_test_setup_teardown(test_manifest_check, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clean_build_symlink, setup, teardown),
        cmocka_unit_test_setup_teardown(test_manifest_keeps_old_entries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nothing_to_clean, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
