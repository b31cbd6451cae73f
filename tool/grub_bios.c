/* SPDX-License-Identifier: ISC */
/* GRUB's BIOS boot sector and core image, patched to find each other
 * (grub_bios.h; GRUB's util/setup.c does the same on a device). */
#include "grub_bios.h"

#include <string.h>

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> 8 * i);
}

const char *grub_bios_patch(uint8_t mbr[512], const uint8_t *boot_img, size_t boot_len,
                            uint8_t *core, size_t core_len, uint64_t core_lba)
{
    if (boot_len != 512 || boot_img[510] != 0x55 || boot_img[511] != 0xaa ||
        boot_img[GRUB_BOOT_DRIVE_CHECK] != 0xeb)
        return "boot.img is not GRUB's i386-pc boot sector of a known layout";
    if (core_len < 1024 || core_len % 512)
        return "core.img is too small or not padded to whole sectors";
    uint8_t *list = core + GRUB_BLOCKLIST_OFFSET;
    size_t rest = core_len / 512 - 1;
    /* mkimage wrote the count of sectors after the first and the load
     * segment; only the start is the installer's to fill in. */
    if (get16(list + 8) > rest || get16(list + 10) == 0)
        return "core.img's block list is not of a known layout";
    if (rest > 0xffff)
        return "core.img is too large for one block list";

    memcpy(mbr, boot_img, GRUB_BOOT_CODE_END);
    put64(mbr + GRUB_BOOT_KERNEL_SECTOR, core_lba);
    mbr[GRUB_BOOT_BOOT_DRIVE] = 0xff;
    /* Some BIOSes pass 0 or 1 as the boot drive though they booted 0x80:
     * for a hard disk the check that trusts them is skipped. */
    mbr[GRUB_BOOT_DRIVE_CHECK] = 0x90;
    mbr[GRUB_BOOT_DRIVE_CHECK + 1] = 0x90;
    put64(list, core_lba + 1);
    return NULL;
}
