/* SPDX-License-Identifier: ISC */
/* Copy what the loader left in memory (PVH: struct hvm_start_info, the
 * memory map, the command line; Multiboot2: GRUB's boot information) into
 * the kernel's own storage, first thing: QEMU's boot ROM puts them in page
 * 0, which paging.c then unmaps to catch NULL dereferences, GRUB somewhere
 * free, and the page allocator would hand the rest out. */
#include <string.h>

#include "kernel.h"
#include "multiboot2.h"

struct boot_info boot;

static void copy_cmdline(const char *c)
{
    size_t n = strnlen(c, sizeof boot.cmdline - 1);
    memcpy(boot.cmdline, c, n);
    boot.cmdline[n] = '\0';
    if (c[n] != '\0')
        port_log("mirari: command line longer than %zu bytes, cut\n", sizeof boot.cmdline - 1);
}

/* GRUB's Multiboot2 command line holds the arguments after the file name
 * (grub_cmd_multiboot passes argv + 1); some loaders put the file name
 * first, as a Linux command line has it. A first word that is a path
 * ("/boot/..." or "(hd0,gpt2)/...") is that name, never a boot argument
 * (those start with "--" or name a kernel parameter): skip it, quotes and
 * backslashes read as abi/cmdline.h reads them. */
static const char *after_file_name(const char *c)
{
    while (*c == ' ' || *c == '\t' || *c == '\n')
        c++;
    if (*c != '/' && *c != '(')
        return c;
    bool quoted = false;
    for (; *c && (quoted || (*c != ' ' && *c != '\t' && *c != '\n')); c++) {
        if (*c == '\\' && c[1] != '\0')
            c++;
        else if (*c == '"')
            quoted = !quoted;
    }
    return c;
}

static void mb2_mmap(const struct mb2_tag_mmap *t)
{
    const uint8_t *p = (const uint8_t *)(t + 1), *end = (const uint8_t *)t + t->tag.size;
    if (t->entry_size < sizeof(struct mb2_mmap_entry))
        port_panic("Multiboot2 memory map entries of %u bytes", t->entry_size);
    /* Only RAM is kept: UEFI's maps list dozens of reserved ranges the
     * kernel has no use for, and a full table would drop RAM. */
    for (; p + t->entry_size <= end; p += t->entry_size) {
        const struct mb2_mmap_entry *e = (const void *)p;
        if (e->type != HVM_MEMMAP_RAM)
            continue;
        if (boot.nmemmap == BOOT_MEMMAP_MAX) {
            port_log("mirari: memory map has more than %d RAM ranges, ignoring the rest\n",
                     BOOT_MEMMAP_MAX);
            return;
        }
        boot.memmap[boot.nmemmap++] = (struct hvm_memmap_entry){e->addr, e->len, HVM_MEMMAP_RAM, 0};
    }
}

/* Multiboot2 boot information (specification 3.6): the tags the kernel
 * uses, the rest skipped by their sizes. */
static void bootinfo_mb2(uint32_t mbi_pa)
{
    const uint8_t *mbi = (const uint8_t *)(uintptr_t)mbi_pa;
    if (mbi_pa == 0 || mbi_pa % 8)
        port_panic("Multiboot2 boot information missing or misaligned at %p", (void *)mbi);
    uint32_t total = *(const uint32_t *)mbi;
    boot.version = 1;
    boot.cmdline[0] = '\0';
    boot.nmemmap = 0;
    for (uint32_t off = 8; off + sizeof(struct mb2_tag) <= total;) {
        const struct mb2_tag *t = (const void *)(mbi + off);
        if (t->type == MB2_TAG_END || t->size < sizeof *t || off + t->size > total)
            break;
        if (t->type == MB2_TAG_CMDLINE)
            copy_cmdline(after_file_name((const char *)(t + 1)));
        else if (t->type == MB2_TAG_MMAP)
            mb2_mmap((const void *)t);
        off += (t->size + 7) & ~7u;
    }
}

void bootinfo_copy(uint32_t start_info_pa)
{
    if (boot_protocol == BOOT_PROTOCOL_MB2) {
        bootinfo_mb2(start_info_pa);
        return;
    }
    const struct hvm_start_info *si = (const void *)(uintptr_t)start_info_pa;
    if (start_info_pa == 0 || si->magic != HVM_START_MAGIC)
        port_panic("PVH start_info missing or bad magic at %p", (void *)si);
    boot.version = si->version;
    boot.rsdp = si->rsdp_paddr;

    boot.cmdline[0] = '\0';
    if (si->cmdline_paddr)
        copy_cmdline((const char *)(uintptr_t)si->cmdline_paddr);

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
