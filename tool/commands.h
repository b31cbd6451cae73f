/* SPDX-License-Identifier: ISC */
/* The commands of mirari, one file each. Each returns the exit status. */
#ifndef MIRARI_TOOL_COMMANDS_H
#define MIRARI_TOOL_COMMANDS_H

#include "cli.h"
#include "session.h"

int cmd_configure(const struct cli *cli); /* configure.c */
int cmd_build(const struct cli *cli);     /* build.c */
int cmd_run(const struct cli *cli);       /* run.c */
int cmd_clean(const struct cli *cli);     /* clean.c */
int cmd_pack(const struct cli *cli);      /* pack_cmd.c: internal, for the Makefile */

/* Write _build/ for an opened session (dependencies, generated files,
 * recorded configuration, manifest). */
int configure_app(struct session *s);
/* Configure when the recorded configuration differs, then make. */
int build_app(struct session *s);
/* The image's path (appdir/mir-NAME...). */
char *image_path(const struct session *s);

#endif
