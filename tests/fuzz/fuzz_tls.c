/* SPDX-License-Identifier: ISC */
/* The HTTPS server (runtime/http/tls.c over server.c) on arbitrary bytes
 * from clients, on the fake socket and clock of
 * tests/unit/test_http_fake.h. The input is a little program:
 *
 *   byte 0: the socket's window (how much the server may write before
 *           -EAGAIN), as fuzz_http;
 *   then ops, the low two bits choosing:
 *     0  send the next (op >> 2) + 1 bytes to the current connection
 *     1  the client reads what the server sent
 *     2  move the clock by (op >> 2) * 250 ms (timeouts, the flush timer)
 *     3  op bit 7: a new connection (at most 4), else EOF from the client;
 *        the current connection is (op >> 2) % connections
 *
 * A client that is not a real TLS client cannot complete a handshake, so
 * this exercises what faces the network before any key: record framing,
 * ClientHello parsing, alerts, closing in every state, and the glue's
 * lifetime rules (the fake aborts on a use after close; ASan and
 * LeakSanitizer watch the rest). At the end every connection must be
 * released. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mirari/http.h>

#include "../unit/test_http_fake.h"
#include "rng.h"
#include "tls_test_creds.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The DRBG (platform/rng), deterministic here so that runs reproduce. */
void rng_bytes(void *buf, size_t n)
{
    memset(buf, 0x5a, n);
}

bool entropy_is_weak(void)
{
    return false;
}

static void app(mi_http_exchange *x)
{
    mi_http_body_copy(x, "ok\n", 3);
    mi_http_finish(x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    static const mi_tls_creds creds = {test_tls_chain, sizeof test_tls_chain, test_tls_key,
                                       sizeof test_tls_key};
    struct mi_http_limits lim = {.idle_timeout_ns = 3 * MI_NSEC_PER_SEC,
                                 .request_timeout_ns = 2 * MI_NSEC_PER_SEC,
                                 .max_connections = 3};
    int err;
    mi_http_server *srv = mi_https_serve(MI_IPV4_ANY, 443, app, &lim, &creds, &err);
    if (srv == NULL)
        abort();
    mi_tcp *listener = fake_all;
    mi_tcp *conns[4];
    size_t nconns = 0, cur = 0;
    size_t window = (size_t)data[0] * 64 + 1;
    conns[nconns++] = fake_connect(listener, window);

    size_t i = 1;
    while (i < size) {
        uint8_t op = data[i++];
        mi_tcp *t = conns[cur];
        switch (op & 3) {
        case 0: {
            size_t n = (size_t)(op >> 2) + 1;
            if (n > size - i)
                n = size - i;
            fake_send(t, data + i, n);
            i += n;
            break;
        }
        case 1:
            fake_drain(t);
            break;
        case 2:
            fake_advance((uint64_t)(op >> 2) * 250 * MI_NSEC_PER_MSEC);
            break;
        case 3:
            if (op & 0x80) {
                if (nconns < 4)
                    conns[nconns++] = fake_connect(listener, window);
            } else {
                fake_eof(t);
            }
            cur = (size_t)(op >> 2) % nconns;
            break;
        }
    }
    for (size_t k = 0; k < nconns; k++)
        fake_drain(conns[k]);
    mi_http_server_close(srv);
    /* Connections HTTP let go with records queued wait for the flush
     * timer at most. */
    fake_advance(10 * MI_NSEC_PER_SEC);
    fake_reset();
    if (mi_http_stats()->conns_active != 0)
        abort();
    return 0;
}
