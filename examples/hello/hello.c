/* SPDX-License-Identifier: ISC */
/* hello: what a main-noip application looks like. The entry point sets up
 * work (here a timer that ticks three times, 100 ms apart) and returns 0;
 * the event loop then runs the callbacks, and the program exits with
 * status 0 when no timer, deferred call or socket is left: no explicit
 * exit, no blocking, no threads. */
#include <mirari/mirari.h>

#define TICKS   3
#define TICK_NS (100 * MI_NSEC_PER_MSEC)

static mi_timer tick_timer;
static int ticks;

static void on_tick(mi_timer *t, void *arg)
{
    ticks++;
    mi_info("tick %d", ticks);
    if (ticks < TICKS)
        mi_timer_after(t, TICK_NS); /* re-arm: one more tick */
    else
        mi_info("goodbye"); /* not re-armed: the loop runs dry */
}

int hello_main(void)
{
    mi_info("Hello from %s!", mi_app_name());
    mi_timer_init(&tick_timer, on_tick, NULL);
    mi_timer_after(&tick_timer, TICK_NS);
    return 0;
}
