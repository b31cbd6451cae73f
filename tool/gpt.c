/* SPDX-License-Identifier: ISC */
/* The GPT writer (gpt.h). Layouts from UEFI 2.10: 5.2.3 (protective MBR),
 * 5.3.2 (header), 5.3.3 (partition entry). */
#include "gpt.h"

#include <stdio.h>
#include <string.h>

const gpt_guid gpt_type_bios_boot = {{0x48, 0x61, 0x68, 0x21, 0x49, 0x64, 0x6f, 0x6e, 0x74, 0x4e,
                                      0x65, 0x65, 0x64, 0x45, 0x46, 0x49}};
const gpt_guid gpt_type_efi_system = {{0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11, 0xba, 0x4b,
                                       0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b}};

uint32_t gpt_crc32(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint32_t c = 0xffffffffu;
    while (len--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & -(c & 1));
    }
    return ~c;
}

void gpt_guid_text(const gpt_guid *g, char out[37])
{
    const uint8_t *b = g->b;
    snprintf(out, 37, "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X", b[3],
             b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

/* The protective MBR's one record: type 0xEE from LBA 1 to the end of the
 * disk (or 0xFFFFFFFF sectors when larger), CHS fields as 5.2.3 gives. */
static void protective_mbr(uint8_t *mbr, uint64_t sectors)
{
    uint8_t *r = mbr + 446;
    memset(r, 0, 64);
    r[1] = 0x00; /* starting CHS 0/0/2 */
    r[2] = 0x02;
    r[3] = 0x00;
    r[4] = 0xee;
    r[5] = r[6] = r[7] = 0xff; /* ending CHS: not representable */
    put32(r + 8, 1);
    put32(r + 12, sectors - 1 > 0xffffffffu ? 0xffffffffu : (uint32_t)(sectors - 1));
    mbr[510] = 0x55;
    mbr[511] = 0xaa;
}

static int entries(const struct gpt_part *parts, size_t n, uint64_t sectors, uint8_t *array)
{
    memset(array, 0, GPT_ARRAY_SECTORS * GPT_SECTOR);
    if (n > GPT_ENTRIES)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const struct gpt_part *p = &parts[i];
        if (p->first_lba < GPT_FIRST_USABLE || p->last_lba > GPT_LAST_USABLE(sectors) ||
            p->first_lba > p->last_lba || strlen(p->name) > 36)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (p->first_lba <= parts[j].last_lba && parts[j].first_lba <= p->last_lba)
                return -1;
        uint8_t *e = array + i * GPT_ENTRY_SIZE;
        memcpy(e, p->type.b, 16);
        memcpy(e + 16, p->unique.b, 16);
        put64(e + 32, p->first_lba);
        put64(e + 40, p->last_lba);
        put64(e + 48, p->attributes);
        for (size_t k = 0; p->name[k]; k++) /* UTF-16LE */
            put16(e + 56 + 2 * k, (uint8_t)p->name[k]);
    }
    return 0;
}

static void header(uint8_t *h, uint64_t sectors, const gpt_guid *disk, uint64_t my_lba,
                   uint64_t alternate, uint64_t entries_lba, uint32_t array_crc)
{
    memset(h, 0, GPT_SECTOR);
    memcpy(h, "EFI PART", 8);
    put32(h + 8, 0x00010000); /* revision 1.0 */
    put32(h + 12, 92);        /* header size */
    put64(h + 24, my_lba);
    put64(h + 32, alternate);
    put64(h + 40, GPT_FIRST_USABLE);
    put64(h + 48, GPT_LAST_USABLE(sectors));
    memcpy(h + 56, disk->b, 16);
    put64(h + 72, entries_lba);
    put32(h + 80, GPT_ENTRIES);
    put32(h + 84, GPT_ENTRY_SIZE);
    put32(h + 88, array_crc);
    put32(h + 16, gpt_crc32(h, 92)); /* computed with this field zero */
}

int gpt_build(uint64_t sectors, const gpt_guid *disk, const struct gpt_part *parts, size_t n,
              uint8_t *mbr, uint8_t *primary, uint8_t *backup)
{
    /* Room for both tables and one sector of data at least. */
    if (sectors < 2 * (1 + GPT_ARRAY_SECTORS) + 2)
        return -1;
    uint8_t *array = primary + GPT_SECTOR;
    if (entries(parts, n, sectors, array) < 0)
        return -1;
    uint32_t crc = gpt_crc32(array, GPT_ARRAY_SECTORS * GPT_SECTOR);
    uint64_t last = sectors - 1;
    header(primary, sectors, disk, 1, last, 2, crc);
    memcpy(backup, array, GPT_ARRAY_SECTORS * GPT_SECTOR);
    header(backup + GPT_ARRAY_SECTORS * GPT_SECTOR, sectors, disk, last, 1,
           last - GPT_ARRAY_SECTORS, crc);
    protective_mbr(mbr, sectors);
    return 0;
}
