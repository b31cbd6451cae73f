/* SPDX-License-Identifier: ISC */
/* A GUID partition table (UEFI 2.10, chapter 5) for the disk images of
 * `mirari image`, written into a file without root or loop devices: the
 * protective MBR's partition record, the primary header and entry array
 * at LBA 1 and 2, their backups at the end of the disk. 512-byte sectors,
 * 128 entries of 128 bytes (the sizes every firmware and tool expects). */
#ifndef MIRARI_TOOL_GPT_H
#define MIRARI_TOOL_GPT_H

#include <stddef.h>
#include <stdint.h>

#define GPT_SECTOR        512
#define GPT_ENTRIES       128
#define GPT_ENTRY_SIZE    128
#define GPT_ARRAY_SECTORS (GPT_ENTRIES * GPT_ENTRY_SIZE / GPT_SECTOR) /* 32 */
/* The first and last LBA a partition may use on a disk of n sectors. */
#define GPT_FIRST_USABLE   (2 + GPT_ARRAY_SECTORS)
#define GPT_LAST_USABLE(n) ((n)-2 - GPT_ARRAY_SECTORS)

/* A GUID in its on-disk form (the first three fields little-endian). */
typedef struct {
    uint8_t b[16];
} gpt_guid;

/* "21686148-6449-6E6F-744E-656564454649": GRUB's core.img under BIOS. */
extern const gpt_guid gpt_type_bios_boot;
/* "C12A7328-F81F-11D2-BA4B-00A0C93EC93B": the EFI system partition. */
extern const gpt_guid gpt_type_efi_system;

struct gpt_part {
    gpt_guid type;
    gpt_guid unique;
    uint64_t first_lba, last_lba; /* inclusive */
    uint64_t attributes;
    const char *name; /* ASCII, up to 36 characters */
};

/* The CRC-32 of UEFI's headers (ISO 3309, as zlib's crc32()). */
uint32_t gpt_crc32(const void *data, size_t len);

/* The textual GUID "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (37 bytes). */
void gpt_guid_text(const gpt_guid *g, char out[37]);

/* The tables for a disk of `sectors` sectors with partitions `parts`:
 * `mbr` gets the protective record (bytes 446..511 of sector 0; the boot
 * code before it is left alone), `primary` LBA 1..33 and `backup` the
 * last 33 sectors (entries, then header). Buffers: 512, 33*512, 33*512
 * bytes. -1 when a partition lies outside the usable range, overlaps
 * another or its name does not fit. */
int gpt_build(uint64_t sectors, const gpt_guid *disk, const struct gpt_part *parts, size_t n,
              uint8_t *mbr, uint8_t *primary, uint8_t *backup);

#endif
