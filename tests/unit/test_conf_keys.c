/* SPDX-License-Identifier: ISC */
/* The shared key table and value parsers (abi/conf_keys.c, ipv4.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "conf_keys.h"
#include <mirari/net.h>

static void test_ipv4_parse(void **state)
{
    mi_ipv4 a;
    assert_int_equal(mi_ipv4_parse("10.0.0.2", &a), 0);
    assert_int_equal(a, MI_IPV4(10, 0, 0, 2));
    assert_int_equal(mi_ipv4_parse("255.255.255.255", &a), 0);
    assert_int_equal(a, 0xffffffffu);
    assert_int_equal(mi_ipv4_parse("0.0.0.0", &a), 0);
    assert_int_equal(a, 0);
    const char *bad[] = {"",         "1.2.3",      "1.2.3.4.", "1.2.3.4.5", "256.1.1.1",
                         "01.2.3.4", "1..2.3",     " 1.2.3.4", "1.2.3.4 ",  "1.2.3.-4",
                         "1.2.3.4x", "1000.1.1.1", "a.b.c.d",  "1.2.3.0004"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(mi_ipv4_parse(bad[i], &a), -1);
}

static void test_ipv4_format(void **state)
{
    char buf[MI_IPV4_STRLEN];
    assert_string_equal(mi_ipv4_format(MI_IPV4(10, 0, 0, 2), buf), "10.0.0.2");
    assert_string_equal(mi_ipv4_format(0xffffffffu, buf), "255.255.255.255");
    assert_string_equal(mi_ipv4_format(MI_IPV4(192, 168, 100, 10), buf), "192.168.100.10");
    /* Round trip over a spread of addresses. */
    for (uint64_t v = 0; v <= 0xffffffffu; v += 0x01010101u / 7) {
        mi_ipv4 back;
        assert_int_equal(mi_ipv4_parse(mi_ipv4_format((mi_ipv4)v, buf), &back), 0);
        assert_int_equal(back, (mi_ipv4)v);
    }
}

static void test_find(void **state)
{
    assert_non_null(conf_key_find("http-port", 9));
    assert_int_equal(conf_key_find("http-port", 9)->type, KT_PORT);
    assert_null(conf_key_find("http-por", 8));
    assert_null(conf_key_find("http-portx", 10));
    const struct conf_key *fs = conf_key_find("fs-static", 9);
    assert_non_null(fs);
    assert_string_equal(fs->name, "fs-");
    assert_true(fs->flags & KEY_FAMILY);
    assert_null(conf_key_find("fs-", 3)); /* a family needs a member */
    assert_string_equal(conf_key_find("xl-on_crash", 11)->name, "xl-");
    const struct conf_key *app = conf_key_find("app-echo-port", 13);
    assert_non_null(app);
    assert_string_equal(app->name, APP_KEY_PREFIX);
    assert_int_equal(app->flags, KEY_FAMILY | KEY_BOOT);
    assert_null(conf_key_find("app-", 4));
    /* Every non-family key finds itself. */
    for (size_t i = 0; i < conf_nkeys; i++)
        if (!(conf_keys[i].flags & KEY_FAMILY))
            assert_ptr_equal(conf_key_find(conf_keys[i].name, strlen(conf_keys[i].name)),
                             &conf_keys[i]);
}

static void test_name_distance(void **state)
{
    (void)state;
    assert_int_equal(name_distance("build", 5, "build", 5), 0);
    assert_int_equal(name_distance("biuld", 5, "build", 5), 1);   /* transposition */
    assert_int_equal(name_distance("Build", 5, "build", 5), 0);   /* case */
    assert_int_equal(name_distance("ip_use", 6, "ip-use", 6), 0); /* '_' is '-' */
    assert_int_equal(name_distance("bild", 4, "build", 5), 1);
    assert_int_equal(name_distance("buildd", 6, "build", 5), 1);
    assert_int_equal(name_distance("", 0, "run", 3), 3);
    assert_int_equal(name_distance("abc", 3, "cab", 3), 2);
    char longname[42];
    memset(longname, 'a', sizeof longname);
    assert_int_equal(name_distance(longname, 41, "a", 1), ~0u);
    assert_int_equal(name_close_limit(4), 1);
    assert_int_equal(name_close_limit(9), 3);
}

static void test_suggest(void **state)
{
    assert_string_equal(conf_key_suggest("htp-port"), "http-port");
    assert_string_equal(conf_key_suggest("http_port"), "http-port");
    assert_string_equal(conf_key_suggest("IP-ADDRESS"), "ip-address");
    assert_string_equal(conf_key_suggest("ip-adress"), "ip-address");
    assert_string_equal(conf_key_suggest("fs_static"), "fs-");
    assert_string_equal(conf_key_suggest("app_echo_port"), "app-");
    assert_string_equal(conf_key_suggest("depend"), "depends");
    assert_string_equal(conf_key_suggest("htpt-port"), "http-port"); /* a transposition */
    assert_null(conf_key_suggest("port"));
    assert_null(conf_key_suggest("zzzzzzzzzz"));
    assert_null(conf_key_suggest(""));
    assert_null(conf_key_suggest("a-very-long-name-that-is-nothing-like-any-key-at-all"));
}

static void test_scalars(void **state)
{
    bool b;
    unsigned u;
    unsigned long ul;
    assert_int_equal(parse_bool("true", &b), 0);
    assert_true(b);
    assert_int_equal(parse_bool("false", &b), 0);
    assert_false(b);
    assert_int_equal(parse_bool("yes", &b), -1);
    assert_int_equal(parse_bool("True", &b), -1);
    assert_int_equal(parse_port("80", &u), 0);
    assert_int_equal(u, 80);
    assert_int_equal(parse_port("65535", &u), 0);
    assert_int_equal(parse_port("0", &u), -1);
    assert_int_equal(parse_port("65536", &u), -1);
    assert_int_equal(parse_port("99999", &u), -1);
    assert_int_equal(parse_port("-1", &u), -1);
    assert_int_equal(parse_port("8o", &u), -1);
    assert_int_equal(parse_port("", &u), -1);
    assert_int_equal(parse_uint("18446744073709551615", ~0ul, &ul), 0);
    assert_int_equal(parse_uint("18446744073709551616", ~0ul, &ul), -1);
    assert_int_equal(parse_netmask("255.255.255.0", &u), 0);
    assert_int_equal(u, 24);
    assert_int_equal(parse_netmask("255.255.255.255", &u), 0);
    assert_int_equal(u, 32);
    assert_int_equal(parse_netmask("128.0.0.0", &u), 0);
    assert_int_equal(u, 1);
    assert_int_equal(parse_netmask("255.0.255.0", &u), -1);
    assert_int_equal(parse_netmask("0.0.0.0", &u), -1);
    assert_int_equal(parse_netmask("255.255.255.1", &u), -1);
}

static void test_entry_symbol(void **state)
{
    char sym[ENTRY_MAX + 1];
    assert_int_equal(entry_symbol("hello_main", sym, sizeof sym), 0);
    assert_string_equal(sym, "hello_main");
    assert_int_equal(entry_symbol("Dispatch.main", sym, sizeof sym), 0);
    assert_string_equal(sym, "dispatch_main");
    assert_int_equal(entry_symbol("HTTP_Server.Run", sym, sizeof sym), 0);
    assert_string_equal(sym, "http_server_Run");
    assert_int_equal(entry_symbol("CamelCase", sym, sizeof sym), 0);
    assert_string_equal(sym, "CamelCase");
    const char *bad[] = {"",      "1abc", "a-b",  "a.b.c", "a.",          ".a",   "int",
                         "while", "a b",  "a\"b", "a\\b",  "hello_main;", "_Bool"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(entry_symbol(bad[i], sym, sizeof sym), -1);
    assert_int_equal(entry_symbol("abcdef", sym, 6), -1); /* no room */
}

static void test_check(void **state)
{
    const struct conf_key *k = conf_key_find("http-port", 9);
    assert_null(conf_key_check(k, "8080"));
    assert_string_equal(conf_key_check(k, "99999"), "a number from 1 to 65535");
    k = conf_key_find("http-address", 12);
    assert_null(conf_key_check(k, "*"));
    assert_null(conf_key_check(k, "127.0.0.1"));
    assert_non_null(conf_key_check(k, "localhost"));
    k = conf_key_find("depends", 7);
    assert_null(conf_key_check(k, "cohttp.syntax, uri, re, cow.syntax"));
    assert_null(conf_key_check(k, ""));
    assert_null(conf_key_check(k, "gtk+-3.0"));
    assert_non_null(conf_key_check(k, "a,,b"));
    assert_non_null(conf_key_check(k, "a b"));
    assert_non_null(conf_key_check(k, "a,"));
    assert_non_null(conf_key_check(k, "$(shell rm)"));
    k = conf_key_find("memory", 6);
    assert_null(conf_key_check(k, "32"));
    assert_non_null(conf_key_check(k, "0"));
    assert_non_null(conf_key_check(k, "32M"));
    k = conf_key_find("log-level", 9);
    assert_null(conf_key_check(k, "debug"));
    assert_non_null(conf_key_check(k, "verbose"));
    k = conf_key_find("xl-vif", 6);
    assert_null(conf_key_check(k, "[ 'mac=00:16:3E:74:34:32' ]"));
    assert_non_null(conf_key_check(k, "a\nb"));
    assert_non_null(conf_key_check(k, ""));
    k = conf_key_find("fs-static", 9);
    assert_null(conf_key_check(k, "../files"));
    assert_non_null(conf_key_check(k, "a\x1b"));
    /* An app key's value is free text on one line, possibly empty. */
    k = conf_key_find("app-motd", 8);
    assert_null(conf_key_check(k, ""));
    assert_null(conf_key_check(k, "Hello, \"world\" \\ ?\?/ */ \t caf\xc3\xa9"));
    assert_non_null(conf_key_check(k, "a\nb"));
    assert_non_null(conf_key_check(k, "a\rb"));
    assert_non_null(conf_key_check(k, "\x1b[2J"));
    assert_non_null(conf_key_check(k, "del\x7f"));
    k = conf_key_find("main-noip", 9);
    assert_null(conf_key_check(k, "Noip.main"));
    assert_non_null(conf_key_check(k, "return"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv4_parse),   cmocka_unit_test(test_ipv4_format),
        cmocka_unit_test(test_find),         cmocka_unit_test(test_name_distance),
        cmocka_unit_test(test_suggest),      cmocka_unit_test(test_scalars),
        cmocka_unit_test(test_entry_symbol), cmocka_unit_test(test_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
