/* SPDX-License-Identifier: ISC */
/* The HTTP/1.1 request parser: pure functions over a byte buffer, no I/O,
 * no allocation, so the unit tests and the fuzzer drive it directly.
 *
 * http_parse_head() reads the request line and the header fields
 * (RFC 9112 §2-§5) and decides the message framing (§6);
 * http_chunked_decode() undoes the chunked transfer coding (§7.1) in
 * place. Both are incremental: given a longer buffer they are called
 * again, and they report need-more, complete, or the status code to
 * answer with. */
#ifndef MIRARI_HTTP_PARSER_H
#define MIRARI_HTTP_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The limits, each answered and then the connection closed:
 *   414  the request-target (the bytes between the two spaces of the
 *        request line) longer than max_uri_bytes: exactly max_uri_bytes
 *        is served; refused as soon as the byte over arrives, before the
 *        line ends.
 *   431  the head (from its first byte, empty lines before the request
 *        line included, to the end of the empty line after the fields)
 *        longer than max_header_bytes: exactly that many bytes are
 *        served; or more than HTTP_MAX_HEADERS field lines (RFC 6585 §5).
 * Spans are 16-bit, so a head is at most 65535 bytes whatever the
 * configured limit. The server's defaults are in mi_http_default_limits
 * (16 KiB of head, 8 KiB of URI). */
#define HTTP_MAX_HEADERS    64
#define HTTP_MAX_HEAD_BYTES 65535u

enum mi_http_method {
    HTTP_GET,
    HTTP_HEAD,
    HTTP_POST,
    HTTP_PUT,
    HTTP_DELETE,
    HTTP_OPTIONS,
    HTTP_PATCH,
};

/* A part of the buffer: buf + off, len bytes. */
struct http_span {
    uint16_t off, len;
};

struct http_request {
    struct http_span method, target, path, query;
    enum mi_http_method method_id;
    uint8_t minor;   /* 0: HTTP/1.0, 1: HTTP/1.1 (or a later 1.x) */
    bool keep_alive; /* after this request, by version and Connection */
    bool chunked;    /* Transfer-Encoding: chunked */
    bool expect_continue;
    uint64_t content_length; /* 0 when chunked or no body */
    const char *error;       /* why the head was refused (for the log) */
    bool framing_error;      /* refused for ambiguous body framing */
    uint16_t nheaders;
    struct {
        struct http_span name, value;
    } headers[HTTP_MAX_HEADERS];
};

struct http_parse_limits {
    size_t max_header_bytes; /* the whole head, request line included: 431 */
    size_t max_uri_bytes;    /* the request-target: 414 */
};

/* Parse the request head at buf[0..len). Empty lines before the request
 * line are skipped (RFC 9112 §2.2), and counted in the head.
 *   > 0  complete: the head is that many bytes, *req is filled
 *   0    need more bytes (and the limits are not exceeded yet)
 *   < 0  minus the status to answer with, and close: 400 (syntax, bad
 *        framing, missing Host), 414, 431, 413 (Content-Length too big
 *        for 64 bits), 417 (unknown expectation), 501 (unknown method, or a
 *        transfer coding before chunked),
 *        505 (HTTP major version other than 1). */
long http_parse_head(const char *buf, size_t len, const struct http_parse_limits *lim,
                     struct http_request *req);

/* State of a chunked body being decoded; zero-initialise it. */
struct http_chunked {
    int state;
    uint64_t remaining; /* of the current chunk's data, or its size so far */
    uint64_t total;     /* decoded bytes */
    size_t line;        /* bytes of the current chunk-size or trailer line */
    size_t trailer;     /* bytes of trailer fields */
};

/* Decode chunked data in place: bytes buf[*rpos..len) are consumed, the
 * data they carry is moved down to buf[*wpos..] (always *wpos <= *rpos).
 * Chunk extensions and trailer fields are checked and dropped.
 *   1    the body is complete; *rpos is just past it
 *   0    need more bytes
 *   < 0  minus the status: 400 (bad syntax, a size that overflows), 413
 *        (more than max_body decoded bytes) */
int http_chunked_decode(struct http_chunked *c, char *buf, size_t *rpos, size_t len, size_t *wpos,
                        uint64_t max_body);

/* Helpers shared with the server. */
bool http_token_eq(const char *a, size_t alen, const char *lower);
/* Does the comma-separated list a[0..alen) contain the token `lower`? */
bool http_list_has(const char *a, size_t alen, const char *lower);

#endif
