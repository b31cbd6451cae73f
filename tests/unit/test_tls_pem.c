/* SPDX-License-Identifier: ISC */
/* tls-cert and tls-key at configure (tool/tls.c): the PEM chain and key
 * come out as the DER the image embeds; an expired or not yet valid leaf,
 * text that is no PEM, an encrypted key, a second key and a key that is
 * not the certificate's are refused with a phrase for the message; no
 * message holds key material. The credentials are the fuzzer's
 * (tests/fuzz/tls_test_creds.h), turned into PEM here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../tool/tls.h"
#include "../fuzz/tls_test_creds.h"

/* The certificate's validity (openssl x509 -dates), in Unix seconds:
 * 2026-12-05 14:01:20 to 2126-11-11 14:01:20. */
#define NOT_BEFORE 1796479280
#define NOT_AFTER  4950079280
#define NOW        (NOT_BEFORE + 86400)

static const unsigned char *cert_der = test_tls_chain + 3;
static const size_t cert_len = sizeof test_tls_chain - 3;

/* DER as a PEM object of that label, 64 base64 characters a line. */
static void pem_add(char *out, size_t cap, const char *label, const unsigned char *p, size_t n)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = strlen(out);
    o += (size_t)snprintf(out + o, cap - o, "-----BEGIN %s-----\n", label);
    size_t col = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        char q[4] = {b64[v >> 18 & 63], b64[v >> 12 & 63], i + 1 < n ? b64[v >> 6 & 63] : '=',
                     i + 2 < n ? b64[v & 63] : '='};
        for (int k = 0; k < 4; k++) {
            out[o++] = q[k];
            if (++col == 64) {
                out[o++] = '\n';
                col = 0;
            }
        }
    }
    if (col)
        out[o++] = '\n';
    out[o] = '\0';
    snprintf(out + o, cap - o, "-----END %s-----\n", label);
}

static char cert_pem[4096], key_pem[4096];

static int setup(void **state)
{
    cert_pem[0] = key_pem[0] = '\0';
    pem_add(cert_pem, sizeof cert_pem, "CERTIFICATE", cert_der, cert_len);
    pem_add(key_pem, sizeof key_pem, "PRIVATE KEY", test_tls_key, sizeof test_tls_key);
    return 0;
}

static void chain_key_and_pair(void **state)
{
    struct tls_blob chain, key;
    char *e = tls_parse_chain(cert_pem, strlen(cert_pem), NOW, &chain);
    assert_null(e);
    assert_int_equal(chain.len, sizeof test_tls_chain);
    assert_memory_equal(chain.p, test_tls_chain, chain.len);
    e = tls_parse_key(key_pem, strlen(key_pem), &key);
    assert_null(e);
    assert_int_equal(key.len, sizeof test_tls_key);
    assert_memory_equal(key.p, test_tls_key, key.len);
    assert_null(tls_check_pair(&chain, &key));
    tls_blob_free(&chain);
    tls_blob_free(&key);
    assert_null(chain.p);
}

static void two_certificates_and_other_objects(void **state)
{
    char text[12000] = "some text before\n";
    pem_add(text, sizeof text, "EC PARAMETERS", (const unsigned char *)"\x06\x01\x00", 3);
    strcat(text, cert_pem);
    strcat(text, cert_pem);
    struct tls_blob chain;
    assert_null(tls_parse_chain(text, strlen(text), NOW, &chain));
    assert_int_equal(chain.len, 2 * sizeof test_tls_chain);
    tls_blob_free(&chain);
}

static void validity(void **state)
{
    struct tls_blob chain;
    char *e = tls_parse_chain(cert_pem, strlen(cert_pem), NOT_AFTER + 1, &chain);
    assert_non_null(e);
    assert_string_equal(e, "the certificate expired on 2126-11-11; expected one valid now "
                           "(renew it)");
    assert_null(chain.p);
    free(e);
    e = tls_parse_chain(cert_pem, strlen(cert_pem), NOT_BEFORE - 1, &chain);
    assert_string_equal(e, "the certificate is valid only from 2026-12-05; expected one valid "
                           "now");
    free(e);
    /* The last second counts. */
    assert_null(tls_parse_chain(cert_pem, strlen(cert_pem), NOT_AFTER, &chain));
    tls_blob_free(&chain);
}

static void refused(void **state)
{
    struct tls_blob b;
    char *e = tls_parse_chain("hello\n", 6, NOW, &b);
    assert_non_null(strstr(e, "no certificate in it"));
    free(e);
    e = tls_parse_chain(key_pem, strlen(key_pem), NOW, &b);
    assert_non_null(strstr(e, "no certificate in it"));
    free(e);
    char bad[4096];
    snprintf(bad, sizeof bad, "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n");
    e = tls_parse_chain(bad, strlen(bad), NOW, &b);
    assert_non_null(strstr(e, "not valid PEM"));
    free(e);
    /* A certificate cut short: its END line missing. */
    e = tls_parse_chain(cert_pem, strlen(cert_pem) - 30, NOW, &b);
    assert_non_null(e);
    free(e);
    /* A certificate whose DER is not X.509. */
    bad[0] = '\0';
    pem_add(bad, sizeof bad, "CERTIFICATE", test_tls_key, sizeof test_tls_key);
    e = tls_parse_chain(bad, strlen(bad), NOW, &b);
    assert_non_null(strstr(e, "does not decode"));
    free(e);

    bad[0] = '\0';
    pem_add(bad, sizeof bad, "ENCRYPTED PRIVATE KEY", test_tls_key, sizeof test_tls_key);
    e = tls_parse_key(bad, strlen(bad), &b);
    assert_non_null(strstr(e, "encrypted private key"));
    free(e);
    char two[8192];
    snprintf(two, sizeof two, "%s%s", key_pem, key_pem);
    e = tls_parse_key(two, strlen(two), &b);
    assert_non_null(strstr(e, "more than one private key"));
    assert_null(strstr(e, "PRIVATE KEY-----"));
    free(e);
    e = tls_parse_key(cert_pem, strlen(cert_pem), &b);
    assert_non_null(strstr(e, "no private key in it"));
    free(e);
}

static void a_key_that_is_not_the_certificates(void **state)
{
    /* The same key with its private scalar changed (PKCS#8 wraps SEC1's
     * ECPrivateKey, whose scalar is the OCTET STRING 04 20 ...). */
    unsigned char other[sizeof test_tls_key];
    memcpy(other, test_tls_key, sizeof other);
    unsigned char *s = memmem(other, sizeof other, "\x04\x20", 2);
    assert_non_null(s);
    s[2 + 31] ^= 1;
    struct tls_blob chain, key = {other, sizeof other};
    assert_null(tls_parse_chain(cert_pem, strlen(cert_pem), NOW, &chain));
    char *e = tls_check_pair(&chain, &key);
    assert_non_null(e);
    assert_non_null(strstr(e, "not the key of tls-cert's certificate"));
    free(e);
    tls_blob_free(&chain);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(chain_key_and_pair, setup),
        cmocka_unit_test_setup(two_certificates_and_other_objects, setup),
        cmocka_unit_test_setup(validity, setup),
        cmocka_unit_test_setup(refused, setup),
        cmocka_unit_test_setup(a_key_that_is_not_the_certificates, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
