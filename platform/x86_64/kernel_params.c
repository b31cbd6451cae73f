/* SPDX-License-Identifier: ISC */
/* The kernel's own command-line words (kernel_params.h). */
#include "kernel_params.h"

#include <string.h>

bool cmdline_is_kernel_param(const char *word)
{
    return strncmp(word, "tsc-khz=", 8) == 0 || strncmp(word, "virtio_mmio.device=", 19) == 0;
}
