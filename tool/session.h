/* SPDX-License-Identifier: ISC */
/* What every app command (configure, build, run) works out first: which
 * .conf, which app, where mirari's runtime is, which target, and the
 * checked configuration (file plus command-line keys). */
#ifndef MIRARI_TOOL_SESSION_H
#define MIRARI_TOOL_SESSION_H

#include <stdbool.h>

#include "check.h"
#include "cli.h"
#include "conf.h"
#include "target.h"
#include "util.h"

/* Exit statuses of the tool (documented in mirari(1)). */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

struct session {
    const struct cli *cli;
    char *conf_path; /* the .conf as the user named it, or as found */
    char *appdir;    /* its directory */
    char *builddir;  /* appdir/_build */
    char *app;       /* the app's name: the .conf's name without .conf */
    char *tool;      /* this program (absolute) */
    char *prefix;    /* the install: bin/ lib/mirari/ include/ */
    const struct target *target;
    struct strlist args; /* command-line keys in effect: --KEY=VALUE */
    /* What the last configure remembered (for configure: what it is given):
     * build and run start from these and never change them. */
    const struct target *kept_target; /* NULL: none was given */
    struct strlist kept;              /* --KEY=VALUE */
    struct strlist sources;           /* the app's *.c */
    char *conf_text;
    struct conf conf;
    struct app_config cfg;
};

/* Find the .conf: -f FILE, or the one *.conf of the current directory.
 * Sets conf_path, appdir, builddir, app. EXIT_OK or EXIT_USAGE (printed). */
int find_conf(struct session *s, const struct cli *cli);

/* Find the runtime: MIRARI_PREFIX, else the directory above this
 * program's bin/. Sets tool and prefix. EXIT_OK or EXIT_FAIL. */
int find_install(struct session *s);

/* Everything up to a checked configuration. configure (reuse_recorded
 * false) starts afresh from the .conf and its own target and keys, which
 * it remembers; build and run (reuse_recorded true) use the remembered
 * target and keys of _build/configuration, with their own target and keys
 * over them for this command only. Notes say which remembered keys are
 * used and which earlier keys are dropped. Returns an exit status. */
int session_open(struct session *s, const struct cli *cli, bool reuse_recorded);
void session_close(struct session *s);

/* The text that identifies this configuration (tool, runtime, target,
 * .conf contents, keys, sources): configure records it, build compares. */
char *session_stamp(const struct session *s);

/* The target's runtime is installed: EXIT_OK, or EXIT_FAIL with a message. */
int target_available(const struct session *s);

#endif
