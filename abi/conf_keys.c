/* SPDX-License-Identifier: ISC */
/* The configuration key table and the value checks shared by the tool
 * (app.conf, its command line) and the runtime (boot arguments).
 *
 * Freestanding: string functions only, no allocation, no I/O, so that the
 * kernel targets link it unchanged. */
#include "conf_keys.h"

#include <string.h>

#include <mirari/net.h>

/* Order matters only for --help and the man page: network, HTTP, logging,
 * the application's own keys, entry points, stores, build, VM. */
const struct conf_key conf_keys[] = {
    {"ip-use-dhcp", KT_BOOL, KEY_BOOT, "configure the network interface by DHCP"},
    {"ip-address", KT_IPV4, KEY_BOOT, "static IPv4 address of the network interface"},
    {"ip-netmask", KT_NETMASK, KEY_BOOT, "netmask of the static address"},
    {"ip-gateway", KT_IPV4, KEY_BOOT, "default gateway of the static address"},
    {"tcp-congestion", KT_TCP_CC, KEY_BOOT,
     "TCP congestion control of mirari's own stack: bbr (the default) or newreno"},
    {"http-port", KT_PORT, KEY_BOOT, "TCP port the HTTP server listens on (main-http)"},
    {"http-address", KT_LISTEN_ADDR, KEY_BOOT,
     "address the HTTP server listens on: * or an IPv4 address (main-http)"},
    {"https-port", KT_PORT, KEY_BOOT,
     "TCP port the HTTPS server listens on, 443 by default (main-http with tls-cert)"},
    {"https-redirect", KT_BOOL, KEY_BOOT,
     "answer every plain HTTP request with a redirect (308) to HTTPS"},
    {"tls-cert", KT_FILE, 0,
     "PEM certificate chain (leaf first) for HTTPS, relative to the .conf file"},
    {"tls-key", KT_FILE, 0, "PEM private key (RSA or EC) of tls-cert's leaf certificate"},
    {"log-level", KT_LOG_LEVEL, KEY_BOOT, "least severe log level printed"},
    {APP_KEY_PREFIX, KT_TEXT, KEY_FAMILY | KEY_BOOT,
     "app-NAME: a setting of the app's own (mi_conf_get), also a boot argument"},
    {"main-noip", KT_ENTRY, 0, "entry point without network: int NAME(void)"},
    {"main-ip", KT_ENTRY, 0, "entry point with network: int NAME(const mi_netif *)"},
    {"main-http", KT_ENTRY, 0, "HTTP dispatch function: void NAME(mi_http_exchange *)"},
    {"fs-", KT_DIR, KEY_FAMILY,
     "fs-NAME: pack a directory (relative to the .conf file) into the store NAME"},
    {"pack-dotfiles", KT_BOOL, 0,
     "pack dotfiles and version-control directories (.git, CVS) into the stores too"},
    {"depends", KT_LIST, KEY_REPEAT, "pkg-config modules the application uses"},
    {"packages", KT_LIST, KEY_REPEAT, "Debian packages the build needs"},
    {"compiler", KT_STRING, 0, "the C compiler (gcc, clang or a path)"},
    {"memory", KT_MEMORY, 0, "memory of a VM target in MiB"},
    {"xl-", KT_STRING, KEY_FAMILY, "xl-KEY: a line KEY = value of the Xen xl configuration"},
};
const size_t conf_nkeys = sizeof conf_keys / sizeof conf_keys[0];

const struct conf_key *conf_key_find(const char *name, size_t len)
{
    for (size_t i = 0; i < conf_nkeys; i++) {
        const struct conf_key *k = &conf_keys[i];
        size_t klen = strlen(k->name);
        if (k->flags & KEY_FAMILY) {
            /* A family needs a member name after its prefix. */
            if (len > klen && memcmp(name, k->name, klen) == 0)
                return k;
        } else if (len == klen && memcmp(name, k->name, len) == 0) {
            return k;
        }
    }
    return NULL;
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Longer names are never close to anything (and the rows fit the stack). */
#define MAXN 40

static char fold(char c)
{
    c = lower(c);
    return c == '_' ? '-' : c;
}

/* Optimal string alignment distance: insertions, deletions, substitutions
 * and transpositions of two neighbours ("biuld" is one edit from "build"),
 * kept in three rows of the usual dynamic programme. */
unsigned name_distance(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen > MAXN || blen > MAXN)
        return ~0u;
    unsigned rows[3][MAXN + 1];
    unsigned *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= blen; j++)
        prev[j] = (unsigned)j;
    for (size_t i = 1; i <= alen; i++) {
        cur[0] = (unsigned)i;
        for (size_t j = 1; j <= blen; j++) {
            char ca = fold(a[i - 1]), cb = fold(b[j - 1]);
            unsigned best = prev[j - 1] + (ca != cb);
            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            if (i > 1 && j > 1 && ca == fold(b[j - 2]) && fold(a[i - 2]) == cb &&
                prev2[j - 2] + 1 < best)
                best = prev2[j - 2] + 1;
            cur[j] = best;
        }
        unsigned *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[blen];
}

const char *conf_key_suggest(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > MAXN)
        return NULL;
    const char *best = NULL;
    unsigned best_d = ~0u;
    for (size_t i = 0; i < conf_nkeys; i++) {
        const struct conf_key *k = &conf_keys[i];
        size_t klen = strlen(k->name);
        /* A family is compared by its prefix: "fs_static" is close to "fs-"
         * followed by a member name. */
        size_t cmp_len = (k->flags & KEY_FAMILY) && len > klen ? klen : len;
        unsigned d = name_distance(name, cmp_len, k->name, klen);
        if (d <= name_close_limit(cmp_len) && d < best_d) {
            best_d = d;
            best = k->name;
        }
    }
    return best;
}

unsigned name_close_limit(size_t len)
{
    /* At most a third of the name wrong, and one edit for short names:
     * "htp-port" -> "http-port", but not "port". */
    return len >= 6 ? (unsigned)len / 3 : 1;
}

int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    if (*s == '\0')
        return -1;
    unsigned long v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        unsigned long d = (unsigned long)(*s - '0');
        if (v > (max - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

int parse_bool(const char *s, bool *out)
{
    if (strcmp(s, "true") == 0)
        *out = true;
    else if (strcmp(s, "false") == 0)
        *out = false;
    else
        return -1;
    return 0;
}

int parse_port(const char *s, unsigned *out)
{
    unsigned long v;
    if (parse_uint(s, 65535, &v) < 0 || v == 0)
        return -1;
    *out = (unsigned)v;
    return 0;
}

int parse_netmask(const char *s, unsigned *prefix_len)
{
    mi_ipv4 m;
    if (mi_ipv4_parse(s, &m) < 0)
        return -1;
    /* Contiguous ones: the complement plus one is a power of two. A /0
     * mask would put every address on the link, which is never meant. */
    uint32_t inv = ~m;
    if (m == 0 || (inv & (inv + 1)) != 0)
        return -1;
    unsigned n = 0;
    while (m & 0x80000000u) {
        n++;
        m <<= 1;
    }
    *prefix_len = n;
    return 0;
}

static bool is_ident_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident_char(char c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9');
}

/* C11 keywords and the GNU ones gcc and clang reserve in -std=gnu11. */
static const char *const c_keywords[] = {
    "auto",       "break",     "case",           "char",
    "const",      "continue",  "default",        "do",
    "double",     "else",      "enum",           "extern",
    "float",      "for",       "goto",           "if",
    "inline",     "int",       "long",           "register",
    "restrict",   "return",    "short",          "signed",
    "sizeof",     "static",    "struct",         "switch",
    "typedef",    "union",     "unsigned",       "void",
    "volatile",   "while",     "_Alignas",       "_Alignof",
    "_Atomic",    "_Bool",     "_Complex",       "_Generic",
    "_Imaginary", "_Noreturn", "_Static_assert", "_Thread_local",
    "asm",        "typeof",    "__attribute__",  "__asm__",
};

static bool is_c_keyword(const char *s, size_t len)
{
    for (size_t i = 0; i < sizeof c_keywords / sizeof c_keywords[0]; i++)
        if (strlen(c_keywords[i]) == len && memcmp(c_keywords[i], s, len) == 0)
            return true;
    return false;
}

/* Length of the identifier at s (0 if none). */
static size_t ident_len(const char *s)
{
    if (!is_ident_start(*s))
        return 0;
    size_t n = 1;
    while (is_ident_char(s[n]))
        n++;
    return n;
}

int entry_symbol(const char *value, char *out, size_t cap)
{
    size_t a = ident_len(value);
    if (a == 0)
        return -1;
    size_t b = 0, total = a;
    if (value[a] == '.') {
        /* The seed's Module.func: the module's name lowercased, '_', the
         * function: Dispatch.main -> dispatch_main. */
        b = ident_len(value + a + 1);
        if (b == 0)
            return -1;
        total = a + 1 + b;
    }
    if (value[total] != '\0' || total >= cap || total > ENTRY_MAX)
        return -1;
    if (b == 0) {
        memcpy(out, value, a); /* a plain C name is used as written */
    } else {
        for (size_t i = 0; i < a; i++)
            out[i] = lower(value[i]);
        out[a] = '_';
        memcpy(out + a + 1, value + a + 1, b);
    }
    out[total] = '\0';
    return is_c_keyword(out, total) ? -1 : 0;
}

static bool list_ok(const char *s)
{
    /* name (, name)*  with blanks around names; an empty value is an
     * empty list. */
    const char *p = s;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '\0')
        return true;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        size_t n = 0;
        while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z') ||
               (p[n] >= '0' && p[n] <= '9') || p[n] == '.' || p[n] == '_' || p[n] == '+' ||
               p[n] == '-')
            n++;
        if (n == 0 || n > 128)
            return false;
        p += n;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0')
            return true;
        if (*p++ != ',')
            return false;
    }
}

/* One line of printable text: no control characters except tab (UTF-8
 * bytes >= 0x80 are fine). */
static bool line_ok(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return false;
    }
    return true;
}

static bool text_ok(const char *s)
{
    return *s != '\0' && line_ok(s);
}

const char *conf_key_check(const struct conf_key *k, const char *value)
{
    bool b;
    unsigned u;
    unsigned long ul;
    mi_ipv4 a;
    char sym[ENTRY_MAX + 1];

    switch (k->type) {
    case KT_BOOL:
        return parse_bool(value, &b) == 0 ? NULL : "true or false";
    case KT_IPV4:
        return mi_ipv4_parse(value, &a) == 0 ? NULL : "a dotted-quad IPv4 address such as 10.0.0.2";
    case KT_NETMASK:
        return parse_netmask(value, &u) == 0
                   ? NULL
                   : "a dotted quad with contiguous ones such as 255.255.255.0";
    case KT_PORT:
        return parse_port(value, &u) == 0 ? NULL : "a number from 1 to 65535";
    case KT_LISTEN_ADDR:
        return strcmp(value, "*") == 0 || mi_ipv4_parse(value, &a) == 0
                   ? NULL
                   : "* (every address) or an IPv4 address such as 10.0.0.2";
    case KT_ENTRY:
        return entry_symbol(value, sym, sizeof sym) == 0
                   ? NULL
                   : "a C function name such as hello_main, or Module.func for module_func "
                     "(not a C keyword)";
    case KT_LIST:
        return list_ok(value) ? NULL
                              : "names made of letters, digits and . _ + - separated by commas";
    case KT_DIR:
        return text_ok(value) ? NULL : "a directory path";
    case KT_FILE:
        return text_ok(value) ? NULL : "a file path";
    case KT_MEMORY:
        return parse_uint(value, KEY_MEMORY_MAX, &ul) == 0 && ul > 0
                   ? NULL
                   : "a number of MiB from 1 to 1048576";
    case KT_LOG_LEVEL:
        return strcmp(value, "error") == 0 || strcmp(value, "warn") == 0 ||
                       strcmp(value, "info") == 0 || strcmp(value, "debug") == 0
                   ? NULL
                   : "error, warn, info or debug";
    case KT_TCP_CC:
        return strcmp(value, "bbr") == 0 || strcmp(value, "newreno") == 0 ? NULL : "bbr or newreno";
    case KT_STRING:
        return text_ok(value) ? NULL : "text on one line without control characters";
    case KT_TEXT:
        return line_ok(value) ? NULL : "text on one line without control characters (or nothing)";
    }
    return "a value of a known type";
}
