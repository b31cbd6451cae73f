/* SPDX-License-Identifier: ISC */
/* The event loop (runtime/core/loop.c) against a fake clock and a fake
 * backend defined here: time only moves when the loop blocks in
 * net_backend_wait, and "I/O" is a scripted hook run from there. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <mirari/loop.h>
#include <platform.h>

#include "core/net_backend.h"

/* ---- the fake platform and backend ---------------------------------------- */
static uint64_t fake_now;
static size_t fake_active;
static int waits;              /* calls of net_backend_wait */
static uint64_t last_deadline; /* its last argument */
static void (*io_hook)(void);  /* "I/O" delivered by the next wait */

uint64_t plat_monotonic_ns(void)
{
    return fake_now;
}

uint64_t plat_wall_ns(void)
{
    return 1700000000ull * MI_NSEC_PER_SEC + fake_now;
}

void plat_console_write(const char *buf, size_t len)
{
    (void)buf;
    (void)len;
}

_Noreturn void plat_exit(int status)
{
    fail_msg("plat_exit(%d)", status);
    abort();
}

void net_backend_wait(uint64_t deadline)
{
    waits++;
    last_deadline = deadline;
    if (io_hook != NULL) {
        void (*hook)(void) = io_hook;
        io_hook = NULL;
        hook();
        return;
    }
    /* Nothing else can happen: blocking forever would be a loop bug. */
    assert_true(deadline != UINT64_MAX);
    if (deadline > fake_now)
        fake_now = deadline;
}

size_t net_backend_active(void)
{
    return fake_active;
}

int net_backend_start(const struct net_backend_config *cfg, void (*ready)(void *arg), void *arg)
{
    return -ENOSYS;
}

/* ---- recording callbacks ---------------------------------------------------- */
#define MAX_FIRED 1024
static int fired[MAX_FIRED];         /* the arg of each timer fired, in order */
static uint64_t fired_at[MAX_FIRED]; /* the clock then */
static uint64_t fired_seq[MAX_FIRED];
static int nfired;

static void record(mi_timer *t, void *arg)
{
    assert_true(nfired < MAX_FIRED);
    fired_at[nfired] = fake_now;
    fired_seq[nfired] = t->seq;
    fired[nfired++] = (int)(intptr_t)arg;
}

static int setup(void **state)
{
    fake_now = 1000;
    fake_active = 0;
    waits = 0;
    last_deadline = 0;
    io_hook = NULL;
    nfired = 0;
    return 0;
}

/* ---- tests -------------------------------------------------------------------- */
static void timers_fire_in_deadline_order(void **state)
{
    mi_timer t[5];
    const uint64_t at[5] = {1300, 1100, 1200, 1100, 1050};
    for (int i = 0; i < 5; i++) {
        mi_timer_init(&t[i], record, (void *)(intptr_t)i);
        mi_timer_at(&t[i], at[i]);
        assert_true(mi_timer_armed(&t[i]));
    }
    assert_int_equal(mi_run(), 0);
    /* Equal deadlines (1 and 3 at 1100) fire in the order they were armed. */
    const int want[5] = {4, 1, 3, 2, 0};
    assert_int_equal(nfired, 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(fired[i], want[i]);
        assert_int_equal(fired_at[i], at[want[i]]);
        assert_false(mi_timer_armed(&t[i]));
    }
}

static void timer_after_counts_from_now(void **state)
{
    mi_timer t;
    mi_timer_init(&t, record, NULL);
    mi_timer_after(&t, 250);
    assert_int_equal(t.deadline, 1250);
    mi_timer_after(&t, UINT64_MAX); /* saturates instead of wrapping */
    assert_int_equal(t.deadline, UINT64_MAX);
    mi_timer_stop(&t);
    assert_false(mi_timer_armed(&t));
    mi_timer_stop(&t); /* stopping a stopped timer is harmless */
}

static void rearming_moves_a_timer(void **state)
{
    mi_timer a, b, c;
    mi_timer_init(&a, record, (void *)1);
    mi_timer_init(&b, record, (void *)2);
    mi_timer_init(&c, record, (void *)3);
    mi_timer_at(&a, 1100);
    mi_timer_at(&b, 1200);
    mi_timer_at(&c, 1300);
    mi_timer_at(&a, 1400); /* later */
    mi_timer_at(&c, 1050); /* earlier */
    assert_int_equal(mi_run(), 0);
    assert_int_equal(nfired, 3);
    assert_int_equal(fired[0], 3);
    assert_int_equal(fired[1], 2);
    assert_int_equal(fired[2], 1);
    assert_int_equal(fired_at[2], 1400);
}

static mi_timer *victim;
static void stop_victim(mi_timer *t, void *arg)
{
    record(t, arg);
    mi_timer_stop(victim);
}

static void stop_inside_a_callback(void **state)
{
    mi_timer a, b, c;
    mi_timer_init(&a, stop_victim, (void *)1);
    mi_timer_init(&b, record, (void *)2);
    mi_timer_init(&c, record, (void *)3);
    /* b is due at the same time as a: stopped before its turn. */
    mi_timer_at(&a, 1100);
    mi_timer_at(&b, 1100);
    mi_timer_at(&c, 1200);
    victim = &b;
    assert_int_equal(mi_run(), 0);
    assert_int_equal(nfired, 2);
    assert_int_equal(fired[0], 1);
    assert_int_equal(fired[1], 3);
}

static void periodic(mi_timer *t, void *arg)
{
    record(t, arg);
    if (nfired < 3)
        mi_timer_at(t, t->deadline + 100);
}

static void a_timer_rearms_itself(void **state)
{
    mi_timer t;
    mi_timer_init(&t, periodic, (void *)7);
    mi_timer_at(&t, 1100);
    assert_int_equal(mi_run(), 0);
    assert_int_equal(nfired, 3);
    assert_int_equal(fired_at[0], 1100);
    assert_int_equal(fired_at[1], 1200);
    assert_int_equal(fired_at[2], 1300);
}

static int waits_seen[8];
static void past_again(mi_timer *t, void *arg)
{
    waits_seen[nfired] = waits;
    record(t, arg);
    if (nfired < 4)
        mi_timer_at(t, 0); /* long past */
}

static void a_past_timer_waits_for_the_next_iteration(void **state)
{
    mi_timer t;
    mi_timer_init(&t, past_again, NULL);
    mi_timer_at(&t, 1100);
    assert_int_equal(mi_run(), 0);
    assert_int_equal(nfired, 4);
    /* Not recursion: the backend was polled between two firings, with a
     * deadline that has passed (so without blocking). */
    for (int i = 1; i < 4; i++)
        assert_int_equal(waits_seen[i], waits_seen[i - 1] + 1);
    assert_int_equal(last_deadline, 0);
    assert_int_equal(fake_now, 1100);
}

static void ordering_survives_churn(void **state)
{
    /* A property check with a fixed seed: after random arms, re-arms and
     * stops, exactly the armed timers fire, each at its deadline, in
     * (deadline, arming) order. */
    enum { N = 500 };
    static mi_timer t[N];
    static uint64_t deadline_of[N];
    srand(42);
    for (int i = 0; i < N; i++)
        mi_timer_init(&t[i], record, (void *)(intptr_t)i);
    for (int round = 0; round < 5 * N; round++) {
        int i = rand() % N;
        if (rand() % 4 == 0) {
            mi_timer_stop(&t[i]);
        } else {
            deadline_of[i] = 1001 + (uint64_t)(rand() % 200);
            mi_timer_at(&t[i], deadline_of[i]);
        }
    }
    int armed = 0;
    for (int i = 0; i < N; i++)
        armed += mi_timer_armed(&t[i]);
    assert_true(armed > 100);

    assert_int_equal(mi_run(), 0);
    assert_int_equal(nfired, armed);
    for (int k = 0; k < nfired; k++) {
        assert_int_equal(fired_at[k], deadline_of[fired[k]]);
        if (k > 0)
            assert_true(fired_at[k] > fired_at[k - 1] ||
                        (fired_at[k] == fired_at[k - 1] && fired_seq[k] > fired_seq[k - 1]));
    }
}

static int order[16];
static int norder;
static void note(void *arg)
{
    order[norder++] = (int)(intptr_t)arg;
}

static void defer_again(void *arg)
{
    order[norder++] = (int)(intptr_t)arg;
    order[norder++] = -waits; /* how many waits had happened */
    assert_int_equal(mi_defer(note, (void *)99), 0);
}

static void deferred_calls_run_in_order(void **state)
{
    norder = 0;
    assert_int_equal(mi_defer(note, (void *)1), 0);
    assert_int_equal(mi_defer(defer_again, (void *)2), 0);
    assert_int_equal(mi_defer(note, (void *)3), 0);
    assert_int_equal(mi_run(), 0);
    /* 1, 2, 3 in one phase; 99 (deferred by 2) after a non-blocking poll. */
    assert_int_equal(norder, 5);
    assert_int_equal(order[0], 1);
    assert_int_equal(order[1], 2);
    assert_int_equal(order[2], 0);
    assert_int_equal(order[3], 3);
    assert_int_equal(order[4], 99);
    assert_int_equal(waits, 1);
    assert_int_equal(last_deadline, 0);
}

static int counted;
static void count_call(void *arg)
{
    assert_int_equal((int)(intptr_t)arg, counted);
    counted++;
}

static void deferred_ring_grows_in_order(void **state)
{
    counted = 0;
    for (int i = 0; i < 10; i++)
        assert_int_equal(mi_defer(count_call, (void *)(intptr_t)i), 0);
    assert_int_equal(mi_run(), 0);
    assert_int_equal(counted, 10);
    /* Wrap the ring, then grow it while wrapped. */
    counted = 0;
    for (int i = 0; i < 1000; i++)
        assert_int_equal(mi_defer(count_call, (void *)(intptr_t)i), 0);
    assert_int_equal(mi_run(), 0);
    assert_int_equal(counted, 1000);
}

static void exit_in(mi_timer *t, void *arg)
{
    record(t, arg);
    mi_exit((int)(intptr_t)arg);
    mi_exit(99); /* the first status wins */
}

static void exit_status_first_wins(void **state)
{
    mi_timer a, b;
    mi_timer_init(&a, exit_in, (void *)3);
    mi_timer_init(&b, record, (void *)4);
    mi_timer_at(&a, 1100);
    mi_timer_at(&b, 1100); /* due too, but after the exit: not run */
    assert_int_equal(mi_run(), 3);
    assert_int_equal(nfired, 1);
    assert_true(mi_timer_armed(&b));
    /* The next run starts afresh and runs b. */
    assert_int_equal(mi_run(), 0);
    assert_int_equal(nfired, 2);
    assert_int_equal(fired[1], 4);
}

static void exit_before_run(void **state)
{
    assert_int_equal(mi_defer(note, (void *)5), 0);
    norder = 0;
    mi_exit(7);
    assert_int_equal(mi_run(), 7);
    assert_int_equal(norder, 0); /* stopped before the deferred call */
    assert_int_equal(mi_run(), 0);
    assert_int_equal(norder, 1);
}

static void exit_from_io(void)
{
    fake_active = 0;
    mi_exit(5);
}

static void exit_from_an_io_callback(void **state)
{
    mi_timer t;
    mi_timer_init(&t, record, NULL);
    mi_timer_at(&t, 5000);
    fake_active = 1;
    io_hook = exit_from_io;
    assert_int_equal(mi_run(), 5);
    assert_int_equal(nfired, 0);
    assert_int_equal(last_deadline, 5000); /* waited for the timer's deadline */
    mi_timer_stop(&t);
}

static void io_done(void)
{
    fake_active = 0;
}

static void runs_dry(void **state)
{
    /* Nothing at all: return at once, without blocking. */
    assert_int_equal(mi_run(), 0);
    assert_int_equal(waits, 0);
    /* An open I/O object and no timer: block without a deadline until the
     * backend says the object is gone. */
    fake_active = 1;
    io_hook = io_done;
    assert_int_equal(mi_run(), 0);
    assert_int_equal(waits, 1);
    assert_int_equal(last_deadline, UINT64_MAX);
}

static void clocks_come_from_the_platform(void **state)
{
    fake_now = 123456789;
    assert_int_equal(mi_now(), 123456789);
    assert_int_equal(mi_wall(), 1700000000ull * MI_NSEC_PER_SEC + 123456789);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(timers_fire_in_deadline_order, setup),
        cmocka_unit_test_setup(timer_after_counts_from_now, setup),
        cmocka_unit_test_setup(rearming_moves_a_timer, setup),
        cmocka_unit_test_setup(stop_inside_a_callback, setup),
        cmocka_unit_test_setup(a_timer_rearms_itself, setup),
        cmocka_unit_test_setup(a_past_timer_waits_for_the_next_iteration, setup),
        cmocka_unit_test_setup(ordering_survives_churn, setup),
        cmocka_unit_test_setup(deferred_calls_run_in_order, setup),
        cmocka_unit_test_setup(deferred_ring_grows_in_order, setup),
        cmocka_unit_test_setup(exit_status_first_wins, setup),
        cmocka_unit_test_setup(exit_before_run, setup),
        cmocka_unit_test_setup(exit_from_an_io_callback, setup),
        cmocka_unit_test_setup(runs_dry, setup),
        cmocka_unit_test_setup(clocks_come_from_the_platform, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
