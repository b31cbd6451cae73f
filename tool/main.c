/* SPDX-License-Identifier: ISC */
/* mirari: build C applications into unikernels and run them.
 * This file dispatches to the commands and holds the --help texts. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "conf_keys.h"

static const char usage[] =
    "usage: mirari [OPTIONS] COMMAND [OPTIONS] [--KEY=VALUE...] [-- BOOT-ARGS]\n"
    "\n"
    "Build a C application into a unikernel and run it. The application is the\n"
    "*.c files next to its .conf (see app.conf(5)).\n"
    "\n"
    "Commands:\n"
    "  configure   check the .conf, satisfy dependencies, write _build/\n"
    "  build       configure when needed, then compile mir-NAME\n"
    "  run         build when needed, then start the unikernel\n"
    "  clean       remove what mirari generated, and nothing else\n"
    "  help [COMMAND]   this text, or a command's\n"
    "\n"
    "Options:\n"
    "  -f, --file FILE     the app's .conf (default: the only *.conf here)\n"
    "  -t, --target NAME   unix-socket (or socket; the default), unix-direct (or\n"
    "                      unix), qemu, xen\n"
    "  --socket, --unix, --xen   the original Mirari's switches for those targets\n"
    "  --no-install        do not run apt-get for missing packages\n"
    "  -v, --verbose       show the commands run\n"
    "  -q, --quiet         print errors only\n"
    "  -h, --help          help; --version prints the version\n"
    "\n"
    "Keys: every app.conf key is also an option, over the file's value, given\n"
    "as --KEY=VALUE or --KEY VALUE. configure records them; build and run given\n"
    "no keys reuse them.\n";

static const char usage_end[] =
    "\nExit status: 0 success; 1 failure; 2 usage or configuration error. run\n"
    "exits with the unikernel's status (128+N when signal N killed it).\n"
    "See mirari(1) and app.conf(5).\n";

static const char help_configure[] =
    "usage: mirari configure [-f FILE] [-t TARGET] [--no-install] [--KEY=VALUE...]\n"
    "\n"
    "Read the app's .conf and the keys given here, check them (reporting every\n"
    "error as FILE:LINE: KEY: ...), install missing Debian `packages` (as root;\n"
    "otherwise print the apt-get command), resolve `depends` with pkg-config and\n"
    "write _build/: main.c, stores.S, Makefile, configuration (which records the\n"
    "target and the keys given here) and manifest.\n";

static const char help_build[] =
    "usage: mirari build [-f FILE] [-t TARGET] [--KEY=VALUE...]\n"
    "\n"
    "Configure again when the .conf, the keys, the target, the sources or mirari\n"
    "changed, then compile the app into mir-NAME next to its .conf, incrementally.\n"
    "Without keys or target, those of the last configure are reused; with any,\n"
    "they replace them.\n";

static const char help_run[] =
    "usage: mirari run [-f FILE] [-t TARGET] [--KEY=VALUE...] [-- BOOT-ARGS...]\n"
    "\n"
    "Build when needed, then start the unikernel with the configuration's\n"
    "network, HTTP and log keys as boot arguments, followed by BOOT-ARGS\n"
    "(e.g. mirari run -- --log-level=debug). SIGINT and SIGTERM are passed on;\n"
    "mirari exits with the unikernel's status, 128+N when signal N killed it.\n";

static const char help_clean[] =
    "usage: mirari clean [-f FILE]\n"
    "\n"
    "Remove the files listed in _build/manifest (everything mirari wrote or\n"
    "built, mir-NAME included), then _build/ when nothing else is left in it.\n"
    "Files of yours, in the app's directory or in _build/, are never removed.\n";

static const char *placeholder(enum conf_key_type t)
{
    static const char *const names[] = {
        [KT_BOOL] = "true|false", [KT_IPV4] = "A.B.C.D",     [KT_NETMASK] = "A.B.C.D",
        [KT_PORT] = "PORT",       [KT_LISTEN_ADDR] = "ADDR", [KT_ENTRY] = "FUNC",
        [KT_LIST] = "NAME,...",   [KT_DIR] = "DIR",          [KT_MEMORY] = "MIB",
        [KT_LOG_LEVEL] = "LEVEL", [KT_STRING] = "VALUE",     [KT_TEXT] = "VALUE",
    };
    return names[t];
}

static void print_keys(void)
{
    for (size_t i = 0; i < conf_nkeys; i++) {
        const struct conf_key *k = &conf_keys[i];
        bool fam = k->flags & KEY_FAMILY;
        char opt[64];
        snprintf(opt, sizeof opt, "--%s%s=%s", k->name,
                 fam ? (strcmp(k->name, "xl-") == 0 ? "KEY" : "NAME") : "", placeholder(k->type));
        printf("  %-26s %s\n", opt, k->help);
    }
}

static void print_targets(void)
{
    printf("\nTargets:\n");
    for (size_t i = 0; i < ntargets; i++)
        printf("  %-12s %s\n", targets[i].name, targets[i].summary);
}

static int help(const char *command)
{
    const char *text = !command                            ? NULL
                       : strcmp(command, "configure") == 0 ? help_configure
                       : strcmp(command, "build") == 0     ? help_build
                       : strcmp(command, "run") == 0       ? help_run
                       : strcmp(command, "clean") == 0     ? help_clean
                                                           : NULL;
    if (command && !text && strcmp(command, "help") != 0) {
        errorf("no help for \"%s\"; the commands are configure, build, run, clean", command);
        return EXIT_USAGE;
    }
    fputs(text ? text : usage, stdout);
    if (!text || strcmp(command, "clean") != 0) {
        printf("\nKeys (see app.conf(5)):\n");
        print_keys();
    }
    if (!text)
        print_targets();
    fputs(usage_end, stdout);
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    struct cli cli;
    int rc = cli_parse(argc, argv, &cli);
    if (rc != 0) {
        cli_free(&cli);
        return EXIT_USAGE;
    }
    verbosity = cli.verbosity;
    const char *cmd = cli.command;
    if (cli.version) {
        printf("mirari %s\n", MIRARI_VERSION);
    } else if (!cmd && !cli.help) {
        errorf("no command; expected configure, build, run or clean (see mirari --help)");
        rc = EXIT_USAGE;
    } else if (cli.help) {
        rc = help(cmd && strcmp(cmd, "help") != 0 ? cmd : NULL);
    } else if (strcmp(cmd, "help") == 0) {
        rc = help(cli.words.n ? cli.words.v[0] : NULL);
    } else if (strcmp(cmd, "configure") == 0) {
        rc = cmd_configure(&cli);
    } else if (strcmp(cmd, "build") == 0) {
        rc = cmd_build(&cli);
    } else if (strcmp(cmd, "run") == 0) {
        rc = cmd_run(&cli);
    } else if (strcmp(cmd, "clean") == 0) {
        rc = cmd_clean(&cli);
    } else {
        rc = cmd_pack(&cli);
    }
    cli_free(&cli);
    return rc;
}
