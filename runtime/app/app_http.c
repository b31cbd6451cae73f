/* SPDX-License-Identifier: ISC */
/* mi_app_start_http: the HTTP server of a main-http application, started
 * by mi_app_start_net once the network is up.
 *
 * Kept apart so that only main-http images (whose generated main.c names
 * it in app->start_http) link the HTTP server. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <mirari/app.h>
#include <mirari/http.h>
#include <mirari/log.h>

#include "conf_keys.h"

/* An address a client can use to reach a listener on addr, for the
 * URL in the log. A listener on every address is reached on host
 * sockets through loopback (the host's interface has no MAC address of
 * ours there, mirari/net.h), and on mirari's own stack through its one
 * interface's address (there is no loopback). Under QEMU's user-mode
 * network that address is inside QEMU: mirari run names the host's
 * forward too. */
static mi_ipv4 reaching(mi_ipv4 addr)
{
    if (addr != MI_IPV4_ANY)
        return addr;
    const mi_netif *nif = mi_net_interface();
    static const uint8_t no_mac[6];
    if (nif == NULL || memcmp(nif->mac, no_mac, sizeof(no_mac)) == 0)
        return MI_IPV4(127, 0, 0, 1);
    return nif->address;
}

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
    char url[MI_IPV4_STRLEN];
    mi_ipv4_format(reaching(addr), url);
    if (port == 80)
        mi_info("serving HTTP on %s:%u: http://%s/", a, port, url);
    else
        mi_info("serving HTTP on %s:%u: http://%s:%u/", a, port, url, port);
    return 0;
}
