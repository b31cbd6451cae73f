/* SPDX-License-Identifier: ISC */
/* The PVH memory map -> usable RAM (platform/x86_64/memmap.c), with the
 * maps QEMU pc, microvm and Xen really give. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../platform/x86_64/memmap.h"

#define RAM      HVM_MEMMAP_RAM
#define RESERVED 2
#define KiB      1024ull
#define MiB      (1024 * KiB)
#define GiB      (1024 * MiB)

static struct mem_range out[16];

static size_t usable(const struct hvm_memmap_entry *m, size_t n, const struct mem_range *res,
                     size_t nres)
{
    return memmap_usable(m, n, res, nres, 4096, 4 * GiB, out, 16);
}

/* QEMU -M pc -m 64 (start_info version 1, as seen from a PVH guest). */
static void pc_map_minus_kernel(void **state)
{
    (void)state;
    const struct hvm_memmap_entry m[] = {
        {0, 0x9fc00, RAM, 0},
        {0x9fc00, 0x400, RESERVED, 0},
        {0xf0000, 0x10000, RESERVED, 0},
        {0x100000, 64 * MiB - 0x100000 - 0x20000, RAM, 0},
        {64 * MiB - 0x20000, 0x20000, RESERVED, 0},
        {0xfeffc000, 0x4000, RESERVED, 0},
        {0xfffc0000, 0x40000, RESERVED, 0},
    };
    const struct mem_range kernel = {0x100000, 0x11c000};
    size_t n = usable(m, 7, &kernel, 1);
    assert_int_equal(n, 2);
    assert_int_equal(out[0].start, 0x1000); /* page 0 stays out */
    assert_int_equal(out[0].end, 0x9f000);  /* shrunk to whole pages */
    assert_int_equal(out[1].start, 0x11c000);
    assert_int_equal(out[1].end, 64 * MiB - 0x20000);
}

/* microvm ends its map with an all-zero entry; a zero-size RAM entry
 * anywhere must be skipped, not read as "all memory from 0". */
static void zero_entries_skipped(void **state)
{
    (void)state;
    const struct hvm_memmap_entry m[] = {
        {0, 0xa0000, RAM, 0},
        {0x100000, 31 * MiB, RAM, 0},
        {0x5000000, 0, RAM, 0},
        {0, 0, 0, 0},
    };
    size_t n = usable(m, 4, NULL, 0);
    assert_int_equal(n, 2);
    assert_int_equal(out[1].end, 32 * MiB);
}

static void overlaps_merge_and_reserved_wins(void **state)
{
    (void)state;
    const struct hvm_memmap_entry m[] = {
        {8 * MiB, 8 * MiB, RAM, 0},
        {1 * MiB, 8 * MiB, RAM, 0}, /* overlaps the first, out of order */
        {4 * MiB, 4096, RESERVED, 0},
    };
    size_t n = usable(m, 3, NULL, 0);
    assert_int_equal(n, 2);
    assert_int_equal(out[0].start, 1 * MiB);
    assert_int_equal(out[0].end, 4 * MiB);
    assert_int_equal(out[1].start, 4 * MiB + 4096);
    assert_int_equal(out[1].end, 16 * MiB);
}

/* RAM above 4 GiB is not identity mapped: clipped away. */
static void clipped_to_the_mapped_window(void **state)
{
    (void)state;
    const struct hvm_memmap_entry m[] = {
        {1 * MiB, 3 * GiB - 1 * MiB, RAM, 0},
        {4 * GiB, 4 * GiB, RAM, 0},
        {UINT64_MAX - 4096, 8192, RAM, 0}, /* wraps: must not overflow */
    };
    size_t n = usable(m, 3, NULL, 0);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].end, 3 * GiB);
}

static void unaligned_kernel_end_rounds_out(void **state)
{
    (void)state;
    const struct hvm_memmap_entry m[] = {{1 * MiB, 15 * MiB, RAM, 0}};
    const struct mem_range k = {0x100000, 0x123456};
    size_t n = usable(m, 1, &k, 1);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].start, 0x124000);
}

static void too_many_ranges_keeps_the_lowest(void **state)
{
    (void)state;
    struct hvm_memmap_entry m[20];
    for (int i = 0; i < 20; i++)
        m[19 - i] = (struct hvm_memmap_entry){(uint64_t)(i + 1) * 2 * MiB, MiB, RAM, 0};
    struct mem_range small[4];
    size_t n = memmap_usable(m, 20, NULL, 0, 4096, 4 * GiB, small, 4);
    assert_int_equal(n, 4);
    assert_int_equal(small[0].start, 2 * MiB);
    assert_int_equal(small[3].start, 8 * MiB);
}

static void nothing_usable(void **state)
{
    (void)state;
    const struct hvm_memmap_entry m[] = {{0, 4096, RAM, 0}, {1 * MiB, 1 * MiB, RESERVED, 0}};
    assert_int_equal(usable(m, 2, NULL, 0), 0);
    assert_int_equal(usable(m, 0, NULL, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pc_map_minus_kernel),
        cmocka_unit_test(zero_entries_skipped),
        cmocka_unit_test(overlaps_merge_and_reserved_wins),
        cmocka_unit_test(clipped_to_the_mapped_window),
        cmocka_unit_test(unaligned_kernel_end_rounds_out),
        cmocka_unit_test(too_many_ranges_keeps_the_lowest),
        cmocka_unit_test(nothing_usable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
