/* SPDX-License-Identifier: ISC */
/* mi_app_start_https: the HTTPS server of a main-http application with
 * tls-cert and tls-key, started after the plain one. Only images whose
 * generated main.c names it (app->start_https) link it and BearSSL. */
#include <errno.h>
#include <string.h>

#include <mirari/app.h>
#include <mirari/http.h>
#include <mirari/log.h>

#include "app/app_http.h"

int mi_app_start_https(const mi_app *app)
{
    mi_ipv4 addr = app_http_address();
    unsigned port = app_conf_port("https-port", 443);
    int err = 0;
    if (mi_https_serve(addr, (uint16_t)port, app->main_http, NULL, app->tls, &err) != NULL) {
        app_served("HTTPS", "https", addr, port, 443);
        return 0;
    }
    if (err == -EPERM) {
        /* Issue 14: keys from guessable numbers are worse than no TLS. */
        mi_error("NOT serving HTTPS on port %u: this machine has no hardware entropy source "
                 "(RDSEED, RDRAND or virtio-rng), so TLS keys could be guessed; give the VM "
                 "one (QEMU: -device virtio-rng-pci). Plain HTTP still runs.",
                 port);
        return 0;
    }
    if (err == -EINVAL) {
        mi_error("cannot serve HTTPS: the embedded certificate or key does not decode "
                 "(run mirari configure again)");
        return 1;
    }
    return app_listen_failed("HTTPS", "https-port", addr, port, err);
}
