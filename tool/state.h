/* SPDX-License-Identifier: ISC */
/* _build/configuration: what the last configure was run with. Its stamp
 * lines (tool, runtime, target, .conf contents, command-line keys,
 * sources) decide whether build must configure again; its `arg` lines are
 * the command-line keys a later build or run reuses when given none. */
#ifndef MIRARI_TOOL_STATE_H
#define MIRARI_TOOL_STATE_H

#include "util.h"

struct session;

struct state {
    char *stamp;         /* the non-comment lines */
    char *target;        /* from "target NAME" */
    struct strlist args; /* from "arg --KEY=VALUE" */
};

/* 0, or -1 when there is no readable configuration. */
int state_read(const char *builddir, struct state *st);
void state_free(struct state *st);
/* The file's text for a session: comments, the stamp, and the effective
 * configuration (as comments, for people). */
char *state_text(const struct session *s, const char *stamp);

#endif
