/* SPDX-License-Identifier: ISC */
/* Turning the loader's memory map into the RAM the kernel may allocate.
 * Pure computation, tested on the host (tests/unit/test_x86_memmap.c). */
#ifndef MIRARI_X86_MEMMAP_H
#define MIRARI_X86_MEMMAP_H

#include <stddef.h>
#include <stdint.h>

#include "start_info.h"

/* A half-open physical address range [start, end). */
struct mem_range {
    uint64_t start, end;
};

/* The usable RAM: entries of type RAM with a non-zero size (QEMU microvm
 * ends its map with an all-zero entry), clipped to [lo, hi), shrunk inward
 * to page boundaries, minus the `reserved` ranges (the kernel image),
 * sorted and merged. Writes at most `cap` ranges to `out` (the largest are
 * not preferred: ranges beyond cap are dropped in address order) and
 * returns how many were written. */
size_t memmap_usable(const struct hvm_memmap_entry *map, size_t n, const struct mem_range *reserved,
                     size_t nreserved, uint64_t lo, uint64_t hi, struct mem_range *out, size_t cap);

#endif
