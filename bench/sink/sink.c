/* SPDX-License-Identifier: ISC */
/* sink: reads a TCP stream to its end and answers with its length (see
 * sink.conf). Everything read is thrown away; one buffer serves every
 * connection, since nothing is kept between reads. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mirari/mirari.h>

struct conn {
    unsigned long long got; /* bytes read so far */
    char reply[32];
    size_t off, len; /* reply[off..len) still to be written, after the end of stream */
};

static char buf[256 * 1024];

static void finish(mi_tcp *t, struct conn *c, bool abort)
{
    mi_tcp_close(t, abort);
    free(c);
}

static void on_writable(mi_tcp *t, void *arg)
{
    struct conn *c = arg;
    while (c->off < c->len) {
        ssize_t n = mi_tcp_write(t, c->reply + c->off, c->len - c->off);
        if (n == -EAGAIN)
            return;
        if (n < 0) {
            finish(t, c, true);
            return;
        }
        c->off += (size_t)n;
    }
    finish(t, c, false);
}

static void on_readable(mi_tcp *t, void *arg)
{
    struct conn *c = arg;
    if (c->len > 0)
        return; /* answering already */
    for (;;) {
        ssize_t n = mi_tcp_read(t, buf, sizeof buf);
        if (n == -EAGAIN)
            return;
        if (n < 0) {
            finish(t, c, true);
            return;
        }
        if (n == 0)
            break;
        c->got += (unsigned long long)n;
    }
    c->len = (size_t)snprintf(c->reply, sizeof c->reply, "%llu\n", c->got);
    on_writable(t, c);
}

static const struct mi_tcp_callbacks conn_callbacks = {
    .on_readable = on_readable,
    .on_writable = on_writable,
};

static void on_accept(mi_tcp *listener, mi_tcp *t, void *arg)
{
    (void)listener, (void)arg;
    struct conn *c = calloc(1, sizeof *c);
    if (c == NULL) {
        mi_tcp_close(t, true);
        return;
    }
    mi_tcp_set_callbacks(t, &conn_callbacks, c);
}

int sink_main(const mi_netif *nif)
{
    static const struct mi_tcp_callbacks listen_callbacks = {.on_accept = on_accept};
    const char *p = mi_conf_get("app-sink-port");
    long port = p ? strtol(p, NULL, 10) : 0;
    if (port <= 0 || port > 65535) {
        mi_error("sink: app-sink-port must be a port, 1 to 65535");
        return 2;
    }
    int err;
    if (mi_tcp_listen(MI_IPV4_ANY, (uint16_t)port, &listen_callbacks, NULL, &err) == NULL) {
        mi_error("sink: cannot listen on port %ld: %s", port, strerror(-err));
        return 1;
    }
    char a[MI_IPV4_STRLEN];
    mi_info("sink: listening on %s port %ld", mi_ipv4_format(nif->address, a), port);
    return 0;
}
