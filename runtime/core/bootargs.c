/* SPDX-License-Identifier: ISC */
/* Boot argument parsing (bootargs.h). Every failure is a message for a
 * person at a console: it names the argument, quotes the value and says
 * what would be accepted, in the words of the key table. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/bootargs.h"
#include "conf_keys.h"

/* What a key is when neither app.conf nor the command line sets it. */
static const mi_conf_pair builtin_defaults[] = {
    {"http-port", "80"},
    {"http-address", "*"},
    {"ip-use-dhcp", "false"},
    {"log-level", "info"},
};

static bool is_boot_key(const struct conf_key *k)
{
    return (k->flags & KEY_BOOT) && !(k->flags & KEY_FAMILY);
}

/* The table entry named exactly `name` (not a family), or NULL. */
static const struct conf_key *exact_key(const char *name, size_t len)
{
    const struct conf_key *k = conf_key_find(name, len);
    if (k == NULL || (k->flags & KEY_FAMILY) || strlen(k->name) != len)
        return NULL;
    return k;
}

static void fail(struct bootargs *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct bootargs *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->error, sizeof(r->error), fmt, ap);
    va_end(ap);
    r->action = BOOT_ERROR;
}

/* Copy s for quoting in a message: at most 48 bytes, control characters
 * and non-ASCII shown as '?', so a hostile argument cannot garble the
 * console. */
static const char *printable(const char *s, size_t len, char out[64])
{
    size_t n = 0;
    for (; n < len && n < 48 && s[n] != '\0'; n++) {
        unsigned char c = (unsigned char)s[n];
        out[n] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    if (n < len && s[n] != '\0') {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
    return out;
}

/* The family of application keys (app-NAME): the only family whose
 * members are boot arguments. */
static bool is_app_family(const struct conf_key *k)
{
    return k != NULL && (k->flags & KEY_FAMILY) && (k->flags & KEY_BOOT);
}

/* The index in r->app of the declared app key named name[0..len), or -1. */
static int find_app(const struct bootargs *r, const char *name, size_t len)
{
    for (size_t i = 0; i < r->napp; i++)
        if (strlen(r->app[i]->key) == len && memcmp(r->app[i]->key, name, len) == 0)
            return (int)i;
    return -1;
}

static void set_default(struct bootargs *r, const mi_conf_pair *d)
{
    size_t len = strlen(d->key);
    const struct conf_key *k = exact_key(d->key, len);
    if (k != NULL) {
        r->value[k - conf_keys] = d->value;
    } else if (is_app_family(conf_key_find(d->key, len)) && find_app(r, d->key, len) < 0) {
        if (r->napp == APP_KEYS_MAX) {
            fail(r, "internal error: more than %d application keys", APP_KEYS_MAX);
            return;
        }
        r->app[r->napp] = d;
        r->app_value[r->napp++] = d->value;
    }
}

/* "--app-a, --app-b" (cut with "..." when long), for the message about an
 * app key the application did not declare. */
static const char *declared_list(const struct bootargs *r, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < r->napp; i++) {
        char q[64];
        const char *name = printable(r->app[i]->key, strlen(r->app[i]->key), q);
        /* Room for this name and a final ", ..." */
        if (len + strlen(name) + 4 + 5 >= cap) {
            snprintf(out + len, cap - len, "%s...", i ? ", " : "");
            break;
        }
        len += (size_t)snprintf(out + len, cap - len, "%s--%s", i ? ", " : "", name);
    }
    return out;
}

/* What `--name` (len bytes, no "=VALUE") is when it is no boot argument
 * of this application: the reason, in r->error. */
static void not_a_boot_argument(struct bootargs *r, const char *name, size_t len)
{
    char q[64];
    const struct conf_key *known = conf_key_find(name, len);
    if (known != NULL && !is_app_family(known)) {
        fail(r, "--%s is fixed when the application is built, not a boot argument",
             printable(name, len, q));
        return;
    }
    /* conf_key_suggest wants a C string: the name without "=...". */
    char copy[64];
    const char *hint = NULL;
    if (known == NULL && len < sizeof(copy)) {
        memcpy(copy, name, len);
        copy[len] = '\0';
        hint = conf_key_suggest(copy);
    }
    if (is_app_family(known) || (hint != NULL && strcmp(hint, APP_KEY_PREFIX) == 0)) {
        /* An app key (or a near miss such as --app_port): the application
         * declares its own, so name those. */
        char list[160];
        if (r->napp == 0)
            fail(r, "unknown boot argument --%s; this application declares no app- keys",
                 printable(name, len, q));
        else
            fail(r, "unknown boot argument --%s; this application declares %s",
                 printable(name, len, q), declared_list(r, list, sizeof(list)));
    } else if (hint != NULL) {
        fail(r, "unknown boot argument --%s; did you mean --%s?", printable(name, len, q), hint);
    } else {
        fail(r, "unknown boot argument --%s", printable(name, len, q));
    }
}

void bootargs_parse(struct bootargs *r, int argc, char *const *argv, const mi_conf_pair *defaults,
                    size_t ndefaults)
{
    memset(r, 0, sizeof(*r));
    r->action = BOOT_RUN;
    r->defaults = defaults;
    r->ndefaults = ndefaults;
    if (conf_nkeys > BOOTARGS_MAX_KEYS) {
        fail(r, "internal error: %zu configuration keys, room for %d", conf_nkeys,
             BOOTARGS_MAX_KEYS);
        return;
    }
    for (size_t i = 0; i < sizeof(builtin_defaults) / sizeof(builtin_defaults[0]); i++)
        set_default(r, &builtin_defaults[i]);
    for (size_t i = 0; i < ndefaults && r->action == BOOT_RUN; i++)
        set_default(r, &defaults[i]);
    if (r->action != BOOT_RUN)
        return;

    char q[64], qk[64];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            r->action = BOOT_HELP;
            return;
        }
        if (strcmp(a, "--version") == 0) {
            r->action = BOOT_VERSION;
            return;
        }
        if (a[0] != '-' || a[1] != '-' || a[2] == '\0' || a[2] == '=') {
            fail(r, "unexpected argument \"%s\"; boot arguments look like --KEY=VALUE",
                 printable(a, strlen(a), q));
            return;
        }
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);

        /* Where the value goes, and the key's name for messages. */
        const char **slot;
        const char *key;
        const struct conf_key *k = exact_key(name, len);
        int app =
            k == NULL && is_app_family(conf_key_find(name, len)) ? find_app(r, name, len) : -1;
        if (app >= 0) {
            k = conf_key_find(name, len);
            slot = &r->app_value[app];
            key = printable(r->app[app]->key, strlen(r->app[app]->key), qk);
        } else if (k != NULL && is_boot_key(k)) {
            slot = &r->value[k - conf_keys];
            key = k->name;
        } else {
            not_a_boot_argument(r, name, len);
            return;
        }

        const char *value;
        if (eq != NULL) {
            value = eq + 1;
        } else if (k->type == KT_BOOL && (i + 1 >= argc || strncmp(argv[i + 1], "--", 2) == 0 ||
                                          strcmp(argv[i + 1], "-h") == 0)) {
            /* A bare boolean switch: --ip-use-dhcp means true. */
            value = "true";
        } else if (i + 1 < argc && !(k->type == KT_TEXT && strncmp(argv[i + 1], "--", 2) == 0)) {
            /* Free text takes no "--..." from the next argument: that is
             * more likely the next option than a value (--KEY=--x is). */
            value = argv[++i];
        } else {
            const char *expected = conf_key_check(k, "");
            if (expected != NULL)
                fail(r, "--%s needs a value; expected %s", key, expected);
            else
                fail(r, "--%s needs a value (--%s=VALUE)", key, key);
            return;
        }
        const char *why = conf_key_check(k, value);
        if (why != NULL) {
            fail(r, "--%s: \"%s\" is not valid; expected %s", key,
                 printable(value, strlen(value), q), why);
            return;
        }
        *slot = value;
    }
}

const char *bootargs_get(const struct bootargs *r, const char *key)
{
    size_t len = strlen(key);
    const struct conf_key *k = exact_key(key, len);
    if (k != NULL && (size_t)(k - conf_keys) < BOOTARGS_MAX_KEYS)
        return r->value[k - conf_keys];
    int app = find_app(r, key, len);
    if (app >= 0)
        return r->app_value[app];
    /* Not a boot argument (fs-NAME, ...): what app.conf said. */
    for (size_t i = 0; i < r->ndefaults; i++)
        if (strcmp(r->defaults[i].key, key) == 0)
            return r->defaults[i].value;
    return NULL;
}

/* How the value of a key is written in the usage text. */
static const char *metavar(enum conf_key_type t)
{
    switch (t) {
    case KT_BOOL:
        return "true|false";
    case KT_IPV4:
    case KT_NETMASK:
        return "A.B.C.D";
    case KT_PORT:
        return "PORT";
    case KT_LISTEN_ADDR:
        return "A.B.C.D|*";
    case KT_LOG_LEVEL:
        return "error|warn|info|debug";
    case KT_TCP_CC:
        return "bbr|newreno";
    case KT_MEMORY:
        return "MIB";
    default:
        return "VALUE";
    }
}

/* snprintf that appends at *len and keeps counting past the end. */
static void put(char *buf, size_t cap, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(*len < cap ? buf + *len : NULL, *len < cap ? cap - *len : 0, fmt, ap);
    va_end(ap);
    if (n > 0)
        *len += (size_t)n;
}

size_t bootargs_usage(const char *prog, const mi_conf_pair *defaults, size_t ndefaults, char *buf,
                      size_t cap)
{
    struct bootargs d;
    char *no_args[] = {NULL};
    bootargs_parse(&d, 0, no_args, defaults, ndefaults);

    size_t len = 0;
    if (cap > 0)
        buf[0] = '\0';
    put(buf, cap, &len,
        "usage: %s [--KEY=VALUE | --KEY VALUE]...\n"
        "\n"
        "Boot arguments override the configuration compiled in from app.conf.\n"
        "\n",
        prog);
    for (size_t i = 0; i < conf_nkeys && i < BOOTARGS_MAX_KEYS; i++) {
        const struct conf_key *k = &conf_keys[i];
        if (!is_boot_key(k))
            continue;
        const char *def = d.value[i];
        put(buf, cap, &len, "  --%s=%s\n      %s (default: %s)\n", k->name, metavar(k->type),
            k->help, def ? def : "unset");
    }
    /* The application's own keys: app.conf gives each a name and a
     * default, nothing more to say about it. */
    for (size_t i = 0; i < d.napp; i++)
        put(buf, cap, &len, "  --%s=VALUE\n      a setting of this application (default: %s%s%s)\n",
            d.app[i]->key, d.app_value[i][0] ? "" : "\"", d.app_value[i],
            d.app_value[i][0] ? "" : "\"");
    put(buf, cap, &len,
        "  --help\n      print this list and exit\n"
        "  --version\n      print the mirari version and exit\n");
    return len;
}
