/* SPDX-License-Identifier: ISC */
/* Log lines to the platform console:  "[    1.234567] info: message\n"
 * with seconds since start, like the Linux kernel's log. One line is
 * formatted into a bounded stack buffer and written with one console
 * write, so lines never interleave and logging never allocates (it must
 * work when malloc has just failed). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <mirari/log.h>
#include <platform.h>

#include "core/core.h"

/* Longest line written, newline included; longer ones end in "...". */
#define LOG_LINE_MAX 1024

static enum mi_log_level current_level = MI_LOG_INFO;
static uint64_t origin;
static bool origin_set;

static const char *const level_names[] = {
    [MI_LOG_ERROR] = "error",
    [MI_LOG_WARN] = "warn",
    [MI_LOG_INFO] = "info",
    [MI_LOG_DEBUG] = "debug",
};

void mi_log_set_level(enum mi_log_level level)
{
    current_level = level;
}

enum mi_log_level mi_log_get_level(void)
{
    return current_level;
}

int mi_log_parse_level(const char *name)
{
    for (int i = MI_LOG_ERROR; i <= MI_LOG_DEBUG; i++)
        if (strcmp(name, level_names[i]) == 0)
            return i;
    return -1;
}

void log_set_origin(uint64_t monotonic_ns)
{
    origin = monotonic_ns;
    origin_set = true;
}

void mi_log(enum mi_log_level level, const char *fmt, ...)
{
    if (level > current_level || level < MI_LOG_ERROR)
        return;

    uint64_t now = plat_monotonic_ns();
    if (!origin_set)
        log_set_origin(now);
    uint64_t since = now >= origin ? now - origin : 0;

    char line[LOG_LINE_MAX];
    int head = snprintf(line, sizeof(line),
                        "[%5llu.%06llu] %s: ", (unsigned long long)(since / 1000000000u),
                        (unsigned long long)(since % 1000000000u / 1000u), level_names[level]);
    /* The head is at most ~40 bytes: "[" 20 digits "." 6 digits "] debug: ". */
    size_t len = (size_t)head;
    /* vsnprintf's terminating NUL takes the last byte; the newline
     * replaces it. */
    size_t room = sizeof(line) - len;

    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line + len, room, fmt, ap);
    va_end(ap);

    if (n > 0 && (size_t)n >= room) {
        /* Truncated: vsnprintf wrote room - 1 bytes and a NUL. */
        len += room - 1;
        memcpy(line + len - 3, "...", 3);
    } else if (n > 0) {
        len += (size_t)n;
        if (line[len - 1] == '\n') /* the line ends here anyway */
            len--;
    }
    line[len++] = '\n';
    plat_console_write(line, len);
}
