/* SPDX-License-Identifier: ISC */
/* shout: the guide's main-ip example (docs/guide.md). A TCP server on
 * app-port that sends back what it reads, in upper case. When the peer
 * reads slowly, it stops reading until it can write again. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include <mirari/mirari.h>

struct conn {
    size_t off, len; /* buf[off..len) still to be written */
    char buf[4096];
};

static void on_readable(mi_tcp *t, void *arg);

/* Write what is pending; false while some is left (on_writable follows). */
static bool flush(mi_tcp *t, struct conn *c)
{
    while (c->off < c->len) {
        ssize_t n = mi_tcp_write(t, c->buf + c->off, c->len - c->off);
        if (n == -EAGAIN)
            return false;
        if (n < 0) {
            mi_tcp_close(t, true);
            free(c);
            return false;
        }
        c->off += (size_t)n;
    }
    c->off = c->len = 0;
    return true;
}

static void on_writable(mi_tcp *t, void *arg)
{
    if (flush(t, arg))
        on_readable(t, arg); /* read what waited meanwhile */
}

static void on_readable(mi_tcp *t, void *arg)
{
    struct conn *c = arg;
    while (c->len == 0) {
        ssize_t n = mi_tcp_read(t, c->buf, sizeof c->buf);
        if (n == -EAGAIN)
            return;
        if (n <= 0) { /* end of stream, or the connection failed */
            mi_tcp_close(t, n < 0);
            free(c);
            return;
        }
        for (ssize_t i = 0; i < n; i++)
            c->buf[i] = (char)toupper((unsigned char)c->buf[i]);
        c->len = (size_t)n;
        if (!flush(t, c))
            return;
    }
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

int shout_main(const mi_netif *nif)
{
    static const struct mi_tcp_callbacks listen_callbacks = {.on_accept = on_accept};
    int port = atoi(mi_conf_get("app-port")), err;
    if (!mi_tcp_listen(MI_IPV4_ANY, (uint16_t)port, &listen_callbacks, NULL, &err)) {
        mi_error("cannot listen on port %d: error %d", port, -err);
        return 1;
    }
    char addr[MI_IPV4_STRLEN];
    mi_info("shouting on %s:%d", mi_ipv4_format(nif->address, addr), port);
    return 0;
}
