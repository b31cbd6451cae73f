/* SPDX-License-Identifier: ISC */
/* `mirari pack DIR OUT`: pack a directory tree into a store image
 * (abi/kv_format.h) for an `fs-NAME: DIR` key. */
#ifndef MIRARI_TOOL_PACK_H
#define MIRARI_TOOL_PACK_H

#include <stdbool.h>
#include <stddef.h>

/* Pack every regular file below dir, recursively, into out_path. Keys are
 * the paths relative to dir ("css/site.css"), in bytewise order; each
 * record carries the size, the mtime and a 64-bit content hash.
 *
 * Dotfiles and dot-directories (.git, .env, .htaccess, an editor's .#lock)
 * and the other version-control directories (CVS, _darcs) are left out
 * unless flags has PACK_DOTFILES: a store is published by the unikernel,
 * and what a checkout keeps beside the site is not for the public.
 *
 * Symbolic links are followed when their target stays inside dir, and
 * refused otherwise; one whose target is missing (an editor's lock, a
 * stale link) is left out with a warning on stderr. A name that cannot be
 * a store key (a backslash or a control character in it, a path longer
 * than 4095 bytes), a special file (FIFO, socket, device) or a symlink loop
 * is an error: nothing else is skipped, so what the unikernel serves is
 * exactly the tree. Empty directories are allowed and leave nothing in the
 * image.
 *
 * The image is written to a temporary file next to out_path and renamed
 * over it at the end, so a failure never leaves a partial image. Returns 0,
 * or -1 with a one-line message (naming the file at fault) in err. */
#define PACK_DOTFILES 1u
int pack_dir(const char *dir, const char *out_path, unsigned flags, char *err, size_t errlen);

/* Whether the entry `name` of a directory is left out of the store (see
 * above); is_dir when it is a directory. */
bool pack_leaves_out(const char *name, bool is_dir, unsigned flags);

#endif
