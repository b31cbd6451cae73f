/* SPDX-License-Identifier: ISC */
/* ticker: the guide's main-noip example (docs/guide.md). It lists the
 * store "notes", then ticks app-ticks times, 100 ms apart, and ends with
 * status 0 when nothing is left to wait for. */
#include <stdio.h>
#include <stdlib.h>

#include <mirari/mirari.h>

static mi_timer tick;
static int ticks, wanted;

static void on_tick(mi_timer *t, void *arg)
{
    (void)arg;
    ticks++;
    mi_info("tick %d of %d", ticks, wanted);
    if (ticks < wanted)
        mi_timer_after(t, 100 * MI_NSEC_PER_MSEC); /* once more */
}

static void list_notes(void *arg)
{
    const mi_kv *notes = arg;
    for (size_t i = 0; i < mi_kv_count(notes); i++) {
        mi_kv_entry e;
        mi_kv_at(notes, i, &e);
        printf("%s: %.*s", e.key, (int)e.size, (const char *)e.data);
    }
}

int ticker_main(void)
{
    wanted = atoi(mi_conf_get("app-ticks"));
    const mi_kv *notes = mi_kv_open("notes");
    if (notes == NULL) {
        mi_error("no store named notes");
        return 1;
    }
    mi_defer(list_notes, (void *)notes); /* after ticker_main returns */
    mi_timer_init(&tick, on_tick, NULL);
    mi_timer_after(&tick, 100 * MI_NSEC_PER_MSEC);
    mi_debug("armed the first tick");
    return 0;
}
