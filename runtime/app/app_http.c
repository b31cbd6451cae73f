/* SPDX-License-Identifier: ISC */
/* mi_app_start_http: the HTTP server of a main-http application, started
 * by mi_app_start_net once the network is up.
 *
 * Kept apart so that only main-http images (whose generated main.c names
 * it in app->start_http) link the HTTP server. */
#include <errno.h>
#include <string.h>

#include <mirari/app.h>
#include <mirari/http.h>
#include <mirari/log.h>

#include "conf_keys.h"

int mi_app_start_http(const mi_app *app)
{
    /* Values were validated by the boot argument parser or by configure,
     * and have built-in defaults (bootargs.c): parsing cannot fail. */
    mi_ipv4 addr = MI_IPV4_ANY;
    const char *addr_s = mi_conf_get("http-address");
    if (addr_s != NULL && strcmp(addr_s, "*") != 0 && mi_ipv4_parse(addr_s, &addr) != 0)
        addr = MI_IPV4_ANY;
    unsigned port = 80;
    const char *port_s = mi_conf_get("http-port");
    if (port_s != NULL)
        parse_port(port_s, &port);

    int err = 0;
    char a[MI_IPV4_STRLEN];
    mi_ipv4_format(addr, a);
    if (mi_http_serve(addr, (uint16_t)port, app->main_http, NULL, &err) == NULL) {
        const char *hint = "";
        if (err == -EACCES && port < 1024)
            hint = " (ports below 1024 need root; try --http-port=8080)";
        else if (err == -EADDRINUSE)
            hint = " (another program listens there; try another --http-port)";
        mi_error("cannot listen on %s:%u: %s%s", a, port, strerror(-err), hint);
        return 1;
    }
    mi_info("serving HTTP on %s:%u", a, port);
    return 0;
}
