/* SPDX-License-Identifier: ISC */
/* HTTPS: a TLS transport (conn.h's http_transport) between the TCP
 * connection and the HTTP connection machine, on BearSSL's server engine.
 *
 * The engine is a state machine with four buffers (BearSSL's "I/O API",
 * bearssl_ssl.h): records to send (SENDREC), room for records received
 * (RECVREC), application data received (RECVAPP), room for application
 * data to send (SENDAPP). pump() moves records between the engine and TCP
 * until neither side can move; the HTTP side reads RECVAPP and writes
 * SENDAPP through tls_read and tls_writev. The engine stops taking
 * records while decrypted data waits for HTTP, so a connection HTTP does
 * not read closes its TCP window as a plain one does (backpressure).
 *
 * Protocol: TLS 1.2 only, ECDHE key exchange (forward secrecy) with
 * AES-128/256-GCM or ChaCha20-Poly1305, signed by the certificate's RSA
 * or ECDSA key (RFC 5289, RFC 7905); the client's order of preference
 * wins (BearSSL's default). Sessions are resumed by session ID from one
 * fixed LRU cache per server (RFC 5246 §7.3).
 *
 * Randomness: the engine's HMAC-DRBG is seeded from the image's DRBG
 * (platform/include/rng.h), never from BearSSL's own system seeder
 * (/dev/urandom or RDRAND), which has no meaning in a kernel. Without a
 * real entropy source the server refuses to start.
 *
 * AES: BearSSL picks AES-NI and PCLMULQDQ at run time when the CPU has
 * them, else its constant-time portable code (aes_ct64, ghash_ctmul64).
 * That is safe in the kernel targets as well: boot.S enables SSE (CR4.OSFXSR,
 * OSXMMEXCPT) for application code, and the kernel's traps and system calls
 * are built with -mgeneral-regs-only, so nothing between two instructions of
 * the application changes an XMM register. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <bearssl.h>

#include <mirari/http.h>
#include <mirari/log.h>
#include <mirari/loop.h>
#include <mirari/net.h>

#include "http/conn.h"
#include "rng.h"

#define MAX_CHAIN 8
/* Sessions kept for resumption: a cache entry is 100 bytes. */
#define SESSION_CACHE_BYTES (100 * 1024)
/* A connection HTTP closed with records still queued is kept this long
 * for them to leave. */
#define FLUSH_NS (5 * MI_NSEC_PER_SEC)

static const uint16_t suites_rsa[] = {
    BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
};
static const uint16_t suites_ec[] = {
    BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
};

/* One per server: credentials decoded once, the session cache. */
struct tls_config {
    br_x509_certificate chain[MAX_CHAIN];
    size_t nchain;
    br_skey_decoder_context key; /* holds the decoded key's bytes */
    int key_type;                /* BR_KEYTYPE_RSA or BR_KEYTYPE_EC */
    size_t refs;                 /* the server and each connection */
    br_ssl_session_cache_lru cache;
    unsigned char cache_buf[SESSION_CACHE_BYTES];
};

struct tls_conn {
    br_ssl_server_context sc;
    struct tls_config *cfg;
    mi_tcp *tcp;
    const struct mi_tcp_callbacks *up; /* HTTP's callbacks */
    void *up_arg;                      /* NULL once HTTP let go */
    mi_timer timer;                    /* the last flush after HTTP let go */
    bool tcp_eof;
    bool failed;        /* TCP failed: nothing more goes either way */
    bool want_shutdown; /* FIN after the queued records */
    bool shut;
    bool handshake_logged;
    bool want_write; /* HTTP waits for on_writable */
    bool in_up;      /* inside HTTP's callbacks */
    unsigned char buf[BR_SSL_BUFSIZE_BIDI];
};

/* ---- the record pump ---- */

/* Move records between the engine and TCP until neither moves. */
static void pump(struct tls_conn *tc)
{
    br_ssl_engine_context *eng = &tc->sc.eng;
    while (!tc->failed) {
        unsigned st = br_ssl_engine_current_state(eng);
        size_t len;
        if (st & BR_SSL_SENDREC) {
            unsigned char *p = br_ssl_engine_sendrec_buf(eng, &len);
            ssize_t n = mi_tcp_write(tc->tcp, p, len);
            if (n > 0) {
                br_ssl_engine_sendrec_ack(eng, (size_t)n);
                continue;
            }
            if (n != -EAGAIN && n != 0)
                tc->failed = true;
            /* else: on_writable follows; records may still come in */
        }
        if ((st & BR_SSL_RECVREC) && !tc->tcp_eof) {
            unsigned char *p = br_ssl_engine_recvrec_buf(eng, &len);
            ssize_t n = mi_tcp_read(tc->tcp, p, len);
            if (n > 0) {
                br_ssl_engine_recvrec_ack(eng, (size_t)n);
                continue;
            }
            if (n == 0)
                tc->tcp_eof = true;
            else if (n != -EAGAIN)
                tc->failed = true;
        }
        break;
    }
    if (!tc->handshake_logged && (br_ssl_engine_current_state(eng) & BR_SSL_SENDAPP)) {
        tc->handshake_logged = true;
        br_ssl_session_parameters sp;
        br_ssl_engine_get_session_parameters(eng, &sp);
        mi_debug("tls: handshake done, cipher suite 0x%04x", sp.cipher_suite);
        explicit_bzero(&sp, sizeof sp); /* the master secret */
    }
    if (tc->want_shutdown && !tc->shut && !tc->failed &&
        !(br_ssl_engine_current_state(eng) & BR_SSL_SENDREC)) {
        tc->shut = true;
        mi_tcp_shutdown(tc->tcp);
    }
}

static void config_release(void *ctx)
{
    struct tls_config *cfg = ctx;
    if (--cfg->refs > 0)
        return;
    /* The private key and the cached master secrets. */
    explicit_bzero(cfg, sizeof *cfg);
    free(cfg);
}

static void conn_free(struct tls_conn *tc)
{
    mi_timer_stop(&tc->timer);
    if (tc->tcp != NULL)
        mi_tcp_close(tc->tcp, tc->failed);
    struct tls_config *cfg = tc->cfg;
    /* The engine holds session keys, the buffer plaintext: wiped. */
    explicit_bzero(tc, sizeof *tc);
    free(tc);
    config_release(cfg);
}

/* After HTTP let go: free once the records queued have left, else
 * wait for them a while (the flush timer). */
static void after_release(struct tls_conn *tc)
{
    if (tc->failed || !(br_ssl_engine_current_state(&tc->sc.eng) & BR_SSL_SENDREC))
        conn_free(tc);
    else if (!mi_timer_armed(&tc->timer))
        mi_timer_after(&tc->timer, FLUSH_NS);
}

/* Tell HTTP what it may do now. HTTP may close the connection in either
 * callback: tls_close then only marks it (in_up), and it is released on
 * the way out. */
static void call_up(struct tls_conn *tc, mi_tcp *t, bool readable)
{
    unsigned st = br_ssl_engine_current_state(&tc->sc.eng);
    /* A write HTTP could not finish: room again (or the end). */
    bool writable = tc->want_write && (st & (BR_SSL_SENDAPP | BR_SSL_CLOSED));
    if (writable)
        tc->want_write = false;
    tc->in_up = true;
    if (readable && tc->up_arg != NULL)
        tc->up->on_readable(t, tc->up_arg);
    if (writable && tc->up_arg != NULL)
        tc->up->on_writable(t, tc->up_arg);
    tc->in_up = false;
    if (tc->up_arg == NULL)
        after_release(tc);
}

static void on_tcp_readable(mi_tcp *t, void *arg)
{
    struct tls_conn *tc = arg;
    pump(tc);
    /* HTTP reads through tls_read: decrypted data, EOF or an error. */
    call_up(tc, t, true);
}

static void on_tcp_writable(mi_tcp *t, void *arg)
{
    struct tls_conn *tc = arg;
    pump(tc);
    call_up(tc, t, false);
}

static void on_flush_timeout(mi_timer *t, void *arg)
{
    struct tls_conn *tc = arg;
    tc->failed = true;
    conn_free(tc);
}

static const struct mi_tcp_callbacks tcp_callbacks = {
    .on_readable = on_tcp_readable,
    .on_writable = on_tcp_writable,
};

/* ---- the transport ---- */

/* The error the engine ended with, logged once, as a read/write result. */
static ssize_t engine_end(struct tls_conn *tc)
{
    int err = br_ssl_engine_last_error(&tc->sc.eng);
    if (err == BR_ERR_OK)
        return 0; /* close_notify */
    mi_debug("tls: connection failed (BearSSL error %d)", err);
    return -ECONNRESET;
}

static ssize_t tls_read(void *arg, void *buf, size_t cap)
{
    struct tls_conn *tc = arg;
    br_ssl_engine_context *eng = &tc->sc.eng;
    pump(tc);
    size_t len;
    unsigned char *p = br_ssl_engine_recvapp_buf(eng, &len);
    if (p != NULL) {
        if (len > cap)
            len = cap;
        memcpy(buf, p, len);
        br_ssl_engine_recvapp_ack(eng, len);
        pump(tc); /* room for the records waiting in TCP */
        return (ssize_t)len;
    }
    if (br_ssl_engine_current_state(eng) == BR_SSL_CLOSED)
        return engine_end(tc);
    if (tc->failed)
        return -ECONNRESET;
    if (tc->tcp_eof) {
        /* TCP ended without close_notify: a truncation (RFC 5246 §7.2.1);
         * for HTTP with its own framing it is an end of stream. */
        return 0;
    }
    return -EAGAIN;
}

static ssize_t tls_writev(void *arg, const struct mi_iovec *iov, int n)
{
    struct tls_conn *tc = arg;
    br_ssl_engine_context *eng = &tc->sc.eng;
    size_t done = 0;
    /* Copy the pieces into the engine's buffer, a record at a time. */
    int i = 0;
    size_t off = 0;
    while (i < n && !tc->failed) {
        if (off == iov[i].len) {
            i++;
            off = 0;
            continue;
        }
        size_t room;
        unsigned char *p = br_ssl_engine_sendapp_buf(eng, &room);
        if (p == NULL) {
            br_ssl_engine_flush(eng, 0);
            pump(tc);
            p = br_ssl_engine_sendapp_buf(eng, &room);
            if (p == NULL)
                break;
        }
        size_t k = iov[i].len - off;
        if (k > room)
            k = room;
        memcpy(p, (const unsigned char *)iov[i].base + off, k);
        br_ssl_engine_sendapp_ack(eng, k);
        off += k;
        done += k;
    }
    if (done > 0) {
        br_ssl_engine_flush(eng, 0);
        pump(tc);
        return (ssize_t)done;
    }
    if (tc->failed)
        return -ECONNRESET;
    if (br_ssl_engine_current_state(eng) == BR_SSL_CLOSED)
        return -EPIPE;
    tc->want_write = true;
    return -EAGAIN;
}

static void tls_shutdown(void *arg)
{
    struct tls_conn *tc = arg;
    br_ssl_engine_close(&tc->sc.eng); /* close_notify */
    tc->want_shutdown = true;
    pump(tc);
}

static void tls_close(void *arg, bool abort)
{
    struct tls_conn *tc = arg;
    tc->up_arg = NULL;
    if (abort)
        tc->failed = true;
    else
        pump(tc);
    if (!tc->in_up)
        after_release(tc);
}

static void *tls_accept(void *ctx, mi_tcp *t, const struct mi_tcp_callbacks *cb, void *arg);

static const struct http_transport tls_transport = {
    .accept = tls_accept,
    .release = config_release,
    .read = tls_read,
    .writev = tls_writev,
    .shutdown = tls_shutdown,
    .close = tls_close,
};

/* Set up the server engine: BearSSL's br_ssl_server_init_full_* with
 * only the suites above and TLS 1.2 (bearssl_ssl.h, "Server profiles"). */
static void engine_init(br_ssl_server_context *sc, struct tls_config *cfg)
{
    br_ssl_engine_context *eng = &sc->eng;
    br_ssl_server_zero(sc);
    br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
    /* No renegotiation: nothing needs it over HTTP/1.1, and a handshake
     * in the middle of a response would stall it. */
    br_ssl_engine_add_flags(eng, BR_OPT_NO_RENEGOTIATION);
    if (cfg->key_type == BR_KEYTYPE_RSA)
        br_ssl_engine_set_suites(eng, suites_rsa, sizeof suites_rsa / sizeof suites_rsa[0]);
    else
        br_ssl_engine_set_suites(eng, suites_ec, sizeof suites_ec / sizeof suites_ec[0]);
    br_ssl_engine_set_default_ec(eng);
    /* Hashes for the PRF, the handshake transcript and the signature of
     * ServerKeyExchange in the algorithm the client asks for. */
    br_ssl_engine_set_hash(eng, br_sha1_ID, &br_sha1_vtable);
    br_ssl_engine_set_hash(eng, br_sha224_ID, &br_sha224_vtable);
    br_ssl_engine_set_hash(eng, br_sha256_ID, &br_sha256_vtable);
    br_ssl_engine_set_hash(eng, br_sha384_ID, &br_sha384_vtable);
    br_ssl_engine_set_hash(eng, br_sha512_ID, &br_sha512_vtable);
    br_ssl_engine_set_prf_sha256(eng, &br_tls12_sha256_prf);
    br_ssl_engine_set_prf_sha384(eng, &br_tls12_sha384_prf);
    br_ssl_engine_set_default_aes_gcm(eng);
    br_ssl_engine_set_default_chapol(eng);
    if (cfg->key_type == BR_KEYTYPE_RSA)
        br_ssl_server_set_single_rsa(sc, cfg->chain, cfg->nchain,
                                     br_skey_decoder_get_rsa(&cfg->key), BR_KEYTYPE_SIGN,
                                     br_rsa_private_get_default(), br_rsa_pkcs1_sign_get_default());
    else
        br_ssl_server_set_single_ec(sc, cfg->chain, cfg->nchain, br_skey_decoder_get_ec(&cfg->key),
                                    BR_KEYTYPE_SIGN, BR_KEYTYPE_EC, br_ec_get_default(),
                                    br_ecdsa_sign_asn1_get_default());
    br_ssl_server_set_cache(sc, &cfg->cache.vtable);
}

static void *tls_accept(void *ctx, mi_tcp *t, const struct mi_tcp_callbacks *cb, void *arg)
{
    struct tls_config *cfg = ctx;
    struct tls_conn *tc = malloc(sizeof *tc);
    if (tc == NULL)
        return NULL;
    memset(tc, 0, offsetof(struct tls_conn, buf));
    engine_init(&tc->sc, cfg);
    br_ssl_engine_set_buffer(&tc->sc.eng, tc->buf, sizeof tc->buf, 1);
    /* Seed the engine's DRBG from ours; mark the system seeder as done so
     * that BearSSL does not open /dev/urandom or use RDRAND on its own
     * (rng_os_rand_done, bearssl_ssl.h: "some seeding from the OS or
     * hardware has been attempted"). */
    unsigned char seed[32];
    rng_bytes(seed, sizeof seed);
    br_ssl_engine_inject_entropy(&tc->sc.eng, seed, sizeof seed);
    explicit_bzero(seed, sizeof seed);
    tc->sc.eng.rng_os_rand_done = 1;
    if (!br_ssl_server_reset(&tc->sc)) {
        mi_debug("tls: engine reset failed (BearSSL error %d)",
                 br_ssl_engine_last_error(&tc->sc.eng));
        free(tc);
        return NULL;
    }
    tc->cfg = cfg;
    cfg->refs++;
    tc->tcp = t;
    tc->up = cb;
    tc->up_arg = arg;
    mi_timer_init(&tc->timer, on_flush_timeout, tc);
    mi_tcp_set_callbacks(t, &tcp_callbacks, tc);
    return tc;
}

/* ---- credentials ---- */

static int load_chain(struct tls_config *cfg, const unsigned char *p, size_t len)
{
    while (len > 0) {
        if (len < 3 || cfg->nchain == MAX_CHAIN)
            return -1;
        size_t n = (size_t)p[0] << 16 | (size_t)p[1] << 8 | p[2];
        if (n == 0 || n > len - 3)
            return -1;
        cfg->chain[cfg->nchain].data = (unsigned char *)(p + 3);
        cfg->chain[cfg->nchain].data_len = n;
        cfg->nchain++;
        p += 3 + n;
        len -= 3 + n;
    }
    return cfg->nchain > 0 ? 0 : -1;
}

static int load_key(struct tls_config *cfg, const unsigned char *p, size_t len)
{
    br_skey_decoder_init(&cfg->key);
    br_skey_decoder_push(&cfg->key, p, len);
    if (br_skey_decoder_last_error(&cfg->key) != 0)
        return -1;
    cfg->key_type = br_skey_decoder_key_type(&cfg->key);
    return cfg->key_type == BR_KEYTYPE_RSA || cfg->key_type == BR_KEYTYPE_EC ? 0 : -1;
}

mi_http_server *mi_https_serve(mi_ipv4 addr, uint16_t port, mi_http_dispatch_fn fn,
                               const struct mi_http_limits *limits, const mi_tls_creds *creds,
                               int *err)
{
    if (entropy_is_weak()) {
        *err = -EPERM;
        return NULL;
    }
    struct tls_config *cfg = calloc(1, sizeof *cfg);
    if (cfg == NULL) {
        *err = -ENOMEM;
        return NULL;
    }
    if (creds == NULL || load_chain(cfg, creds->chain, creds->chain_len) < 0 ||
        load_key(cfg, creds->key, creds->key_len) < 0) {
        free(cfg);
        *err = -EINVAL;
        return NULL;
    }
    br_ssl_session_cache_lru_init(&cfg->cache, cfg->cache_buf, sizeof cfg->cache_buf);
    cfg->refs = 1;
    mi_http_server *s = http_serve_on(addr, port, fn, limits, &tls_transport, cfg, err);
    if (s == NULL)
        config_release(cfg);
    return s;
}
