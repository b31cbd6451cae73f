/* SPDX-License-Identifier: ISC */
/* mi_app_start_http: the HTTP server of a main-http application, started
 * by mi_app_start_net once the network is up.
 *
 * Kept apart so that only main-http images (whose generated main.c names
 * it in app->start_http) link the HTTP server. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mirari/app.h>
#include <mirari/http.h>
#include <mirari/log.h>

#include "app/app_http.h"
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

/* https-redirect: true: the plain server answers every request with a
 * 308 to the same target on HTTPS (RFC 9110 §15.4.9: the method and body
 * are kept), at the host the client named (RFC 9110 §7.2) without its
 * port, and https-port unless it is 443. */
static unsigned redirect_port = 443;

static void redirect(mi_http_exchange *x)
{
    mi_str host = mi_http_header(x, "Host");
    mi_str target = mi_http_target(x);
    size_t hlen = host.p != NULL ? host.n : 0;
    /* Without the port: after the last ':' unless inside an IPv6 literal. */
    for (size_t i = hlen; i > 0; i--) {
        if (host.p[i - 1] == ']')
            break;
        if (host.p[i - 1] == ':') {
            hlen = i - 1;
            break;
        }
    }
    if (hlen == 0 || target.n == 0 || target.p[0] != '/') {
        /* HTTP/1.1 requires Host (RFC 9112 §3.2); an absolute or '*'
         * target gets no redirect either. */
        mi_http_error(x, 400);
        return;
    }
    char port[8] = "";
    if (redirect_port != 443)
        snprintf(port, sizeof port, ":%u", redirect_port);
    mi_http_set_status(x, 308);
    /* The Host value passed the parser's field-value check, and the
     * target its request-target check: no CR, LF or NUL. */
    size_t cap = 8 + hlen + strlen(port) + target.n + 1;
    char *loc = malloc(cap);
    if (loc == NULL) {
        mi_http_error(x, 500);
        return;
    }
    snprintf(loc, cap, "https://%.*s%s%.*s", (int)hlen, host.p, port, (int)target.n, target.p);
    if (mi_http_add_header(x, "Location", loc) < 0) {
        free(loc);
        mi_http_error(x, 400);
        return;
    }
    mi_http_body_printf(x, "%s\n", loc);
    free(loc);
    mi_http_finish(x);
}

int app_listen_failed(const char *what, const char *key, mi_ipv4 addr, unsigned port, int err)
{
    char a[MI_IPV4_STRLEN];
    mi_ipv4_format(addr, a);
    const char *hint = "";
    if (err == -EACCES && port < 1024)
        hint = " (ports below 1024 need root; try another port)";
    else if (err == -EADDRINUSE)
        hint = " (another program listens there; try another port)";
    mi_error("cannot listen for %s on %s:%u (%s): %s%s", what, a, port, key, strerror(-err), hint);
    return 1;
}

mi_ipv4 app_http_address(void)
{
    mi_ipv4 addr = MI_IPV4_ANY;
    const char *addr_s = mi_conf_get("http-address");
    if (addr_s != NULL && strcmp(addr_s, "*") != 0 && mi_ipv4_parse(addr_s, &addr) != 0)
        addr = MI_IPV4_ANY;
    return addr;
}

unsigned app_conf_port(const char *key, unsigned def)
{
    unsigned port = def;
    const char *port_s = mi_conf_get(key);
    if (port_s != NULL)
        parse_port(port_s, &port);
    return port;
}

void app_served(const char *what, const char *scheme, mi_ipv4 addr, unsigned port,
                unsigned default_port)
{
    char a[MI_IPV4_STRLEN], url[MI_IPV4_STRLEN];
    mi_ipv4_format(addr, a);
    mi_ipv4_format(reaching(addr), url);
    if (port == default_port)
        mi_info("serving %s on %s:%u: %s://%s/", what, a, port, scheme, url);
    else
        mi_info("serving %s on %s:%u: %s://%s:%u/", what, a, port, scheme, url, port);
}

int mi_app_start_http(const mi_app *app)
{
    /* Values were validated by the boot argument parser or by configure,
     * and have built-in defaults (bootargs.c): parsing cannot fail. */
    mi_ipv4 addr = app_http_address();
    unsigned port = app_conf_port("http-port", 80);
    bool to_https = false;
    const char *redir = mi_conf_get("https-redirect");
    if (redir != NULL)
        parse_bool(redir, &to_https);
    to_https = to_https && app->start_https != NULL;
    redirect_port = app_conf_port("https-port", 443);

    int err = 0;
    mi_http_dispatch_fn fn = to_https ? redirect : app->main_http;
    if (mi_http_serve(addr, (uint16_t)port, fn, NULL, &err) == NULL)
        return app_listen_failed("HTTP", "http-port", addr, port, err);
    app_served(to_https ? "HTTP (redirecting to HTTPS)" : "HTTP", "http", addr, port, 80);
    return app->start_https != NULL ? app->start_https(app) : 0;
}
