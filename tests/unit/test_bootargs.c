/* SPDX-License-Identifier: ISC */
/* Boot arguments (runtime/core/bootargs.c) over the real key table: every
 * boot key in both forms, defaults, errors and their messages, --help. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <platform.h>

#include "core/bootargs.h"
#include "conf_keys.h"
#include "../../platform/unix/unix.h"

static struct bootargs r;

/* Parse a NULL-terminated list of arguments (argv[0] added). */
#define PARSE(defs, n, ...)                                                                        \
    do {                                                                                           \
        char *argv_[] = {"mir-test", __VA_ARGS__, NULL};                                           \
        bootargs_parse(&r, (int)(sizeof(argv_) / sizeof(argv_[0])) - 1, argv_, defs, n);           \
    } while (0)

static void parse_none(const mi_conf_pair *defs, size_t n)
{
    char *argv[] = {"mir-test", NULL};
    bootargs_parse(&r, 1, argv, defs, n);
}

/* A valid value for each type of boot key, and an invalid one. */
static const char *good_value(enum conf_key_type t)
{
    switch (t) {
    case KT_BOOL:
        return "true";
    case KT_IPV4:
        return "10.0.0.2";
    case KT_NETMASK:
        return "255.255.255.0";
    case KT_PORT:
        return "8080";
    case KT_LISTEN_ADDR:
        return "127.0.0.1";
    case KT_LOG_LEVEL:
        return "debug";
    case KT_TCP_CC:
        return "newreno";
    default:
        return NULL;
    }
}

static const char *bad_value(enum conf_key_type t)
{
    switch (t) {
    case KT_BOOL:
        return "yes";
    case KT_IPV4:
    case KT_LISTEN_ADDR:
        return "10.0.0.256";
    case KT_NETMASK:
        return "255.0.255.0";
    case KT_PORT:
        return "65536";
    case KT_LOG_LEVEL:
        return "verbose";
    case KT_TCP_CC:
        return "cubic";
    default:
        return NULL;
    }
}

static void builtin_defaults(void **state)
{
    parse_none(NULL, 0);
    assert_int_equal(r.action, BOOT_RUN);
    assert_string_equal(bootargs_get(&r, "http-port"), "80");
    assert_string_equal(bootargs_get(&r, "http-address"), "*");
    assert_string_equal(bootargs_get(&r, "ip-use-dhcp"), "false");
    assert_string_equal(bootargs_get(&r, "log-level"), "info");
    assert_null(bootargs_get(&r, "ip-address"));
    assert_null(bootargs_get(&r, "no-such-key"));
}

static void compiled_defaults_override_builtins(void **state)
{
    static const mi_conf_pair defs[] = {
        {"http-port", "8080"},
        {"ip-address", "10.0.0.2"},
        {"fs-static", "../files"}, /* not a boot key, still readable */
    };
    parse_none(defs, 3);
    assert_int_equal(r.action, BOOT_RUN);
    assert_string_equal(bootargs_get(&r, "http-port"), "8080");
    assert_string_equal(bootargs_get(&r, "ip-address"), "10.0.0.2");
    assert_string_equal(bootargs_get(&r, "http-address"), "*");
    assert_string_equal(bootargs_get(&r, "fs-static"), "../files");
}

static void every_boot_key_in_both_forms(void **state)
{
    int boot_keys = 0;
    for (size_t i = 0; i < conf_nkeys; i++) {
        const struct conf_key *k = &conf_keys[i];
        if (!(k->flags & KEY_BOOT) || (k->flags & KEY_FAMILY))
            continue; /* app-NAME: see app_keys_* */
        boot_keys++;
        const char *v = good_value(k->type);
        assert_non_null(v); /* a boot key of a type this test does not know */

        char eq[128];
        snprintf(eq, sizeof(eq), "--%s=%s", k->name, v);
        char *argv1[] = {"mir-test", eq, NULL};
        bootargs_parse(&r, 2, argv1, NULL, 0);
        assert_int_equal(r.action, BOOT_RUN);
        assert_string_equal(bootargs_get(&r, k->name), v);

        char opt[128];
        snprintf(opt, sizeof(opt), "--%s", k->name);
        char *argv2[] = {"mir-test", opt, (char *)v, NULL};
        bootargs_parse(&r, 3, argv2, NULL, 0);
        assert_int_equal(r.action, BOOT_RUN);
        assert_string_equal(bootargs_get(&r, k->name), v);

        /* And a bad value is refused with the key's own description. */
        char bad[128];
        snprintf(bad, sizeof(bad), "--%s=%s", k->name, bad_value(k->type));
        char *argv3[] = {"mir-test", bad, NULL};
        bootargs_parse(&r, 2, argv3, NULL, 0);
        assert_int_equal(r.action, BOOT_ERROR);
        char want[256];
        snprintf(want, sizeof(want), "--%s: \"%s\" is not valid; expected %s", k->name,
                 bad_value(k->type), conf_key_check(k, bad_value(k->type)));
        assert_string_equal(r.error, want);
    }
    /* ip-use-dhcp, ip-address, ip-netmask, ip-gateway, tcp-congestion,
     * http-port, http-address, https-port, https-redirect, log-level. */
    assert_int_equal(boot_keys, 10);
}

static void several_arguments_last_wins(void **state)
{
    PARSE(NULL, 0, "--http-port=1", "--log-level", "warn", "--http-port", "2",
          "--ip-address=10.1.2.3");
    assert_int_equal(r.action, BOOT_RUN);
    assert_string_equal(bootargs_get(&r, "http-port"), "2");
    assert_string_equal(bootargs_get(&r, "log-level"), "warn");
    assert_string_equal(bootargs_get(&r, "ip-address"), "10.1.2.3");
}

static void bare_boolean_switch(void **state)
{
    PARSE(NULL, 0, "--ip-use-dhcp");
    assert_int_equal(r.action, BOOT_RUN);
    assert_string_equal(bootargs_get(&r, "ip-use-dhcp"), "true");

    PARSE(NULL, 0, "--ip-use-dhcp", "--http-port=81");
    assert_int_equal(r.action, BOOT_RUN);
    assert_string_equal(bootargs_get(&r, "ip-use-dhcp"), "true");
    assert_string_equal(bootargs_get(&r, "http-port"), "81");

    PARSE(NULL, 0, "--ip-use-dhcp", "false");
    assert_int_equal(r.action, BOOT_RUN);
    assert_string_equal(bootargs_get(&r, "ip-use-dhcp"), "false");
}

static void the_documented_message(void **state)
{
    PARSE(NULL, 0, "--http-port=abc");
    assert_int_equal(r.action, BOOT_ERROR);
    assert_string_equal(r.error, "--http-port: \"abc\" is not valid; expected a number from 1 to "
                                 "65535");
}

static void unknown_key_suggests(void **state)
{
    PARSE(NULL, 0, "--htp-port=8080");
    assert_int_equal(r.action, BOOT_ERROR);
    assert_string_equal(r.error, "unknown boot argument --htp-port; did you mean --http-port?");

    PARSE(NULL, 0, "--frobnicate");
    assert_int_equal(r.action, BOOT_ERROR);
    assert_string_equal(r.error, "unknown boot argument --frobnicate");
}

static void build_time_keys_are_not_boot_arguments(void **state)
{
    PARSE(NULL, 0, "--main-ip=echo_main");
    assert_int_equal(r.action, BOOT_ERROR);
    assert_string_equal(r.error, "--main-ip is fixed when the application is built, not a boot "
                                 "argument");
    PARSE(NULL, 0, "--fs-static=../files");
    assert_int_equal(r.action, BOOT_ERROR);
    assert_string_equal(r.error, "--fs-static is fixed when the application is built, not a boot "
                                 "argument");
}

static void missing_value(void **state)
{
    PARSE(NULL, 0, "--http-port");
    assert_int_equal(r.action, BOOT_ERROR);
    assert_string_equal(r.error, "--http-port needs a value; expected a number from 1 to 65535");
}

static void not_an_option(void **state)
{
    const char *bad[] = {"8080", "-x", "--", "--=1", "-"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *argv[] = {"mir-test", (char *)bad[i], NULL};
        bootargs_parse(&r, 2, argv, NULL, 0);
        assert_int_equal(r.action, BOOT_ERROR);
        assert_non_null(strstr(r.error, "unexpected argument"));
    }
}

static void hostile_values_are_quoted_safely(void **state)
{
    PARSE(NULL, 0, "--ip-address=\x1b[2J\x07");
    assert_int_equal(r.action, BOOT_ERROR);
    assert_null(strchr(r.error, '\x1b'));
    assert_non_null(strstr(r.error, "\"?[2J?\""));

    /* Long values are cut in the message. */
    char longv[600];
    memset(longv, '9', sizeof(longv) - 1);
    longv[sizeof(longv) - 1] = '\0';
    char arg[620];
    snprintf(arg, sizeof(arg), "--http-port=%s", longv);
    char *argv[] = {"mir-test", arg, NULL};
    bootargs_parse(&r, 2, argv, NULL, 0);
    assert_int_equal(r.action, BOOT_ERROR);
    assert_non_null(strstr(r.error, "999...\" is not valid"));
}

static void help_and_version(void **state)
{
    PARSE(NULL, 0, "--http-port=8080", "--help");
    assert_int_equal(r.action, BOOT_HELP);
    PARSE(NULL, 0, "-h");
    assert_int_equal(r.action, BOOT_HELP);
    PARSE(NULL, 0, "--version");
    assert_int_equal(r.action, BOOT_VERSION);
    /* Arguments are taken in order: an error before --help wins. */
    PARSE(NULL, 0, "--bogus", "--help");
    assert_int_equal(r.action, BOOT_ERROR);
}

static void usage_lists_boot_keys_with_defaults(void **state)
{
    static const mi_conf_pair defs[] = {{"http-port", "8080"}};
    char buf[4096];
    size_t len = bootargs_usage("mir-site", defs, 1, buf, sizeof(buf));
    assert_int_equal(len, strlen(buf));
    assert_non_null(strstr(buf, "usage: mir-site "));
    for (size_t i = 0; i < conf_nkeys; i++) {
        const struct conf_key *k = &conf_keys[i];
        char opt[64];
        snprintf(opt, sizeof(opt), "--%s=", k->name);
        if ((k->flags & KEY_BOOT) && !(k->flags & KEY_FAMILY)) {
            assert_non_null(strstr(buf, opt));
            assert_non_null(strstr(buf, k->help));
        } else {
            assert_null(strstr(buf, opt));
        }
    }
    assert_non_null(strstr(buf, "--http-port=PORT\n"));
    assert_non_null(strstr(buf, "(default: 8080)"));
    assert_non_null(strstr(buf, "(default: *)"));
    assert_non_null(strstr(buf, "(default: unset)")); /* ip-address */
    assert_non_null(strstr(buf, "--help"));
    assert_non_null(strstr(buf, "--version"));

    /* Like snprintf: the full length even when cut, always terminated. */
    char small[32];
    assert_int_equal(bootargs_usage("mir-site", defs, 1, small, sizeof(small)), len);
    assert_int_equal(strlen(small), sizeof(small) - 1);
    assert_int_equal(bootargs_usage("mir-site", defs, 1, NULL, 0), len);
}

/* The compiled defaults of an application with its own keys. */
static const mi_conf_pair app_defs[] = {
    {"http-port", "8080"},
    {"app-echo-port", "7"},
    {"app-motd", "Hello, \"world\""},
    {"app-empty", ""},
};
#define N_APP_DEFS (sizeof(app_defs) / sizeof(app_defs[0]))

static void app_keys_defaults_and_overrides(void **state)
{
    parse_none(app_defs, N_APP_DEFS);
    assert_int_equal(r.action, BOOT_RUN);
    assert_string_equal(bootargs_get(&r, "app-echo-port"), "7");
    assert_string_equal(bootargs_get(&r, "app-motd"), "Hello, \"world\"");
    assert_string_equal(bootargs_get(&r, "app-empty"), "");
    assert_null(bootargs_get(&r, "app-other"));

    /* Both forms; the last one wins; the value is argv's own string. */
    char *argv[] = {
        "mir-echo", "--app-echo-port=7007", "--app-motd", "two words", "--app-echo-port",
        "7008",     "--app-empty=x=y",      NULL};
    bootargs_parse(&r, 7, argv, app_defs, N_APP_DEFS);
    assert_int_equal(r.action, BOOT_RUN);
    assert_ptr_equal(bootargs_get(&r, "app-echo-port"), argv[5]);
    assert_ptr_equal(bootargs_get(&r, "app-motd"), argv[3]);
    assert_string_equal(bootargs_get(&r, "app-empty"), "x=y");
    assert_string_equal(bootargs_get(&r, "http-port"), "8080");

    /* Any text on one line, an empty one too (with '='). */
    PARSE(app_defs, N_APP_DEFS, "--app-motd=", "--app-empty=--not-an-option");
    assert_int_equal(r.action, BOOT_RUN);
    assert_string_equal(bootargs_get(&r, "app-motd"), "");
    assert_string_equal(bootargs_get(&r, "app-empty"), "--not-an-option");
}

static void app_keys_undeclared_are_refused(void **state)
{
    PARSE(app_defs, N_APP_DEFS, "--app-echo-prot=7007");
    assert_int_equal(r.action, BOOT_ERROR);
    assert_string_equal(r.error, "unknown boot argument --app-echo-prot; this application declares "
                                 "--app-echo-port, --app-motd, --app-empty");
    /* A near miss of the family, too. */
    PARSE(app_defs, N_APP_DEFS, "--app_echo_port=1");
    assert_int_equal(r.action, BOOT_ERROR);
    assert_non_null(strstr(r.error, "--app_echo_port; this application declares --app-echo-port"));
    /* An application without app keys accepts none. */
    PARSE(NULL, 0, "--app-echo-port=7");
    assert_int_equal(r.action, BOOT_ERROR);
    assert_string_equal(r.error,
                        "unknown boot argument --app-echo-port; this application declares no "
                        "app- keys");
    /* Only exact names: a prefix or an extension of a declared one is not. */
    PARSE(app_defs, N_APP_DEFS, "--app-echo");
    assert_int_equal(r.action, BOOT_ERROR);
    PARSE(app_defs, N_APP_DEFS, "--app-echo-portx=1");
    assert_int_equal(r.action, BOOT_ERROR);

    /* Many declared keys: the list is cut, the message stays one line. */
    static mi_conf_pair many[APP_KEYS_MAX];
    static char names[APP_KEYS_MAX][32];
    for (int i = 0; i < APP_KEYS_MAX; i++) {
        snprintf(names[i], sizeof(names[i]), "app-setting-number-%d", i);
        many[i] = (mi_conf_pair){names[i], "v"};
    }
    PARSE(many, APP_KEYS_MAX, "--app-nope=1");
    assert_int_equal(r.action, BOOT_ERROR);
    assert_non_null(strstr(r.error, "declares --app-setting-number-0, --app-setting-number-1, "));
    assert_non_null(strstr(r.error, ", ..."));
    assert_true(strlen(r.error) < sizeof(r.error) - 1);
    PARSE(many, APP_KEYS_MAX, "--app-setting-number-63=x");
    assert_int_equal(r.action, BOOT_RUN);
    assert_string_equal(bootargs_get(&r, "app-setting-number-63"), "x");
}

static void app_keys_bad_values(void **state)
{
    PARSE(app_defs, N_APP_DEFS, "--app-motd=\x1b[2J");
    assert_int_equal(r.action, BOOT_ERROR);
    assert_string_equal(r.error, "--app-motd: \"?[2J\" is not valid; expected text on one line "
                                 "without control characters (or nothing)");
    PARSE(app_defs, N_APP_DEFS, "--app-motd=a\nb");
    assert_int_equal(r.action, BOOT_ERROR);
    /* No value: missing at the end, and "--..." is the next option. */
    PARSE(app_defs, N_APP_DEFS, "--app-motd");
    assert_int_equal(r.action, BOOT_ERROR);
    assert_string_equal(r.error, "--app-motd needs a value (--app-motd=VALUE)");
    PARSE(app_defs, N_APP_DEFS, "--app-motd", "--http-port=1");
    assert_int_equal(r.action, BOOT_ERROR);
    assert_string_equal(r.error, "--app-motd needs a value (--app-motd=VALUE)");
}

static void app_keys_in_usage(void **state)
{
    char buf[4096];
    size_t len = bootargs_usage("mir-echo", app_defs, N_APP_DEFS, buf, sizeof(buf));
    assert_int_equal(len, strlen(buf));
    assert_non_null(strstr(buf, "  --app-echo-port=VALUE\n      a setting of this application "
                                "(default: 7)\n"));
    assert_non_null(strstr(buf, "--app-motd=VALUE\n      a setting of this application (default: "
                                "Hello, \"world\")\n"));
    assert_non_null(strstr(buf, "(default: \"\")")); /* app-empty */
    /* After the table's keys, before --help. */
    assert_true(strstr(buf, "--log-level=") < strstr(buf, "--app-echo-port="));
    assert_true(strstr(buf, "--app-empty=") < strstr(buf, "  --help"));
    /* None when the application declares none. */
    bootargs_usage("mir-hello", NULL, 0, buf, sizeof(buf));
    assert_null(strstr(buf, "--app-"));
}

/* The unix platform takes --net-fd out of argv before the runtime parses
 * the rest (platform/unix/init.c). */
static void platform_takes_net_fd_out(void **state)
{
    char *argv[] = {"mir-test", "--http-port=1", "--net-fd=5", "--log-level", "warn", NULL};
    int argc = 5;
    unix_net_fd = -1;
    assert_int_equal(plat_init(&argc, argv), 0);
    assert_int_equal(unix_net_fd, 5);
    assert_int_equal(argc, 4);
    assert_string_equal(argv[1], "--http-port=1");
    assert_string_equal(argv[2], "--log-level");
    assert_string_equal(argv[3], "warn");
    assert_null(argv[4]);
    bootargs_parse(&r, argc, argv, NULL, 0);
    assert_int_equal(r.action, BOOT_RUN);

    char *argv2[] = {"mir-test", "--net-fd", "17", NULL};
    argc = 3;
    assert_int_equal(plat_init(&argc, argv2), 0);
    assert_int_equal(unix_net_fd, 17);
    assert_int_equal(argc, 1);
    assert_null(argv2[1]);

    char *argv3[] = {"mir-test", "--log-level=info", NULL};
    argc = 2;
    unix_net_fd = -1;
    assert_int_equal(plat_init(&argc, argv3), 0);
    assert_int_equal(unix_net_fd, -1);
    assert_int_equal(argc, 2);

    /* Not a descriptor number; a longer option is not --net-fd. */
    const char *bad[][2] = {{"--net-fd=x", NULL},
                            {"--net-fd=", NULL},
                            {"--net-fd=-1", NULL},
                            {"--net-fd=99999999999", NULL},
                            {"--net-fd", NULL}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *argv4[] = {"mir-test", (char *)bad[i][0], NULL};
        argc = 2;
        assert_int_equal(plat_init(&argc, argv4), -EINVAL);
    }
    char *argv5[] = {"mir-test", "--net-fdx=1", NULL};
    argc = 2;
    assert_int_equal(plat_init(&argc, argv5), 0);
    assert_int_equal(argc, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(builtin_defaults),
        cmocka_unit_test(compiled_defaults_override_builtins),
        cmocka_unit_test(every_boot_key_in_both_forms),
        cmocka_unit_test(several_arguments_last_wins),
        cmocka_unit_test(bare_boolean_switch),
        cmocka_unit_test(the_documented_message),
        cmocka_unit_test(unknown_key_suggests),
        cmocka_unit_test(build_time_keys_are_not_boot_arguments),
        cmocka_unit_test(missing_value),
        cmocka_unit_test(not_an_option),
        cmocka_unit_test(hostile_values_are_quoted_safely),
        cmocka_unit_test(help_and_version),
        cmocka_unit_test(usage_lists_boot_keys_with_defaults),
        cmocka_unit_test(app_keys_defaults_and_overrides),
        cmocka_unit_test(app_keys_undeclared_are_refused),
        cmocka_unit_test(app_keys_bad_values),
        cmocka_unit_test(app_keys_in_usage),
        cmocka_unit_test(platform_takes_net_fd_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
