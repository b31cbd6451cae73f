/* SPDX-License-Identifier: ISC */
/* The exit status mapping between the qemu kernel and the runner
 * (abi/qemu_exit.h) and symbol lookup for backtraces
 * (platform/x86_64/ksyms.c), on the host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "qemu_exit.h"
#include "../../platform/x86_64/ksyms.h"

/* What QEMU's isa-debug-exit does with the value written. */
static int qemu_status(unsigned v)
{
    return (int)(((v << 1) | 1) & 0xff);
}

static void statuses_round_trip(void **state)
{
    (void)state;
    for (int c = 0; c <= QEMU_EXIT_MAX; c++)
        assert_int_equal(qemu_exit_decode(qemu_status(qemu_exit_encode(c))), c);
    /* exit(0) is not QEMU's own failure status 1. */
    assert_int_not_equal(qemu_status(qemu_exit_encode(0)), 1);
}

static void large_and_negative_statuses_saturate(void **state)
{
    (void)state;
    assert_int_equal(qemu_exit_decode(qemu_status(qemu_exit_encode(200))),
                     QEMU_EXIT_MAX);
    /* exit(-1) is 255 for a process; it must not read as a crash. */
    assert_int_equal(qemu_exit_decode(qemu_status(qemu_exit_encode(-1))),
                     QEMU_EXIT_MAX);
    assert_int_equal(qemu_exit_decode(qemu_status(qemu_exit_encode(256 + 3))), 3);
}

static void special_qemu_statuses(void **state)
{
    (void)state;
    assert_int_equal(qemu_exit_decode(qemu_status(QEMU_EXIT_PORT_CRASH)), QEMU_EXIT_CRASHED);
    assert_int_equal(qemu_exit_decode(0), QEMU_EXIT_RESET);
    assert_int_equal(qemu_exit_decode(1), QEMU_EXIT_QEMU_ERROR);
    assert_int_equal(qemu_exit_decode(2), QEMU_EXIT_QEMU_ERROR);
}

/* A table laid out as qemu-cc.sh generates it. */
static struct {
    uint64_t count;
    struct ksym sym[4];
    char names[32];
} table = {
    4, {{0x100000, 0}, {0x100040, 6}, {0x100100, 11}, {0x100200, 16}}, "start\0main\0exit\0"};

static void ksym_lookup_finds_the_function(void **state)
{
    (void)state;
    const struct ksym_table *t = (const struct ksym_table *)&table;
    uint64_t off = 99;
    assert_null(ksym_lookup(t, 0xfffff, &off));
    assert_string_equal(ksym_lookup(t, 0x100000, &off), "start");
    assert_int_equal(off, 0);
    assert_string_equal(ksym_lookup(t, 0x10003f, &off), "start");
    assert_int_equal(off, 0x3f);
    assert_string_equal(ksym_lookup(t, 0x100041, &off), "main");
    assert_int_equal(off, 1);
    assert_string_equal(ksym_lookup(t, 0x1001ff, &off), "exit");
    /* At or past the end marker: not in any function. */
    assert_null(ksym_lookup(t, 0x100200, &off));
    assert_null(ksym_lookup(t, 0x200000, &off));
    assert_null(ksym_lookup(NULL, 0x100000, &off));
}

static void no_table_in_a_host_build(void **state)
{
    (void)state;
    assert_null(ksym_table());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(statuses_round_trip),
        cmocka_unit_test(large_and_negative_statuses_saturate),
        cmocka_unit_test(special_qemu_statuses),
        cmocka_unit_test(ksym_lookup_finds_the_function),
        cmocka_unit_test(no_table_in_a_host_build),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
