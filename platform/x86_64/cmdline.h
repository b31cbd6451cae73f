/* The PVH command line -> argv. Pure, tested on the host
 * (tests/unit/test_x86_cmdline.c). */
#ifndef MIRARI_X86_CMDLINE_H
#define MIRARI_X86_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/* Split `line` in place into words separated by spaces or tabs. Double
 * quotes group a word with spaces ("--x=a b") and are removed. Writes at
 * most `max` word pointers and returns how many words there were (more
 * than max means some were dropped). */
size_t cmdline_split(char *line, char **words, size_t max);

/* True for the words the kernel consumes instead of passing them to the
 * application: `tsc-khz=N` and `virtio_mmio.device=...` (written by QEMU
 * microvm and Firecracker). Application options start with "--". */
bool cmdline_is_kernel_param(const char *word);

#endif
