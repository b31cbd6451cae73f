/* SPDX-License-Identifier: ISC */
/* The kernel's bitmap page allocator (platform/x86_64/pagealloc.c). It
 * never touches the memory it manages, so fake addresses do. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "../../platform/x86_64/pagealloc.h"

#define PG 4096u

static struct pagealloc pa;
static uint64_t bits[8]; /* up to 512 pages */

static void setup_pages(size_t npages, uint64_t base)
{
    assert_true(pa_bitmap_bytes(npages) <= sizeof bits);
    pa_init(&pa, base, npages, bits);
}

static void starts_full_then_release(void **state)
{
    (void)state;
    setup_pages(100, 0);
    assert_int_equal(pa.nfree, 0);
    assert_int_equal(pa_alloc(&pa, 1), 0);
    pa_release(&pa, 10 * PG, 20);
    assert_int_equal(pa.nfree, 20);
    assert_true(pa_is_free(&pa, 10 * PG, 20));
    assert_false(pa_is_free(&pa, 9 * PG, 2));
    pa_release(&pa, 10 * PG, 20); /* twice: no double count */
    assert_int_equal(pa.nfree, 20);
}

static void allocates_from_the_top(void **state)
{
    (void)state;
    setup_pages(200, 0x100000);
    pa_release(&pa, 0x100000, 200);
    uint64_t a = pa_alloc(&pa, 3);
    assert_int_equal(a, 0x100000 + 197 * PG);
    uint64_t b = pa_alloc(&pa, 1);
    assert_int_equal(b, 0x100000 + 196 * PG);
    assert_true(pa_is_used(&pa, a, 3));
    assert_int_equal(pa.nfree, 196);
}

static void finds_a_run_across_words(void **state)
{
    (void)state;
    setup_pages(512, 0);
    /* Free: pages 60-70 (crosses a 64-bit word) and 300-301. */
    pa_release(&pa, 60 * PG, 11);
    pa_release(&pa, 300 * PG, 2);
    assert_int_equal(pa_alloc(&pa, 3), 60 * PG + 8 * PG); /* highest 3 of 60-70 */
    assert_int_equal(pa_alloc(&pa, 2), 300 * PG);
    assert_int_equal(pa_alloc(&pa, 9), 0); /* 8 left in 60-67 */
    assert_int_equal(pa_alloc(&pa, 8), 60 * PG);
    assert_int_equal(pa.nfree, 0);
}

static void release_then_reuse(void **state)
{
    (void)state;
    setup_pages(64, 0);
    pa_release(&pa, PG, 63);
    uint64_t p[63];
    for (int i = 0; i < 63; i++)
        assert_int_not_equal(p[i] = pa_alloc(&pa, 1), 0);
    assert_int_equal(pa_alloc(&pa, 1), 0);
    pa_release(&pa, p[10], 1);
    assert_int_equal(pa_alloc(&pa, 1), p[10]);
}

static void claim_and_out_of_range(void **state)
{
    (void)state;
    setup_pages(32, 0x10000);
    pa_release(&pa, 0, 1000); /* below the base: ignored */
    assert_int_equal(pa.nfree, 0);
    pa_release(&pa, 0x10000 + 30 * PG, 10); /* clipped to the end */
    assert_int_equal(pa.nfree, 2);
    pa_claim(&pa, 0x10000 + 31 * PG, 1);
    assert_int_equal(pa.nfree, 1);
    assert_false(pa_is_free(&pa, 0x10000 + 30 * PG, 3)); /* runs past the end */
    assert_false(pa_is_used(&pa, 0, 1));
    assert_int_equal(pa_alloc(&pa, 0), 0);
}

/* Random operations against a plain array model. */
static void matches_a_model(void **state)
{
    (void)state;
    enum { N = 300 };
    bool used[N];
    setup_pages(N, 0);
    for (int i = 0; i < N; i++)
        used[i] = true;
    srand(7);
    for (int step = 0; step < 5000; step++) {
        /* Mostly short runs; some long enough for whole-word updates. */
        int op = rand() % 3, i = rand() % N, n = 1 + rand() % (rand() % 4 ? 9 : 150);
        if (op == 0 && rand() % 2) {
            pa_release(&pa, (uint64_t)i * PG, (size_t)n);
            for (int k = i; k < i + n && k < N; k++)
                used[k] = false;
        } else if (op == 0) {
            pa_claim(&pa, (uint64_t)i * PG, (size_t)n);
            for (int k = i; k < i + n && k < N; k++)
                used[k] = true;
        } else if (op == 1) {
            uint64_t a = pa_alloc(&pa, (size_t)n);
            /* The model's highest free run of n pages. */
            int want = -1;
            for (int s = N - n; s >= 0 && want < 0; s--) {
                bool ok = true;
                for (int k = s; k < s + n; k++)
                    ok = ok && !used[k];
                if (ok)
                    want = s;
            }
            if (want < 0) {
                assert_int_equal(a, 0);
            } else {
                assert_int_equal(a, (uint64_t)want * PG);
                for (int k = want; k < want + n; k++)
                    used[k] = true;
            }
        } else {
            bool model_free = i + n <= N;
            for (int k = i; k < i + n && k < N; k++)
                model_free = model_free && !used[k];
            assert_int_equal(pa_is_free(&pa, (uint64_t)i * PG, (size_t)n), model_free);
        }
        size_t nfree = 0;
        for (int k = 0; k < N; k++)
            nfree += !used[k];
        assert_int_equal(pa.nfree, nfree);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(starts_full_then_release), cmocka_unit_test(allocates_from_the_top),
        cmocka_unit_test(finds_a_run_across_words), cmocka_unit_test(release_then_reuse),
        cmocka_unit_test(claim_and_out_of_range),   cmocka_unit_test(matches_a_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
