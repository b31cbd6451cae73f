/* SPDX-License-Identifier: ISC */
/* HTTP/1.1 request parsing (RFC 9112), strict where leniency would let two
 * parsers disagree about where a message ends (request smuggling): every
 * line of the head and of a chunked body ends with CRLF. RFC 9112 §2.2
 * lets a recipient accept a bare LF, but a proxy in front that does not
 * would see other lines than we do, so a bare LF is refused (400). */
#include <string.h>

#include "http/parser.h"

#define MAX_METHOD_LEN    20   /* longer tokens cannot be a method we know: 501 */
#define MAX_CHUNK_LINE    4096 /* chunk-size plus extensions */
#define MAX_TRAILER_BYTES 8192

/* tchar, RFC 9110 §5.6.2 */
static bool is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Bytes of a request-target: visible ASCII, and obs-text that some
 * clients send unencoded (the normaliser deals with it). */
static bool is_target_byte(unsigned char c)
{
    return c > 0x20 && c != 0x7f;
}

/* field-value bytes: VCHAR, obs-text, SP, HTAB (RFC 9110 §5.5). */
static bool is_value_byte(unsigned char c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static unsigned char lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

bool http_token_eq(const char *a, size_t alen, const char *low)
{
    size_t n = strlen(low);
    if (alen != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)a[i]) != (unsigned char)low[i])
            return false;
    return true;
}

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* Next element of a comma-separated list (RFC 9110 §5.6.1) in a[*pos..n),
 * trimmed of OWS; false at the end. Empty elements are returned too. */
static bool list_next(const char *a, size_t n, size_t *pos, const char **el, size_t *ellen)
{
    if (*pos > n)
        return false;
    size_t s = *pos, e = s;
    while (e < n && a[e] != ',')
        e++;
    *pos = e + 1;
    while (s < e && is_ows(a[s]))
        s++;
    while (e > s && is_ows(a[e - 1]))
        e--;
    *el = a + s;
    *ellen = e - s;
    return true;
}

bool http_list_has(const char *a, size_t alen, const char *low)
{
    size_t pos = 0, n;
    const char *el;
    while (list_next(a, alen, &pos, &el, &n))
        if (http_token_eq(el, n, low))
            return true;
    return false;
}

/* Refuse the request: the status, and why (for the debug log). */
static long fail(struct http_request *req, long status, const char *why)
{
    req->error = why;
    return -status;
}

static long fail_framing(struct http_request *req, const char *why)
{
    req->framing_error = true;
    return fail(req, 400, why);
}

static const struct {
    const char *name;
    enum mi_http_method id;
} methods[] = {
    {"GET", HTTP_GET},       {"HEAD", HTTP_HEAD},       {"POST", HTTP_POST},   {"PUT", HTTP_PUT},
    {"DELETE", HTTP_DELETE}, {"OPTIONS", HTTP_OPTIONS}, {"PATCH", HTTP_PATCH},
};

static struct http_span span(size_t off, size_t len)
{
    return (struct http_span){(uint16_t)off, (uint16_t)len};
}

/* Split the request-target (RFC 9112 §3.2) at buf[t..t+n) into path and
 * query. origin-form "/p?q", absolute-form "http://host/p?q" (the path
 * may be empty: the accessor shows "/"), asterisk-form "*" for OPTIONS.
 * authority-form belongs to CONNECT, which is answered 501 before this. */
static long split_target(const char *buf, size_t t, size_t n, struct http_request *req)
{
    const char *s = buf + t;
    size_t p; /* where the path starts, relative to t */
    if (s[0] == '/') {
        p = 0;
    } else if (n == 1 && s[0] == '*') {
        if (req->method_id != HTTP_OPTIONS)
            return fail(req, 400, "* as the target of a method other than OPTIONS");
        req->path = span(t, 1);
        req->query = span(t + 1, 0);
        return 0;
    } else {
        size_t scheme = 0;
        if (n > 7 && http_token_eq(s, 7, "http://"))
            scheme = 7;
        else if (n > 8 && http_token_eq(s, 8, "https://"))
            scheme = 8;
        else
            return fail(req, 400, "request-target is neither origin-form nor absolute-form");
        p = scheme;
        while (p < n && s[p] != '/' && s[p] != '?')
            p++;
        if (p == scheme)
            return fail(req, 400, "absolute-form without an authority"); /* no authority */
    }
    size_t q = p;
    while (q < n && s[q] != '?')
        q++;
    req->path = span(t + p, q - p);
    req->query = q < n ? span(t + q + 1, n - q - 1) : span(t + n, 0);
    return 0;
}

/* The request line s[0..n), at offset base in the buffer. `complete` is
 * false while its end has not arrived: then only what is there is checked,
 * so garbage (or a TLS handshake) is refused at once and an overlong
 * target is 414 before the client finishes sending it. 0: done, 1: need
 * more, < 0: -status. */
static long request_line(const char *buf, size_t base, size_t n, bool complete,
                         const struct http_parse_limits *lim, struct http_request *req)
{
    const char *s = buf + base;
    size_t i = 0;
    while (i < n && is_tchar((unsigned char)s[i]))
        i++;
    if (i > MAX_METHOD_LEN)
        return fail(req, 501, "method token too long");
    if (i == n)
        return complete ? fail(req, 400, "request line without a target") : 1;
    if (i == 0 || s[i] != ' ')
        return fail(req, 400, "bad method token");
    size_t mlen = i;
    size_t t = ++i;
    while (i < n && s[i] != ' ') {
        if (!is_target_byte((unsigned char)s[i]))
            return fail(req, 400, "bad byte in the request-target");
        i++;
        if (i - t > lim->max_uri_bytes)
            return fail(req, 414, "request-target too long");
    }
    if (i == n)
        return complete ? fail(req, 400, "request line without a version") : 1;
    if (i == t)
        return fail(req, 400, "empty request-target"); /* two spaces: no target */
    size_t tlen = i - t;
    i++;
    if (!complete)
        return 1;
    /* HTTP-version = "HTTP/" DIGIT "." DIGIT, then the end of the line */
    const char *v = s + i;
    if (n - i != 8 || memcmp(v, "HTTP/", 5) != 0 || v[5] < '0' || v[5] > '9' || v[6] != '.' ||
        v[7] < '0' || v[7] > '9')
        return fail(req, 400, "bad HTTP-version");
    if (v[5] != '1')
        return fail(req, 505, "HTTP major version not 1");
    req->minor = v[7] >= '1' ? 1 : 0; /* 1.2 and later: answer as 1.1 (RFC 9110 §2.5) */

    size_t k;
    for (k = 0; k < sizeof methods / sizeof methods[0]; k++)
        if (strlen(methods[k].name) == mlen && memcmp(methods[k].name, s, mlen) == 0)
            break;
    if (k == sizeof methods / sizeof methods[0])
        return fail(req, 501, "unknown method");
    req->method_id = methods[k].id;
    req->method = span(base, mlen);
    req->target = span(base + t, tlen);
    return split_target(buf, base + t, tlen, req);
}

/* Content-Length (RFC 9112 §6.3): digits, or a list of identical values
 * (RFC 9110 §8.6). *out saturates at UINT64_MAX. */
static long content_length(struct http_request *req, const char *v, size_t n, bool *seen,
                           uint64_t *out)
{
    size_t pos = 0, len;
    const char *el;
    while (list_next(v, n, &pos, &el, &len)) {
        if (len == 0)
            return fail_framing(req, "empty Content-Length");
        uint64_t x = 0;
        for (size_t i = 0; i < len; i++) {
            if (el[i] < '0' || el[i] > '9')
                return fail_framing(req, "Content-Length not a number");
            unsigned d = (unsigned)(el[i] - '0');
            x = x > (UINT64_MAX - d) / 10 ? UINT64_MAX : x * 10 + d;
        }
        if (*seen && x != *out)
            return fail_framing(req, "differing Content-Length values");
        *seen = true;
        *out = x;
    }
    return 0;
}

static bool is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (lower(c) >= 'a' && lower(c) <= 'f');
}

/* unreserved / sub-delims of RFC 3986 §2.2, §2.3 */
static bool is_host_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != 0 && strchr("-._~!$&'()*+,;=", c) != NULL);
}

/* Host = uri-host [ ":" port ] (RFC 9112 §3.2, RFC 3986 §3.2.2, §3.2.3):
 * an IP-literal in brackets, or a reg-name (which covers IPv4address) of
 * unreserved, sub-delims and pct-encoded bytes; port = *DIGIT. An empty
 * value is valid: a client sends one for a target without an authority.
 * Spaces, '/', '@' (userinfo), a second ':' outside brackets and bare '%'
 * are not: they are what makes proxies and caches disagree about the
 * host. */
static bool host_valid(const char *v, size_t n)
{
    size_t i = 0;
    if (n > 0 && v[0] == '[') {
        /* IPv6address or IPvFuture: HEXDIG, ':', '.', and for IPvFuture
         * 'v' and the unreserved and sub-delims characters */
        for (i = 1; i < n && v[i] != ']'; i++)
            if (v[i] != ':' && !is_host_char((unsigned char)v[i]))
                return false;
        if (i == n || i == 1)
            return false;
        i++;
    } else {
        while (i < n && v[i] != ':') {
            if (v[i] == '%') {
                if (n - i < 3 || !is_hex((unsigned char)v[i + 1]) ||
                    !is_hex((unsigned char)v[i + 2]))
                    return false;
                i += 3;
            } else if (is_host_char((unsigned char)v[i])) {
                i++;
            } else {
                return false;
            }
        }
    }
    if (i == n)
        return true;
    if (v[i] != ':')
        return false;
    for (i++; i < n; i++)
        if (v[i] < '0' || v[i] > '9')
            return false;
    return true;
}

/* The end of the line that starts at p: *e is its LF, *ce where its
 * content ends (the CR before the LF). 1 when the line has ended, 0
 * while its LF has not arrived, -1 for a LF without its CR (a bare LF,
 * refused: see the top of the file). */
static int line_end(const char *buf, size_t len, size_t p, size_t *e, size_t *ce)
{
    const char *lf = p < len ? memchr(buf + p, '\n', len - p) : NULL;
    if (lf == NULL)
        return 0;
    *e = (size_t)(lf - buf);
    if (*e == p || buf[*e - 1] != '\r')
        return -1;
    *ce = *e - 1;
    return 1;
}

/* Phase 1 of the head: the request line (RFC 9112 §3), after the empty
 * lines a server ignores before it (RFC 9112 §2.2), within the head
 * limit from its first byte (431). The line itself is checked by
 * request_line(), even before its end arrives.
 * > 0: where the field lines start; 0: need more; < 0: -status. */
static long head_request_line(const char *buf, size_t len, size_t max_head,
                              const struct http_parse_limits *lim, struct http_request *req)
{
    size_t p = 0;
    while (p < len && (buf[p] == '\r' || buf[p] == '\n')) {
        if (buf[p] == '\n')
            return fail(req, 400, "bare LF before the request line");
        if (p + 1 == len)
            return 0; /* a CR whose LF has not arrived */
        if (buf[p + 1] != '\n')
            return fail(req, 400, "bare CR before the request line");
        p += 2;
        if (p > max_head)
            return fail(req, 431, "too many empty lines before the request");
    }

    size_t e, ce;
    int end = line_end(buf, len, p, &e, &ce);
    if (end < 0)
        return fail(req, 400, "bare LF in the request line");
    if (end == 0) {
        long rc = request_line(buf, p, len - p, false, lim, req);
        if (rc < 0)
            return rc;
        return len > max_head ? fail(req, 431, "head too large") : 0;
    }
    long rc = request_line(buf, p, ce - p, true, lim, req);
    if (rc < 0)
        return rc;
    if (e + 1 > max_head)
        return fail(req, 431, "request line too long");
    return (long)(e + 1);
}

/* One field line buf[p..ce) (RFC 9112 §5): a token, a colon right after
 * it (§5.1), the value without the optional whitespace around it, made
 * of field-value bytes (RFC 9110 §5.5). Recorded in req->headers.
 * 0 or -status. */
static long field_line(const char *buf, size_t p, size_t ce, struct http_request *req)
{
    /* A line starting with whitespace is obs-fold (or whitespace before
     * the first field): rejected, RFC 9112 §5.2 and §2.2. */
    if (buf[p] == ' ' || buf[p] == '\t')
        return fail(req, 400, "obs-fold or leading whitespace in a field line");
    size_t c = p;
    while (c < ce && is_tchar((unsigned char)buf[c]))
        c++;
    /* No whitespace between name and colon (RFC 9112 §5.1). */
    if (c == p || c == ce || buf[c] != ':')
        return fail(req, 400, "bad field name, or whitespace before the colon");
    size_t vs = c + 1, ve = ce;
    while (vs < ve && is_ows(buf[vs]))
        vs++;
    while (ve > vs && is_ows(buf[ve - 1]))
        ve--;
    for (size_t i = vs; i < ve; i++)
        if (!is_value_byte((unsigned char)buf[i])) /* NUL, bare CR, other controls */
            return fail(req, 400, "control character in a field value");
    if (req->nheaders == HTTP_MAX_HEADERS)
        return fail(req, 431, "too many header fields");
    req->headers[req->nheaders].name = span(p, c - p);
    req->headers[req->nheaders].value = span(vs, ve - vs);
    req->nheaders++;
    return 0;
}

/* Phase 2 of the head: the field lines from p up to the empty line that
 * ends the head (RFC 9112 §2.1, §5), within the head limit (431).
 * > 0: the length of the head; 0: need more; < 0: -status. */
static long head_field_lines(const char *buf, size_t len, size_t p, size_t max_head,
                             struct http_request *req)
{
    for (;;) {
        size_t e, ce;
        int end = line_end(buf, len, p, &e, &ce);
        if (end < 0)
            return fail(req, 400, "bare LF in the header section");
        if (end == 0)
            return len > max_head ? fail(req, 431, "head too large") : 0;
        if (e + 1 > max_head)
            return fail(req, 431, "head too large");
        if (ce == p)
            return (long)(e + 1);
        long rc = field_line(buf, p, ce, req);
        if (rc < 0)
            return rc;
        p = e + 1;
    }
}

/* What phase 3 learns from the fields it looks at. */
struct framing_fields {
    bool cl_seen, te_seen, te_chunked_last, conn_close, conn_keep_alive, expect_bad, host_bad;
    unsigned hosts, te_codings, te_chunked;
};

/* Go through the fields once, noting those that phase 3 decides on.
 * Content-Length values are checked here (content_length). 0 or -status. */
static long framing_fields(const char *buf, struct http_request *req, struct framing_fields *f)
{
    for (size_t h = 0; h < req->nheaders; h++) {
        const char *name = buf + req->headers[h].name.off;
        size_t nlen = req->headers[h].name.len;
        const char *v = buf + req->headers[h].value.off;
        size_t vlen = req->headers[h].value.len;
        if (http_token_eq(name, nlen, "content-length")) {
            long rc = content_length(req, v, vlen, &f->cl_seen, &req->content_length);
            if (rc < 0)
                return rc;
        } else if (http_token_eq(name, nlen, "transfer-encoding")) {
            /* Only "chunked" alone is understood: note how many codings
             * there are and whether the last is chunked. */
            f->te_seen = true;
            size_t pos = 0, n;
            const char *el;
            while (list_next(v, vlen, &pos, &el, &n)) {
                if (n == 0)
                    continue;
                f->te_codings++;
                f->te_chunked_last = http_token_eq(el, n, "chunked");
                f->te_chunked += f->te_chunked_last;
            }
        } else if (http_token_eq(name, nlen, "connection")) {
            f->conn_close |= http_list_has(v, vlen, "close");
            f->conn_keep_alive |= http_list_has(v, vlen, "keep-alive");
        } else if (http_token_eq(name, nlen, "expect")) {
            if (http_token_eq(v, vlen, "100-continue"))
                req->expect_continue = true;
            else
                f->expect_bad = true;
        } else if (http_token_eq(name, nlen, "host")) {
            f->hosts++;
            f->host_bad |= !host_valid(v, vlen);
        }
    }
    return 0;
}

/* Phase 3 of the head: the checks on the fields as a whole, once they
 * have all arrived, in this order:
 * - the message framing (RFC 9112 §6): Content-Length (§6.3, RFC 9110
 *   §8.6) and Transfer-Encoding (§6.1) together are refused, as is a
 *   Transfer-Encoding whose final coding is not "chunked", since the body
 *   length would be unknowable (and where two parsers disagree, requests
 *   are smuggled); codings before a final chunked are 501;
 * - exactly one Host in HTTP/1.1, and a valid one in any version
 *   (RFC 9112 §3.2: 400 for a missing, repeated or invalid Host);
 * - a Content-Length that does not fit 64 bits (413);
 * - persistence (RFC 9112 §9.3, Connection: RFC 9110 §7.6.1): 1.1 keeps
 *   the connection unless "close"; 1.0 only with "keep-alive" and not
 *   after a chunked body (RFC 9112 §6.1);
 * - Expect (RFC 9110 §10.1.1): only 100-continue is known (417), and
 *   Expect is ignored in HTTP/1.0.
 * 0 or -status. */
static long head_framing(const char *buf, struct http_request *req)
{
    struct framing_fields f = {0};
    long rc = framing_fields(buf, req, &f);
    if (rc < 0)
        return rc;
    if (f.te_seen && f.cl_seen)
        return fail_framing(req, "both Content-Length and Transfer-Encoding");
    /* RFC 9112 §6.3: chunked not last, the length is unknowable: 400;
     * chunked twice is not allowed (§7): 400; chunked last after another
     * coding is framed right, but we decode no other coding: 501 (§6.1). */
    if (f.te_seen && (!f.te_chunked_last || f.te_chunked > 1))
        return fail_framing(req, "Transfer-Encoding whose final coding is not chunked");
    if (f.te_seen && f.te_codings > 1)
        return fail(req, 501, "a transfer coding other than chunked");
    if (f.hosts > 1 || (req->minor == 1 && f.hosts == 0))
        return fail(req, 400, "no Host in an HTTP/1.1 request, or several"); /* RFC 9112 §3.2 */
    if (f.host_bad)
        return fail(req, 400, "Host is not uri-host [ \":\" port ]"); /* RFC 9112 §3.2 */
    if (f.cl_seen && req->content_length == UINT64_MAX)
        return fail(req, 413, "Content-Length beyond 64 bits");
    req->chunked = f.te_seen;
    if (req->chunked)
        req->content_length = 0;
    if (req->minor == 0) {
        /* Expect is an HTTP/1.1 feature: ignored for 1.0 (RFC 9110 §10.1.1) */
        req->expect_continue = false;
        f.expect_bad = false;
        /* 1.0 with chunked framing: close after it (RFC 9112 §6.1) */
        req->keep_alive = f.conn_keep_alive && !f.conn_close && !req->chunked;
    } else {
        req->keep_alive = !f.conn_close;
    }
    if (f.expect_bad)
        return fail(req, 417, "unknown expectation");
    return 0;
}

/* The three phases in turn; each returns early with need-more or a
 * refusal. */
long http_parse_head(const char *buf, size_t len, const struct http_parse_limits *lim,
                     struct http_request *req)
{
    size_t max_head = lim->max_header_bytes;
    if (max_head > HTTP_MAX_HEAD_BYTES)
        max_head = HTTP_MAX_HEAD_BYTES;

    memset(req, 0, offsetof(struct http_request, headers));
    long p = head_request_line(buf, len, max_head, lim, req);
    if (p <= 0)
        return p;
    long head_len = head_field_lines(buf, len, (size_t)p, max_head, req);
    if (head_len <= 0)
        return head_len;
    long rc = head_framing(buf, req);
    return rc < 0 ? rc : head_len;
}

/* ---- chunked transfer coding (RFC 9112 §7.1) ---- */

enum {
    CH_SIZE0,    /* first hex digit of chunk-size */
    CH_SIZE,     /* more hex digits */
    CH_SIZE_BWS, /* whitespace after the size, before ';' */
    CH_EXT,      /* chunk-ext, skipped up to CR */
    CH_SIZE_LF,  /* LF after the size line's CR */
    CH_DATA,     /* chunk-data */
    CH_DATA_CR,  /* CRLF after the data */
    CH_DATA_LF,
    CH_TRAILER0,   /* start of a trailer line, or of the final CRLF */
    CH_TRAILER,    /* inside a trailer field line, skipped */
    CH_TRAILER_LF, /* LF after a trailer line's CR */
    CH_END_LF,     /* LF of the final CRLF */
    CH_DONE,
};

static int hexdigit(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = lower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* One byte of the chunk framing, c, in state ch->state: the chunk-size
 * line (chunk-size, BWS, chunk-ext, CRLF), the CRLF after chunk-data, the
 * trailer section and the final CRLF. The whole grammar of RFC 9112 §7.1
 * is this one switch, a state per place in it, so that input may stop
 * after any byte and resume with the next call.
 * 0 or -status: 400 (not the grammar), 413 (over max_body). */
static int framing_byte(struct http_chunked *ch, unsigned char c, uint64_t max_body)
{
    switch (ch->state) {
    case CH_SIZE0:
    case CH_SIZE: {
        int d = hexdigit(c);
        if (d >= 0) {
            if (ch->remaining > (UINT64_MAX >> 4))
                return -400; /* does not fit 64 bits */
            ch->remaining = ch->remaining << 4 | (uint64_t)d;
            ch->state = CH_SIZE;
        } else if (ch->state == CH_SIZE0) {
            return -400;
        } else if (c == '\r') {
            ch->state = CH_SIZE_LF;
        } else if (c == ';') {
            ch->state = CH_EXT;
        } else if (c == ' ' || c == '\t') {
            ch->state = CH_SIZE_BWS;
        } else {
            return -400;
        }
        return 0;
    }
    case CH_SIZE_BWS:
        if (c == ';')
            ch->state = CH_EXT;
        else if (c == '\r')
            ch->state = CH_SIZE_LF;
        else if (c != ' ' && c != '\t')
            return -400;
        return 0;
    case CH_EXT:
        if (c == '\r')
            ch->state = CH_SIZE_LF;
        else if (!is_value_byte(c))
            return -400; /* a bare LF or a control: not a chunk-ext */
        return 0;
    case CH_SIZE_LF:
        if (c != '\n')
            return -400;
        if (ch->remaining == 0) {
            ch->state = CH_TRAILER0; /* last-chunk */
        } else if (ch->remaining > max_body || ch->total > max_body - ch->remaining) {
            return -413;
        } else {
            ch->total += ch->remaining;
            ch->state = CH_DATA;
        }
        return 0;
    case CH_DATA_CR:
        ch->state = CH_DATA_LF;
        return c == '\r' ? 0 : -400;
    case CH_DATA_LF:
        ch->state = CH_SIZE0;
        ch->line = 0;
        return c == '\n' ? 0 : -400;
    case CH_TRAILER0:
        /* a bare LF is refused here as in the head (top of the file) */
        if (c == '\r')
            ch->state = CH_END_LF;
        else if (is_tchar(c))
            ch->state = CH_TRAILER;
        else
            return -400;
        return 0;
    case CH_TRAILER:
        if (c == '\r')
            ch->state = CH_TRAILER_LF;
        else if (!is_value_byte(c))
            return -400;
        return 0;
    case CH_TRAILER_LF:
        ch->state = CH_TRAILER0;
        return c == '\n' ? 0 : -400;
    case CH_END_LF:
        ch->state = CH_DONE;
        return c == '\n' ? 0 : -400;
    }
    return 0;
}

/* The chunk-data is moved down in runs, as much as has arrived; the
 * framing around it goes byte by byte through framing_byte(), within the
 * limits on a chunk-size line and on the trailer section. */
int http_chunked_decode(struct http_chunked *ch, char *buf, size_t *rpos, size_t len, size_t *wpos,
                        uint64_t max_body)
{
    size_t r = *rpos, w = *wpos;
    int rc = 0;
    while (rc == 0 && r < len && ch->state != CH_DONE) {
        if (ch->state == CH_DATA) {
            size_t n = len - r;
            if (n > ch->remaining)
                n = (size_t)ch->remaining;
            memmove(buf + w, buf + r, n);
            w += n;
            r += n;
            ch->remaining -= n;
            if (ch->remaining == 0)
                ch->state = CH_DATA_CR;
            continue;
        }
        unsigned char c = (unsigned char)buf[r++];
        if (ch->state <= CH_EXT && ++ch->line > MAX_CHUNK_LINE) {
            rc = -400;
            break;
        }
        rc = framing_byte(ch, c, max_body);
        if (ch->state >= CH_TRAILER0 && ++ch->trailer > MAX_TRAILER_BYTES)
            rc = -400;
    }
    *rpos = r;
    *wpos = w;
    if (rc < 0)
        return rc;
    return ch->state == CH_DONE ? 1 : 0;
}
