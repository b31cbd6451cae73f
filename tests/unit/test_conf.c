/* SPDX-License-Identifier: ISC */
/* The app.conf parser and the checks across keys (tool/conf.c,
 * tool/check.c): every key, every error, the seed's example verbatim. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_conf_helpers.h"

/* The example app.conf of the original Mirari's README, as written. */
static const char seed_conf[] =
    "# IP configuration\n"
    "\n"
    "# This will use DHCP for configuring the unikernel's network interfaces\n"
    "\n"
    "ip-use-dhcp: true\n"
    "\n"
    "# This will manually set an IPv4 to the unikernel's network\n"
    "# interfaces. For now, this technique only works when a unikernel has\n"
    "# only one network interface.\n"
    "\n"
    "# ip-address: 10.0.0.2\n"
    "# ip-netmask: 255.255.255.0\n"
    "# ip-gateway: 10.0.0.1\n"
    "\n"
    "# Filesystem configuration. Directories can be specified here, and\n"
    "# they will be compiled into a \"filesystem\" where each file will be\n"
    "# presented to the unikernel via a key value interface. For example\n"
    "# here, there will be two databases, named respectively \"static\" and\n"
    "# \"template\", presenting the content of dir \"../files\" and \"../templ\"\n"
    "# respectively.\n"
    "\n"
    "fs-static: ../files\n"
    "fs-template: ../tmpl\n"
    "\n"
    "# HTTP configuration\n"
    "http-port: 80\n"
    "http-address: *\n"
    "\n"
    "# Main function\n"
    "\n"
    "# If your main is a Dispatch function for cohttp\n"
    "main-http: Dispatch.main\n"
    "\n"
    "# If Ping.min has signature Net.Manager.t -> Net.Manager.interface -> Net.Manager.id -> "
    "'a Lwt.t\n"
    "# main-ip: Ping.min\n"
    "\n"
    "# Noip.main must have signature unit -> 'a Lwt.t (do not use networking)\n"
    "# main-noip: Noip.main\n"
    "\n"
    "# Dependencies\n"
    "\n"
    "depends: cohttp.syntax, uri, re, cow.syntax\n"
    "packages: mirage-net, cow\n"
    "\n"
    "# Target (Select a target compiler: takes precedence over --xen or\n"
    "# --unix switch on the command line)\n"
    "\n"
    "compiler: 4.01.0dev+mirage-xen\n"
    "\n"
    "# XL parameters. They will be used for creating the xl config file\n"
    "# when doing a `mirari run --xen`.\n"
    "\n"
    "xl-memory: 32\n"
    "xl-on_crash: preserve\n"
    "xl-vif: [ 'mac=00:16:3E:74:34:32' ]\n";

static void test_seed_example(void **state)
{
    struct parsed p;
    int errors = parse(&p, seed_conf);
    if (errors)
        dump(&p);
    assert_int_equal(errors, 0);
    assert_int_equal(p.cfg.kind, MI_MAIN_HTTP);
    assert_string_equal(p.cfg.entry, "dispatch_main");
    assert_string_equal(cfg_get(&p.cfg, "ip-use-dhcp")->value, "true");
    assert_int_equal(cfg_get(&p.cfg, "ip-use-dhcp")->line, 5);
    assert_string_equal(cfg_get(&p.cfg, "http-port")->value, "80");
    assert_string_equal(cfg_get(&p.cfg, "http-address")->value, "*");
    assert_int_equal(p.cfg.nstores, 2);
    assert_string_equal(p.cfg.stores[0].name, "static");
    assert_string_equal(p.cfg.stores[0].dir, "../files");
    assert_string_equal(p.cfg.stores[1].name, "template");
    assert_string_equal(p.cfg.stores[1].dir, "../tmpl");
    assert_int_equal(p.cfg.depends.n, 4);
    assert_string_equal(p.cfg.depends.v[0], "cohttp.syntax");
    assert_string_equal(p.cfg.depends.v[3], "cow.syntax");
    assert_int_equal(p.cfg.packages.n, 2);
    assert_string_equal(p.cfg.packages.v[1], "cow");
    /* The OPAM switch keeps selecting its target; no C compiler is set. */
    assert_string_equal(p.cfg.seed_family, "xen");
    assert_null(p.cfg.compiler);
    assert_string_equal(cfg_get(&p.cfg, "xl-memory")->value, "32");
    assert_string_equal(cfg_get(&p.cfg, "xl-on_crash")->value, "preserve");
    assert_string_equal(cfg_get(&p.cfg, "xl-vif")->value, "[ 'mac=00:16:3E:74:34:32' ]");
    parsed_free(&p);
}

/* Every key of the table, valid, in one file. */
static void test_every_key(void **state)
{
    struct parsed p;
    int errors = parse(&p, "ip-use-dhcp: false\n"
                           "ip-address: 10.0.0.2\n"
                           "ip-netmask: 255.255.255.0\n"
                           "ip-gateway: 10.0.0.1\n"
                           "tcp-congestion: newreno\n"
                           "http-port: 8080\n"
                           "http-address: 10.0.0.2\n"
                           "https-port: 8443\n"
                           "https-redirect: true\n"
                           "tls-cert: cert.pem\n"
                           "tls-key: key.pem\n"
                           "log-level: debug\n"
                           "main-http: serve\n"
                           "fs-static: files\n"
                           "fs-my-site_2: other dir\n"
                           "pack-dotfiles: true\n"
                           "depends: zlib\n"
                           "packages: zlib1g-dev\n"
                           "compiler: cc\n"
                           "memory: 64\n"
                           "xl-on_crash: preserve\n"
                           "app-greeting: Hello, \"world\": it's 100% #1\n");
    if (errors)
        dump(&p);
    assert_int_equal(errors, 0);
    assert_int_equal(p.cfg.n, 22);
    /* Every key of the table was used (families once at least). */
    for (size_t i = 0; i < conf_nkeys; i++) {
        bool found = false;
        for (size_t j = 0; j < p.cfg.n; j++)
            found |= p.cfg.items[j]->key == &conf_keys[i];
        if (!found && conf_keys[i].type != KT_ENTRY)
            fail_msg("key %s not covered", conf_keys[i].name);
    }
    assert_string_equal(p.cfg.compiler, "cc");
    assert_string_equal(p.cfg.entry, "serve");
    assert_string_equal(p.cfg.stores[1].symbol, "my_site_2");
    assert_string_equal(p.cfg.stores[1].dir, "other dir");
    assert_string_equal(cfg_get(&p.cfg, "memory")->value, "64");
    /* Kept verbatim: colons, quotes, '#' after the start of the value. */
    assert_string_equal(cfg_get(&p.cfg, "app-greeting")->value, "Hello, \"world\": it's 100% #1");
    parsed_free(&p);
}

/* app-NAME: the application's own keys, any kind of entry point. */
static void test_app_keys(void **state)
{
    struct parsed p;
    const char *cli[] = {"app-echo-port=7007", "app-new=from the command line", NULL};
    int errors = parse_full(&p,
                            "main-ip: Echo.main\napp-echo-port: 7\napp-motd:\n"
                            "app-a_b-9: x\n",
                            cli, ".", 0);
    if (errors)
        dump(&p);
    assert_int_equal(errors, 0);
    const struct conf_item *port = cfg_get(&p.cfg, "app-echo-port");
    assert_string_equal(port->value, "7007"); /* the command line wins */
    assert_int_equal(port->origin, CONF_CLI);
    assert_string_equal(cfg_get(&p.cfg, "app-motd")->value, ""); /* empty is a value */
    assert_string_equal(cfg_get(&p.cfg, "app-new")->value, "from the command line");
    assert_string_equal(cfg_get(&p.cfg, "app-a_b-9")->value, "x");
    parsed_free(&p);

    parse(&p, "main-noip: a\napp-Port: 1\napp-a.b: 2\napp-x: a\001b\napp-y: 1\napp-y: 2\n");
    assert_error(&p, "app.conf:2: app-Port:", "Port is not a usable name",
                 "lowercase letters, digits, '-' and '_'");
    assert_error(&p, "app.conf:3: app-a.b:", "not a usable name", NULL);
    assert_error(&p, "app.conf:4: app-x:", "\"a\\001b\" is not a valid value",
                 "without control characters");
    assert_error(&p, "app.conf:6: app-y:", "given twice (first on line 5)", NULL);
    assert_int_equal(p.d.total, 4);
    parsed_free(&p);

    /* A name longer than KEY_MEMBER_MAX. */
    char text[256];
    snprintf(text, sizeof text, "main-noip: a\napp-%0*d: 1\n", KEY_MEMBER_MAX + 1, 0);
    parse(&p, text);
    assert_error(&p, "app.conf:2:", "not a usable name", "at most 64");
    parsed_free(&p);

    /* The runtime keeps at most APP_KEYS_MAX. */
    char many[8192] = "main-noip: a\n";
    for (int i = 0; i <= APP_KEYS_MAX; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "app-k%d: %d\n", i, i);
    parse(&p, many);
    assert_int_equal(p.d.total, 1);
    assert_error(&p, "app.conf:66: app-k64:", "one application key too many", "at most 64");
    parsed_free(&p);
}

static void test_entry_kinds(void **state)
{
    struct parsed p;
    assert_int_equal(parse(&p, "main-noip: Noip.main\n"), 0);
    assert_int_equal(p.cfg.kind, MI_MAIN_NOIP);
    assert_string_equal(p.cfg.entry, "noip_main");
    parsed_free(&p);
    assert_int_equal(parse(&p, "main-ip: Ping.min\n"), 0);
    assert_int_equal(p.cfg.kind, MI_MAIN_IP);
    assert_string_equal(p.cfg.entry, "ping_min");
    parsed_free(&p);
}

static void test_syntax(void **state)
{
    struct parsed p;
    /* Comments, blanks, CRLF, blanks around the colon, a value with colons. */
    int errors = parse(&p, "  # comment\r\n\r\n\t\nmain-noip :  hello_main  \r\n"
                           "xl-vif: [ 'mac=00:16:3E:74:34:32', 'bridge=br0' ]");
    if (errors)
        dump(&p);
    assert_int_equal(errors, 0);
    assert_string_equal(cfg_get(&p.cfg, "main-noip")->value, "hello_main");
    assert_int_equal(cfg_get(&p.cfg, "main-noip")->line, 4);
    assert_string_equal(cfg_get(&p.cfg, "xl-vif")->value,
                        "[ 'mac=00:16:3E:74:34:32', 'bridge=br0' ]");
    parsed_free(&p);

    parse(&p, "main-noip: a\nthis is not a key value line\n: value\n");
    assert_error(&p, "app.conf:2:", "this is not a key value line", "expected a line of the form");
    assert_error(&p, "app.conf:3:", "expected a line of the form", NULL);
    parsed_free(&p);

    static const char nul[] = "main-noip: a\nhttp-port: 8\0 80\n";
    memset(&p, 0, sizeof p);
    conf_init(&p.conf, "app.conf");
    assert_int_equal(conf_parse(&p.conf, nul, sizeof nul - 1, &p.d), 1);
    assert_error(&p, "app.conf:2:", "NUL byte", NULL);
    parsed_free(&p);
}

static void test_unknown_key(void **state)
{
    struct parsed p;
    parse(&p, "main-noip: a\nhtp-port: 80\nfs_static: files\nfrobnicate: 1\nmain: x\n");
    assert_error(&p, "app.conf:2:", "htp-port: unknown key", "did you mean http-port?");
    assert_error(&p, "app.conf:3:", "fs_static: unknown key", "did you mean fs-static?");
    assert_error(&p, "app.conf:4:", "frobnicate: unknown key", "app.conf(5)");
    assert_error(&p, "app.conf:5:", "main: unknown key", "main-noip, main-ip or main-http");
    parsed_free(&p);
}

static void test_entry_errors(void **state)
{
    struct parsed p;
    parse(&p, "main-noip: hello_main\nhttp-port: 80\nmain-ip: Echo.main\n");
    assert_error(&p, "app.conf:3:", "main-ip", "second entry point (main-noip, on line 1)");
    parsed_free(&p);

    parse(&p, "# nothing\nip-use-dhcp: true\n");
    assert_error(&p, "app.conf:2:", "main-*", "no entry point");
    parsed_free(&p);

    parse(&p, "main-noip: int\n");
    assert_error(&p, "app.conf:1:", "main-noip", "\"int\" is not an entry point");
    parsed_free(&p);
    parse(&p, "main-noip: hello-main\n");
    assert_error(&p, "app.conf:1:", "main-noip", "expected a C function name");
    parsed_free(&p);
    parse(&p, "main-noip: main\n");
    assert_error(&p, "app.conf:1:", "main-noip", "name your function differently");
    parsed_free(&p);
    parse(&p, "main-noip: mi_run\n");
    assert_error(&p, "app.conf:1:", "main-noip", "mirari runtime");
    parsed_free(&p);
}

static void test_value_errors(void **state)
{
    struct parsed p;
    parse(&p, "main-http: d\n"
              "ip-address: 10.0.0.256\n"
              "ip-netmask: 255.0.255.0\n"
              "ip-gateway: gateway\n"
              "http-port: 99999\n"
              "http-address: localhost\n"
              "ip-use-dhcp: yes\n"
              "log-level: loud\n"
              "memory: 0\n"
              "depends: a,,b\n");
    assert_error(&p, "app.conf:2: ip-address:", "\"10.0.0.256\" is not an IPv4 address",
                 "expected a dotted-quad");
    assert_error(&p, "app.conf:3: ip-netmask:", "is not a netmask", "contiguous ones");
    assert_error(&p, "app.conf:4: ip-gateway:", "\"gateway\" is not an IPv4 address", NULL);
    assert_error(&p, "app.conf:5: http-port:",
                 "\"99999\" is not a port number; expected a number from 1 to 65535", NULL);
    assert_error(&p, "app.conf:6: http-address:", "\"localhost\" is not a listen address",
                 "* (every address) or an IPv4 address");
    assert_error(&p, "app.conf:7: ip-use-dhcp:", "\"yes\" is not a boolean",
                 "expected true or false");
    assert_error(&p, "app.conf:8: log-level:", "expected error, warn, info or debug", NULL);
    assert_error(&p, "app.conf:9: memory:", "from 1 to 1048576", NULL);
    assert_error(&p, "app.conf:10: depends:", "separated by commas", NULL);
    /* Every error of the file, not only the first. */
    assert_int_equal(p.d.total, 9);
    parsed_free(&p);

    parse(&p, "main-noip: a\nhttp-port: 0\n");
    assert_error(&p, "app.conf:2: http-port:", "\"0\" is not a port number", NULL);
    parsed_free(&p);
}

static void test_network_errors(void **state)
{
    struct parsed p;
    parse(&p, "main-ip: e\nip-use-dhcp: true\nip-address: 10.0.0.2\nip-gateway: 10.0.0.1\n");
    assert_error(&p, "app.conf:3: ip-address:", "ip-use-dhcp is true (on line 2)", NULL);
    assert_error(&p, "app.conf:4: ip-gateway:", "ip-use-dhcp is true (on line 2)", NULL);
    parsed_free(&p);

    parse(&p, "main-ip: e\nip-address: 10.0.0.2\nip-netmask: 255.255.255.0\n"
              "ip-gateway: 10.0.1.1\n");
    assert_error(&p, "app.conf:4: ip-gateway:", "not in the subnet of ip-address 10.0.0.2/24",
                 NULL);
    parsed_free(&p);

    parse(&p, "main-ip: e\nip-address: 10.0.0.0\nip-netmask: 255.255.255.0\n");
    assert_error(&p, "app.conf:2: ip-address:", "network or broadcast", NULL);
    parsed_free(&p);

    parse(&p, "main-ip: e\nip-gateway: 10.0.0.1\n");
    assert_error(&p, "app.conf:2: ip-gateway:", "without ip-address", NULL);
    parsed_free(&p);

    parse(&p, "main-noip: e\nhttp-port: 80\nhttp-address: *\n");
    assert_error(&p, "app.conf:2: http-port:", "only a main-http application",
                 "main-noip (on line 1)");
    assert_error(&p, "app.conf:3: http-address:", "only a main-http application", NULL);
    parsed_free(&p);
}

static void test_duplicates(void **state)
{
    struct parsed p;
    parse(&p, "main-noip: a\nlog-level: info\n\nlog-level: debug\n");
    assert_error(&p, "app.conf:4: log-level:", "given twice (first on line 2)",
                 "only one is allowed");
    parsed_free(&p);
    /* Lists accumulate over lines, without repetitions. */
    assert_int_equal(parse(&p, "main-noip: a\ndepends: zlib, libpng\ndepends: zlib\n"
                               "depends:\npackages: a1\npackages: b2, a1\n"),
                     0);
    assert_int_equal(p.cfg.depends.n, 2);
    assert_string_equal(p.cfg.depends.v[1], "libpng");
    assert_int_equal(p.cfg.packages.n, 2);
    assert_string_equal(p.cfg.packages.v[1], "b2");
    parsed_free(&p);
}

static void test_family_names(void **state)
{
    struct parsed p;
    parse(&p, "main-noip: a\nfs-Static: files\nfs-a.b: files\nxl-on-crash: x\nfs-a-b: x\n"
              "fs-a_b: y\n");
    assert_error(&p, "app.conf:2: fs-Static:", "Static is not a usable name", NULL);
    assert_error(&p, "app.conf:3: fs-a.b:", "not a usable name", NULL);
    assert_error(&p, "app.conf:4: xl-on-crash:", "not a usable name", "digits and '_'");
    assert_error(&p, "app.conf:6: fs-a_b:", "also that of fs-a-b", NULL);
    parsed_free(&p);
}

static void test_missing_dir(void **state)
{
    char dir[256];
    make_temp_dir(dir, sizeof dir);
    char sub[300];
    snprintf(sub, sizeof sub, "%s/files", dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    struct parsed p;
    /* Relative to the .conf's directory, not the current one. */
    int errors =
        parse_full(&p, "main-noip: a\nfs-static: files\nfs-other: nothere\n", NULL, dir, CHECK_FS);
    assert_int_equal(errors, 1);
    assert_error(&p, "app.conf:3: fs-other:", "directory nothere not found",
                 "relative to the .conf file's directory");
    parsed_free(&p);
    rmdir(sub);
    rmdir(dir);
}

static void test_compiler(void **state)
{
    struct parsed p;
    assert_int_equal(parse(&p, "main-noip: a\ncompiler: 4.00.1+mirage-unix\n"), 0);
    assert_string_equal(p.cfg.seed_family, "unix");
    parsed_free(&p);
    parse(&p, "main-noip: a\ncompiler: 4.01.0+mirage-js\n");
    assert_error(&p, "app.conf:2: compiler:", "no known target", NULL);
    parsed_free(&p);
    parse(&p, "main-noip: a\ncompiler: gcc -m32\n");
    assert_error(&p, "app.conf:2: compiler:", "is not a compiler name", NULL);
    parsed_free(&p);
    parse_full(&p, "main-noip: a\ncompiler: no-such-cc-xyz\n", NULL, ".", CHECK_FS);
    assert_error(&p, "app.conf:2: compiler:", "no such program in PATH", NULL);
    parsed_free(&p);
}

static void test_command_line(void **state)
{
    struct parsed p;
    const char *cli[] = {"http-port=8080", "fs-static=/srv", "log-level=debug", NULL};
    int errors = parse_full(&p, "main-http: d\nhttp-port: 80\nfs-static: files\n", cli, ".", 0);
    assert_int_equal(errors, 0);
    const struct conf_item *port = cfg_get(&p.cfg, "http-port");
    assert_string_equal(port->value, "8080");
    assert_int_equal(port->origin, CONF_CLI);
    assert_string_equal(p.cfg.stores[0].dir, "/srv");
    assert_string_equal(cfg_get(&p.cfg, "log-level")->value, "debug");
    assert_int_equal(p.cfg.n, 4);
    parsed_free(&p);

    const char *bad[] = {"http-port=99999", "http-port=1", "htp-port=1", NULL};
    parse_full(&p, "main-http: d\n", bad, ".", 0);
    assert_error(&p, "command line: --http-port:", "\"99999\" is not a port number", NULL);
    assert_error(&p, "command line: --http-port:", "given twice", NULL);
    assert_error(&p, "command line: --htp-port:", "did you mean --http-port?", NULL);
    parsed_free(&p);

    /* An entry point on the command line replaces the file's. */
    const char *entry[] = {"main-ip=echo_main", NULL};
    assert_int_equal(parse_full(&p, "main-noip: hello_main\n", entry, ".", 0), 0);
    assert_int_equal(p.cfg.kind, MI_MAIN_IP);
    assert_string_equal(p.cfg.entry, "echo_main");
    parsed_free(&p);
}

static void test_error_cap(void **state)
{
    char text[4096] = "main-noip: a\n";
    for (int i = 0; i < 30; i++)
        strcat(text, "http-port: 0\n");
    struct parsed p;
    parse(&p, text);
    assert_true(p.d.total > DIAG_MAX);
    assert_int_equal(p.d.n, DIAG_MAX);
    parsed_free(&p);
}

static void test_weird_bytes(void **state)
{
    struct parsed p;
    parse(&p, "main-noip: a\nfs-st\x01\x7f: x\nxl-vif: a\x1b[31mb\n\xff\xfe: 1\n");
    assert_error(&p, "app.conf:2:", "\\001", "not a usable name");
    assert_error(&p, "app.conf:3: xl-vif:", "\\033", "without control characters");
    assert_error(&p, "app.conf:4:", "\\377\\376", "unknown key");
    parsed_free(&p);
}

/* A store whose directory is a file is said to be one, not "not found". */
static void test_store_dir_is_a_file(void **state)
{
    char dir[256];
    make_temp_dir(dir, sizeof dir);
    char file[300];
    snprintf(file, sizeof file, "%s/afile", dir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    struct parsed p;
    int errors = parse_full(&p, "main-noip: a\nfs-static: afile\n", NULL, dir, CHECK_FS);
    assert_int_equal(errors, 1);
    assert_error(&p, "app.conf:2: fs-static:", "afile (", "is not a directory (it is a file)");
    assert_false(has_error(&p, "not found", NULL, NULL));
    parsed_free(&p);
    unlink(file);
    rmdir(dir);
}

/* A UTF-8 byte order mark starts the file, not its first key; anywhere
 * else it is text like any other. */
static void test_byte_order_mark(void **state)
{
    struct parsed p;
    int errors = parse(&p, "\xEF\xBB\xBFmain-noip: a\nlog-level: debug\n");
    if (errors)
        dump(&p);
    assert_int_equal(errors, 0);
    assert_string_equal(p.cfg.entry, "a");
    assert_int_equal(cfg_get(&p.cfg, "log-level")->line, 2);
    parsed_free(&p);
    assert_int_equal(parse(&p, "main-noip: a\n\xEF\xBB\xBFlog-level: debug\n"), 1);
    assert_error(&p, "app.conf:2:", "unknown key", NULL);
    parsed_free(&p);
}

/* name: is no key; the error says where the name comes from. */
static void test_name_key(void **state)
{
    struct parsed p;
    static const char *const cli[] = {"name=web", NULL};
    assert_int_equal(parse_full(&p, "main-noip: a\nname: web\n", cli, ".", 0), 2);
    assert_error(&p, "app.conf:2: name: unknown key;", "the .conf file's name",
                 "NAME.conf builds mir-NAME");
    assert_error(&p, "command line: --name: unknown key;", "the .conf file's name", NULL);
    parsed_free(&p);
}

/* http-address where the target cannot listen on it: on mirari's own
 * stack, a loopback address or another address than the app's. */
static void test_http_address_per_target(void **state)
{
    static const struct target socket = {.name = "unix-socket"};
    static const struct target direct = {.name = "unix-direct", .own_stack = true};
    static const struct {
        const char *conf;
        int socket_errors, direct_errors;
        const char *what;
    } cases[] = {
        {"http-address: 127.0.0.1\n", 0, 1, "is a loopback address"},
        {"http-address: 127.1.2.3\n", 0, 1, "is a loopback address"},
        {"http-address: *\n", 0, 0, NULL},
        {"http-address: 0.0.0.0\n", 0, 0, NULL},
        {"http-address: 10.0.0.9\n", 0, 0, NULL}, /* the address it may be given */
        {"ip-address: 10.0.0.5\nhttp-address: 10.0.0.5\n", 0, 0, NULL},
        {"ip-address: 10.0.0.5\nhttp-address: 10.0.0.6\n", 0, 1, "is not the app's address"},
        {"ip-use-dhcp: true\nhttp-address: 10.0.0.6\n", 0, 0, NULL},
        {"ip-use-dhcp: true\nhttp-address: 127.0.0.1\n", 0, 1, "(from DHCP)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char conf[256];
        snprintf(conf, sizeof conf, "main-http: web\n%s", cases[i].conf);
        struct parsed p;
        assert_int_equal(parse(&p, conf), 0);
        assert_int_equal(check_target(&p.cfg, &socket, &p.d), cases[i].socket_errors);
        assert_int_equal(check_target(&p.cfg, &direct, &p.d), cases[i].direct_errors);
        if (cases[i].what)
            assert_error(&p, "http-address:", cases[i].what, "unix-direct target");
        parsed_free(&p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_example),
        cmocka_unit_test(test_every_key),
        cmocka_unit_test(test_entry_kinds),
        cmocka_unit_test(test_syntax),
        cmocka_unit_test(test_unknown_key),
        cmocka_unit_test(test_entry_errors),
        cmocka_unit_test(test_value_errors),
        cmocka_unit_test(test_network_errors),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_family_names),
        cmocka_unit_test(test_missing_dir),
        cmocka_unit_test(test_compiler),
        cmocka_unit_test(test_command_line),
        cmocka_unit_test(test_error_cap),
        cmocka_unit_test(test_weird_bytes),
        cmocka_unit_test(test_app_keys),
        cmocka_unit_test(test_store_dir_is_a_file),
        cmocka_unit_test(test_byte_order_mark),
        cmocka_unit_test(test_name_key),
        cmocka_unit_test(test_http_address_per_target),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
