/* SPDX-License-Identifier: ISC */
/* The event loop: one thread, callbacks, timers. The C counterpart of Lwt.
 *
 * Every target runs the same loop (runtime/core/loop.c): run due timers,
 * run deferred callbacks, then block in the backend until the next deadline
 * or until I/O is ready. Application code never blocks. */
#ifndef MIRARI_LOOP_H
#define MIRARI_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MI_NSEC_PER_MSEC 1000000ull
#define MI_NSEC_PER_SEC  1000000000ull

/* Monotonic time in nanoseconds since an arbitrary origin (boot). */
uint64_t mi_now(void);
/* Wall-clock time in nanoseconds since the Unix epoch. */
uint64_t mi_wall(void);

typedef struct mi_timer mi_timer;
typedef void (*mi_timer_fn)(mi_timer *timer, void *arg);

/* A timer is owned by the caller (usually embedded in a larger struct);
 * the loop only links it into its heap while it is armed. */
struct mi_timer {
    uint64_t deadline; /* monotonic ns */
    mi_timer_fn fn;
    void *arg;
    size_t slot;  /* position in the loop's heap, 0 when not armed */
    uint64_t seq; /* arming order: equal deadlines fire first armed, first run */
};

void mi_timer_init(mi_timer *t, mi_timer_fn fn, void *arg);
/* Arm (or re-arm) to fire once at the absolute monotonic time `deadline`. */
void mi_timer_at(mi_timer *t, uint64_t deadline);
/* Arm (or re-arm) to fire once `delay_ns` from now. */
void mi_timer_after(mi_timer *t, uint64_t delay_ns);
void mi_timer_stop(mi_timer *t);
bool mi_timer_armed(const mi_timer *t);

/* Run `fn(arg)` from the loop soon, after the current callback returns.
 * Returns 0, or -ENOMEM. */
int mi_defer(void (*fn)(void *arg), void *arg);

/* Ask the loop to stop after the current callback and make mi_run() return
 * `status`. The first status given wins. */
void mi_exit(int status);

/* Run the loop until mi_exit() or until nothing is left to wait for (no
 * armed timer, no deferred call, no open I/O object). Returns the exit
 * status (0 when the loop ran dry). */
int mi_run(void);

#endif
