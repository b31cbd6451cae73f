/* SPDX-License-Identifier: ISC */
/* The generated files (tool/codegen.c) and the quoting under them
 * (tool/escape.c): main.c compiles for every kind of entry point, even
 * with values no check would let through; string literals and shell
 * words come back byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../tool/codegen.h"
#include "../../tool/escape.h"
#include "test_conf_helpers.h"

#ifndef REPO_INCLUDE
#define REPO_INCLUDE "include"
#endif

static char tmpdir[256];

static int setup(void **state)
{
    make_temp_dir(tmpdir, sizeof tmpdir);
    return 0;
}

static int teardown(void **state)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd);
}

static void write_text(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Run a shell command in tmpdir; its exit status. */
static int sh(const char *fmt, ...)
{
    char cmd[2048];
    int n = snprintf(cmd, sizeof cmd, "cd '%s' && ", tmpdir);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd + n, sizeof cmd - (size_t)n, fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

static const struct strlist no_sources = {0};

static struct codegen codegen_for(const struct parsed *p, const char *app)
{
    return (struct codegen){.app = app,
                            .cfg = &p->cfg,
                            .target = target_default(),
                            .prefix = "/opt/mirari",
                            .tool = "/opt/mirari/bin/mirari",
                            .sources = &no_sources,
                            .cflags = "",
                            .libs = ""};
}

/* main.c must compile as C11 and GNU C, warnings as errors. */
static void assert_main_compiles(const struct parsed *p, const char *app)
{
    struct codegen g = codegen_for(p, app);
    char *text = gen_main_c(&g);
    write_text("main.c", text);
    free(text);
    assert_int_equal(
        sh("cc -fsyntax-only -std=gnu11 -Wall -Wextra -Werror -I'%s' main.c", REPO_INCLUDE), 0);
    assert_int_equal(sh("cc -fsyntax-only -std=c11 -Wall -Werror -I'%s' main.c", REPO_INCLUDE), 0);
}

static void test_main_noip(void **state)
{
    struct parsed p;
    assert_int_equal(parse(&p, "main-noip: Hello.main\nlog-level: debug\n"), 0);
    assert_main_compiles(&p, "hello");
    struct codegen g = codegen_for(&p, "hello");
    char *text = gen_main_c(&g);
    assert_non_null(strstr(text, "int hello_main(void);"));
    assert_non_null(strstr(text, ".main_noip = hello_main"));
    assert_non_null(strstr(text, "{\"log-level\", \"debug\"}"));
    assert_non_null(strstr(text, ".stores = NULL"));
    /* No network and no HTTP server named: the linker leaves them out. */
    assert_null(strstr(text, "start_net"));
    assert_null(strstr(text, "start_http"));
    free(text);
    parsed_free(&p);
}

static void test_main_ip(void **state)
{
    struct parsed p;
    assert_int_equal(parse(&p, "main-ip: Echo.main\nip-address: 10.0.0.2\n"
                               "ip-netmask: 255.255.255.0\nip-gateway: 10.0.0.1\n"),
                     0);
    assert_main_compiles(&p, "echo");
    struct codegen g = codegen_for(&p, "echo");
    char *text = gen_main_c(&g);
    assert_non_null(strstr(text, ".start_net = mi_app_start_net,"));
    assert_null(strstr(text, "start_http"));
    free(text);
    parsed_free(&p);
}

/* app-NAME keys become compiled defaults after the table's boot keys, in
 * the order given, the command line's value in place of the file's. */
static void test_app_keys(void **state)
{
    struct parsed p;
    const char *cli[] = {"app-echo-port=7007", NULL};
    assert_int_equal(parse_full(&p,
                                "app-motd: hi\nmain-ip: Echo.main\napp-echo-port: 7\n"
                                "log-level: debug\napp-empty:\n",
                                cli, ".", 0),
                     0);
    assert_main_compiles(&p, "echo");
    struct codegen g = codegen_for(&p, "echo");
    char *text = gen_main_c(&g);
    assert_non_null(strstr(text, "    {\"log-level\", \"debug\"},\n"
                                 "    {\"app-motd\", \"hi\"},\n"
                                 "    {\"app-echo-port\", \"7007\"},\n"
                                 "    {\"app-empty\", \"\"},\n};"));
    assert_non_null(strstr(text, ".ndefaults = 4,"));
    free(text);
    parsed_free(&p);
}

/* An app value is the user's free text: whatever it holds (even bytes
 * the checks refuse, set behind the parser's back), the compiled default
 * is that text, byte for byte. */
static void test_hostile_app_values(void **state)
{
    static const char *const hostile[] = {
        "\"}; int evil; {\"", "back\\slash\\",    "?\?/ trigraph ?\?= ?\?'", "*/ /* comment //",
        "line\nbreak\r",      "\x01\x7f\x80\xff", "\\x41\\101\\0",           "%s%n\t$(rm) `id`",
    };
    write_text("stub.c", "#include <stdio.h>\n#include <string.h>\n#include <mirari/app.h>\n"
                         "int a(void) { return 0; }\n"
                         "int mi_app_main(const mi_app *app, int argc, char **argv)\n"
                         "{\n"
                         "    for (size_t i = 0; i < app->ndefaults; i++)\n"
                         "        if (strcmp(app->defaults[i].key, \"app-v\") == 0)\n"
                         "            return fputs(app->defaults[i].value, stdout) < 0;\n"
                         "    return 2;\n"
                         "}\n");
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        struct parsed p;
        assert_int_equal(parse(&p, "main-noip: a\napp-v: x\n"), 0);
        struct conf_item *it = &p.conf.items[1];
        free(it->value);
        it->value = strdup(hostile[i]);
        assert_main_compiles(&p, "app");
        assert_int_equal(sh("cc -std=gnu11 -Wall -Werror -I'%s' main.c stub.c -o prog && "
                            "./prog > value.out",
                            REPO_INCLUDE),
                         0);
        char path[512];
        snprintf(path, sizeof path, "%s/value.out", tmpdir);
        size_t len;
        char *back = read_file(path, &len);
        assert_non_null(back);
        assert_int_equal(len, strlen(hostile[i]));
        assert_memory_equal(back, hostile[i], len);
        free(back);
        parsed_free(&p);
    }
}

static void test_main_http_stores(void **state)
{
    struct parsed p;
    assert_int_equal(parse(&p, "main-http: Dispatch.main\nhttp-port: 8080\nhttp-address: *\n"
                               "fs-static: files\nfs-my-templates: tmpl\n"),
                     0);
    assert_main_compiles(&p, "static-website");
    struct codegen g = codegen_for(&p, "static-website");
    char *text = gen_main_c(&g);
    assert_non_null(strstr(text, ".start_net = mi_app_start_net,\n"
                                 "    .start_http = mi_app_start_http,\n"));
    assert_non_null(strstr(text, "{\"my-templates\", mi_store_my_templates_start"));
    free(text);

    /* stores.S assembles, aligned, with the symbols main.c expects. */
    char *stores = gen_stores_s(&g);
    write_text("stores.S", stores);
    free(stores);
    assert_int_equal(sh("mkdir -p _build"), 0);
    write_text("_build/fs-static.img", "0123456789");
    write_text("_build/fs-my-templates.img", "abc");
    assert_int_equal(sh("cc -c stores.S -o stores.o"), 0);
    assert_int_equal(sh("nm stores.o | grep -q ' R mi_store_my_templates_start'"), 0);
    assert_int_equal(sh("nm stores.o | grep -q ' R mi_store_static_end'"), 0);
    /* The data is between start and end, start aligned on 16 bytes. */
    write_text("check.c", "#include <stdint.h>\n#include <string.h>\n"
                          "extern const unsigned char mi_store_static_start[], "
                          "mi_store_static_end[];\n"
                          "extern const unsigned char mi_store_my_templates_start[];\n"
                          "int main(void) {\n"
                          "  if ((uintptr_t)mi_store_my_templates_start % 16) return 1;\n"
                          "  if (mi_store_static_end - mi_store_static_start != 10) return 2;\n"
                          "  return memcmp(mi_store_static_start, \"0123456789\", 10) ? 3 : 0;\n"
                          "}\n");
    assert_int_equal(sh("cc check.c stores.o -o check && ./check"), 0);
    parsed_free(&p);
}

/* Values the checks reject must still compile if they ever got through:
 * set them behind the parser's back. */
static void test_hostile_values(void **state)
{
    static const char *const hostile[] = {
        "\"; int evil; \"", "back\\slash\\",    "?\?/ trigraph ?\?=", "*/ /* comment",
        "line\nbreak\r",    "\x01\x7f\x80\xff", "\\x41\\101",         "%s%n",
    };
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        struct parsed p;
        assert_int_equal(parse(&p, "main-http: d\nhttp-address: *\nlog-level: info\n"), 0);
        struct conf_item *it = &p.conf.items[1];
        free(it->value);
        it->value = strdup(hostile[i]);
        assert_main_compiles(&p, hostile[i]);
        parsed_free(&p);
    }
}

/* c_string(s), compiled and printed, gives back s for every byte. */
static void test_c_string_round_trip(void **state)
{
    char all[256];
    for (int i = 1; i < 256; i++)
        all[i - 1] = (char)i;
    all[255] = '\0';
    char *lit = c_string(all);
    FILE *f;
    char path[512];
    snprintf(path, sizeof path, "%s/lit.c", tmpdir);
    assert_non_null(f = fopen(path, "w"));
    fprintf(f,
            "#include <stdio.h>\nstatic const char s[] = %s;\n"
            "int main(void) { fwrite(s, 1, sizeof s - 1, stdout); return 0; }\n",
            lit);
    fclose(f);
    free(lit);
    assert_int_equal(sh("cc -std=c11 -Werror -Wall lit.c -o lit && ./lit > lit.out"), 0);
    snprintf(path, sizeof path, "%s/lit.out", tmpdir);
    size_t len;
    char *back = read_file(path, &len);
    assert_non_null(back);
    assert_int_equal(len, 255);
    assert_memory_equal(back, all, 255);
    free(back);
}

static void test_c_string_forms(void **state)
{
    char *s = c_string("a\"b\\c?\n\x01"
                       "1");
    assert_string_equal(s, "\"a\\\"b\\\\c\\?\\012\\0011\"");
    free(s);
}

/* sh_quote(s) read back by the shell is s. */
static void test_sh_quote(void **state)
{
    static const char *const words[] = {"plain",  "two words", "it's", "'", "$HOME `id` $(id)",
                                        "\\n \\", "*?[a]",     "-n",   ""};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        char *q = sh_quote(words[i]);
        assert_int_equal(sh("printf %%s %s > word.out", q), 0);
        free(q);
        char path[512];
        snprintf(path, sizeof path, "%s/word.out", tmpdir);
        char *back = read_file(path, NULL);
        assert_string_equal(back, words[i]);
        free(back);
    }
    char *q = sh_quote_if_needed("a/b.c");
    assert_string_equal(q, "a/b.c");
    free(q);
    q = sh_quote_if_needed("a b");
    assert_string_equal(q, "'a b'");
    free(q);
}

static void test_make_quoting(void **state)
{
    char *s = make_dollar("a$b$$");
    assert_string_equal(s, "a$$b$$$$");
    free(s);
    s = make_text("-I/x # y $z\n");
    assert_string_equal(s, "-I/x \\# y $$z ");
    free(s);
    s = make_file_name("../my dir/a:b#c$d=e*");
    assert_string_equal(s, "../my\\ dir/a\\:b\\#c$$d\\=e\\*");
    free(s);
    assert_null(make_file_name("a%b"));
    assert_null(make_file_name("a;b"));
    assert_null(make_file_name("a\\b"));
    assert_null(make_file_name("a\nb"));
    assert_null(make_file_name("~user"));
}

/* The Makefile names the target's .mk, the compiler, quoted store paths
 * and every output the manifest will list. */
static void test_makefile(void **state)
{
    struct parsed p;
    const char *cli[] = {"fs-cli=/srv/it's $here", NULL};
    assert_int_equal(
        parse_full(&p, "main-noip: a\nfs-static: my files\ncompiler: clang\n", cli, ".", 0), 0);
    struct strlist sources = {0};
    sl_add(&sources, "a.c");
    sl_add(&sources, "main.c");
    struct codegen g = codegen_for(&p, "hello");
    g.sources = &sources;
    g.cflags = "-I/usr/include/x #";
    char *mk = gen_makefile(&g);
    assert_non_null(strstr(mk, "include $(TARGET_MK)"));
    assert_non_null(strstr(mk, "TARGET_MK := $(MIRARI_LIBDIR)/unix-socket.mk"));
    assert_non_null(strstr(mk, "MIRARI_CC := clang"));
    assert_non_null(strstr(mk, "APP_CFLAGS := -I/usr/include/x \\#"));
    assert_non_null(strstr(mk, "include _build/sources.mk"));
    char *srcs = gen_sources_mk(&g);
    assert_non_null(strstr(srcs, "APP_OBJS := _build/app/a.o _build/app/main.o\n"));
    assert_non_null(strstr(mk, "pack 'my files' $@\n"));
    assert_non_null(strstr(mk, "pack '/srv/it'\\''s $$here' $@\n"));
    assert_null(strstr(mk, "--pack-dotfiles"));
    assert_non_null(strstr(mk, "IMAGE := mir-hello"));
    /* make itself reads it, from the app's directory, and from _build/
     * through the trampoline. */
    assert_int_equal(sh("mkdir -p _build"), 0);
    write_text("_build/Makefile", mk);
    write_text("_build/sources.mk", srcs);
    free(srcs);
    /* The entry point's prototype, force-included into the app's sources. */
    char *entry = gen_entry_h(&g);
    assert_non_null(strstr(entry, "\nint a(void);\n"));
    write_text("_build/entry.h", entry);
    free(entry);
    write_text("unix-socket.mk", "MIRARI_CC := cc\n");
    write_text("a.c", "");
    write_text("main.c", "");
    assert_int_equal(sh("make -s -f _build/Makefile TARGET_MK=unix-socket.mk -p -n all "
                        "2>/dev/null | grep -q '^APP_OBJS := _build/app/a.o _build/app/main.o'"),
                     0);
    assert_int_equal(sh("make -s -C _build TARGET_MK=\"$PWD/unix-socket.mk\" -n all 2>&1 | "
                        "grep -q -- '-include _build/entry.h -MMD -MP -c a.c -o _build/app/a.o'"),
                     0);
    free(mk);

    struct strlist out = {0};
    gen_outputs(&g, &out);
    assert_true(sl_has(&out, "_build/app/a.o"));
    assert_true(sl_has(&out, "_build/app/main.d"));
    assert_true(sl_has(&out, "_build/main.o"));
    assert_true(sl_has(&out, "_build/stores.o"));
    assert_true(sl_has(&out, "_build/fs-static.img"));
    assert_true(sl_has(&out, "_build/fs-cli.img.d"));
    assert_true(sl_has(&out, "mir-hello"));
    /* The linker's log, which build reads to explain a failed link. */
    assert_true(sl_has(&out, "_build/link.log"));
    sl_free(&out);
    sl_free(&sources);
    parsed_free(&p);
}

/* The prototype build names after a failed link is the one entry.h
 * declares, for each kind. */
static void test_entry_prototype(void **state)
{
    static const char *const cases[][2] = {
        {"main-noip: Hello.main\n", "int hello_main(void)"},
        {"main-ip: Echo.main\n", "int echo_main(const mi_netif *nif)"},
        {"main-http: Err.serve\n", "void err_serve(mi_http_exchange *x)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct parsed p;
        assert_int_equal(parse(&p, cases[i][0]), 0);
        char *proto = entry_prototype(&p.cfg);
        assert_string_equal(proto, cases[i][1]);
        struct codegen g = codegen_for(&p, "app");
        char *entry = gen_entry_h(&g);
        char line[128];
        snprintf(line, sizeof line, "\n%s;\n", proto);
        assert_non_null(strstr(entry, line));
        free(entry);
        free(proto);
        parsed_free(&p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_main_noip),
        cmocka_unit_test(test_main_ip),
        cmocka_unit_test(test_main_http_stores),
        cmocka_unit_test(test_hostile_values),
        cmocka_unit_test(test_app_keys),
        cmocka_unit_test(test_hostile_app_values),
        cmocka_unit_test(test_c_string_round_trip),
        cmocka_unit_test(test_c_string_forms),
        cmocka_unit_test(test_sh_quote),
        cmocka_unit_test(test_make_quoting),
        cmocka_unit_test(test_makefile),
        cmocka_unit_test(test_entry_prototype),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
