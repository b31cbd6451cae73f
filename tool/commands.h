/* SPDX-License-Identifier: ISC */
/* The commands of mirari: one table (commands.c) that main.c dispatches
 * through, cli.c recognises a command word by, and help.c reads the
 * --help texts from. Each command is one file and returns the exit
 * status. */
#ifndef MIRARI_TOOL_COMMANDS_H
#define MIRARI_TOOL_COMMANDS_H

#include <stdbool.h>

#include "cli.h"
#include "session.h"

struct command {
    const char *name; /* "build" */
    int (*run)(const struct cli *cli);
    const char *operands; /* "[COMMAND]", or NULL */
    const char *synopsis; /* its line in mirari --help; NULL: internal, unlisted */
    const char *help;     /* mirari help NAME; NULL: the general usage */
    bool keys;            /* takes --KEY=VALUE: its help lists the keys */
};

extern const struct command commands[];
extern const size_t ncommands;

/* By name; NULL if none. */
const struct command *command_find(const char *name);
/* The listed command closest to a misspelt name (abi/conf_keys.h's rule),
 * or NULL. */
const char *command_suggest(const char *name);
/* "configure, build, run, clean or help": the commands a user is offered
 * (internal ones left out), for messages. */
const char *command_names(void);

int cmd_configure(const struct cli *cli); /* configure.c */
int cmd_build(const struct cli *cli);     /* build.c */
int cmd_run(const struct cli *cli);       /* run.c */
int cmd_clean(const struct cli *cli);     /* clean.c */
int cmd_pack(const struct cli *cli);      /* pack_cmd.c: internal, for the Makefile */
int cmd_help(const struct cli *cli);      /* help.c */
int cmd_image(const struct cli *cli);     /* image_cmd.c */
int cmd_deploy(const struct cli *cli);    /* deploy.c */

/* An option of cli->opts given to a command that does not take it:
 * EXIT_USAGE after a message naming the commands that do, else 0. */
int command_check_options(const struct cli *cli);
int cmd_complete(const struct cli *cli); /* complete.c: internal, for shell completion */

/* mirari --help, or COMMAND --help: the general usage when command is
 * NULL or "help"; EXIT_USAGE after a message for an unknown command. */
int print_help(const char *command);

/* Write _build/ for an opened session (dependencies, generated files,
 * recorded configuration, manifest). */
int configure_app(struct session *s);
/* Configure when the recorded configuration differs, then make. */
int build_app(struct session *s);
/* The image's path (appdir/mir-NAME...). */
char *image_path(const struct session *s);

#endif
