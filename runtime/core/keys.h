/* The configuration keys: one table shared by the tool (app.conf and its
 * command line) and the runtime (boot arguments), so both accept exactly
 * the same keys and values and describe them the same way. */
#ifndef MIRARI_CORE_KEYS_H
#define MIRARI_CORE_KEYS_H

#include <stdbool.h>
#include <stddef.h>

enum mi_key_type {
    MI_KT_BOOL,        /* true | false */
    MI_KT_IPV4,        /* dotted quad */
    MI_KT_NETMASK,     /* dotted quad with contiguous ones */
    MI_KT_PORT,        /* 1-65535 */
    MI_KT_LISTEN_ADDR, /* '*' or dotted quad */
    MI_KT_ENTRY,       /* C identifier or the seed's Module.func */
    MI_KT_LIST,        /* comma-separated names, repeated lines accumulate */
    MI_KT_DIR,         /* a directory, relative to the .conf file */
    MI_KT_MEMORY,      /* MiB, a positive integer */
    MI_KT_LOG_LEVEL,   /* error | warn | info | debug */
    MI_KT_STRING,      /* anything on one line, kept verbatim (xl-*, compiler) */
    MI_KT_TEXT,        /* like MI_KT_STRING, but may be empty (app-*) */
};

enum mi_key_flags {
    MI_KEY_BOOT = 1u << 0,   /* also a boot argument of the unikernel */
    MI_KEY_FAMILY = 1u << 1, /* a prefix: "fs-" matches fs-static, fs-template */
    MI_KEY_REPEAT = 1u << 2, /* may appear on several lines (lists accumulate) */
};

struct mi_key {
    const char *name; /* "ip-address", or "fs-" for a family */
    enum mi_key_type type;
    unsigned flags;
    const char *help; /* one line for --help and the man page */
};

extern const struct mi_key mi_keys[];
extern const size_t mi_nkeys;

/* The key that `name` (len bytes) is, or one of its families; NULL if none. */
const struct mi_key *mi_key_find(const char *name, size_t len);
/* The closest known key to an unknown `name` for a "did you mean", or NULL
 * when nothing is close. */
const char *mi_key_suggest(const char *name);
/* NULL when `value` is acceptable for key k, else a phrase saying what is
 * accepted ("a port number from 1 to 65535"). */
const char *mi_key_check(const struct mi_key *k, const char *value);

/* Value parsers, strict: the whole string must match. 0 or -1. */
int mi_parse_bool(const char *s, bool *out);
int mi_parse_port(const char *s, unsigned *out);
int mi_parse_netmask(const char *s, unsigned *prefix_len);
int mi_parse_uint(const char *s, unsigned long max, unsigned long *out);

/* The C function an entry-point value names: a C identifier as written, or
 * the seed's Module.func as module_func (Dispatch.main -> dispatch_main).
 * Writes it (NUL-terminated) into out; -1 when the value is neither form,
 * is a C keyword, or is longer than MI_ENTRY_MAX or cap - 1. */
#define MI_ENTRY_MAX 128
int mi_entry_symbol(const char *value, char *out, size_t cap);

#define MI_MEMORY_MAX 1048576ul /* MiB: 1 TiB */

/* The family of application keys: app-NAME. */
#define MI_APP_PREFIX "app-"
/* The application keys (app-NAME) one app may declare: the runtime keeps
 * their boot-argument values in a fixed table of this size, and the tool
 * refuses more. */
#define MI_APP_KEYS_MAX 64
/* The longest NAME of a family key (fs-NAME, app-NAME, xl-KEY). */
#define MI_MEMBER_MAX 64

#endif
