/* SPDX-License-Identifier: ISC */
/* The contract between the generated glue (_build/main.c, written by
 * `mirari configure`) and the runtime. Applications do not need this
 * header except for mi_conf_get() and mi_app_name(); they write one of
 * these entry points, named in app.conf:
 *
 *   main-noip: Hello.main    ->  int hello_main(void);
 *   main-ip:   Echo.main     ->  int echo_main(const mi_netif *nif);
 *   main-http: Dispatch.main ->  void dispatch_main(mi_http_exchange *x);
 *
 * noip/ip entry points set up timers and callbacks and return 0 to keep
 * the loop running (the program ends when nothing is left to wait for, or
 * at mi_exit()), or a non-zero exit status to stop at once.
 *
 * An application's own settings are app-NAME keys of app.conf
 * (app-echo-port: 7): the value there is compiled in as the default,
 * --app-NAME=VALUE at boot overrides it, and the application reads the
 * result with mi_conf_get("app-NAME").
 *
 * What an entry point's kind needs is linked in only for that kind: the
 * generated main.c names mi_app_start_net (main-ip, main-http) and
 * mi_app_start_http (main-http) in mi_app, and nothing else refers to the
 * network or the HTTP server, so a main-noip image does not carry them. */
#ifndef MIRARI_APP_H
#define MIRARI_APP_H

#include <stddef.h>

#include <mirari/http.h>
#include <mirari/kv.h>
#include <mirari/net.h>

enum mi_main_kind { MI_MAIN_NOIP, MI_MAIN_IP, MI_MAIN_HTTP };

/* A compiled default from app.conf, for a key that boot arguments may
 * override (ip-*, http-*, log-level, app-NAME). Values were validated by
 * configure. The app-NAME keys listed here are the only ones accepted at
 * boot (at most 64). */
typedef struct mi_conf_pair {
    const char *key;
    const char *value;
} mi_conf_pair;

typedef struct mi_app mi_app;

struct mi_app {
    const char *name; /* the app's name: basename of its .conf */
    enum mi_main_kind kind;
    /* The entry point: the one field of its kind is set. */
    int (*main_noip)(void);
    int (*main_ip)(const mi_netif *nif);
    mi_http_dispatch_fn main_http;
    /* mi_app_start_net for main-ip and main-http, NULL for main-noip. */
    int (*start_net)(const mi_app *app);
    /* mi_app_start_http for main-http, NULL otherwise. */
    int (*start_http)(const mi_app *app);
    const mi_conf_pair *defaults;
    size_t ndefaults;
    const mi_store_image *stores;
    size_t nstores;
    /* HTTPS (tls-cert, tls-key): mi_app_start_https and the credentials
     * configure embedded, NULL without. */
    int (*start_https)(const mi_app *app);
    const mi_tls_creds *tls;
};

/* Parse boot arguments over the defaults (--help lists them), set up
 * logging and stores, start the entry point (main-noip) or the network
 * (app->start_net), run the loop. Returns the process exit status: 0, the
 * application's status, 1 when the runtime could not start, 2 for bad
 * boot arguments. */
int mi_app_main(const mi_app *app, int argc, char **argv);

/* Bring the network up as the ip-* keys say; once it can be used, call
 * app->main_ip with the interface, or app->start_http for main-http (an
 * entry point's non-zero status, or start_http's, ends the program with
 * it). Returns 0, or a negative errno when the network cannot start. */
int mi_app_start_net(const mi_app *app);

/* Listen for HTTP on http-address:http-port and dispatch each request to
 * app->main_http. Returns 0, or 1 after logging why it cannot listen. */
int mi_app_start_http(const mi_app *app);

/* Listen for HTTPS on http-address:https-port (443 by default) with
 * app->tls, dispatching to app->main_http; called by mi_app_start_http
 * after the plain server. Returns 0, or 1 after logging why it cannot
 * listen. Without a real entropy source it logs that it refuses and
 * returns 0: plain HTTP goes on. */
int mi_app_start_https(const mi_app *app);

/* The effective value of a configuration key after boot arguments, or
 * NULL when unset: mi_conf_get("http-port"), mi_conf_get("app-echo-port").
 * The string stays valid for the whole run. */
const char *mi_conf_get(const char *key);

/* The application's name (mi_app.name, e.g. "hello"), NULL before
 * mi_app_main(). */
const char *mi_app_name(void);

#endif
