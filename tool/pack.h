/* SPDX-License-Identifier: ISC */
/* `mirari pack DIR OUT`: pack a directory tree into a store image
 * (abi/kv_format.h) for an `fs-NAME: DIR` key. */
#ifndef MIRARI_TOOL_PACK_H
#define MIRARI_TOOL_PACK_H

#include <stddef.h>

/* Pack every regular file below dir, recursively, into out_path. Keys are
 * the paths relative to dir ("css/site.css"), in bytewise order; each
 * record carries the size, the mtime and a 64-bit content hash.
 *
 * Symbolic links are followed when their target stays inside dir, and
 * refused otherwise. A name that cannot be a store key (a backslash or a
 * control character in it, a path longer than 4095 bytes), a special file
 * (FIFO, socket, device) or a symlink loop is an error: nothing is
 * skipped silently, so what the unikernel serves is exactly the tree.
 * Empty directories are allowed and leave nothing in the image.
 *
 * The image is written to a temporary file next to out_path and renamed
 * over it at the end, so a failure never leaves a partial image. Returns 0,
 * or -1 with a one-line message (naming the file at fault) in err. */
int pack_dir(const char *dir, const char *out_path, char *err, size_t errlen);

#endif
