/* SPDX-License-Identifier: ISC */
/* HTTP dates (RFC 9110 §5.6.7): "Sun, 06 Nov 1994 08:49:37 GMT". */
#ifndef MIRARI_HTTP_DATE_H
#define MIRARI_HTTP_DATE_H

#include <stddef.h>
#include <stdint.h>

#define HTTP_DATE_LEN 29 /* IMF-fixdate, without a NUL */

/* Format seconds since the epoch as IMF-fixdate into out (29 bytes, no
 * NUL). Times past 9999-12-31 are clamped. */
void http_date_format(uint64_t secs, char out[HTTP_DATE_LEN]);

/* Parse any of the three formats a recipient must accept: IMF-fixdate,
 * RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT") and asctime ("Sun Nov  6
 * 08:49:37 1994"). 0 and *secs, or -1. */
int http_date_parse(const char *s, size_t n, uint64_t *secs);

/* The current time as IMF-fixdate, formatted at most once per second
 * (every response carries it). Not NUL-terminated. */
const char *http_date_now(void);

#endif
