/* SPDX-License-Identifier: ISC */
/* The command line: `mirari [OPTIONS] COMMAND [OPTIONS] [--KEY=VALUE...]
 * [-- BOOT ARGS]`. Options and keys may come before or after the command;
 * every app.conf key is an option (--http-port=8080 or --http-port 8080). */
#ifndef MIRARI_TOOL_CLI_H
#define MIRARI_TOOL_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "target.h"
#include "util.h"

struct command; /* commands.h */

struct cli_key {
    char *name; /* "http-port" */
    char *value;
};

/* Options that belong to one command (image, deploy), kept as given; the
 * command table says which command takes which (commands.h). */
struct cli_cmdopts {
    const char *format;      /* --format=raw|qcow2|gce, or the cloud of deploy */
    const char *output;      /* -o FILE, --output=FILE */
    const char *size;        /* --size=SIZE (bytes, or with K, M, G) */
    const char *bucket;      /* --bucket=NAME: where deploy uploads */
    const char *network;     /* --network=NAME|tap:DEV: image's libvirt domain */
    const char *tap;         /* --tap=NAME: run on this existing tap (MIRARI_TAP) */
    const char *tap_address; /* --tap-address=A.B.C.D/N (MIRARI_TAP_ADDRESS) */
    bool yes;                /* --yes: deploy runs the commands it prints */
    struct strlist set;      /* --set KEY=VALUE, in order */
    struct strlist given;    /* the option names given ("--size"), for checks */
};

struct cli {
    const struct command *command; /* NULL when none was given */
    const char *file;              /* -f FILE */
    const struct target *target;   /* -t NAME, --unix, ...; NULL when not given */
    const char *target_opt;        /* how it was asked for, for messages */
    int verbosity;                 /* -q 0, default 1, -v 2 */
    bool no_install;               /* --no-install */
    bool help, version;
    struct cli_key *keys;
    size_t nkeys;
    struct strlist words; /* operands after the command */
    struct strlist extra; /* after --: boot arguments for run */
    struct cli_cmdopts opts;
};

enum cli_option_kind {
    OPT_FILE,   /* takes a value: -fFILE, -f FILE, --file=FILE, --file FILE */
    OPT_TARGET, /* takes a value, as OPT_FILE */
    OPT_NO_INSTALL,
    OPT_VERBOSE,
    OPT_QUIET,
    OPT_HELP,
    OPT_VERSION,
    /* One command's own (cli_option.commands), kept in cli.opts. */
    OPT_FORMAT, /* the ones up to OPT_SET take a value, as OPT_FILE */
    OPT_OUTPUT,
    OPT_SIZE,
    OPT_BUCKET,
    OPT_NETWORK,
    OPT_TAP,
    OPT_TAP_ADDRESS,
    OPT_SET,
    OPT_YES,
};

/* mirari's own options (keys and target switches aside): what the parser
 * accepts, what completion offers and which commands take which, from
 * one table. */
struct cli_option {
    const char *short_name; /* "-f", or NULL */
    const char *long_name;  /* "--file" */
    enum cli_option_kind kind;
    const char *help;
    const char *commands; /* "image deploy": the commands that take it; NULL: all */
};
extern const struct cli_option cli_options[];
extern const size_t cli_noptions;

/* Whether the option takes a value. */
bool cli_option_valued(const struct cli_option *o);
/* Whether command `name` takes the option. */
bool cli_option_for(const struct cli_option *o, const char *name);

/* 0, or 2 after printing a usage error. */
int cli_parse(int argc, char **argv, struct cli *out);
void cli_free(struct cli *c);

#endif
