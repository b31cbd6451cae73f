/* SPDX-License-Identifier: ISC */
/* The extension table: what browsers need to render a static site, the
 * types nginx's mime.types gives for the same extensions. */
#include <string.h>

#include "http/mime.h"

static const struct {
    const char *ext;
    const char *type;
} types[] = {
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"json", "application/json"},
    {"map", "application/json"},
    {"txt", "text/plain; charset=utf-8"},
    {"md", "text/markdown; charset=utf-8"},
    {"csv", "text/csv; charset=utf-8"},
    {"xml", "application/xml"},
    {"rss", "application/rss+xml"},
    {"atom", "application/atom+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"svg", "image/svg+xml"},
    {"ico", "image/x-icon"},
    {"webp", "image/webp"},
    {"avif", "image/avif"},
    {"bmp", "image/bmp"},
    {"pdf", "application/pdf"},
    {"wasm", "application/wasm"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"ttf", "font/ttf"},
    {"otf", "font/otf"},
    {"mp3", "audio/mpeg"},
    {"ogg", "audio/ogg"},
    {"wav", "audio/wav"},
    {"mp4", "video/mp4"},
    {"webm", "video/webm"},
    {"zip", "application/zip"},
    {"gz", "application/gzip"},
    {"tar", "application/x-tar"},
    {"webmanifest", "application/manifest+json"},
};

const char *http_mime_type(const char *key, size_t len)
{
    size_t dot = len;
    while (dot > 0 && key[dot - 1] != '.' && key[dot - 1] != '/')
        dot--;
    if (dot == 0 || key[dot - 1] != '.')
        return "application/octet-stream";
    const char *ext = key + dot;
    size_t n = len - dot;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (strlen(types[i].ext) != n)
            continue;
        size_t j = 0;
        while (j < n && (ext[j] | 0x20) == types[i].ext[j])
            j++;
        if (j == n)
            return types[i].type;
    }
    return "application/octet-stream";
}
