/* SPDX-License-Identifier: ISC */
/* The app.conf parser; see conf.h. */
#include "conf.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"

void conf_init(struct conf *c, const char *file)
{
    *c = (struct conf){.file = xstrdup(file)};
}

void conf_free(struct conf *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->items[i].name);
        free(c->items[i].value);
    }
    free(c->items);
    free(c->file);
    *c = (struct conf){0};
}

char *conf_show(const char *s)
{
    /* Long values are cut: a message names the value, it need not repeat
     * a whole line of binary junk. */
    enum { MAX_SHOWN = 60 };
    size_t n = strlen(s);
    char *cut = xstrndup(s, n > MAX_SHOWN ? MAX_SHOWN : n);
    char *q = c_string(cut);
    free(cut);
    if (n > MAX_SHOWN) {
        char *longer = xasprintf("%s...", q);
        free(q);
        q = longer;
    }
    return q;
}

/* A key as written, for a message: as is when it is a plain name. */
static char *show_key(const char *name)
{
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.'))
            return conf_show(name);
    return xstrdup(name);
}

void conf_error(struct diag *d, const struct conf *c, const struct conf_item *it, const char *fmt,
                ...)
{
    char *key = show_key(it->name);
    char *where = it->origin == CONF_FILE ? xasprintf("%s:%d: %s", c->file, it->line, key)
                                          : xasprintf("command line: --%s", key);
    free(key);
    va_list ap;
    va_start(ap, fmt);
    char *msg;
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    diag_add(d, it->origin == CONF_FILE ? it->line : DIAG_CLI_LINE, "%s: %s", where,
             msg ? msg : "(out of memory)");
    free(msg);
    free(where);
}

void conf_unknown_key(struct diag *d, int line, const char *where, const char *dashes,
                      const char *name)
{
    char *shown = show_key(name);
    const char *suggestion = conf_key_suggest(name);
    if (strcmp(name, "main") == 0) {
        diag_add(d, line,
                 "%s: %s%s: unknown key; the entry point is given as %smain-noip, %smain-ip or "
                 "%smain-http",
                 where, dashes, shown, dashes, dashes, dashes);
    } else if (strcmp(name, "name") == 0) {
        diag_add(d, line, "%s: %s%s: unknown key; %s", where, dashes, shown, CONF_NAME_HINT);
    } else if (suggestion && str_ends(suggestion, "-")) {
        /* A family: suggest the member the user meant ("fs_static" ->
         * "fs-static"). */
        size_t plen = strlen(suggestion);
        const char *member = strlen(name) > plen ? name + plen : "NAME";
        diag_add(d, line, "%s: %s%s: unknown key; did you mean %s%s%s?", where, dashes, shown,
                 dashes, suggestion, member);
    } else if (suggestion) {
        diag_add(d, line, "%s: %s%s: unknown key; did you mean %s%s?", where, dashes, shown, dashes,
                 suggestion);
    } else {
        diag_add(d, line, "%s: %s%s: unknown key; see app.conf(5) for the keys", where, dashes,
                 shown);
    }
    free(shown);
}

/* What a value of each type is, for "is not <noun>". */
static const char *type_noun(enum conf_key_type t)
{
    switch (t) {
    case KT_BOOL:
        return "a boolean";
    case KT_IPV4:
        return "an IPv4 address";
    case KT_NETMASK:
        return "a netmask";
    case KT_PORT:
        return "a port number";
    case KT_LISTEN_ADDR:
        return "a listen address";
    case KT_ENTRY:
        return "an entry point";
    case KT_LIST:
        return "a list of names";
    case KT_DIR:
        return "a directory name";
    case KT_FILE:
        return "a file name";
    case KT_MEMORY:
        return "a memory size";
    case KT_LOG_LEVEL:
        return "a log level";
    case KT_TCP_CC:
        return "a congestion control";
    case KT_STRING:
    case KT_TEXT:
        return "a valid value";
    }
    return "a valid value";
}

/* Whether a family's member names may hold '-': fs-NAME (a store) and
 * app-NAME (an application key, a boot argument --app-NAME) may; xl-KEY
 * is a key of the xl configuration, where '-' is not allowed. */
static bool member_dash(const struct conf_key *k)
{
    return strcmp(k->name, "xl-") != 0;
}

/* The member name of a family key: fs-NAME becomes C symbols and a file
 * name, app-NAME a boot argument, xl-KEY a key of the xl configuration. */
static bool member_ok(const struct conf_key *k, const char *member)
{
    bool dash = member_dash(k);
    if (strlen(member) > KEY_MEMBER_MAX)
        return false;
    for (const char *p = member; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' ||
              (dash && *p == '-')))
            return false;
    return *member != '\0';
}

static struct conf_item *add_item(struct conf *c, const struct conf_key *k, const char *name,
                                  const char *value, int line, enum conf_origin origin)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->items = xrealloc(c->items, c->cap * sizeof *c->items);
    }
    struct conf_item *it = &c->items[c->n++];
    *it = (struct conf_item){.key = k,
                             .name = xstrdup(name),
                             .value = xstrdup(value),
                             .line = line,
                             .origin = origin,
                             .valid = true};
    return it;
}

/* Check a known key's member name and value; keep the item either way, so
 * that checks across keys (duplicates, which main-*) still see it. */
static int add_checked(struct conf *c, const struct conf_key *k, const char *name,
                       const char *value, int line, enum conf_origin origin, struct diag *d)
{
    struct conf_item *it = add_item(c, k, name, value, line, origin);
    int errors = 0;
    if (k->flags & KEY_FAMILY) {
        const char *member = name + strlen(k->name);
        if (!member_ok(k, member)) {
            char *shown = show_key(member);
            conf_error(d, c, it,
                       "%s is not a usable name; expected at most %d lowercase letters, "
                       "digits%s",
                       shown, KEY_MEMBER_MAX, member_dash(k) ? ", '-' and '_'" : " and '_'");
            free(shown);
            it->valid = false;
            errors++;
        }
    }
    const char *accepted = conf_key_check(k, value);
    if (accepted) {
        char *shown = conf_show(value);
        conf_error(d, c, it, "%s is not %s; expected %s", shown, type_noun(k->type), accepted);
        free(shown);
        it->valid = false;
        errors++;
    }
    return errors;
}

static bool blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* One line, without its newline; s[0..n) may hold any bytes. */
static int parse_line(struct conf *c, int line, const char *s, size_t n, struct diag *d)
{
    if (n > 0 && s[n - 1] == '\r')
        n--; /* a file written on Windows */
    while (n > 0 && blank(*s))
        s++, n--;
    while (n > 0 && blank(s[n - 1]))
        n--;
    if (n == 0 || s[0] == '#')
        return 0;
    char *text = xstrndup(s, n);
    int errors = 0;
    const char *colon = strchr(text, ':');
    if (strlen(text) != n) {
        diag_add(d, line, "%s:%d: the line contains a NUL byte; app.conf is a text file", c->file,
                 line);
        errors = 1;
    } else if (!colon || colon == text) {
        char *shown = conf_show(text);
        diag_add(d, line, "%s:%d: %s: expected a line of the form \"key: value\"", c->file, line,
                 shown);
        free(shown);
        errors = 1;
    } else {
        size_t klen = (size_t)(colon - text);
        while (klen > 0 && blank(text[klen - 1]))
            klen--;
        char *name = xstrndup(text, klen);
        const char *value = colon + 1;
        while (blank(*value))
            value++;
        const struct conf_key *k = conf_key_find(name, klen);
        if (!k) {
            char *where = xasprintf("%s:%d", c->file, line);
            conf_unknown_key(d, line, where, "", name);
            free(where);
            errors = 1;
        } else {
            errors = add_checked(c, k, name, value, line, CONF_FILE, d);
        }
        free(name);
    }
    free(text);
    return errors;
}

int conf_parse(struct conf *c, const char *buf, size_t len, struct diag *d)
{
    int errors = 0, line = 0;
    size_t pos = 0;
    /* A UTF-8 byte order mark, which some editors put at the start of a
     * text file (in UTF-8 it orders nothing and only says "UTF-8", Unicode
     * 15.0 section 23.8): not part of the first key. */
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - buf) : len;
        errors += parse_line(c, ++line, buf + pos, end - pos, d);
        pos = end + 1;
    }
    c->nlines = line;
    return errors;
}

int conf_add_cli(struct conf *c, const char *name, const char *value, struct diag *d)
{
    const struct conf_key *k = conf_key_find(name, strlen(name));
    if (!k) {
        conf_unknown_key(d, DIAG_CLI_LINE, "command line", "--", name);
        return -1;
    }
    return add_checked(c, k, name, value, 0, CONF_CLI, d) ? -1 : 0;
}
