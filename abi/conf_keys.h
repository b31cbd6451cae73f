/* SPDX-License-Identifier: ISC */
/* The configuration keys: one table shared by the tool (app.conf and its
 * command line) and the runtime (boot arguments), so both accept exactly
 * the same keys and values and describe them the same way. */
#ifndef MIRARI_ABI_CONF_KEYS_H
#define MIRARI_ABI_CONF_KEYS_H

#include <stdbool.h>
#include <stddef.h>

enum conf_key_type {
    KT_BOOL,        /* true | false */
    KT_IPV4,        /* dotted quad */
    KT_NETMASK,     /* dotted quad with contiguous ones */
    KT_PORT,        /* 1-65535 */
    KT_LISTEN_ADDR, /* '*' or dotted quad */
    KT_ENTRY,       /* C identifier or the seed's Module.func */
    KT_LIST,        /* comma-separated names, repeated lines accumulate */
    KT_DIR,         /* a directory, relative to the .conf file */
    KT_FILE,        /* a file, relative to the .conf file */
    KT_MEMORY,      /* MiB, a positive integer */
    KT_LOG_LEVEL,   /* error | warn | info | debug */
    KT_TCP_CC,      /* bbr | newreno */
    KT_STRING,      /* anything on one line, kept verbatim (xl-*, compiler) */
    KT_TEXT,        /* like KT_STRING, but may be empty (app-*) */
};

enum conf_key_flags {
    KEY_BOOT = 1u << 0,   /* also a boot argument of the unikernel */
    KEY_FAMILY = 1u << 1, /* a prefix: "fs-" matches fs-static, fs-template */
    KEY_REPEAT = 1u << 2, /* may appear on several lines (lists accumulate) */
};

struct conf_key {
    const char *name; /* "ip-address", or "fs-" for a family */
    enum conf_key_type type;
    unsigned flags;
    const char *help; /* one line for --help and the man page */
};

extern const struct conf_key conf_keys[];
extern const size_t conf_nkeys;

/* The key that `name` (len bytes) is, or one of its families; NULL if none. */
const struct conf_key *conf_key_find(const char *name, size_t len);
/* The closest known key to an unknown `name` for a "did you mean", or NULL
 * when nothing is close. */
const char *conf_key_suggest(const char *name);
/* The rule behind it, for other names the tool suggests (commands, targets):
 * the edit distance (insert, delete, substitute; case-insensitive, '_'
 * equal to '-') between a[0..alen) and b[0..blen), ~0u when either is
 * longer than 40 bytes; and the largest distance that still counts as
 * close for a name of len bytes. */
unsigned name_distance(const char *a, size_t alen, const char *b, size_t blen);
unsigned name_close_limit(size_t len);
/* NULL when `value` is acceptable for key k, else a phrase saying what is
 * accepted ("a port number from 1 to 65535"). */
const char *conf_key_check(const struct conf_key *k, const char *value);

/* Value parsers, strict: the whole string must match. 0 or -1. */
int parse_bool(const char *s, bool *out);
int parse_port(const char *s, unsigned *out);
int parse_netmask(const char *s, unsigned *prefix_len);
int parse_uint(const char *s, unsigned long max, unsigned long *out);

/* The C function an entry-point value names: a C identifier as written, or
 * the seed's Module.func as module_func (Dispatch.main -> dispatch_main).
 * Writes it (NUL-terminated) into out; -1 when the value is neither form,
 * is a C keyword, or is longer than ENTRY_MAX or cap - 1. */
#define ENTRY_MAX 128
int entry_symbol(const char *value, char *out, size_t cap);

#define KEY_MEMORY_MAX 1048576ul /* MiB: 1 TiB */

/* The family of application keys: app-NAME. */
#define APP_KEY_PREFIX "app-"
/* The application keys (app-NAME) one app may declare: the runtime keeps
 * their boot-argument values in a fixed table of this size, and the tool
 * refuses more. */
#define APP_KEYS_MAX 64
/* The longest NAME of a family key (fs-NAME, app-NAME, xl-KEY). */
#define KEY_MEMBER_MAX 64

#endif
