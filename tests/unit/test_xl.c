/* SPDX-License-Identifier: ISC */
/* NAME.xl (tool/xl.c): every form an xl-KEY value takes into the file, the
 * values refused with file, line and key, the default memory, the vif an
 * app with a network gets, and the boot arguments in cmdline encoded as
 * the kernel splits them (abi/cmdline.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "../../tool/xl.h"
#include "test_conf_helpers.h"

#define KERNEL "/srv/app/mir-app.xen"

/* The file for a configuration that must check; NULL after an error. */
static char *xl_for(struct parsed *p, const char *conf)
{
    if (parse(p, conf) != 0)
        dump(p);
    assert_int_equal(p->d.total, 0);
    return xl_config_text(&p->cfg, "app", KERNEL, &p->d);
}

/* Whether the file has exactly this line. */
static bool has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; (p = strstr(p, line)); p += n)
        if ((p == text || p[-1] == '\n') && p[n] == '\n')
            return true;
    return false;
}

#define assert_line(text, line)                                                                    \
    do {                                                                                           \
        if (!has_line(text, line))                                                                 \
            fprintf(stderr, "no line \"%s\" in:\n%s", line, text);                                 \
        assert_true(has_line(text, line));                                                         \
    } while (0)

static void test_mirari_lines(void **state)
{
    struct parsed p;
    char *t = xl_for(&p, "main-noip: app_main\n");
    assert_non_null(t);
    assert_line(t, "name = \"app\"");
    assert_line(t, "type = \"pvh\"");
    assert_line(t, "kernel = \"" KERNEL "\"");
    assert_line(t, "memory = 32");
    assert_line(t, "cmdline = \"\"");
    assert_null(strstr(t, "vif")); /* main-noip: no network */
    free(t);
    parsed_free(&p);
}

/* The original README's three xl- lines, as written there. */
static void test_seed_lines(void **state)
{
    struct parsed p;
    char *t = xl_for(&p, "main-http: Dispatch.main\nxl-memory: 32\nxl-on_crash: preserve\n"
                         "xl-vif: [ 'mac=00:16:3E:74:34:32' ]\n");
    assert_non_null(t);
    assert_line(t, "memory = 32");
    assert_line(t, "on_crash = \"preserve\"");
    assert_line(t, "vif = [ 'mac=00:16:3E:74:34:32' ]");
    /* A network app without an address or DHCP: the tap targets' default. */
    assert_line(
        t, "cmdline = \"--ip-address=10.0.0.2 --ip-netmask=255.255.255.0 --ip-gateway=10.0.0.1\"");
    /* One memory line: xl-memory replaces the default. */
    assert_null(strstr(strstr(t, "memory =") + 1, "memory ="));
    assert_true(xl_keeps_crashed(&p.cfg));
    free(t);
    parsed_free(&p);
}

static void test_value_forms(void **state)
{
    struct parsed p;
    char *t = xl_for(&p, "main-noip: app_main\n"
                         "xl-vcpus: 2\n"               /* a number */
                         "xl-bootloader: \"pygrub\"\n" /* quoted strings, kept */
                         "xl-description: 'say \"hi\"'\n"
                         "xl-cpus: 0-3\n"      /* a bare word: a string */
                         "xl-seclabel: a\"b\n" /* ... in single quotes */
                         "xl-acpi: false\n"    /* booleans: 1 and 0 */
                         "xl-pvh_flag: true\n"
                         "xl-disk: [ \"a\", 'b', 3, ]\n" /* a list, verbatim */
                         "xl-on_poweroff: destroy\n");
    assert_non_null(t);
    assert_line(t, "vcpus = 2");
    assert_line(t, "bootloader = \"pygrub\"");
    assert_line(t, "description = 'say \"hi\"'");
    assert_line(t, "cpus = \"0-3\"");
    assert_line(t, "seclabel = 'a\"b'");
    assert_line(t, "acpi = 0");
    assert_line(t, "pvh_flag = 1");
    assert_line(t, "disk = [ \"a\", 'b', 3, ]");
    assert_line(t, "on_poweroff = \"destroy\"");
    assert_false(xl_keeps_crashed(&p.cfg));
    free(t);
    parsed_free(&p);
}

/* Each bad value: the error names file, line and key; no file. */
static void test_bad_values(void **state)
{
    static const struct {
        const char *line, *where, *says;
    } cases[] = {
        {"xl-memory: 32M", "app.conf:2: xl-memory:", "positive whole number"},
        {"xl-vcpus: 0", "app.conf:2: xl-vcpus:", "positive whole number"},
        {"xl-vif: [ 'mac=1'", "app.conf:2: xl-vif:", "no closing ]"},
        {"xl-vif: [ 'mac=1' 'b' ]", "app.conf:2: xl-vif:", "separated by commas"},
        {"xl-vif: [ mac ]", "app.conf:2: xl-vif:", "quoted strings and numbers"},
        {"xl-vif: [ 'a ]", "app.conf:2: xl-vif:", "no closing quote"},
        {"xl-vif: [ 'a' ] x", "app.conf:2: xl-vif:", "closing ]"},
        {"xl-bootloader: \"a", "app.conf:2: xl-bootloader:", "no closing quote"},
        {"xl-bootloader: \"a\" b", "app.conf:2: xl-bootloader:", "nothing after"},
        {"xl-bootloader: 'a\\b'", "app.conf:2: xl-bootloader:", "backslash"},
        {"xl-cpus: a\\b", "app.conf:2: xl-cpus:", "backslash"},
        {"xl-cpus: a\"b'c", "app.conf:2: xl-cpus:", "both kinds of quote"},
        {"xl-on_crash: explode", "app.conf:2: xl-on_crash:", "preserve"},
        {"xl-kernel: /boot/k", "app.conf:2: xl-kernel:", "mirari writes kernel itself"},
        {"xl-name: other", "app.conf:2: xl-name:", "mirari writes name itself"},
        {"xl-cmdline: x", "app.conf:2: xl-cmdline:", "mirari writes cmdline itself"},
        {"xl-type: hvm", "app.conf:2: xl-type:", "mirari writes type itself"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct parsed p;
        char conf[128];
        snprintf(conf, sizeof conf, "main-noip: app_main\n%s\n", cases[i].line);
        char *t = xl_for(&p, conf);
        if (t)
            fprintf(stderr, "accepted: %s\n", cases[i].line);
        assert_null(t);
        assert_error(&p, cases[i].where, cases[i].says, NULL);
        parsed_free(&p);
    }
}

static void test_memory(void **state)
{
    struct parsed p;
    char *t = xl_for(&p, "main-noip: app_main\nmemory: 64\n");
    assert_line(t, "memory = 64");
    free(t);
    parsed_free(&p);
    /* xl-memory is xl's own and wins over memory. */
    t = xl_for(&p, "main-noip: app_main\nmemory: 64\nxl-memory: 16\n");
    assert_line(t, "memory = 16");
    assert_null(strstr(t, "memory = 64"));
    free(t);
    parsed_free(&p);
}

static void test_vif(void **state)
{
    struct parsed p;
    /* No address and no DHCP: the default address, in the vif too. */
    char *t = xl_for(&p, "main-ip: app_main\n");
    assert_line(t, "vif = [ 'ip=10.0.0.2' ]");
    assert_line(
        t, "cmdline = \"--ip-address=10.0.0.2 --ip-netmask=255.255.255.0 --ip-gateway=10.0.0.1\"");
    free(t);
    parsed_free(&p);
    /* An address of the app's own: only the keys it leaves out. */
    t = xl_for(&p, "main-ip: app_main\nip-address: 192.168.1.5\nip-gateway: 192.168.1.1\n");
    assert_line(t, "vif = [ 'ip=192.168.1.5' ]");
    assert_null(strstr(t, "10.0.0"));
    free(t);
    parsed_free(&p);
    t = xl_for(&p, "main-http: app_main\nip-address: 10.0.0.2\n");
    assert_line(t, "vif = [ 'ip=10.0.0.2' ]");
    free(t);
    parsed_free(&p);
    t = xl_for(&p, "main-http: app_main\nip-use-dhcp: true\n");
    assert_line(t, "vif = [ '' ]");
    free(t);
    parsed_free(&p);
    /* The user's vif, and only that. */
    t = xl_for(&p, "main-ip: app_main\nxl-vif: [ 'bridge=br0' ]\n");
    assert_line(t, "vif = [ 'bridge=br0' ]");
    assert_null(strstr(t, "vif = [ '' ]"));
    free(t);
    parsed_free(&p);
}

static void test_cmdline(void **state)
{
    struct parsed p;
    /* Boot-argument keys in table order, then app- keys as given; a word
     * with a blank in the kernel's double quotes, the line in single. */
    char *t = xl_for(&p, "main-http: app_main\napp-greeting: hi there\nlog-level: debug\n"
                         "http-port: 8080\napp-x: 1\n");
    assert_line(
        t, "cmdline = '--http-port=8080 --log-level=debug \"--app-greeting=hi there\" "
           "--app-x=1 --ip-address=10.0.0.2 --ip-netmask=255.255.255.0 --ip-gateway=10.0.0.1'");
    free(t);
    parsed_free(&p);
    /* What the kernel splits back is what was meant. */
    char *words[] = {"--app-a=x y", "--app-b="};
    const char *bad = NULL;
    char *line = xl_cmdline(words, 2, &bad);
    assert_string_equal(line, "'\"--app-a=x y\" --app-b='");
    free(line);
    /* xl's strings cannot carry a double quote (its encoding needs a
     * backslash): refused with file, line and key. */
    assert_null(xl_for(&p, "main-noip: app_main\nlog-level: info\napp-msg: say \"hi\"\n"));
    assert_error(&p,
                 "app.conf:3: app-msg:", "--app-msg=say \"hi\" cannot be a boot argument on xen",
                 "double quote");
    parsed_free(&p);
    char *quote[] = {"--app-a=it's"};
    assert_null(xl_cmdline(quote, 1, &bad));
    assert_string_equal(bad, "--app-a=it's");
}

static void test_boot_words(void **state)
{
    struct parsed p;
    parse(&p, "main-http: app_main\napp-k: v\nhttp-port: 81\n");
    struct strlist w = {0};
    /* run passes the first (table keys); app- keys come after. */
    assert_int_equal(xl_boot_words(&p.cfg, &w), 1);
    assert_int_equal(w.n, 2);
    assert_string_equal(w.v[0], "--http-port=81");
    assert_string_equal(w.v[1], "--app-k=v");
    sl_free(&w);
    parsed_free(&p);
}

static void test_string(void **state)
{
    char *s = xl_string("a b");
    assert_string_equal(s, "\"a b\"");
    free(s);
    s = xl_string("a\"b");
    assert_string_equal(s, "'a\"b'");
    free(s);
    assert_null(xl_string("a\"b'"));
    assert_null(xl_string("a\\b"));
    s = xl_file_name("hello");
    assert_string_equal(s, "hello.xl");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mirari_lines), cmocka_unit_test(test_seed_lines),
        cmocka_unit_test(test_value_forms),  cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_memory),       cmocka_unit_test(test_vif),
        cmocka_unit_test(test_cmdline),      cmocka_unit_test(test_boot_words),
        cmocka_unit_test(test_string),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
