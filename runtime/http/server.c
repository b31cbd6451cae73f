/* SPDX-License-Identifier: ISC */
/* The HTTP/1.1 server: one state machine per connection on the event loop.
 *
 *   HEAD -> BODY -> DISPATCH -> WRITE -> HEAD ...      (keep-alive)
 *                                     -> LINGER -> closed
 *
 * Requests are read into a per-connection buffer and parsed in place
 * (parser.c); the application gets the exchange and finishes it now or
 * later; the response head is formatted into a second buffer and goes
 * out with the body in one gathered write (mi_tcp_writev), the body
 * straight from where it lives (a store image: never copied). While
 * a request is with the application or its response is being written,
 * the connection reads nothing more: pipelined requests wait in the
 * buffer or in the socket (backpressure), and are answered in order.
 *
 * Every entry point (socket callbacks, timer, a late mi_http_finish)
 * marks the connection busy, so that nothing frees it underneath; a
 * connection closed meanwhile is freed on the way out (leave()). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <mirari/http.h>
#include <mirari/log.h>
#include <mirari/loop.h>
#include <mirari/net.h>

#include "http/buf.h"
#include "http/conn.h"
#include "http/date.h"
#include "http/decimal.h"
#include "http/parser.h"

#define IN_INITIAL  1024
#define LINGER_NS   (2 * MI_NSEC_PER_SEC)
#define CHUNK_SLACK 16384 /* chunk-size lines and trailers in flight */
/* Requests answered for one connection before the others get a turn: a
 * client pipelining without end must not keep the loop to itself. */
#define MAX_PER_TURN 64

struct mi_http_server {
    mi_tcp *listener;
    mi_http_dispatch_fn fn;
    struct mi_http_limits lim;
    struct http_parse_limits plim;
    struct http_conn *conns;
    size_t nconns;
    bool closing;
    const struct http_transport *tr; /* NULL: plain TCP */
    void *tr_ctx;
};

static struct mi_http_stats stats;

const struct mi_http_stats *mi_http_stats(void)
{
    return &stats;
}

void mi_http_default_limits(struct mi_http_limits *l)
{
    *l = (struct mi_http_limits){
        .max_header_bytes = 16 * 1024,
        .max_uri_bytes = 8 * 1024,
        .max_body_bytes = 1024 * 1024,
        .idle_timeout_ns = 30 * MI_NSEC_PER_SEC,
        .request_timeout_ns = 10 * MI_NSEC_PER_SEC,
        .max_connections = 10000,
    };
}

static void run(struct http_conn *c);
static void on_timer(mi_timer *t, void *arg);

/* ---- the transport: TCP as is, or through s->tr ---- */

static ssize_t conn_read(struct http_conn *c, void *buf, size_t cap)
{
    return c->tr != NULL ? c->srv->tr->read(c->tr, buf, cap) : mi_tcp_read(c->tcp, buf, cap);
}

static ssize_t conn_writev(struct http_conn *c, const struct mi_iovec *iov, int n)
{
    return c->tr != NULL ? c->srv->tr->writev(c->tr, iov, n) : mi_tcp_writev(c->tcp, iov, n);
}

static void conn_shutdown(struct http_conn *c)
{
    if (c->tr != NULL)
        c->srv->tr->shutdown(c->tr);
    else
        mi_tcp_shutdown(c->tcp);
}

/* ---- lifetime ---- */

static void server_free_if_done(struct mi_http_server *s)
{
    if (s->closing && s->nconns == 0) {
        if (s->tr != NULL)
            s->tr->release(s->tr_ctx);
        free(s);
    }
}

static void conn_free(struct http_conn *c)
{
    struct mi_http_server *s = c->srv;
    mi_timer_stop(&c->timer);
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    free(c->in.p);
    free(c->out.p);
    free(c->hdr.p);
    free(c->body.p);
    free(c);
    s->nconns--;
    stats.conns_active--;
    server_free_if_done(s);
}

/* Release the socket now; the memory goes when nobody uses it any more. */
static void conn_close(struct http_conn *c, bool abort)
{
    if (c->tr != NULL) {
        c->srv->tr->close(c->tr, abort); /* closes c->tcp too */
        c->tr = NULL;
        c->tcp = NULL;
    } else if (c->tcp != NULL) {
        mi_tcp_close(c->tcp, abort);
        c->tcp = NULL;
    }
    mi_timer_stop(&c->timer);
    c->closed = true;
    if (!c->busy && !c->x.active && !c->deferred)
        conn_free(c);
}

/* Leave an entry point: false when the connection is gone. */
static bool leave(struct http_conn *c)
{
    c->busy = false;
    if (c->closed && !c->x.active && !c->deferred) {
        conn_free(c);
        return false;
    }
    return true;
}

/* The timer is re-armed lazily: moving the deadline later (the common
 * case, once per request) only records it, and the timer puts itself
 * forward when it fires early. */
static void set_deadline(struct http_conn *c, uint64_t deadline)
{
    c->deadline = deadline;
    if (deadline != UINT64_MAX && (!mi_timer_armed(&c->timer) || c->timer.deadline > deadline))
        mi_timer_at(&c->timer, deadline);
}

/* ---- output ---- */

static int write_blocked(struct http_conn *c, ssize_t n)
{
    if (n == -EAGAIN || n == 0) {
        /* The client has to make progress reading within idle_timeout. */
        set_deadline(c, mi_now() + c->srv->lim.idle_timeout_ns);
        return 0;
    }
    stats.write_errors++;
    mi_debug("http: write failed (%zd), closing", n);
    conn_close(c, true);
    return -1;
}

/* Send what is queued: the head from c->out, then the body from where it
 * lives, in one gathered write when both are pending. 1 all sent, 0
 * waiting for on_writable, -1 closed. */
static int flush(struct http_conn *c)
{
    while (c->out_sent < c->out.len || c->tail_len > 0) {
        size_t head = c->out.len - c->out_sent;
        struct mi_iovec iov[2] = {{c->out.p + c->out_sent, head}, {c->tail, c->tail_len}};
        /* A store's body goes by reference on plain TCP (mi_tcp_write_ref:
         * the stack sends it from the store image, no copy), after the
         * head; both are in the send queue before anything goes out. */
        bool by_ref = c->tail_lives && c->tr == NULL;
        ssize_t n;
        if (head > 0 && c->tail_len > 0 && !by_ref)
            n = conn_writev(c, iov, 2);
        else if (head > 0)
            n = conn_writev(c, iov, 1);
        else if (by_ref)
            n = mi_tcp_write_ref(c->tcp, c->tail, c->tail_len);
        else
            n = conn_writev(c, iov + 1, 1);
        if (n <= 0)
            return write_blocked(c, n);
        size_t k = (size_t)n < head ? (size_t)n : head;
        c->out_sent += k;
        if ((size_t)n > k) {
            c->tail += (size_t)n - k;
            c->tail_len -= (size_t)n - k;
        }
    }
    c->out.len = c->out_sent = 0;
    return 1;
}

static char *put(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

#define PUT_LIT(p, s) put(p, s, sizeof(s) - 1)

/* Format the response the exchange describes into c->out (after any
 * 100 Continue still queued) and point c->tail at a large body. */
static int build_response(struct http_conn *c)
{
    mi_http_exchange *x = &c->x;
    int status = x->status;
    if (status < 200 || status > 599)
        status = 500;
    const char *body = x->body_is_ref ? x->ref : c->body.p;
    size_t blen = x->body_is_ref ? x->ref_len : c->body.len;
    /* 204 and 304 have no body and no length (RFC 9110 §15.3.5, §15.4.5);
     * a HEAD response has the length without the body (§9.3.2). */
    bool bodiless = status == 204 || status == 304;
    bool send_body = !bodiless && c->req.method_id != HTTP_HEAD && blen > 0;
    x->close |= !c->req.keep_alive || c->peer_eof || c->srv->closing;

    const char *reason = mi_http_reason(status);
    size_t rlen = strlen(reason);
    if (http_buf_reserve(&c->out, 160 + rlen + c->hdr.len) < 0)
        return -1;
    char *p = c->out.p + c->out.len;
    p = PUT_LIT(p, "HTTP/1.1 ");
    p = http_put_u64(p, (uint64_t)status);
    *p++ = ' ';
    p = put(p, reason, rlen);
    p = PUT_LIT(p, "\r\nServer: mirari\r\nDate: ");
    p = put(p, http_date_now(), HTTP_DATE_LEN);
    p = PUT_LIT(p, "\r\n");
    if (c->hdr.len > 0)
        p = put(p, c->hdr.p, c->hdr.len);
    if (!bodiless) {
        p = PUT_LIT(p, "Content-Length: ");
        p = http_put_u64(p, blen);
        p = PUT_LIT(p, "\r\n");
    }
    if (x->close)
        p = PUT_LIT(p, "Connection: close\r\n");
    else if (c->req.minor == 0)
        p = PUT_LIT(p, "Connection: keep-alive\r\n");
    p = PUT_LIT(p, "\r\n");
    if (send_body) {
        c->tail = body;
        c->tail_len = blen;
        c->tail_lives = x->body_is_ref && x->ref_lives;
    }
    c->out.len = (size_t)(p - c->out.p);

    switch (status / 100) {
    case 2:
        stats.responses_2xx++;
        break;
    case 3:
        stats.responses_3xx++;
        break;
    case 4:
        stats.responses_4xx++;
        break;
    default:
        stats.responses_5xx++;
        break;
    }
    return 0;
}

/* After the final response of a connection: FIN, then read and drop what
 * the client still sends for a moment, so that closing with unread data
 * does not reset the connection and destroy the response in flight. */
static void drain(struct http_conn *c)
{
    static char sink[4096];
    for (;;) {
        ssize_t n = conn_read(c, sink, sizeof sink);
        if (n == -EAGAIN)
            return;
        if (n <= 0) {
            conn_close(c, n < 0);
            return;
        }
    }
}

static void linger(struct http_conn *c)
{
    c->state = CONN_LINGER;
    if (c->peer_eof) {
        conn_close(c, false);
        return;
    }
    conn_shutdown(c);
    set_deadline(c, mi_now() + LINGER_NS);
    drain(c);
}

/* The response is out: drop the request from the buffer and go back to
 * reading, or end the connection. */
static void response_done(struct http_conn *c)
{
    c->tail = NULL;
    c->tail_len = 0;
    if (c->x.close) {
        linger(c);
        return;
    }
    size_t used = c->body_end;
    memmove(c->in.p, c->in.p + used, c->in.len - used);
    c->in.len -= used;
    c->scanned = 0;
    c->head_len = c->body_end = 0;
    c->state = CONN_HEAD;
    /* Pipelined bytes already here start the next request's clock. */
    c->req_started = c->in.len > 0;
    set_deadline(c, mi_now() + (c->req_started ? c->srv->lim.request_timeout_ns
                                               : c->srv->lim.idle_timeout_ns));
}

void http_conn_respond(struct http_conn *c)
{
    bool outer = !c->busy; /* a late finish, not from inside the dispatch */
    c->busy = true;
    c->x.active = false;
    if (!c->closed) {
        if (build_response(c) < 0) {
            mi_debug("http: out of memory for a response, closing");
            conn_close(c, true);
        } else {
            c->state = CONN_WRITE;
            if (flush(c) > 0)
                response_done(c);
        }
    }
    if (outer && leave(c)) {
        c->busy = true;
        run(c);
        leave(c);
    }
}

void http_conn_error(struct http_conn *c, int status)
{
    mi_http_exchange *x = &c->x;
    const char *reason = mi_http_reason(status);
    x->status = status;
    http_buf_header(&c->hdr, "Content-Type", 12, "text/plain; charset=utf-8", 25);
    x->body_is_ref = false;
    c->body.len = 0;
    http_buf_put(&c->body, reason, strlen(reason));
    http_buf_put(&c->body, "\n", 1);
    if (x->active) /* already finished: ignored, as by mi_http_finish */
        http_conn_respond(c);
}

/* Answer a request the server refuses itself, and close after it. */
static void refuse(struct http_conn *c, int status, const char *why)
{
    mi_debug("http: %d %s (%s)", status, mi_http_reason(status), why ? why : "");
    mi_http_exchange *x = &c->x;
    *x = (mi_http_exchange){.c = c, .status = status, .active = true, .close = true};
    c->hdr.len = 0;
    c->body.len = 0;
    c->state = CONN_DISPATCH;
    http_conn_error(c, status);
}

/* ---- input ---- */

static void dispatch(struct http_conn *c)
{
    stats.requests++;
    c->served++;
    c->state = CONN_DISPATCH;
    c->deadline = UINT64_MAX; /* the application takes its time */
    mi_http_exchange *x = &c->x;
    *x = (mi_http_exchange){.c = c, .status = 200, .active = true};
    c->hdr.len = 0;
    c->body.len = 0;
    c->srv->fn(x);
}

static void send_continue(struct http_conn *c)
{
    static const char line[] = "HTTP/1.1 100 Continue\r\n\r\n";
    stats.responses_1xx++;
    if (http_buf_put(&c->out, line, sizeof line - 1) == 0)
        flush(c);
}

/* A complete head of head_len bytes: set up reading the body. */
static void head_done(struct http_conn *c, size_t head_len)
{
    const struct http_request *r = &c->req;
    uint64_t max_body = c->srv->lim.max_body_bytes;
    c->head_len = c->body_end = head_len;
    if (r->chunked) {
        c->chunk = (struct http_chunked){0};
        c->chunk_r = head_len;
    } else if (r->content_length > max_body) {
        stats.body_too_large++;
        refuse(c, 413, "Content-Length beyond max_body_bytes");
        return;
    } else if (r->content_length == 0) {
        dispatch(c);
        return;
    } else {
        /* Room for the whole body at once: it is handed over contiguous. */
        size_t need = head_len + (size_t)r->content_length;
        if (need > c->in.cap && http_buf_reserve(&c->in, need - c->in.len) < 0) {
            refuse(c, 500, "out of memory for the body");
            return;
        }
    }
    c->state = CONN_BODY;
    /* RFC 9110 §10.1.1: ask for the body only when it is not already
     * on its way. */
    if (r->expect_continue && c->in.len == head_len)
        send_continue(c);
}

static void head_refused(struct http_conn *c, long status)
{
    switch (status) {
    case 400:
        if (c->req.framing_error)
            stats.bad_framing++;
        else
            stats.bad_syntax++;
        break;
    case 413:
        stats.body_too_large++;
        break;
    case 414:
        stats.uri_too_long++;
        break;
    case 417:
        stats.bad_expectation++;
        break;
    case 431:
        stats.header_too_large++;
        break;
    case 501:
        stats.not_implemented++;
        break;
    case 505:
        stats.bad_version++;
        break;
    default:
        break;
    }
    refuse(c, (int)status, c->req.error);
}

/* Make progress with what is buffered. true when something happened (the
 * state may have changed), false when more input is needed. */
static bool advance(struct http_conn *c)
{
    if (c->state == CONN_HEAD) {
        if (c->in.len == 0)
            return false;
        /* Parse again only when a line may have ended: a slow client
         * sending a byte at a time does not make us rescan its head. */
        size_t max_head = c->srv->plim.max_header_bytes;
        bool new_line = memchr(c->in.p + c->scanned, '\n', c->in.len - c->scanned) != NULL;
        bool first = c->scanned == 0;
        c->scanned = c->in.len;
        if (!new_line && !first && c->in.len <= max_head)
            return false;
        long rc = http_parse_head(c->in.p, c->in.len, &c->srv->plim, &c->req);
        if (rc < 0) {
            head_refused(c, -rc);
            return true;
        }
        if (rc == 0) {
            if (!c->req_started) {
                c->req_started = true;
                set_deadline(c, mi_now() + c->srv->lim.request_timeout_ns);
            }
            return false;
        }
        head_done(c, (size_t)rc);
        return true;
    }
    /* CONN_BODY */
    if (!c->req.chunked) {
        if (c->in.len - c->head_len < c->req.content_length)
            return false;
        c->body_end = c->head_len + (size_t)c->req.content_length;
        dispatch(c);
        return true;
    }
    size_t r = c->chunk_r, w = c->body_end;
    int rc = http_chunked_decode(&c->chunk, c->in.p, &r, c->in.len, &w, c->srv->lim.max_body_bytes);
    if (rc < 0) {
        if (rc == -413) {
            stats.body_too_large++;
            refuse(c, 413, "chunked body beyond max_body_bytes");
        } else {
            stats.bad_framing++;
            refuse(c, 400, "bad chunked framing");
        }
        return true;
    }
    /* Drop the chunk framing consumed: the decoded body ends at w, what
     * follows the body (pipelined requests) moves down behind it. */
    memmove(c->in.p + w, c->in.p + r, c->in.len - r);
    c->in.len -= r - w;
    c->chunk_r = c->body_end = w;
    if (rc == 0)
        return false;
    dispatch(c);
    return true;
}

/* Read more input. true when there is something new to look at. */
static bool read_some(struct http_conn *c)
{
    const struct mi_http_limits *lim = &c->srv->lim;
    if (c->peer_eof) {
        /* Nothing more will come: a partial request can never complete. */
        if (c->in.len > 0 || c->state == CONN_BODY) {
            stats.incomplete_eof++;
            mi_debug("http: client closed in the middle of a request");
        }
        conn_close(c, false);
        return false;
    }
    if (c->in.len == c->in.cap) {
        size_t limit;
        if (c->state == CONN_HEAD)
            limit = c->srv->plim.max_header_bytes + 1;
        else
            limit = c->head_len + lim->max_body_bytes + CHUNK_SLACK;
        size_t want = c->in.cap == 0 ? IN_INITIAL : 2 * c->in.cap;
        if (want > limit)
            want = limit;
        if (want <= c->in.cap || http_buf_reserve(&c->in, want - c->in.len) < 0) {
            /* Unreachable with the parser's own limits; be safe anyway. */
            refuse(c, c->state == CONN_HEAD ? 431 : 413, "input buffer full");
            return false;
        }
    }
    ssize_t n = conn_read(c, c->in.p + c->in.len, c->in.cap - c->in.len);
    if (n > 0) {
        c->in.len += (size_t)n;
        return true;
    }
    if (n == -EAGAIN)
        return false;
    if (n == 0) {
        c->peer_eof = true;
        return true;
    }
    stats.read_errors++;
    mi_debug("http: read failed (%zd), closing", n);
    conn_close(c, true);
    return false;
}

static void resume(void *arg)
{
    struct http_conn *c = arg;
    c->deferred = false;
    c->busy = true;
    run(c);
    leave(c);
}

/* Read and answer requests until the connection has to wait, or has had
 * its turn: then the rest waits for a deferred call, after the others. */
static void run(struct http_conn *c)
{
    c->served = 0;
    while (!c->closed && (c->state == CONN_HEAD || c->state == CONN_BODY)) {
        if (c->served >= MAX_PER_TURN && !c->deferred) {
            if (mi_defer(resume, c) == 0) {
                c->deferred = true;
                return;
            }
        }
        if (advance(c))
            continue;
        if (!read_some(c))
            break;
    }
}

/* ---- callbacks ---- */

static void on_readable(mi_tcp *t, void *arg)
{
    struct http_conn *c = arg;
    if (c->busy || c->deferred)
        return; /* the queued resume reads */
    c->busy = true;
    if (c->state == CONN_LINGER)
        drain(c);
    else
        run(c); /* DISPATCH and WRITE read nothing: backpressure */
    leave(c);
}

static void on_writable(mi_tcp *t, void *arg)
{
    struct http_conn *c = arg;
    if (c->busy)
        return;
    c->busy = true;
    if (c->state == CONN_WRITE) {
        if (flush(c) > 0) {
            response_done(c);
            run(c);
        }
    } else if (c->out.len > c->out_sent) {
        flush(c); /* a 100 Continue that did not fit at once */
    }
    leave(c);
}

static void on_timer(mi_timer *t, void *arg)
{
    struct http_conn *c = arg;
    if (c->closed || c->busy || c->deadline == UINT64_MAX)
        return;
    if (mi_now() < c->deadline) {
        mi_timer_at(&c->timer, c->deadline);
        return;
    }
    c->busy = true;
    switch (c->state) {
    case CONN_HEAD:
    case CONN_BODY:
        if (c->state == CONN_HEAD && !c->req_started) {
            stats.timeouts_idle++;
            mi_debug("http: idle connection closed");
            conn_close(c, false);
        } else {
            stats.timeouts_request++;
            refuse(c, 408, "request not complete in time");
        }
        break;
    case CONN_WRITE:
        stats.timeouts_write++;
        mi_debug("http: client stopped reading its response, closing");
        conn_close(c, true);
        break;
    case CONN_LINGER:
        conn_close(c, false);
        break;
    case CONN_DISPATCH:
        break;
    }
    leave(c);
}

static const struct mi_tcp_callbacks conn_callbacks = {
    .on_readable = on_readable,
    .on_writable = on_writable,
};

static void on_accept(mi_tcp *listener, mi_tcp *t, void *arg)
{
    struct mi_http_server *s = arg;
    struct http_conn *c = NULL;
    if (!s->closing && s->nconns < s->lim.max_connections)
        c = calloc(1, sizeof *c);
    if (c == NULL) {
        stats.conns_refused++;
        mi_debug("http: connection refused (%zu open)", s->nconns);
        mi_tcp_close(t, true);
        return;
    }
    stats.conns_accepted++;
    stats.conns_active++;
    c->srv = s;
    c->tcp = t;
    c->state = CONN_HEAD;
    c->next = s->conns;
    if (s->conns != NULL)
        s->conns->prev = c;
    s->conns = c;
    s->nconns++;
    mi_timer_init(&c->timer, on_timer, c);
    /* A connection that says nothing is dropped after idle_timeout, as
     * a kept-alive one between requests: the request's clock starts with
     * its first byte. Under heavy loss the request may come late: at 20%
     * loss both ways a client whose SYN-ACK came by retransmission takes
     * its RTT for a second, and two lost copies of its GET took it past
     * 10 s (issue 12). With TLS the handshake is part of the request:
     * request_timeout from the start. */
    set_deadline(c,
                 mi_now() + (s->tr != NULL ? s->lim.request_timeout_ns : s->lim.idle_timeout_ns));
    if (s->tr != NULL) {
        c->tr = s->tr->accept(s->tr_ctx, t, &conn_callbacks, c);
        if (c->tr == NULL) {
            stats.conns_refused++;
            mi_debug("http: no memory for the connection's transport, refused");
            conn_close(c, true);
            return;
        }
    } else {
        mi_tcp_set_callbacks(t, &conn_callbacks, c);
    }
    /* Data may have come with the connection. */
    c->busy = true;
    run(c);
    leave(c);
}

static const struct mi_tcp_callbacks listen_callbacks = {.on_accept = on_accept};

mi_http_server *mi_http_serve(mi_ipv4 addr, uint16_t port, mi_http_dispatch_fn fn,
                              const struct mi_http_limits *limits, int *err)
{
    return http_serve_on(addr, port, fn, limits, NULL, NULL, err);
}

mi_http_server *http_serve_on(mi_ipv4 addr, uint16_t port, mi_http_dispatch_fn fn,
                              const struct mi_http_limits *limits, const struct http_transport *tr,
                              void *ctx, int *err)
{
    struct mi_http_server *s = calloc(1, sizeof *s);
    if (s == NULL || fn == NULL) {
        free(s);
        *err = s == NULL ? -ENOMEM : -EINVAL;
        return NULL;
    }
    struct mi_http_limits def;
    mi_http_default_limits(&def);
    s->lim = limits != NULL ? *limits : def;
    /* Zero means "the default" for every limit. */
    if (s->lim.max_header_bytes == 0)
        s->lim.max_header_bytes = def.max_header_bytes;
    if (s->lim.max_uri_bytes == 0)
        s->lim.max_uri_bytes = def.max_uri_bytes;
    if (s->lim.max_body_bytes == 0)
        s->lim.max_body_bytes = def.max_body_bytes;
    if (s->lim.idle_timeout_ns == 0)
        s->lim.idle_timeout_ns = def.idle_timeout_ns;
    if (s->lim.request_timeout_ns == 0)
        s->lim.request_timeout_ns = def.request_timeout_ns;
    if (s->lim.max_connections == 0)
        s->lim.max_connections = def.max_connections;
    s->plim.max_header_bytes = s->lim.max_header_bytes < HTTP_MAX_HEAD_BYTES
                                   ? s->lim.max_header_bytes
                                   : HTTP_MAX_HEAD_BYTES;
    s->plim.max_uri_bytes = s->lim.max_uri_bytes;
    s->fn = fn;
    s->tr = tr;
    s->tr_ctx = ctx;
    s->listener = mi_tcp_listen(addr, port, &listen_callbacks, s, err);
    if (s->listener == NULL) {
        free(s);
        return NULL;
    }
    return s;
}

void mi_http_server_close(mi_http_server *s)
{
    if (s == NULL || s->closing)
        return;
    s->closing = true;
    mi_tcp_close(s->listener, false);
    s->listener = NULL;
    /* Hold the server while closing its connections: the last one to go
     * would free it under the loop. */
    s->nconns++;
    struct http_conn *c = s->conns, *next;
    for (; c != NULL; c = next) {
        next = c->next;
        if (!c->closed)
            conn_close(c, false);
    }
    s->nconns--;
    server_free_if_done(s);
}
