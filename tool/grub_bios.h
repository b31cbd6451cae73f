/* SPDX-License-Identifier: ISC */
/* GRUB under a PC BIOS, set up by hand on a disk image: what
 * grub-bios-setup does for a core.img embedded in a BIOS boot partition,
 * without needing a block device. The BIOS runs the MBR's code (GRUB's
 * boot.img), which reads the first sector of core.img (diskboot.img) from
 * the LBA patched into it; that sector's block list names the rest of
 * core.img. Offsets from GRUB's include/grub/i386/pc/boot.h. */
#ifndef MIRARI_TOOL_GRUB_BIOS_H
#define MIRARI_TOOL_GRUB_BIOS_H

#include <stddef.h>
#include <stdint.h>

#define GRUB_BOOT_KERNEL_SECTOR 0x5c       /* u64: the LBA of core.img's first sector */
#define GRUB_BOOT_BOOT_DRIVE    0x64       /* 0xff: the drive the BIOS booted from */
#define GRUB_BOOT_DRIVE_CHECK   0x66       /* a 2-byte jmp, made nops for hard disks */
#define GRUB_BOOT_CODE_END      0x1b8      /* MBR code ends at the disk signature */
#define GRUB_BLOCKLIST_OFFSET   (512 - 12) /* in core.img's first sector */

/* Patch `mbr` (sector 0, whose partition records are kept) with boot.img's
 * code and `core` (core_len bytes, a multiple of 512) with its own place,
 * core_lba. NULL, or why the images cannot be used (an unknown GRUB
 * layout, a core.img too large for its block list). */
const char *grub_bios_patch(uint8_t mbr[512], const uint8_t *boot_img, size_t boot_len,
                            uint8_t *core, size_t core_len, uint64_t core_lba);

#endif
