/* SPDX-License-Identifier: ISC */
/* tls-cert and tls-key, decoded and checked with BearSSL's PEM, X.509
 * and key decoders (the same library that serves them); see tls.h. */
#include "tls.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bearssl.h>

#include "util.h"

/* The image's limit (runtime/http/tls.c). */
#define MAX_CHAIN 8

void tls_blob_free(struct tls_blob *b)
{
    if (b->p != NULL)
        explicit_bzero(b->p, b->len);
    free(b->p);
    *b = (struct tls_blob){0};
}

static void blob_add(struct tls_blob *b, const void *data, size_t len)
{
    if (len == 0)
        return; /* an empty PEM object: data may be NULL */
    /* Not xrealloc: the old copy of a key would be left unwiped. */
    unsigned char *p = xmalloc(b->len + len);
    if (b->len > 0)
        memcpy(p, b->p, b->len);
    memcpy(p + b->len, data, len);
    size_t n = b->len + len;
    tls_blob_free(b);
    b->p = p;
    b->len = n;
}

static void append_der(void *ctx, const void *data, size_t len)
{
    blob_add(ctx, data, len);
}

typedef char *(*pem_fn)(void *ctx, const char *name, const struct tls_blob *der);

/* Call fn for each object of a PEM text; NULL or the first error. */
static char *pem_each(const char *pem, size_t len, pem_fn fn, void *ctx)
{
    br_pem_decoder_context pc;
    br_pem_decoder_init(&pc);
    struct tls_blob cur = {0};
    char name[128] = "";
    bool in_obj = false;
    char *err = NULL;
    /* A final newline ends an END line that lacks one. */
    for (int pass = 0; pass < 2 && err == NULL; pass++) {
        const char *p = pass == 0 ? pem : "\n";
        size_t left = pass == 0 ? len : 1;
        while (left > 0 && err == NULL) {
            size_t n = br_pem_decoder_push(&pc, p, left);
            p += n;
            left -= n;
            switch (br_pem_decoder_event(&pc)) {
            case BR_PEM_BEGIN_OBJ:
                snprintf(name, sizeof name, "%s", br_pem_decoder_name(&pc));
                tls_blob_free(&cur);
                br_pem_decoder_setdest(&pc, append_der, &cur);
                in_obj = true;
                break;
            case BR_PEM_END_OBJ:
                if (in_obj)
                    err = fn(ctx, name, &cur);
                tls_blob_free(&cur);
                in_obj = false;
                break;
            case BR_PEM_ERROR:
                err = xstrdup("not valid PEM (a BEGIN line, base64, an END line)");
                break;
            default:
                break;
            }
        }
    }
    if (err == NULL && in_obj)
        err = xasprintf("the PEM object %s has no END line", name);
    tls_blob_free(&cur);
    return err;
}

/* ---- the certificate chain ---- */

/* Y-M-D of a day counted from 0000-01-01 (proleptic Gregorian, as
 * BearSSL counts them): the civil-from-days method of Howard Hinnant's
 * date algorithms, on 400-year eras. */
static void civil(uint32_t days, int *y, unsigned *m, unsigned *d)
{
    int64_t z = (int64_t)days - 719528 + 719468; /* from 0000-03-01 */
    int64_t era = z / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yoe + era * 400) + (*m <= 2);
}

static char *date_text(uint32_t days)
{
    int y;
    unsigned m, d;
    civil(days, &y, &m, &d);
    return xasprintf("%04d-%02u-%02u", y, m, d);
}

struct chain_ctx {
    struct tls_blob *chain;
    size_t n;
};

static char *add_cert(void *ctx, const char *name, const struct tls_blob *der)
{
    struct chain_ctx *c = ctx;
    if (strcmp(name, "CERTIFICATE") != 0 && strcmp(name, "X509 CERTIFICATE") != 0)
        return NULL; /* another object beside the chain: not ours */
    if (der->len == 0 || der->len >= (1u << 24))
        return xstrdup("a CERTIFICATE of a size TLS cannot carry");
    if (++c->n > MAX_CHAIN)
        return xasprintf("more than %d certificates; expected the leaf and its intermediates",
                         MAX_CHAIN);
    unsigned char len[3] = {(unsigned char)(der->len >> 16), (unsigned char)(der->len >> 8),
                            (unsigned char)der->len};
    blob_add(c->chain, len, 3);
    blob_add(c->chain, der->p, der->len);
    return NULL;
}

/* The leaf: decodes, has a key we can serve, is valid now. */
static char *check_leaf(const unsigned char *der, size_t len, int64_t now)
{
    br_x509_decoder_context dc;
    br_x509_decoder_init(&dc, NULL, NULL);
    br_x509_decoder_push(&dc, der, len);
    const br_x509_pkey *pk = br_x509_decoder_get_pkey(&dc);
    if (pk == NULL)
        return xasprintf("the first certificate does not decode (BearSSL error %d); expected "
                         "an X.509 certificate",
                         br_x509_decoder_last_error(&dc));
    if (pk->key_type == BR_KEYTYPE_RSA) {
        size_t nlen = pk->key.rsa.nlen;
        const unsigned char *n = pk->key.rsa.n;
        while (nlen > 0 && *n == 0)
            n++, nlen--;
        if (nlen < 128 || nlen > 512)
            return xasprintf("an RSA key of %zu bits; expected 1024 to 4096 bits", nlen * 8);
    } else if (pk->key_type == BR_KEYTYPE_EC) {
        int curve = pk->key.ec.curve;
        if (curve != BR_EC_secp256r1 && curve != BR_EC_secp384r1 && curve != BR_EC_secp521r1)
            return xstrdup("an EC key on a curve TLS servers do not sign with; expected P-256, "
                           "P-384 or P-521");
    } else {
        return xstrdup("a key that is neither RSA nor EC");
    }
    if (now < 0)
        return NULL;
    uint32_t days = (uint32_t)(now / 86400 + 719528), secs = (uint32_t)(now % 86400);
    if (days > dc.notafter_days || (days == dc.notafter_days && secs > dc.notafter_seconds)) {
        char *when = date_text(dc.notafter_days);
        char *e =
            xasprintf("the certificate expired on %s; expected one valid now (renew it)", when);
        free(when);
        return e;
    }
    if (days < dc.notbefore_days || (days == dc.notbefore_days && secs < dc.notbefore_seconds)) {
        char *when = date_text(dc.notbefore_days);
        char *e = xasprintf("the certificate is valid only from %s; expected one valid now", when);
        free(when);
        return e;
    }
    return NULL;
}

/* The leaf's length: the chain's first 3 bytes. */
static size_t leaf_len(const struct tls_blob *chain)
{
    return (size_t)chain->p[0] << 16 | (size_t)chain->p[1] << 8 | chain->p[2];
}

char *tls_parse_chain(const char *pem, size_t len, int64_t now, struct tls_blob *chain)
{
    *chain = (struct tls_blob){0};
    struct chain_ctx c = {.chain = chain};
    char *err = pem_each(pem, len, add_cert, &c);
    if (err == NULL && c.n == 0)
        err = xstrdup("no certificate in it; expected PEM (-----BEGIN CERTIFICATE-----)");
    if (err == NULL)
        err = check_leaf(chain->p + 3, leaf_len(chain), now);
    if (err != NULL)
        tls_blob_free(chain);
    return err;
}

/* ---- the private key ---- */

struct key_ctx {
    struct tls_blob *key;
    int n;
};

static char *add_key(void *ctx, const char *name, const struct tls_blob *der)
{
    struct key_ctx *k = ctx;
    if (strcmp(name, "ENCRYPTED PRIVATE KEY") == 0)
        return xstrdup("an encrypted private key; expected it unencrypted (openssl pkey -in "
                       "KEY -out PLAIN), readable only by you");
    if (strcmp(name, "RSA PRIVATE KEY") != 0 && strcmp(name, "EC PRIVATE KEY") != 0 &&
        strcmp(name, "PRIVATE KEY") != 0)
        return NULL; /* EC PARAMETERS and the like */
    if (k->n++ > 0)
        return xstrdup("more than one private key; expected one");
    blob_add(k->key, der->p, der->len);
    return NULL;
}

static char *decode_key(const struct tls_blob *key, br_skey_decoder_context *kd)
{
    br_skey_decoder_init(kd);
    br_skey_decoder_push(kd, key->p, key->len);
    int e = br_skey_decoder_last_error(kd);
    if (e != 0)
        return xasprintf("the private key does not decode (BearSSL error %d); expected an RSA "
                         "or EC key",
                         e);
    int t = br_skey_decoder_key_type(kd);
    if (t != BR_KEYTYPE_RSA && t != BR_KEYTYPE_EC)
        return xstrdup("a key that is neither RSA nor EC");
    return NULL;
}

char *tls_parse_key(const char *pem, size_t len, struct tls_blob *key)
{
    *key = (struct tls_blob){0};
    struct key_ctx k = {.key = key};
    char *err = pem_each(pem, len, add_key, &k);
    if (err == NULL && k.n == 0)
        err = xstrdup("no private key in it; expected PEM (-----BEGIN PRIVATE KEY-----, "
                      "RSA PRIVATE KEY or EC PRIVATE KEY)");
    br_skey_decoder_context kd;
    if (err == NULL)
        err = decode_key(key, &kd);
    explicit_bzero(&kd, sizeof kd);
    if (err != NULL)
        tls_blob_free(key);
    return err;
}

/* ---- the pair ---- */

static bool same_number(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
    while (alen > 0 && *a == 0)
        a++, alen--;
    while (blen > 0 && *b == 0)
        b++, blen--;
    return alen == blen && memcmp(a, b, alen) == 0;
}

static bool rsa_matches(const br_rsa_public_key *pub, const br_rsa_private_key *sk)
{
    br_rsa_compute_modulus mod = br_rsa_compute_modulus_get_default();
    size_t nlen = mod(NULL, sk);
    if (nlen == 0)
        return false;
    unsigned char *n = xmalloc(nlen);
    bool ok = mod(n, sk) == nlen && same_number(n, nlen, pub->n, pub->nlen);
    free(n);
    /* The modulus p*q names the pair: BearSSL can recompute the public
     * exponent only when p and q are 3 mod 4, which OpenSSL's keys need
     * not be. */
    return ok;
}

static bool ec_matches(const br_ec_public_key *pub, const br_ec_private_key *sk)
{
    unsigned char q[BR_EC_KBUF_PUB_MAX_SIZE];
    br_ec_public_key pk;
    if (sk->curve != pub->curve || br_ec_compute_pub(br_ec_get_default(), &pk, q, sk) == 0)
        return false;
    return pk.qlen == pub->qlen && memcmp(pk.q, pub->q, pk.qlen) == 0;
}

char *tls_check_pair(const struct tls_blob *chain, const struct tls_blob *key)
{
    br_x509_decoder_context dc;
    br_x509_decoder_init(&dc, NULL, NULL);
    br_x509_decoder_push(&dc, chain->p + 3, leaf_len(chain));
    const br_x509_pkey *pub = br_x509_decoder_get_pkey(&dc);
    br_skey_decoder_context kd;
    char *err = pub == NULL ? xstrdup("the certificate does not decode") : decode_key(key, &kd);
    if (err == NULL) {
        int t = br_skey_decoder_key_type(&kd);
        if (t != pub->key_type)
            err = xasprintf("an %s key, but tls-cert's certificate has an %s key; expected the "
                            "certificate's own key",
                            t == BR_KEYTYPE_RSA ? "RSA" : "EC",
                            pub->key_type == BR_KEYTYPE_RSA ? "RSA" : "EC");
        else if (t == BR_KEYTYPE_RSA ? !rsa_matches(&pub->key.rsa, br_skey_decoder_get_rsa(&kd))
                                     : !ec_matches(&pub->key.ec, br_skey_decoder_get_ec(&kd)))
            err = xstrdup("not the key of tls-cert's certificate (the public keys differ); "
                          "expected the key the certificate was issued for");
    }
    explicit_bzero(&kd, sizeof kd);
    return err;
}
