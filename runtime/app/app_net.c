/* SPDX-License-Identifier: ISC */
/* mi_app_start_net: the network of a main-ip or main-http application.
 *
 * Kept apart from app.c so that only the images whose generated main.c
 * names it (app->start_net) link it, and through it the backend's network
 * (the own TCP/IP stack, or the host's sockets). A main-noip image leaves
 * this file, and all it refers to, out. */
#include <string.h>

#include <mirari/app.h>
#include <mirari/loop.h>

#include "core/net_backend.h"
#include "conf_keys.h"

/* Values were validated against the key table by the parser (boot
 * arguments) or by `mirari configure` (defaults), so parsing cannot fail
 * here; a failure leaves the field 0. */
static mi_ipv4 conf_ipv4(const char *key)
{
    const char *s = mi_conf_get(key);
    mi_ipv4 a = 0;
    if (s != NULL && mi_ipv4_parse(s, &a) != 0)
        a = 0;
    return a;
}

static void net_config(struct net_backend_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    const char *dhcp = mi_conf_get("ip-use-dhcp");
    if (dhcp != NULL)
        parse_bool(dhcp, &cfg->dhcp);
    cfg->address = conf_ipv4("ip-address");
    cfg->tcp_congestion = mi_conf_get("tcp-congestion");
    cfg->gateway = conf_ipv4("ip-gateway");
    unsigned prefix;
    const char *mask = mi_conf_get("ip-netmask");
    if (mask != NULL && parse_netmask(mask, &prefix) == 0)
        cfg->netmask = prefix == 0 ? 0 : (mi_ipv4)(0xffffffffu << (32 - prefix));
}

/* The backend's ready callback: the network can be used. */
static void net_ready(void *arg)
{
    const mi_app *app = arg;
    int status;
    if (app->kind == MI_MAIN_HTTP)
        status = app->start_http != NULL ? app->start_http(app) : 1;
    else
        status = app->main_ip(mi_net_interface());
    if (status != 0)
        mi_exit(status);
}

int mi_app_start_net(const mi_app *app)
{
    struct net_backend_config cfg;
    net_config(&cfg);
    return net_backend_start(&cfg, net_ready, (void *)app);
}
