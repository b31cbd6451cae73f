/* SPDX-License-Identifier: ISC */
/* Copy what the PVH loader left in memory (struct hvm_start_info, the
 * memory map, the command line) into the kernel's own storage, first
 * thing: QEMU's boot ROM puts them in page 0, which paging.c then unmaps
 * to catch NULL dereferences, and the page allocator would hand the rest
 * out. */
#include <string.h>

#include "kernel.h"

struct boot_info boot;

void bootinfo_copy(uint32_t start_info_pa)
{
    const struct hvm_start_info *si = (const void *)(uintptr_t)start_info_pa;
    if (start_info_pa == 0 || si->magic != HVM_START_MAGIC)
        port_panic("PVH start_info missing or bad magic at %p", (void *)si);
    boot.version = si->version;
    boot.rsdp = si->rsdp_paddr;

    boot.cmdline[0] = '\0';
    if (si->cmdline_paddr) {
        const char *c = (const char *)(uintptr_t)si->cmdline_paddr;
        size_t n = strnlen(c, sizeof boot.cmdline - 1);
        memcpy(boot.cmdline, c, n);
        boot.cmdline[n] = '\0';
        if (c[n] != '\0')
            port_log("mirari: command line longer than %zu bytes, cut\n", sizeof boot.cmdline - 1);
    }

    /* Version 0 has no memory map (a Xen PVH dom0); mm.c then asks CMOS. */
    boot.nmemmap = 0;
    if (si->version >= 1 && si->memmap_paddr) {
        const struct hvm_memmap_entry *m = (const void *)(uintptr_t)si->memmap_paddr;
        size_t n = si->memmap_entries;
        if (n > BOOT_MEMMAP_MAX) {
            port_log("mirari: memory map has %zu entries, using the first %d\n", n,
                     BOOT_MEMMAP_MAX);
            n = BOOT_MEMMAP_MAX;
        }
        memcpy(boot.memmap, m, n * sizeof *m);
        boot.nmemmap = n;
    }
}
