/* SPDX-License-Identifier: ISC */
/* mirari help and --help: the general usage, with the commands, keys and
 * targets read from their tables, and each command's own text. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "conf_keys.h"

static const char usage[] =
    "usage: mirari [OPTIONS] COMMAND [OPTIONS] [--KEY=VALUE...] [-- BOOT-ARGS]\n"
    "\n"
    "Build a C application into a unikernel and run it. The application is the\n"
    "*.c files next to its .conf (see app.conf(5)).\n";

static const char options[] =
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
    "as --KEY=VALUE or --KEY VALUE.\n"
    "configure remembers its target and keys in _build/configuration, starting\n"
    "afresh from the configuration file; build and run use the remembered target\n"
    "and keys, and a target or keys given to them apply to that command only.\n";

static const char usage_end[] =
    "\nExit status: 0 success; 1 failure; 2 usage or configuration error. run\n"
    "exits with the unikernel's status (128+N when signal N killed it).\n"
    "See mirari(1) and app.conf(5).\n";

static const char *placeholder(enum conf_key_type t)
{
    static const char *const names[] = {
        [KT_BOOL] = "true|false", [KT_IPV4] = "A.B.C.D",     [KT_NETMASK] = "A.B.C.D",
        [KT_PORT] = "PORT",       [KT_LISTEN_ADDR] = "ADDR", [KT_ENTRY] = "FUNC",
        [KT_LIST] = "NAME,...",   [KT_DIR] = "DIR",          [KT_FILE] = "FILE",
        [KT_MEMORY] = "MIB",      [KT_LOG_LEVEL] = "LEVEL",  [KT_STRING] = "VALUE",
        [KT_TCP_CC] = "ALGO",     [KT_TEXT] = "VALUE",
    };
    return names[t];
}

static void print_keys(void)
{
    printf("\nKeys (see app.conf(5)):\n");
    for (size_t i = 0; i < conf_nkeys; i++) {
        const struct conf_key *k = &conf_keys[i];
        bool fam = k->flags & KEY_FAMILY;
        char opt[64];
        snprintf(opt, sizeof opt, "--%s%s=%s", k->name,
                 fam ? (strcmp(k->name, "xl-") == 0 ? "KEY" : "NAME") : "", placeholder(k->type));
        printf("  %-26s %s\n", opt, k->help);
    }
}

/* The commands a user is offered; internal ones (pack) are left out. */
static void print_commands(void)
{
    printf("\nCommands:\n");
    for (size_t i = 0; i < ncommands; i++) {
        const struct command *c = &commands[i];
        if (!c->synopsis)
            continue;
        char left[32];
        snprintf(left, sizeof left, "%s%s%s", c->name, c->operands ? " " : "",
                 c->operands ? c->operands : "");
        printf("  %-16s %s\n", left, c->synopsis);
    }
}

static void print_targets(void)
{
    printf("\nTargets:\n");
    for (size_t i = 0; i < ntargets; i++)
        printf("  %-12s %s\n", targets[i].name, targets[i].summary);
}

int print_help(const char *command)
{
    const struct command *c = command ? command_find(command) : NULL;
    if (command && !c) {
        errorf("no help for \"%s\"; the commands are %s", command, command_names());
        return EXIT_USAGE;
    }
    if (c && c->help) {
        fputs(c->help, stdout);
        if (c->keys)
            print_keys();
    } else {
        fputs(usage, stdout);
        print_commands();
        fputs(options, stdout);
        print_keys();
        print_targets();
    }
    fputs(usage_end, stdout);
    return EXIT_OK;
}

int cmd_help(const struct cli *cli)
{
    return print_help(cli->words.n ? cli->words.v[0] : NULL);
}
