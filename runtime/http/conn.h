/* SPDX-License-Identifier: ISC */
/* The server's per-connection state, shared by the connection machine
 * (server.c), the exchange API (exchange.c) and the static file helper
 * (static.c). Not part of the public API.
 *
 * Dependencies go one way: exchange.c calls into server.c (to respond),
 * server.c never into exchange.c; both use buf.c for their buffers. */
#ifndef MIRARI_HTTP_CONN_H
#define MIRARI_HTTP_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mirari/http.h>
#include <mirari/loop.h>
#include <mirari/net.h>

#include "http/buf.h"
#include "http/parser.h"

enum http_conn_state {
    CONN_HEAD,     /* reading (and parsing) a request head */
    CONN_BODY,     /* reading the request body */
    CONN_DISPATCH, /* the application has the exchange */
    CONN_WRITE,    /* sending the response */
    CONN_LINGER,   /* sent a final response and FIN, draining input */
};

struct mi_http_exchange {
    struct http_conn *c;
    int status;
    bool active;      /* between dispatch and mi_http_finish */
    bool body_is_ref; /* body is ref[0..ref_len), else c->body */
    bool ref_lives;   /* ref is a store's: valid for the program's life */
    bool close;       /* the response must end the connection */
    const char *ref;
    size_t ref_len;
};

struct http_conn {
    struct mi_http_server *srv;
    mi_tcp *tcp; /* NULL once closed */
    void *tr;    /* the transport's state of this connection (TLS), or NULL */
    struct http_conn *prev, *next;
    mi_timer timer;
    uint64_t deadline; /* when the current state times out, UINT64_MAX: never */
    enum http_conn_state state;

    /* Input: the current request starts at in.p[0]; pipelined requests
     * after it wait in the same buffer. */
    struct http_buf in;
    size_t scanned;  /* head bytes already searched for a line end */
    size_t head_len; /* of the current request, once parsed */
    size_t body_end; /* end of the (decoded) body in in.p */
    size_t chunk_r;  /* chunked: raw bytes consumed up to here */
    struct http_chunked chunk;
    struct http_request req;
    bool req_started; /* the request deadline is running */

    /* Output: out[out_sent..out.len) then tail[0..tail_len). */
    struct http_buf out;
    size_t out_sent;
    const char *tail;
    size_t tail_len;
    bool tail_lives;      /* tail is a store's: TCP may send it without a copy */
    struct http_buf hdr;  /* header lines added by the application */
    struct http_buf body; /* a copied response body */

    struct mi_http_exchange x;
    bool peer_eof;   /* the client sent FIN: answer what is there, then close */
    bool busy;       /* inside the connection's pump: no re-entry, no free */
    bool closed;     /* released; freed once not busy and the exchange is done */
    bool deferred;   /* a resume is queued with mi_defer: not freed before it runs */
    unsigned served; /* requests answered in the current turn (fairness) */
};

/* What carries a server's bytes when it is not TCP as is: TLS (tls.c).
 * The HTTP connection machine reads and writes plain bytes through it and
 * knows nothing else of it. accept() takes over the TCP connection's
 * callbacks and calls cb's with arg when the connection has bytes for
 * HTTP or room for more; NULL when it cannot (no memory). read and writev
 * return as mi_tcp_read and mi_tcp_writev do; shutdown ends the sending
 * side after what is queued; close releases the state (and the TCP
 * connection); release(ctx) is called when the server is gone. */
struct http_transport {
    void *(*accept)(void *ctx, mi_tcp *t, const struct mi_tcp_callbacks *cb, void *arg);
    void (*release)(void *ctx);
    ssize_t (*read)(void *tr, void *buf, size_t cap);
    ssize_t (*writev)(void *tr, const struct mi_iovec *iov, int n);
    void (*shutdown)(void *tr);
    void (*close)(void *tr, bool abort);
};

/* server.c: mi_http_serve over a transport (NULL: plain TCP), whose
 * accept() gets ctx. */
mi_http_server *http_serve_on(mi_ipv4 addr, uint16_t port, mi_http_dispatch_fn fn,
                              const struct mi_http_limits *limits, const struct http_transport *tr,
                              void *ctx, int *err);

/* server.c: send the response the exchange describes, then go on with
 * the connection (called by mi_http_finish). */
void http_conn_respond(struct http_conn *c);
/* server.c: make the response a plain-text page naming the status, and
 * send it when the exchange is active: the server's answer to a request
 * it refuses, and mi_http_error's. */
void http_conn_error(struct http_conn *c, int status);

/* exchange.c: add a header line without checks (the caller's names and
 * values are known good): used by the static helper. */
int http_add_header_raw(mi_http_exchange *x, const char *name, size_t nlen, const char *value,
                        size_t vlen);
/* exchange.c: the body by reference to a store's data, which lives as
 * long as the program: sent without a copy (mi_tcp_write_ref). */
void http_body_store_ref(mi_http_exchange *x, const void *data, size_t len);

#endif
