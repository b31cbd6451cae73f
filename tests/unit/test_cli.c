/* SPDX-License-Identifier: ISC */
/* The command line (tool/cli.c), the command table (tool/commands.c), the
 * target table (tool/target.c) and how runners start their child
 * (tool/supervise.c). */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "../../tool/cli.h"
#include "../../tool/commands.h"
#include "../../tool/deps.h"
#include "../../tool/supervise.h"
#include "../../tool/target.h"

/* Parse a NULL-terminated list after "mirari". */
static int parse_args(struct cli *c, const char *const *args)
{
    char *argv[32] = {"mirari"};
    int argc = 1;
    for (; *args; args++)
        argv[argc++] = (char *)*args;
    argv[argc] = NULL;
    return cli_parse(argc, argv, c);
}

#define PARSE(c, ...) parse_args(c, (const char *const[]){__VA_ARGS__, NULL})

static void test_commands_and_options(void **state)
{
    struct cli c;
    assert_int_equal(PARSE(&c, "-v", "build", "-f", "x.conf", "--no-install"), 0);
    assert_string_equal(c.command->name, "build");
    assert_string_equal(c.file, "x.conf");
    assert_int_equal(c.verbosity, 2);
    assert_true(c.no_install);
    assert_null(c.target);
    cli_free(&c);

    assert_int_equal(PARSE(&c, "configure", "-fapp.conf", "-q"), 0);
    assert_string_equal(c.file, "app.conf");
    assert_int_equal(c.verbosity, 0);
    cli_free(&c);

    assert_int_equal(PARSE(&c, "run", "--file=a.conf", "--", "--log-level=debug", "x"), 0);
    assert_string_equal(c.file, "a.conf");
    assert_int_equal(c.extra.n, 2);
    assert_string_equal(c.extra.v[0], "--log-level=debug");
    cli_free(&c);

    assert_int_equal(PARSE(&c, "--help"), 0);
    assert_true(c.help);
    assert_null(c.command);
    cli_free(&c);
    assert_int_equal(PARSE(&c, "build", "--help"), 0);
    assert_true(c.help);
    cli_free(&c);
    assert_int_equal(PARSE(&c, "--version"), 0);
    assert_true(c.version);
    cli_free(&c);
}

static void test_targets(void **state)
{
    struct cli c;
    assert_int_equal(PARSE(&c, "build", "-t", "socket"), 0);
    assert_string_equal(c.target->name, "unix-socket");
    cli_free(&c);
    assert_int_equal(PARSE(&c, "build", "--target=unix"), 0);
    assert_string_equal(c.target->name, "unix-direct");
    cli_free(&c);
    assert_int_equal(PARSE(&c, "build", "-tqemu"), 0);
    assert_string_equal(c.target->name, "qemu");
    cli_free(&c);
    assert_int_equal(PARSE(&c, "configure", "--xen"), 0);
    assert_string_equal(c.target->name, "xen");
    cli_free(&c);
    assert_int_equal(PARSE(&c, "configure", "--unix"), 0);
    assert_string_equal(c.target->name, "unix-direct");
    cli_free(&c);
    assert_int_equal(PARSE(&c, "configure", "--socket", "-t", "unix-socket"), 0);
    cli_free(&c);
    /* Two different targets, an unknown one. */
    assert_int_equal(PARSE(&c, "configure", "--xen", "--unix"), 2);
    cli_free(&c);
    assert_int_equal(PARSE(&c, "configure", "-t", "vmware"), 2);
    cli_free(&c);
    assert_int_equal(PARSE(&c, "configure", "-t"), 2);
    cli_free(&c);
}

static void test_keys(void **state)
{
    struct cli c;
    assert_int_equal(PARSE(&c, "configure", "--http-port=8080", "--ip-address", "10.0.0.5",
                           "--fs-static=../files", "--xl-memory=64", "--ip-use-dhcp", "build"),
                     0);
    assert_string_equal(c.command->name, "configure");
    assert_int_equal(c.nkeys, 5);
    assert_string_equal(c.keys[0].name, "http-port");
    assert_string_equal(c.keys[0].value, "8080");
    assert_string_equal(c.keys[1].name, "ip-address");
    assert_string_equal(c.keys[1].value, "10.0.0.5");
    assert_string_equal(c.keys[2].name, "fs-static");
    assert_string_equal(c.keys[3].value, "64");
    /* A bare boolean is true; the word after it was not its value. */
    assert_string_equal(c.keys[4].name, "ip-use-dhcp");
    assert_string_equal(c.keys[4].value, "true");
    assert_int_equal(c.words.n, 1);
    cli_free(&c);

    assert_int_equal(PARSE(&c, "configure", "--ip-use-dhcp", "false"), 0);
    assert_string_equal(c.keys[0].value, "false");
    cli_free(&c);
    /* Values are checked later, with the file; only names here. */
    assert_int_equal(PARSE(&c, "configure", "--http-port=99999"), 0);
    cli_free(&c);
    assert_int_equal(PARSE(&c, "configure", "--htp-port=1"), 2);
    cli_free(&c);
    assert_int_equal(PARSE(&c, "configure", "--http-port"), 2);
    cli_free(&c);
    assert_int_equal(PARSE(&c, "configure", "--fs-=x"), 2);
    cli_free(&c);
    assert_int_equal(PARSE(&c, "-x", "configure"), 2);
    cli_free(&c);

    /* An application key, in both forms; free text takes no "--..." from
     * the next argument (that is the next option), only after '='. */
    assert_int_equal(PARSE(&c, "run", "--app-echo-port", "7007", "--app-motd=--x", "--app-e="), 0);
    assert_int_equal(c.nkeys, 3);
    assert_string_equal(c.keys[0].name, "app-echo-port");
    assert_string_equal(c.keys[0].value, "7007");
    assert_string_equal(c.keys[1].value, "--x");
    assert_string_equal(c.keys[2].value, "");
    cli_free(&c);
    assert_int_equal(PARSE(&c, "run", "--app-motd", "--http-port=1"), 2);
    cli_free(&c);
    assert_int_equal(PARSE(&c, "run", "--app-=1"), 2);
    cli_free(&c);
    assert_int_equal(PARSE(&c, "frobnicate"), 2);
    cli_free(&c);
}

/* Every command is in the table, found by the word that names it; an
 * unknown or misspelt word is a usage error, never some default command. */
/* Every option of the table (what completion offers) is one the parser
 * takes, in each of its spellings. */
static void test_option_table(void **state)
{
    for (size_t i = 0; i < cli_noptions; i++) {
        const struct cli_option *o = &cli_options[i];
        bool valued = cli_option_valued(o);
        const char *value = o->kind == OPT_TARGET ? "qemu" : "x.conf";
        struct cli c;
        char joined[64];
        snprintf(joined, sizeof joined, "%s=%s", o->long_name, value);
        if (valued) {
            assert_int_equal(PARSE(&c, "build", o->long_name, value), 0);
            cli_free(&c);
            assert_int_equal(PARSE(&c, "build", joined), 0);
            cli_free(&c);
            if (o->short_name) {
                assert_int_equal(PARSE(&c, "build", o->short_name, value), 0);
                cli_free(&c);
            }
            assert_int_equal(PARSE(&c, "build", o->long_name), 2); /* no value */
        } else {
            assert_int_equal(PARSE(&c, "build", o->long_name), 0);
            cli_free(&c);
            if (o->short_name) {
                assert_int_equal(PARSE(&c, "build", o->short_name), 0);
                cli_free(&c);
            }
            assert_int_equal(PARSE(&c, "build", joined), 2); /* takes none */
        }
        cli_free(&c);
    }
}

static void test_command_suggest(void **state)
{
    (void)state;
    assert_string_equal(command_suggest("biuld"), "build");
    assert_string_equal(command_suggest("cofnigure"), "configure");
    assert_string_equal(command_suggest("RUN"), "run");
    assert_null(command_suggest("pak")); /* pack is internal: never offered */
    assert_null(command_suggest("frobnicate"));
}

/* image's and deploy's own options: every form, kept in order, and
 * refused (exit 2, naming the command that takes it) elsewhere. */
static void test_command_options(void **state)
{
    struct cli c;
    assert_int_equal(PARSE(&c, "image", "--format=qcow2", "-o", "a.img", "--size", "1G", "--set",
                           "app-x=1", "--set=ip-address=10.0.0.9", "--http-port=81"),
                     0);
    assert_string_equal(c.opts.format, "qcow2");
    assert_string_equal(c.opts.output, "a.img");
    assert_string_equal(c.opts.size, "1G");
    assert_int_equal(c.opts.set.n, 2);
    assert_string_equal(c.opts.set.v[0], "app-x=1");
    assert_string_equal(c.opts.set.v[1], "ip-address=10.0.0.9");
    assert_int_equal(c.nkeys, 1); /* --http-port is a key, as ever */
    assert_int_equal(command_check_options(&c), 0);
    cli_free(&c);
    assert_int_equal(PARSE(&c, "deploy", "gce", "-ob.tar.gz", "--bucket", "bk", "--yes"), 0);
    assert_string_equal(c.opts.output, "b.tar.gz");
    assert_string_equal(c.opts.bucket, "bk");
    assert_true(c.opts.yes);
    assert_int_equal(command_check_options(&c), 0);
    cli_free(&c);
    assert_int_equal(PARSE(&c, "build", "--size=1G"), 0);
    assert_int_equal(command_check_options(&c), EXIT_USAGE);
    cli_free(&c);
    assert_int_equal(PARSE(&c, "image", "--yes"), 0);
    assert_int_equal(command_check_options(&c), EXIT_USAGE);
    cli_free(&c);
    assert_int_equal(PARSE(&c, "image", "--set"), 2); /* no value */
    cli_free(&c);
    /* A longer option is not --size with a value glued on. */
    assert_int_equal(PARSE(&c, "image", "--sizes=1"), 2);
    cli_free(&c);
}

static void test_command_table(void **state)
{
    static const char *const words[] = {"configure", "build", "run",  "image",   "deploy",
                                        "clean",     "help",  "pack", "complete"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        const struct command *cmd = command_find(words[i]);
        assert_non_null(cmd);
        assert_string_equal(cmd->name, words[i]);
        assert_non_null(cmd->run);
        struct cli c;
        assert_int_equal(PARSE(&c, words[i]), 0);
        assert_ptr_equal(c.command, cmd);
        cli_free(&c);
    }
    assert_int_equal(ncommands, sizeof words / sizeof words[0]);
    /* A command's help is its own text; help's is the general usage. */
    for (size_t i = 0; i < ncommands; i++)
        if (commands[i].run != cmd_help)
            assert_non_null(commands[i].help);
    assert_null(command_find("help")->help);
    /* pack is internal (the generated Makefile's): in the table, not offered. */
    assert_null(command_find("pack")->synopsis);
    /* complete is the shell completion scripts': internal too. */
    assert_null(command_find("complete")->synopsis);
    assert_non_null(command_find("build")->synopsis);
    assert_string_equal(command_names(), "configure, build, run, image, deploy, clean or help");
    assert_null(command_find("frobnicate"));
    assert_null(command_find("biuld"));
    assert_null(command_find(""));

    struct cli c;
    assert_int_equal(PARSE(&c, "biuld"), 2);
    cli_free(&c);
    assert_int_equal(PARSE(&c, "-v", "Build", "-f", "x.conf"), 2);
    cli_free(&c);
    /* Only the first word is the command; the rest are its operands. */
    assert_int_equal(PARSE(&c, "help", "frobnicate"), 0);
    assert_string_equal(c.command->name, "help");
    assert_int_equal(c.words.n, 1);
    cli_free(&c);
}

static void test_target_table(void **state)
{
    assert_string_equal(target_default()->name, "unix-socket");
    assert_ptr_equal(target_find("socket"), target_find("unix-socket"));
    assert_ptr_equal(target_find("unix"), target_find("unix-direct"));
    assert_null(target_find("vmware"));
    assert_ptr_equal(target_by_flag("--xen"), target_find("xen"));
    assert_null(target_by_flag("--qemu"));
    /* The seed's +mirage-xen always means xen; +mirage-unix keeps a unix
     * target asked for, and is unix-socket otherwise. */
    assert_ptr_equal(target_for_family("xen", target_find("unix-socket")), target_find("xen"));
    assert_ptr_equal(target_for_family("unix", target_find("unix-direct")),
                     target_find("unix-direct"));
    assert_ptr_equal(target_for_family("unix", target_find("qemu")), target_find("unix-socket"));
    assert_ptr_equal(target_for_family("unix", NULL), target_find("unix-socket"));
    /* Every target names its .mk and its runner; xen builds the qemu
     * target's PVH kernel (one image for both) and alone writes NAME.xl;
     * every target has a summary. */
    for (size_t i = 0; i < ntargets; i++) {
        const char *runtime = strcmp(targets[i].name, "xen") == 0 ? "qemu" : targets[i].name;
        assert_non_null(targets[i].mk);
        assert_true(strstr(targets[i].mk, runtime) == targets[i].mk);
        assert_non_null(targets[i].run);
        assert_int_equal(targets[i].xl, strcmp(targets[i].name, "xen") == 0);
        assert_non_null(targets[i].summary);
    }
    assert_string_equal(target_find("xen")->suffix, ".xen");
    assert_non_null(target_find("unix-socket")->run);
}

static int plus_100(int status, const void *ctx)
{
    (void)ctx;
    return 100 + WEXITSTATUS(status);
}

/* The runners' one way to start the child: its status, 128+N for a
 * signal, 1 when it cannot start, or what the runner's decoder says. */
static void test_supervise_run(void **state)
{
    char *ok[] = {"true", NULL}, *three[] = {"sh", "-c", "exit 3", NULL},
         *killed[] = {"sh", "-c", "kill -TERM $$", NULL}, *missing[] = {"no-such-program", NULL};
    supervise_begin((struct forwarding){0});
    assert_int_equal(supervise_run(&(struct child_spec){.argv = ok, .keep_fd = -1}, NULL, NULL), 0);
    assert_int_equal(supervise_run(&(struct child_spec){.argv = three, .keep_fd = -1}, NULL, NULL),
                     3);
    assert_int_equal(supervise_run(&(struct child_spec){.argv = killed, .keep_fd = -1}, NULL, NULL),
                     128 + SIGTERM);
    assert_int_equal(
        supervise_run(&(struct child_spec){.argv = missing, .keep_fd = -1}, NULL, NULL), 1);
    assert_int_equal(
        supervise_run(&(struct child_spec){.path = "/bin/sh", .argv = three, .keep_fd = -1},
                      plus_100, NULL),
        103);
    supervise_end();
}

/* How seed-style and Debian names are told apart, and the command a user
 * is given for missing packages. */
static void test_dependency_names(void **state)
{
    assert_true(looks_like_ocamlfind("cohttp.syntax"));
    assert_true(looks_like_ocamlfind("lwt.unix"));
    assert_false(looks_like_ocamlfind("glib-2.0"));
    assert_false(looks_like_ocamlfind("gtk+-3.0"));
    assert_false(looks_like_ocamlfind("uri"));
    assert_false(looks_like_ocamlfind(".hidden"));
    assert_true(debian_name_ok("libssl-dev"));
    assert_true(debian_name_ok("g++"));
    assert_true(debian_name_ok("libstdc++6"));
    assert_false(debian_name_ok("Mirage"));
    assert_false(debian_name_ok("a"));
    assert_false(debian_name_ok("-x"));
    assert_false(debian_name_ok("cohttp_lwt"));
    struct strlist missing = {0};
    sl_add(&missing, "hello");
    sl_add(&missing, "libssl-dev");
    char *cmd = apt_command(&missing, true);
    assert_string_equal(cmd, "apt-get install -y hello libssl-dev");
    free(cmd);
    cmd = apt_command(&missing, false);
    assert_string_equal(cmd, "sudo apt-get install -y hello libssl-dev");
    free(cmd);
    sl_free(&missing);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commands_and_options),
        cmocka_unit_test(test_targets),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_command_table),
        cmocka_unit_test(test_command_options),
        cmocka_unit_test(test_option_table),
        cmocka_unit_test(test_command_suggest),
        cmocka_unit_test(test_target_table),
        cmocka_unit_test(test_dependency_names),
        cmocka_unit_test(test_supervise_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
