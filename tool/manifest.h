/* SPDX-License-Identifier: ISC */
/* _build/manifest: every file configure wrote and every file the
 * generated Makefile can build, relative to the app's directory, one per
 * line (directories end in '/'). `mirari clean` removes exactly these and
 * nothing else. */
#ifndef MIRARI_TOOL_MANIFEST_H
#define MIRARI_TOOL_MANIFEST_H

#include <stdbool.h>

#include "util.h"

#define MANIFEST_PATH "_build/manifest"

/* An entry clean may act on: below _build/ (no "..", no empty or "."
 * component), or a built image "mir-NAME" next to the .conf. Anything
 * else in a manifest is ignored. */
bool manifest_entry_ok(const char *entry);
/* Whether appdir's manifest is one mirari wrote and nothing else changed:
 * 0; -1 (errno) when it cannot be read; 1 when it is damaged, with *bad
 * saying how (to free). */
int manifest_check(const char *appdir, char **bad);
/* The entries of appdir's manifest; -1 (errno) when it cannot be read. */
int manifest_read(const char *appdir, struct strlist *out);
/* Write the manifest: the entries given plus those of the old manifest
 * (so files of an earlier configuration are still cleaned). */
int manifest_update(const char *appdir, const struct strlist *entries);

/* Remove what the manifest lists: files (never a directory's contents),
 * then listed directories and _build/ when empty. Counts what it removed;
 * names what it kept in _build/ because mirari did not write it. 0, or -1
 * after an error message. */
int clean_app(const char *appdir, int *removed, struct strlist *kept);

#endif
