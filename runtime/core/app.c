/* mi_app_main: from the generated main() to a running application.
 *
 *   platform start-up (takes its own arguments, e.g. --net-fd=N)
 *   boot arguments over the compiled defaults (--help, --version, errors)
 *   log level, stores, network
 *   the entry point named in app.conf, then the event loop
 *
 * The process exit status is what this returns: 0, the application's
 * status (from its entry point or mi_exit), 1 when the runtime could not
 * start (stores, network, listening socket), 2 for bad boot arguments. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mirari/app.h>
#include <mirari/http.h>
#include <mirari/log.h>
#include <mirari/loop.h>
#include <platform.h>

#include "core/backend.h"
#include "core/bootargs.h"
#include "core/core.h"
#include "core/keys.h"
#include "kv/registry.h"

#ifndef MIRARI_VERSION
#define MIRARI_VERSION "unknown"
#endif

static const mi_app *the_app;
static struct mi_bootargs conf;
static bool conf_ready;

const char *mi_conf_get(const char *key)
{
    return conf_ready ? mi_bootargs_get(&conf, key) : NULL;
}

const char *mi_app_name(void)
{
    return the_app ? the_app->name : NULL;
}

/* A line on the console, prefixed "mir-NAME: " like any Unix tool's
 * complaint; used before logging is set up and for --help/--version. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    char line[512];
    /* The name is at most a file name: keep it from filling the line. */
    size_t len = (size_t)snprintf(line, 128, "mir-%.100s: ", the_app->name);
    size_t room = sizeof(line) - len - 1; /* one byte for the newline */
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + len, room, fmt, ap);
    va_end(ap);
    if (m > 0)
        len += (size_t)m < room ? (size_t)m : room - 1;
    line[len++] = '\n';
    mi_plat_console_write(line, len);
}

static int print_usage(const mi_app *app)
{
    char prog[128];
    snprintf(prog, sizeof(prog), "mir-%s", app->name);
    size_t len = mi_bootargs_usage(prog, app->defaults, app->ndefaults, NULL, 0);
    char *text = malloc(len + 1);
    if (text == NULL)
        return 1;
    mi_bootargs_usage(prog, app->defaults, app->ndefaults, text, len + 1);
    mi_plat_console_write(text, len);
    free(text);
    return 0;
}

/* ---- the network and what runs on it ------------------------------------ */

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

static void net_config(struct mi_net_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    const char *dhcp = mi_conf_get("ip-use-dhcp");
    if (dhcp != NULL)
        mi_parse_bool(dhcp, &cfg->dhcp);
    cfg->address = conf_ipv4("ip-address");
    cfg->gateway = conf_ipv4("ip-gateway");
    unsigned prefix;
    const char *mask = mi_conf_get("ip-netmask");
    if (mask != NULL && mi_parse_netmask(mask, &prefix) == 0)
        cfg->netmask = prefix == 0 ? 0 : (mi_ipv4)(0xffffffffu << (32 - prefix));
}

static void start_http(const mi_app *app)
{
    const char *addr_s = mi_conf_get("http-address");
    mi_ipv4 addr = MI_IPV4_ANY;
    if (addr_s != NULL && strcmp(addr_s, "*") != 0)
        addr = conf_ipv4("http-address");
    unsigned port = 80;
    const char *port_s = mi_conf_get("http-port");
    if (port_s != NULL)
        mi_parse_port(port_s, &port);

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
        mi_exit(1);
        return;
    }
    mi_info("serving HTTP on %s:%u", a, port);
}

/* The backend's ready callback: the network can be used. */
static void net_ready(void *arg)
{
    const mi_app *app = arg;
    if (app->kind == MI_MAIN_HTTP) {
        start_http(app);
        return;
    }
    int status = app->main_ip(mi_net_interface());
    if (status != 0)
        mi_exit(status);
}

int mi_app_main(const mi_app *app, int argc, char **argv)
{
    the_app = app;
    int rc = mi_plat_init(&argc, argv);
    mi_log_set_origin(mi_now());
    if (rc < 0) {
        say("bad platform argument (expected --net-fd=N with N a file descriptor): %s",
            strerror(-rc));
        return 2;
    }

    mi_bootargs_parse(&conf, argc, argv, app->defaults, app->ndefaults);
    switch (conf.action) {
    case MI_BOOT_ERROR:
        say("%s", conf.error);
        say("try mir-%s --help", app->name);
        return 2;
    case MI_BOOT_HELP:
        return print_usage(app);
    case MI_BOOT_VERSION:
        say("mirari %s", MIRARI_VERSION);
        return 0;
    case MI_BOOT_RUN:
        break;
    }
    conf_ready = true;

    const char *level = mi_conf_get("log-level");
    int lv = level ? mi_log_parse_level(level) : -1;
    if (lv >= 0)
        mi_log_set_level((enum mi_log_level)lv);

    for (size_t i = 0; i < app->nstores; i++) {
        rc = mi_kv_register(&app->stores[i]);
        if (rc < 0) {
            mi_error("store %s: cannot use its image: %s", app->stores[i].name, strerror(-rc));
            return 1;
        }
    }

    if (app->kind == MI_MAIN_NOIP) {
        rc = app->main_noip();
        if (rc != 0)
            return rc;
    } else {
        struct mi_net_config cfg;
        net_config(&cfg);
        rc = mi_backend_net_start(&cfg, net_ready, (void *)app);
        if (rc < 0) {
            mi_error("cannot start the network: %s", strerror(-rc));
            return 1;
        }
    }
    return mi_run();
}
