/* SPDX-License-Identifier: ISC */
/* The sequence-range set of the own stack's TCP (runtime/net/seqset.h):
 * merging, overlap, removal below a point, the capacity limit, and
 * sequence numbers that wrap around 2^32. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "net/seqset.h"

/* The set holds exactly the ranges given as start, end pairs. */
static void expect_ranges(const struct seqset *set, unsigned n, const uint32_t *pairs)
{
    assert_int_equal(set->n, n);
    for (unsigned i = 0; i < n; i++) {
        assert_int_equal(set->r[i].start, pairs[2 * i]);
        assert_int_equal(set->r[i].end, pairs[2 * i + 1]);
    }
}

static void test_serial_comparisons(void **state)
{
    (void)state;
    assert_true(seq_lt(1, 2));
    assert_true(seq_le(2, 2));
    assert_false(seq_lt(2, 2));
    /* Across the wrap: 0xfffffff0 comes before 0x10. */
    assert_true(seq_lt(0xfffffff0u, 0x10));
    assert_true(seq_gt(0x10, 0xfffffff0u));
    assert_true(seq_ge(0, 0xffffffffu));
    /* Just under 2^31 apart still orders the way the numbers suggest. */
    assert_true(seq_lt(0, 0x7fffffffu));
    assert_true(seq_gt(0x80000000u, 1));
}

static void test_add_keeps_order(void **state)
{
    (void)state;
    struct seqset set = {0};
    assert_true(seqset_add(&set, 300, 400));
    assert_true(seqset_add(&set, 100, 200));
    assert_true(seqset_add(&set, 500, 600));
    assert_true(seqset_add(&set, 210, 220));
    const uint32_t want[] = {100, 200, 210, 220, 300, 400, 500, 600};
    expect_ranges(&set, 4, want);
    assert_int_equal(seqset_bytes(&set), 310);
}

static void test_touching_ranges_merge(void **state)
{
    (void)state;
    struct seqset set = {0};
    assert_true(seqset_add(&set, 100, 200));
    assert_true(seqset_add(&set, 200, 300)); /* touches the end */
    assert_true(seqset_add(&set, 50, 100));  /* touches the start */
    const uint32_t want[] = {50, 300};
    expect_ranges(&set, 1, want);
}

static void test_overlaps_merge(void **state)
{
    (void)state;
    struct seqset set = {0};
    assert_true(seqset_add(&set, 100, 200));
    assert_true(seqset_add(&set, 300, 400));
    assert_true(seqset_add(&set, 500, 600));
    assert_true(seqset_add(&set, 700, 800));
    /* Inside one: nothing changes. */
    assert_true(seqset_add(&set, 120, 180));
    /* Overlapping one at each side. */
    assert_true(seqset_add(&set, 150, 250));
    assert_true(seqset_add(&set, 250, 320));
    const uint32_t want1[] = {100, 400, 500, 600, 700, 800};
    expect_ranges(&set, 3, want1);
    /* Covering several: they become one, larger than all of them. */
    assert_true(seqset_add(&set, 50, 750));
    const uint32_t want2[] = {50, 800};
    expect_ranges(&set, 1, want2);
}

static void test_remove_below(void **state)
{
    (void)state;
    struct seqset set = {0};
    seqset_add(&set, 100, 200);
    seqset_add(&set, 300, 400);
    seqset_add(&set, 500, 600);
    seqset_remove_below(&set, 50); /* nothing below */
    assert_int_equal(set.n, 3);
    seqset_remove_below(&set, 200); /* a range ending at the point goes */
    const uint32_t want1[] = {300, 400, 500, 600};
    expect_ranges(&set, 2, want1);
    seqset_remove_below(&set, 350); /* a straddling range is cut */
    const uint32_t want2[] = {350, 400, 500, 600};
    expect_ranges(&set, 2, want2);
    seqset_remove_below(&set, 1000);
    assert_int_equal(set.n, 0);
    assert_int_equal(seqset_bytes(&set), 0);
}

static void test_find_and_clear(void **state)
{
    (void)state;
    struct seqset set = {0};
    seqset_add(&set, 100, 200);
    seqset_add(&set, 300, 400);
    assert_int_equal(seqset_find(&set, 100), 0);
    assert_int_equal(seqset_find(&set, 199), 0);
    assert_int_equal(seqset_find(&set, 200), -1); /* end is exclusive */
    assert_int_equal(seqset_find(&set, 350), 1);
    assert_int_equal(seqset_find(&set, 99), -1);
    seqset_clear(&set);
    assert_int_equal(set.n, 0);
    assert_int_equal(seqset_find(&set, 150), -1);
}

static void test_wrap_around(void **state)
{
    (void)state;
    struct seqset set = {0};
    /* One range across 2^32, and ranges on both sides of it. */
    assert_true(seqset_add(&set, 0x10, 0x20));
    assert_true(seqset_add(&set, 0xfffffff0u, 0x8));
    assert_true(seqset_add(&set, 0xffffff00u, 0xffffff10u));
    const uint32_t want1[] = {0xffffff00u, 0xffffff10u, 0xfffffff0u, 0x8, 0x10, 0x20};
    expect_ranges(&set, 3, want1);
    assert_int_equal(seqset_bytes(&set), 0x10 + 0x18 + 0x10);
    assert_int_equal(seqset_find(&set, 0xffffffffu), 1);
    assert_int_equal(seqset_find(&set, 0), 1);
    /* Bridge the last two across the wrap. */
    assert_true(seqset_add(&set, 0x4, 0x12));
    const uint32_t want2[] = {0xffffff00u, 0xffffff10u, 0xfffffff0u, 0x20};
    expect_ranges(&set, 2, want2);
    /* Remove below a point past the wrap: the first goes, the second is cut. */
    seqset_remove_below(&set, 0x2);
    const uint32_t want3[] = {0x2, 0x20};
    expect_ranges(&set, 1, want3);
}

static void test_full_set(void **state)
{
    (void)state;
    struct seqset set = {0};
    /* Fill it with ranges that do not touch: [1000 i, 1000 i + 100). */
    for (uint32_t i = 0; i < SEQSET_CAP; i++)
        assert_true(seqset_add(&set, 1000 * i, 1000 * i + 100));
    assert_int_equal(set.n, SEQSET_CAP);
    struct seqset before = set;

    /* A range that touches nothing is refused, and the set unchanged:
     * between two ranges, before all, after all. */
    assert_false(seqset_add(&set, 500, 600));
    assert_false(seqset_add(&set, 0xfffff000u, 0xfffff100u));
    assert_false(seqset_add(&set, 1000 * SEQSET_CAP + 1, 1000 * SEQSET_CAP + 2));
    assert_memory_equal(&set, &before, sizeof(set));

    /* One that touches a range is still taken. */
    assert_true(seqset_add(&set, 100, 150));
    assert_int_equal(set.n, SEQSET_CAP);
    assert_int_equal(set.r[0].end, 150);
    /* One that bridges two frees a slot ... */
    assert_true(seqset_add(&set, 1100, 2000));
    assert_int_equal(set.n, SEQSET_CAP - 1);
    assert_int_equal(set.r[1].start, 1000);
    assert_int_equal(set.r[1].end, 2100);
    /* ... which a range touching nothing may then take. */
    assert_true(seqset_add(&set, 500, 600));
    assert_int_equal(set.n, SEQSET_CAP);
    assert_false(seqset_add(&set, 700, 800));
}

/* Random ranges in a window across 2^32, checked against a bitmap. */
#define WIN 512
static const uint32_t win_base = 0xffffff00u;

static void expect_bitmap(const struct seqset *set, const bool *have)
{
    unsigned k = 0;
    for (uint32_t i = 0; i < WIN;) {
        if (!have[i]) {
            i++;
            continue;
        }
        uint32_t j = i;
        while (j < WIN && have[j])
            j++;
        assert_true(k < set->n);
        assert_int_equal(set->r[k].start, win_base + i);
        assert_int_equal(set->r[k].end, win_base + j);
        k++;
        i = j;
    }
    assert_int_equal(set->n, k);
}

static void test_against_bitmap(void **state)
{
    (void)state;
    uint32_t x = 1;
    for (int round = 0; round < 200; round++) {
        struct seqset set = {0};
        bool have[WIN] = {false};
        uint32_t floor = 0; /* removed below win_base + floor */
        for (int step = 0; step < 60; step++) {
            x = x * 1103515245u + 12345u;
            uint32_t a = (x >> 8) % WIN, len = 1 + (x >> 20) % 24;
            if (a + len > WIN)
                len = WIN - a;
            if (step % 15 == 14) {
                /* Now and then, forget what is below a rising point. */
                floor += (x >> 4) % 64;
                if (floor > WIN)
                    floor = WIN;
                seqset_remove_below(&set, win_base + floor);
                memset(have, 0, floor * sizeof(have[0]));
                expect_bitmap(&set, have);
                continue;
            }
            if (a < floor)
                continue; /* keep to the part above the point */
            struct seqset before = set;
            bool touches = false;
            for (uint32_t i = a > 0 ? a - 1 : 0; i < a + len + 1 && i < WIN; i++)
                touches |= have[i];
            if (!seqset_add(&set, win_base + a, win_base + a + len)) {
                assert_int_equal(before.n, SEQSET_CAP);
                assert_false(touches);
                assert_memory_equal(&set, &before, sizeof(set));
                continue;
            }
            for (uint32_t i = a; i < a + len; i++)
                have[i] = true;
            expect_bitmap(&set, have);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_serial_comparisons),    cmocka_unit_test(test_add_keeps_order),
        cmocka_unit_test(test_touching_ranges_merge), cmocka_unit_test(test_overlaps_merge),
        cmocka_unit_test(test_remove_below),          cmocka_unit_test(test_find_and_clear),
        cmocka_unit_test(test_wrap_around),           cmocka_unit_test(test_full_set),
        cmocka_unit_test(test_against_bitmap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
