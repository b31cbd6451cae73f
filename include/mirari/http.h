/* The HTTP/1.1 server behind `main-http`.
 *
 * The runtime listens on http-address:http-port and calls the dispatch
 * function named in app.conf (`main-http: Dispatch.main` -> dispatch_main)
 * once per request with an exchange. The dispatch function fills the
 * response and calls mi_http_finish(), now or later (asynchronously): the
 * connection waits, and pipelined requests behind it keep their order. */
#ifndef MIRARI_HTTP_H
#define MIRARI_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mirari/kv.h>
#include <mirari/net.h>

typedef struct mi_http_exchange mi_http_exchange;
typedef void (*mi_http_dispatch_fn)(mi_http_exchange *x);

/* A byte string that is not NUL-terminated. */
typedef struct mi_str {
    const char *p;
    size_t n;
} mi_str;

/* ---- the request (valid until mi_http_finish) ---- */
mi_str mi_http_method(const mi_http_exchange *x);  /* "GET" */
mi_str mi_http_target(const mi_http_exchange *x);  /* raw request-target */
mi_str mi_http_path(const mi_http_exchange *x);    /* target before '?', still encoded */
mi_str mi_http_query(const mi_http_exchange *x);   /* after '?', empty if none */
/* HTTP minor version: 0 for HTTP/1.0, 1 for HTTP/1.1. */
int mi_http_version_minor(const mi_http_exchange *x);
/* First header with that name (case-insensitive); .p == NULL if absent. */
mi_str mi_http_header(const mi_http_exchange *x, const char *name);
size_t mi_http_header_count(const mi_http_exchange *x);
void mi_http_header_at(const mi_http_exchange *x, size_t i, mi_str *name, mi_str *value);
/* The whole request body (de-chunked), empty when none. */
mi_str mi_http_body(const mi_http_exchange *x);

/* ---- the response ---- */
void mi_http_set_status(mi_http_exchange *x, int status);
/* Content-Length, Date, Connection are set by the server. Returns 0 or
 * -EINVAL for a name or value with characters HTTP forbids (CR, LF, NUL). */
int mi_http_add_header(mi_http_exchange *x, const char *name, const char *value);
/* The body, copied now. */
int mi_http_body_copy(mi_http_exchange *x, const void *data, size_t len);
/* printf-style body (copied). */
int mi_http_body_printf(mi_http_exchange *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The body by reference (zero copy): data must stay valid until the
 * response is sent, e.g. a store entry. Replaces any body set before. */
int mi_http_body_ref(mi_http_exchange *x, const void *data, size_t len);
/* Send the response; the exchange is freed. */
void mi_http_finish(mi_http_exchange *x);
/* Shorthand: status, text/plain body with the reason phrase, finish. */
void mi_http_error(mi_http_exchange *x, int status);
const char *mi_http_reason(int status);

/* Serve store `kv` as a static site below URL prefix `prefix` ("/" for the
 * root), as nginx would: Content-Type from the extension, index.html for
 * directories (redirecting /dir to /dir/), ETag and If-None-Match (304),
 * Last-Modified and If-Modified-Since, one Range (206/416), HEAD, 404 and
 * 405. Finishes the exchange. */
void mi_http_serve_kv(mi_http_exchange *x, const mi_kv *kv, const char *prefix);

/* ---- the server ---- */
struct mi_http_limits {
    size_t max_header_bytes; /* request line + headers; 431 beyond (414 for the URI) */
    size_t max_uri_bytes;    /* 414 beyond */
    size_t max_body_bytes;   /* 413 beyond */
    uint64_t idle_timeout_ns;    /* keep-alive connection with no request */
    uint64_t request_timeout_ns; /* a request not complete after this: 408 */
    size_t max_connections;
};
void mi_http_default_limits(struct mi_http_limits *l);

typedef struct mi_http_server mi_http_server;
/* Start listening. Returns NULL and sets *err on failure. */
mi_http_server *mi_http_serve(mi_ipv4 addr, uint16_t port, mi_http_dispatch_fn fn,
                              const struct mi_http_limits *limits, int *err);
void mi_http_server_close(mi_http_server *s);

#endif
