/* Boot argument parsing (bootargs.h). Every failure is a message for a
 * person at a console: it names the argument, quotes the value and says
 * what would be accepted, in the words of the key table. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/bootargs.h"
#include "core/keys.h"

/* What a key is when neither app.conf nor the command line sets it. */
static const mi_conf_pair builtin_defaults[] = {
    {"http-port", "80"},
    {"http-address", "*"},
    {"ip-use-dhcp", "false"},
    {"log-level", "info"},
};

static bool is_boot_key(const struct mi_key *k)
{
    return (k->flags & MI_KEY_BOOT) && !(k->flags & MI_KEY_FAMILY);
}

/* The table entry named exactly `name` (not a family), or NULL. */
static const struct mi_key *exact_key(const char *name, size_t len)
{
    const struct mi_key *k = mi_key_find(name, len);
    if (k == NULL || (k->flags & MI_KEY_FAMILY) || strlen(k->name) != len)
        return NULL;
    return k;
}

static void fail(struct mi_bootargs *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct mi_bootargs *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->error, sizeof(r->error), fmt, ap);
    va_end(ap);
    r->action = MI_BOOT_ERROR;
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

static void set_default(struct mi_bootargs *r, const char *key, const char *value)
{
    const struct mi_key *k = exact_key(key, strlen(key));
    if (k != NULL)
        r->value[k - mi_keys] = value;
}

void mi_bootargs_parse(struct mi_bootargs *r, int argc, char *const *argv,
                       const mi_conf_pair *defaults, size_t ndefaults)
{
    memset(r, 0, sizeof(*r));
    r->action = MI_BOOT_RUN;
    r->defaults = defaults;
    r->ndefaults = ndefaults;
    if (mi_nkeys > MI_BOOTARGS_MAX_KEYS) {
        fail(r, "internal error: %zu configuration keys, room for %d", mi_nkeys,
             MI_BOOTARGS_MAX_KEYS);
        return;
    }
    for (size_t i = 0; i < sizeof(builtin_defaults) / sizeof(builtin_defaults[0]); i++)
        set_default(r, builtin_defaults[i].key, builtin_defaults[i].value);
    for (size_t i = 0; i < ndefaults; i++)
        set_default(r, defaults[i].key, defaults[i].value);

    char q1[64], q2[64];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            r->action = MI_BOOT_HELP;
            return;
        }
        if (strcmp(a, "--version") == 0) {
            r->action = MI_BOOT_VERSION;
            return;
        }
        if (a[0] != '-' || a[1] != '-' || a[2] == '\0' || a[2] == '=') {
            fail(r, "unexpected argument \"%s\"; boot arguments look like --KEY=VALUE",
                 printable(a, strlen(a), q1));
            return;
        }
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);

        const struct mi_key *k = exact_key(name, len);
        if (k == NULL) {
            /* mi_key_suggest wants a C string: the name without "=...". */
            char copy[64];
            const char *hint = NULL;
            if (len < sizeof(copy)) {
                memcpy(copy, name, len);
                copy[len] = '\0';
                hint = mi_key_suggest(copy);
            }
            const struct mi_key *family = mi_key_find(name, len);
            if (family != NULL)
                fail(r, "--%s is fixed when the application is built, not a boot argument",
                     printable(name, len, q1));
            else if (hint != NULL)
                fail(r, "unknown boot argument --%s; did you mean --%s?", printable(name, len, q1),
                     hint);
            else
                fail(r, "unknown boot argument --%s", printable(name, len, q1));
            return;
        }
        if (!is_boot_key(k)) {
            fail(r, "--%s is fixed when the application is built, not a boot argument", k->name);
            return;
        }

        const char *value;
        if (eq != NULL) {
            value = eq + 1;
        } else if (k->type == MI_KT_BOOL && (i + 1 >= argc || strncmp(argv[i + 1], "--", 2) == 0 ||
                                             strcmp(argv[i + 1], "-h") == 0)) {
            /* A bare boolean switch: --ip-use-dhcp means true. */
            value = "true";
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            const char *expected = mi_key_check(k, "");
            fail(r, "--%s needs a value%s%s", k->name, expected ? "; expected " : "",
                 expected ? expected : "");
            return;
        }
        const char *why = mi_key_check(k, value);
        if (why != NULL) {
            fail(r, "--%s: \"%s\" is not valid; expected %s", k->name,
                 printable(value, strlen(value), q2), why);
            return;
        }
        r->value[k - mi_keys] = value;
    }
}

const char *mi_bootargs_get(const struct mi_bootargs *r, const char *key)
{
    size_t len = strlen(key);
    const struct mi_key *k = exact_key(key, len);
    if (k != NULL && (size_t)(k - mi_keys) < MI_BOOTARGS_MAX_KEYS)
        return r->value[k - mi_keys];
    /* Not a single key of the table (fs-NAME, ...): what app.conf said. */
    for (size_t i = 0; i < r->ndefaults; i++)
        if (strcmp(r->defaults[i].key, key) == 0)
            return r->defaults[i].value;
    return NULL;
}

/* How the value of a key is written in the usage text. */
static const char *metavar(enum mi_key_type t)
{
    switch (t) {
    case MI_KT_BOOL:
        return "true|false";
    case MI_KT_IPV4:
    case MI_KT_NETMASK:
        return "A.B.C.D";
    case MI_KT_PORT:
        return "PORT";
    case MI_KT_LISTEN_ADDR:
        return "A.B.C.D|*";
    case MI_KT_LOG_LEVEL:
        return "error|warn|info|debug";
    case MI_KT_MEMORY:
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

size_t mi_bootargs_usage(const char *prog, const mi_conf_pair *defaults, size_t ndefaults,
                         char *buf, size_t cap)
{
    struct mi_bootargs d;
    char *no_args[] = {NULL};
    mi_bootargs_parse(&d, 0, no_args, defaults, ndefaults);

    size_t len = 0;
    if (cap > 0)
        buf[0] = '\0';
    put(buf, cap, &len,
        "usage: %s [--KEY=VALUE | --KEY VALUE]...\n"
        "\n"
        "Boot arguments override the configuration compiled in from app.conf.\n"
        "\n",
        prog);
    for (size_t i = 0; i < mi_nkeys && i < MI_BOOTARGS_MAX_KEYS; i++) {
        const struct mi_key *k = &mi_keys[i];
        if (!is_boot_key(k))
            continue;
        const char *def = d.value[i];
        put(buf, cap, &len, "  --%s=%s\n      %s (default: %s)\n", k->name, metavar(k->type),
            k->help, def ? def : "unset");
    }
    put(buf, cap, &len,
        "  --help\n      print this list and exit\n"
        "  --version\n      print the mirari version and exit\n");
    return len;
}
