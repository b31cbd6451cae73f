/* SPDX-License-Identifier: ISC */
/* tls-cert and tls-key: the PEM files read at configure, checked, and
 * turned into what the image embeds (mi_tls_creds in mirari/http.h): the
 * chain as DER certificates each preceded by a 3-byte length, the key as
 * its DER. Parsed from memory so that the unit tests and the fuzzer can
 * drive it; errors are phrases for "app.conf:7: tls-key: ...". Nothing
 * here ever prints key material. */
#ifndef MIRARI_TOOL_TLS_H
#define MIRARI_TOOL_TLS_H

#include <stddef.h>
#include <stdint.h>

struct tls_blob {
    unsigned char *p;
    size_t len;
};

/* The certificates of a PEM file, leaf first, into chain; now is the
 * time (seconds since the epoch) the leaf must be valid at. NULL, or an
 * error message (malloc'd). */
char *tls_parse_chain(const char *pem, size_t len, int64_t now, struct tls_blob *chain);
/* The one private key of a PEM file (RSA PRIVATE KEY, EC PRIVATE KEY or
 * unencrypted PRIVATE KEY), as DER. NULL or an error message. */
char *tls_parse_key(const char *pem, size_t len, struct tls_blob *key);
/* The key is the leaf certificate's: the same type and public key. NULL
 * or an error message. */
char *tls_check_pair(const struct tls_blob *chain, const struct tls_blob *key);
/* Wipe and free. */
void tls_blob_free(struct tls_blob *b);

#endif
