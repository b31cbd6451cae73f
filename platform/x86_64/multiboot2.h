/* SPDX-License-Identifier: ISC */
/* The parts of Multiboot2 (the Multiboot Specification version 2.0, GNU
 * GRUB's manual "Multiboot2 Specification") the kernel uses: the header
 * boot.S carries so GRUB can load it from a disk image, and the boot
 * information GRUB hands over in %ebx. Shared by assembly and C. */
#ifndef MIRARI_X86_MULTIBOOT2_H
#define MIRARI_X86_MULTIBOOT2_H

#define MB2_HEADER_MAGIC     0xe85250d6 /* in the image, 8-aligned, first 32 KiB */
#define MB2_ARCH_I386        0          /* enter in 32-bit protected mode */
#define MB2_HEADER_TAG_END   0
#define MB2_HEADER_TAG_ENTRY 3
#define MB2_HEADER_TAG_FB    5
#define MB2_HEADER_TAG_OPTIONAL 1 /* flags: the loader may ignore the tag */
#define MB2_BOOTLOADER_MAGIC 0x36d76289 /* in %eax at the entry */

#define BOOT_PROTOCOL_PVH 0
#define BOOT_PROTOCOL_MB2 1

#ifndef __ASSEMBLER__
#include <stdint.h>

/* Boot information: a u32 total size, a u32 reserved, then tags, each
 * 8-aligned, ended by a tag of type 0 (3.6). */
#define MB2_TAG_END     0
#define MB2_TAG_CMDLINE 1 /* a NUL-terminated string */
#define MB2_TAG_MMAP    6

struct mb2_tag {
    uint32_t type;
    uint32_t size; /* with this header, without the padding to 8 */
};

struct mb2_mmap_entry {
    uint64_t addr;
    uint64_t len;
    uint32_t type; /* 1 is available RAM, as in E820 */
    uint32_t reserved;
};

struct mb2_tag_mmap {
    struct mb2_tag tag;
    uint32_t entry_size; /* may grow: step by it, not by sizeof */
    uint32_t entry_version;
};

/* Set by boot.S before .bss is cleared: which loader entered. */
extern uint32_t boot_protocol;
#endif

#endif
