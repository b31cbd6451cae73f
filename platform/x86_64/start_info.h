/* SPDX-License-Identifier: ISC */
/* What a PVH loader hands the kernel in %ebx (xen include/public/arch-x86/
 * hvm/start_info.h, docs/misc/pvh.pandoc). All addresses are physical. */
#ifndef MIRARI_X86_START_INFO_H
#define MIRARI_X86_START_INFO_H

#include <stdint.h>

#define HVM_START_MAGIC 0x336ec578u

struct hvm_start_info {
    uint32_t magic;
    uint32_t version; /* 0: no memory map fields; 1: memmap_* valid */
    uint32_t flags;
    uint32_t nr_modules;
    uint64_t modlist_paddr;
    uint64_t cmdline_paddr; /* NUL-terminated, 0 when none */
    uint64_t rsdp_paddr;
    uint64_t memmap_paddr; /* version >= 1 */
    uint32_t memmap_entries;
    uint32_t reserved;
};

#define HVM_MEMMAP_RAM 1 /* the E820 type numbers */

struct hvm_memmap_entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
    uint32_t reserved;
};

#endif
