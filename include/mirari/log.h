/* SPDX-License-Identifier: ISC */
/* Logging with levels. Lines go to the platform console (stderr for a
 * process, the serial or PV console for a kernel) as
 *   [    1.234567] LEVEL: message
 * with the time since boot. The level is set by the boot argument
 * --log-level=error|warn|info|debug (default info). */
#ifndef MIRARI_LOG_H
#define MIRARI_LOG_H

enum mi_log_level { MI_LOG_ERROR = 0, MI_LOG_WARN, MI_LOG_INFO, MI_LOG_DEBUG };

void mi_log_set_level(enum mi_log_level level);
enum mi_log_level mi_log_get_level(void);
/* Parse "error", "warn", "info", "debug"; returns -1 for anything else. */
int mi_log_parse_level(const char *name);

void mi_log(enum mi_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define mi_error(...) mi_log(MI_LOG_ERROR, __VA_ARGS__)
#define mi_warn(...)  mi_log(MI_LOG_WARN, __VA_ARGS__)
#define mi_info(...)  mi_log(MI_LOG_INFO, __VA_ARGS__)
/* Debug lines cost only a comparison when the level is lower. */
#define mi_debug(...)                                                                              \
    do {                                                                                           \
        if (mi_log_get_level() >= MI_LOG_DEBUG)                                                    \
            mi_log(MI_LOG_DEBUG, __VA_ARGS__);                                                     \
    } while (0)

#endif
