/* SPDX-License-Identifier: ISC */
/* The GPT writer (tool/gpt.c): the CRC, the protective MBR, both headers
 * and entry arrays where UEFI 2.10 chapter 5 puts them, with their CRCs
 * checking, and partitions that do not fit refused. (test_image.py checks
 * a whole disk with sgdisk.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../tool/gpt.h"

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
    return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void crc_of_the_check_string(void **state)
{
    (void)state;
    /* The CRC-32 check value of "123456789" (ISO 3309 / zlib). */
    assert_int_equal(gpt_crc32("123456789", 9), 0xcbf43926u);
    assert_int_equal(gpt_crc32("", 0), 0);
}

static void guid_text_is_mixed_endian(void **state)
{
    (void)state;
    char t[37];
    gpt_guid_text(&gpt_type_efi_system, t);
    assert_string_equal(t, "C12A7328-F81F-11D2-BA4B-00A0C93EC93B");
    gpt_guid_text(&gpt_type_bios_boot, t);
    assert_string_equal(t, "21686148-6449-6E6F-744E-656564454649");
}

enum { SECTORS = 20480 }; /* 10 MiB */
static uint8_t mbr[GPT_SECTOR], primary[33 * GPT_SECTOR], backup[33 * GPT_SECTOR];

static const gpt_guid disk = {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}};

static void check_header(const uint8_t *h, uint64_t my, uint64_t alt, uint64_t entries,
                         const uint8_t *array)
{
    assert_memory_equal(h, "EFI PART", 8);
    assert_int_equal(get32(h + 12), 92);
    uint8_t copy[92];
    memcpy(copy, h, 92);
    memset(copy + 16, 0, 4);
    assert_int_equal(get32(h + 16), gpt_crc32(copy, 92));
    assert_int_equal(get64(h + 24), my);
    assert_int_equal(get64(h + 32), alt);
    assert_int_equal(get64(h + 40), 34);
    assert_int_equal(get64(h + 48), SECTORS - 34);
    assert_memory_equal(h + 56, disk.b, 16);
    assert_int_equal(get64(h + 72), entries);
    assert_int_equal(get32(h + 80), 128);
    assert_int_equal(get32(h + 84), 128);
    assert_int_equal(get32(h + 88), gpt_crc32(array, 128 * 128));
}

static void tables_for_two_partitions(void **state)
{
    (void)state;
    struct gpt_part parts[2] = {
        {gpt_type_bios_boot, {{0xaa}}, 2048, 4095, 0, "BIOS boot"},
        {gpt_type_efi_system, {{0xbb}}, 4096, 18431, 0, "EFI system"},
    };
    memset(mbr, 0x90, sizeof mbr); /* boot code: must survive */
    assert_int_equal(gpt_build(SECTORS, &disk, parts, 2, mbr, primary, backup), 0);
    assert_int_equal(mbr[0], 0x90);
    assert_int_equal(mbr[445], 0x90);
    assert_int_equal(mbr[446 + 4], 0xee);
    assert_int_equal(get32(mbr + 446 + 8), 1);
    assert_int_equal(get32(mbr + 446 + 12), SECTORS - 1);
    assert_int_equal(mbr[462], 0); /* the other three records empty */
    assert_int_equal(mbr[510], 0x55);
    assert_int_equal(mbr[511], 0xaa);

    const uint8_t *array = primary + GPT_SECTOR;
    check_header(primary, 1, SECTORS - 1, 2, array);
    assert_memory_equal(backup, array, 128 * 128);
    check_header(backup + 32 * GPT_SECTOR, SECTORS - 1, 1, SECTORS - 33, backup);

    const uint8_t *e = array + 128;
    assert_memory_equal(e, gpt_type_efi_system.b, 16);
    assert_int_equal(e[16], 0xbb);
    assert_int_equal(get64(e + 32), 4096);
    assert_int_equal(get64(e + 40), 18431);
    assert_int_equal(e[56], 'E'); /* UTF-16LE name */
    assert_int_equal(e[57], 0);
    assert_int_equal(e[58], 'F');
    uint8_t zero[128] = {0};
    assert_memory_equal(array + 2 * 128, zero, 128);
}

static void partitions_that_do_not_fit(void **state)
{
    (void)state;
    struct gpt_part p = {gpt_type_efi_system, {{1}}, 2048, 4095, 0, "x"};
    struct gpt_part two[2] = {p, p};
    assert_int_equal(gpt_build(SECTORS, &disk, two, 2, mbr, primary, backup), -1); /* overlap */
    p.first_lba = 33; /* inside the primary entries */
    assert_int_equal(gpt_build(SECTORS, &disk, &p, 1, mbr, primary, backup), -1);
    p.first_lba = 2048;
    p.last_lba = SECTORS - 33; /* inside the backup entries */
    assert_int_equal(gpt_build(SECTORS, &disk, &p, 1, mbr, primary, backup), -1);
    p.last_lba = SECTORS - 34;
    assert_int_equal(gpt_build(SECTORS, &disk, &p, 1, mbr, primary, backup), 0);
    p.name = "a name that is longer than thirty-six characters";
    assert_int_equal(gpt_build(SECTORS, &disk, &p, 1, mbr, primary, backup), -1);
    p.name = "x";
    p.first_lba = 100;
    p.last_lba = 99;
    assert_int_equal(gpt_build(SECTORS, &disk, &p, 1, mbr, primary, backup), -1);
    assert_int_equal(gpt_build(60, &disk, NULL, 0, mbr, primary, backup), -1); /* too small */
}

static void huge_disk_caps_the_mbr_record(void **state)
{
    (void)state;
    uint64_t sectors = 3ull << 32; /* 6 TiB */
    assert_int_equal(gpt_build(sectors, &disk, NULL, 0, mbr, primary, backup), 0);
    assert_int_equal(get32(mbr + 446 + 12), 0xffffffffu);
    assert_int_equal(get64(primary + 32), sectors - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crc_of_the_check_string),
        cmocka_unit_test(guid_text_is_mixed_endian),
        cmocka_unit_test(tables_for_two_partitions),
        cmocka_unit_test(partitions_that_do_not_fit),
        cmocka_unit_test(huge_disk_caps_the_mbr_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
