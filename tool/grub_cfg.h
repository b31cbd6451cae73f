/* SPDX-License-Identifier: ISC */
/* grub.cfg of a `mirari image` disk: GRUB's console on the first serial
 * port (where the unikernel writes, and what clouds show as the serial
 * console), no menu, then the kernel by Multiboot2 with the boot
 * arguments. GRUB passes the words on as abi/cmdline.h encodes them. */
#ifndef MIRARI_TOOL_GRUB_CFG_H
#define MIRARI_TOOL_GRUB_CFG_H

#include <stddef.h>

#include "util.h"

/* `s` as one word of GRUB's shell: in single quotes, where nothing is
 * special, a single quote itself written '\'' (a backslash escape outside
 * the quotes). */
void grub_quote(struct sbuf *b, const char *s);

/* The file for the kernel at `kernel` (a path on the disk's partition)
 * with boot arguments `words`; NULL when a word cannot be carried (GRUB
 * double-quotes only words with a space: a tab or newline would split
 * one), *bad then naming it. */
char *grub_cfg_text(const char *kernel, char *const *words, size_t n, const char **bad);

#endif
