/* SPDX-License-Identifier: ISC */
/* What the plain and the TLS server's start-up share (app_http.c), so that
 * the HTTPS one (app_https.c) is linked only into images that serve it. */
#ifndef MIRARI_APP_HTTP_H
#define MIRARI_APP_HTTP_H

#include <mirari/net.h>

/* http-address: the address both servers listen on. */
mi_ipv4 app_http_address(void);
/* A port key's effective value, def when unset. */
unsigned app_conf_port(const char *key, unsigned def);
/* Log the URL a server is reached at; default_port is left out of it. */
void app_served(const char *what, const char *scheme, mi_ipv4 addr, unsigned port,
                unsigned default_port);
/* Log why a server cannot listen (err < 0) and return 1. */
int app_listen_failed(const char *what, const char *key, mi_ipv4 addr, unsigned port, int err);

#endif
