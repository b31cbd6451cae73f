/* SPDX-License-Identifier: ISC */
/* The event loop: timers, deferred calls, exit status, and the iteration
 * that drives the backend (include/mirari/loop.h).
 *
 * One thread. Each iteration: run the timers that were due when it began,
 * run the deferred calls queued before it began, stop if mi_exit() was
 * called, stop if nothing is left to wait for, else block in the backend
 * until the next deadline or I/O. Work created during a phase (a timer
 * armed for the past, a call deferred from a deferred call) waits for the
 * next iteration, so a callback that re-arms itself for "now" cannot starve
 * I/O, and the backend is polled in between.
 *
 * No OS calls here: time comes from the platform interface and blocking
 * from the backend, so the same loop runs in a process and in a kernel. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <mirari/log.h>
#include <mirari/loop.h>
#include <platform.h>

#include "core/net_backend.h"
#include "core/core.h"

uint64_t mi_now(void)
{
    return plat_monotonic_ns();
}

uint64_t mi_wall(void)
{
    return plat_wall_ns();
}

/* ---- timers: a binary min-heap ordered by (deadline, seq) ----------------
 * 1-based: heap[1] fires next, the children of i are 2i and 2i+1, and each
 * armed timer's slot is its index, so stopping or re-arming one is
 * O(log n) without a search. seq breaks ties so that timers with the same
 * deadline fire in the order they were armed. */
static mi_timer **heap;
static size_t heap_len, heap_cap;
static uint64_t next_seq = 1;

static bool fires_before(const mi_timer *a, const mi_timer *b)
{
    return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

static void heap_put(mi_timer *t, size_t i)
{
    heap[i] = t;
    t->slot = i;
}

static void sift_up(mi_timer *t, size_t i)
{
    while (i > 1 && fires_before(t, heap[i / 2])) {
        heap_put(heap[i / 2], i);
        i /= 2;
    }
    heap_put(t, i);
}

static void sift_down(mi_timer *t, size_t i)
{
    for (;;) {
        size_t c = 2 * i;
        if (c > heap_len)
            break;
        if (c + 1 <= heap_len && fires_before(heap[c + 1], heap[c]))
            c++;
        if (!fires_before(heap[c], t))
            break;
        heap_put(heap[c], i);
        i = c;
    }
    heap_put(t, i);
}

/* Put t, already at index i or just placed there, where it belongs. */
static void heap_fix(mi_timer *t, size_t i)
{
    if (i > 1 && fires_before(t, heap[i / 2]))
        sift_up(t, i);
    else
        sift_down(t, i);
}

static void heap_remove(mi_timer *t)
{
    size_t i = t->slot;
    mi_timer *last = heap[heap_len--];
    t->slot = 0;
    if (last != t)
        heap_fix(last, i);
}

static void heap_grow(void)
{
    size_t cap = heap_cap ? heap_cap * 2 : 64;
    /* +1: index 0 is unused. */
    mi_timer **h = realloc(heap, (cap + 1) * sizeof(*h));
    if (h == NULL) {
        /* mi_timer_at cannot fail by contract: a program that cannot arm
         * its timers cannot keep its promises (timeouts), so stop. */
        mi_error("out of memory for %zu timers", cap);
        plat_exit(1);
    }
    heap = h;
    heap_cap = cap;
}

void mi_timer_init(mi_timer *t, mi_timer_fn fn, void *arg)
{
    memset(t, 0, sizeof(*t));
    t->fn = fn;
    t->arg = arg;
}

void mi_timer_at(mi_timer *t, uint64_t deadline)
{
    t->deadline = deadline;
    t->seq = next_seq++;
    if (t->slot != 0) {
        /* Armed: move it within the heap. */
        heap_fix(t, t->slot);
        return;
    }
    if (heap_len == heap_cap)
        heap_grow();
    heap_len++;
    sift_up(t, heap_len);
}

void mi_timer_after(mi_timer *t, uint64_t delay_ns)
{
    uint64_t now = mi_now();
    mi_timer_at(t, delay_ns > UINT64_MAX - now ? UINT64_MAX : now + delay_ns);
}

void mi_timer_stop(mi_timer *t)
{
    if (t->slot != 0)
        heap_remove(t);
}

bool mi_timer_armed(const mi_timer *t)
{
    return t->slot != 0;
}

/* ---- exit ----------------------------------------------------------------- */
static bool exiting;
static int exit_status;

void mi_exit(int status)
{
    if (!exiting) {
        exiting = true;
        exit_status = status;
    }
}

bool loop_exiting(void)
{
    return exiting;
}

/* Run the timers due at the start of this phase, earliest first. A timer
 * armed during the phase has seq >= first_new and waits for the next
 * iteration even when its deadline has passed; timers behind it in the
 * heap wait too, which keeps firing in deadline order. */
static void run_timers(void)
{
    if (heap_len == 0)
        return;
    uint64_t now = mi_now();
    uint64_t first_new = next_seq;
    while (heap_len > 0 && !exiting) {
        mi_timer *t = heap[1];
        if (t->deadline > now || t->seq >= first_new)
            break;
        heap_remove(t);
        t->fn(t, t->arg);
    }
}

/* ---- deferred calls: a ring buffer that doubles when full ----------------- */
struct deferred {
    void (*fn)(void *arg);
    void *arg;
};
static struct deferred *ring;
static size_t ring_cap, ring_head, ring_len; /* ring_cap is 0 or a power of two */

int mi_defer(void (*fn)(void *arg), void *arg)
{
    if (ring_len == ring_cap) {
        size_t cap = ring_cap ? ring_cap * 2 : 64;
        struct deferred *r = malloc(cap * sizeof(*r));
        if (r == NULL)
            return -ENOMEM;
        for (size_t i = 0; i < ring_len; i++)
            r[i] = ring[(ring_head + i) & (ring_cap - 1)];
        free(ring);
        ring = r;
        ring_cap = cap;
        ring_head = 0;
    }
    ring[(ring_head + ring_len) & (ring_cap - 1)] = (struct deferred){fn, arg};
    ring_len++;
    return 0;
}

/* Run the calls queued before this phase; those they defer run next
 * iteration, after the backend has been polled. */
static void run_deferred(void)
{
    for (size_t n = ring_len; n > 0 && !exiting; n--) {
        struct deferred d = ring[ring_head];
        ring_head = (ring_head + 1) & (ring_cap - 1);
        ring_len--;
        d.fn(d.arg);
    }
}

/* ---- the loop ------------------------------------------------------------- */
int mi_run(void)
{
    for (;;) {
        run_timers();
        if (exiting)
            break;
        run_deferred();
        if (exiting)
            break;
        if (heap_len == 0 && ring_len == 0 && net_backend_active() == 0)
            break;
        /* Pending deferred calls: poll I/O without blocking (0 has passed). */
        uint64_t deadline = ring_len > 0 ? 0 : heap_len > 0 ? heap[1]->deadline : UINT64_MAX;
        net_backend_wait(deadline);
        if (exiting)
            break;
    }
    int status = exiting ? exit_status : 0;
    /* Ready for another mi_run() (tests run the loop many times). */
    exiting = false;
    exit_status = 0;
    return status;
}
