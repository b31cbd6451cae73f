/* SPDX-License-Identifier: ISC */
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
mi_str mi_http_method(const mi_http_exchange *x); /* "GET" */
mi_str mi_http_target(const mi_http_exchange *x); /* raw request-target */
mi_str mi_http_path(const mi_http_exchange *x);   /* target before '?', still encoded */
mi_str mi_http_query(const mi_http_exchange *x);  /* after '?', empty if none */
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
 * -EINVAL for a name or value with characters HTTP forbids (CR, LF, NUL),
 * a name that is not a token, or one of the server's own fields
 * (Content-Length, Transfer-Encoding, Connection, Date); -ENOMEM. */
int mi_http_add_header(mi_http_exchange *x, const char *name, const char *value);
/* The body, copied now. Successive calls (and mi_http_body_printf)
 * append, so a page can be written in pieces; a body set by reference
 * before is dropped. 0 or -ENOMEM. */
int mi_http_body_copy(mi_http_exchange *x, const void *data, size_t len);
/* printf-style body (copied, appended like mi_http_body_copy). */
int mi_http_body_printf(mi_http_exchange *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The body by reference (zero copy): data must stay valid until the
 * response is sent, e.g. a store entry. Replaces any body set before. */
int mi_http_body_ref(mi_http_exchange *x, const void *data, size_t len);
/* Send the response; the exchange is freed. For a HEAD request the body
 * is not sent, but its length is (Content-Length). */
void mi_http_finish(mi_http_exchange *x);
/* Shorthand: status, text/plain body with the reason phrase, finish. */
void mi_http_error(mi_http_exchange *x, int status);
const char *mi_http_reason(int status);

/* Serve store `kv` as a static site below URL prefix `prefix` ("/" for the
 * root), as nginx would: Content-Type from the extension, index.html for
 * directories (redirecting /dir to /dir/), HEAD, 404 and 405.
 * Validators: ETag (strong, from the content hash) and Last-Modified.
 * Preconditions in the order of RFC 9110 §13.2.2: If-Match, else
 * If-Unmodified-Since (412 when false); If-None-Match, else
 * If-Modified-Since (304). Range on a GET (RFC 9110 §14), only while
 * If-Range holds (a strong ETag or the exact Last-Modified date, else the
 * whole 200): overlapping and adjacent ranges are merged; one range is a
 * 206 with Content-Range, several a 206 multipart/byteranges body (at
 * most 64 KiB, copied; larger, the whole 200); none satisfiable is 416
 * with a Content-Range that gives only the size (RFC 9110 §14.4); more
 * than 32 range-specs, or a syntax error, and the field is ignored (the
 * whole 200). Finishes the exchange. */
void mi_http_serve_kv(mi_http_exchange *x, const mi_kv *kv, const char *prefix);

/* ---- the server ---- */
/* Defaults (mi_http_default_limits): 16 KiB of head, 8 KiB of URI, 1 MiB
 * of body, 30 s idle, 10 s per request, 10000 connections. */
struct mi_http_limits {
    size_t max_header_bytes;     /* the head, from the request line to the empty line
                                  * that ends it, CRLFs included: 431 beyond (and
                                  * beyond 64 fields); at most 65535 */
    size_t max_uri_bytes;        /* the request-target: 414 beyond */
    size_t max_body_bytes;       /* 413 beyond */
    uint64_t idle_timeout_ns;    /* a connection with no request (new, or kept
                                  * alive); also a client that stops reading
                                  * its response */
    uint64_t request_timeout_ns; /* a request not complete after this: 408 */
    size_t max_connections;
};
void mi_http_default_limits(struct mi_http_limits *l);

typedef struct mi_http_server mi_http_server;
/* Start listening. Returns NULL and sets *err on failure. */
mi_http_server *mi_http_serve(mi_ipv4 addr, uint16_t port, mi_http_dispatch_fn fn,
                              const struct mi_http_limits *limits, int *err);
void mi_http_server_close(mi_http_server *s);

/* HTTPS: the same server behind TLS 1.2 (BearSSL; ECDHE with AES-GCM or
 * ChaCha20-Poly1305, session resumption by session ID). The credentials
 * are DER: chain is the certificate chain, leaf first, each certificate
 * preceded by its length in 3 bytes, big-endian (as in the TLS
 * Certificate message); key the leaf's private key (PKCS#1 RSA, SEC1 EC
 * or PKCS#8), RSA of 1024 to 4096 bits or EC on P-256, P-384 or P-521.
 * mirari configure makes both from tls-cert and tls-key. They must stay
 * valid while the server runs. Each connection costs about 37 KiB
 * (BearSSL's context and its two record buffers) on top of HTTP's.
 * Returns NULL and sets *err: -EINVAL for credentials that do not decode,
 * -EPERM when the platform has no real entropy source (keys could be
 * guessed: the server refuses to start), -ENOMEM, or a listening error. */
typedef struct mi_tls_creds {
    const unsigned char *chain;
    size_t chain_len;
    const unsigned char *key;
    size_t key_len;
} mi_tls_creds;
mi_http_server *mi_https_serve(mi_ipv4 addr, uint16_t port, mi_http_dispatch_fn fn,
                               const struct mi_http_limits *limits, const mi_tls_creds *creds,
                               int *err);

/* ---- counters, over all servers of the program ----
 * X(name, description). Every request refused and every connection cut is
 * counted here, and logged at debug level as it happens. */
#define MI_HTTP_STATS_FIELDS(X)                                                                    \
    X(conns_accepted, "connections accepted")                                                      \
    X(conns_refused, "connections refused: max_connections reached")                               \
    X(conns_active, "connections open now")                                                        \
    X(requests, "requests received complete")                                                      \
    X(responses_1xx, "interim responses (100 Continue)")                                           \
    X(responses_2xx, "responses 2xx")                                                              \
    X(responses_3xx, "responses 3xx")                                                              \
    X(responses_4xx, "responses 4xx")                                                              \
    X(responses_5xx, "responses 5xx")                                                              \
    X(bad_syntax, "400: malformed request line or header field")                                   \
    X(bad_framing, "400: ambiguous body framing (CL and TE, CL values, TE, chunk syntax)")         \
    X(uri_too_long, "414: request-target longer than max_uri_bytes")                               \
    X(header_too_large, "431: head larger than max_header_bytes or too many fields")               \
    X(body_too_large, "413: body larger than max_body_bytes")                                      \
    X(not_implemented, "501: unknown method or transfer coding")                                   \
    X(bad_version, "505: HTTP major version other than 1")                                         \
    X(bad_expectation, "417: an Expect other than 100-continue")                                   \
    X(timeouts_idle, "keep-alive connections closed after idle_timeout")                           \
    X(timeouts_request, "408: request not complete after request_timeout")                         \
    X(timeouts_write, "connections cut: the client stopped reading the response")                  \
    X(read_errors, "connections cut by a read error (reset)")                                      \
    X(write_errors, "connections cut by a write error (reset)")                                    \
    X(incomplete_eof, "connections closed by the client in the middle of a request")

struct mi_http_stats {
#define MI_HTTP_STATS_MEMBER(name, desc) uint64_t name;
    MI_HTTP_STATS_FIELDS(MI_HTTP_STATS_MEMBER)
#undef MI_HTTP_STATS_MEMBER
};
const struct mi_http_stats *mi_http_stats(void);

#endif
