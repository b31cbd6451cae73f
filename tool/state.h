/* SPDX-License-Identifier: ISC */
/* _build/configuration: what _build/ was last generated for, and what
 * configure remembered. Its stamp lines (tool, runtime, target, .conf
 * contents, command-line keys, sources, the remembered target and keys)
 * decide whether build must configure again. The `remembered` lines are
 * the target and keys given to the last `mirari configure`: build and run
 * start from them and never change them (mirari(1), "The keys are
 * remembered"); the `target` and `arg` lines are what the last command
 * actually used, so that the next one can say what it drops. */
#ifndef MIRARI_TOOL_STATE_H
#define MIRARI_TOOL_STATE_H

#include "util.h"

struct session;

struct state {
    char *stamp;         /* the non-comment lines */
    char *target;        /* from "target NAME" */
    struct strlist args; /* from "arg --KEY=VALUE" */
    char *kept_target;   /* from "remembered-target NAME", or NULL */
    struct strlist kept; /* from "remembered --KEY=VALUE" */
};

/* 0, or -1 when there is no readable configuration. */
int state_read(const char *builddir, struct state *st);
void state_free(struct state *st);
/* The file's text for a session: comments, the stamp, and the effective
 * configuration (as comments, for people). */
char *state_text(const struct session *s, const char *stamp);

#endif
