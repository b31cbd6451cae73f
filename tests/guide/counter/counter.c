/* SPDX-License-Identifier: ISC */
/* counter: the guide's main-http example (docs/guide.md).
 *   GET /         "<app-greeting>, request N" as text
 *   GET /later    the same answer, sent 200 ms later from a timer
 *   GET /pages/NAME  the store "pages", as a web server serves files */
#include <stdlib.h>
#include <string.h>

#include <mirari/mirari.h>

static unsigned long requests;

static bool is(mi_str s, const char *text)
{
    return s.n == strlen(text) && memcmp(s.p, text, s.n) == 0;
}

static void greet(mi_http_exchange *x)
{
    mi_http_add_header(x, "Content-Type", "text/plain");
    mi_http_body_printf(x, "%s, request %lu\n", mi_conf_get("app-greeting"), requests);
    mi_http_finish(x);
}

/* A request answered later: the exchange waits, the loop goes on. */
struct later {
    mi_timer timer;
    mi_http_exchange *x;
};

static void on_later(mi_timer *t, void *arg)
{
    struct later *l = arg;
    (void)t;
    greet(l->x);
    free(l);
}

void counter_handle(mi_http_exchange *x)
{
    requests++;
    mi_str path = mi_http_path(x);
    mi_debug("request %lu: %.*s", requests, (int)path.n, path.p);
    if (is(path, "/")) {
        greet(x);
    } else if (is(path, "/later")) {
        struct later *l = malloc(sizeof *l);
        if (l == NULL) {
            mi_http_error(x, 503);
            return;
        }
        l->x = x;
        mi_timer_init(&l->timer, on_later, l);
        mi_timer_after(&l->timer, 200 * MI_NSEC_PER_MSEC);
    } else {
        mi_http_serve_kv(x, mi_kv_open("pages"), "/pages/");
    }
}
