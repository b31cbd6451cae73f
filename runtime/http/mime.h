/* SPDX-License-Identifier: ISC */
/* Content-Type from a file name's extension. */
#ifndef MIRARI_HTTP_MIME_H
#define MIRARI_HTTP_MIME_H

#include <stddef.h>

/* The media type for key[0..len) by its extension (case-insensitive),
 * application/octet-stream when unknown. Text types carry a UTF-8 charset. */
const char *http_mime_type(const char *key, size_t len);

#endif
