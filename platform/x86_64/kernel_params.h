/* SPDX-License-Identifier: ISC */
/* The words of the PVH command line that the kernel keeps for itself. The
 * splitting is shared with the tool (abi/cmdline.h). Pure, tested on the
 * host (tests/unit/test_x86_text.c). */
#ifndef MIRARI_X86_KERNEL_PARAMS_H
#define MIRARI_X86_KERNEL_PARAMS_H

#include <stdbool.h>

#include "cmdline.h"

/* True for the words the kernel consumes instead of passing them to the
 * application: `tsc-khz=N` and `virtio_mmio.device=...` (written by QEMU
 * microvm and Firecracker). Application options start with "--". */
bool cmdline_is_kernel_param(const char *word);

#endif
