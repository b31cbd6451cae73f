/* SPDX-License-Identifier: ISC */
/* Writing NAME.xl; see xl.h. The value forms are those of xl.cfg(5):
 * numbers, strings in "..." or '...' (a backslash starts an escape
 * there), lists [ a, b ] of strings and numbers. */
#include "xl.h"

#include <stdlib.h>
#include <string.h>

#include "cmdline.h"

/* Keys mirari writes itself: a second value would contradict it. */
static const char *const mirari_keys[] = {"name", "type", "kernel", "cmdline", "extra"};
/* Keys xl reads as integers. */
static const char *const number_keys[] = {"memory", "maxmem",     "vcpus",        "maxvcpus",
                                          "cap",    "cpu_weight", "shadow_memory"};
/* Keys taking an action when the domain ends, and those actions. */
static const char *const action_keys[] = {"on_poweroff", "on_reboot", "on_crash", "on_watchdog",
                                          "on_soft_reset"};
static const char *const actions[] = {"destroy",   "restart",          "rename-restart",
                                      "preserve",  "coredump-destroy", "coredump-restart",
                                      "soft-reset"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool one_of(const char *s, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, set[i]) == 0)
            return true;
    return false;
}

static bool is_number(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

char *xl_file_name(const char *app)
{
    return xasprintf("%s.xl", app);
}

char *xl_string(const char *s)
{
    if (strchr(s, '\\'))
        return NULL;
    if (!strchr(s, '"'))
        return xasprintf("\"%s\"", s);
    if (!strchr(s, '\''))
        return xasprintf("'%s'", s);
    return NULL;
}

/* A quoted string starting at *p: moves *p past it; NULL, else why not. */
static const char *skip_string(const char **p)
{
    char q = **p;
    const char *end = strchr(*p + 1, q);
    if (!end)
        return "a string has no closing quote";
    for (const char *c = *p + 1; c < end; c++)
        if (*c == '\\')
            return "a backslash starts an escape in xl's strings";
    *p = end + 1;
    return NULL;
}

/* [ item, item ] with items quoted strings or numbers (a trailing comma
 * allowed, as xl does); NULL, else why not. */
static const char *check_list(const char *v)
{
    const char *p = v + 1;
    for (;;) {
        p += strspn(p, " \t");
        if (*p == ']')
            break;
        if (*p == '"' || *p == '\'') {
            const char *why = skip_string(&p);
            if (why)
                return why;
        } else if (*p >= '0' && *p <= '9') {
            p += strspn(p, "0123456789");
        } else {
            return *p ? "a list holds quoted strings and numbers" : "the list has no closing ]";
        }
        p += strspn(p, " \t");
        if (*p == ',')
            p++;
        else if (*p != ']')
            return *p ? "list items are separated by commas" : "the list has no closing ]";
    }
    return p[1] ? "nothing may follow the list's closing ]" : NULL;
}

/* The value as it goes into the file; NULL with *why set when xl would
 * not read it as meant. */
static char *xl_value(const char *key, const char *v, const char **why)
{
    if (one_of(key, number_keys, COUNT(number_keys))) {
        unsigned long n;
        if (parse_uint(v, KEY_MEMORY_MAX, &n) == 0 && n > 0)
            return xstrdup(v);
        *why = "a positive whole number";
        return NULL;
    }
    if (one_of(key, action_keys, COUNT(action_keys)) && !one_of(v, actions, COUNT(actions))) {
        *why = "destroy, restart, rename-restart, preserve, coredump-destroy, coredump-restart "
               "or soft-reset";
        return NULL;
    }
    if (*v == '[') {
        *why = check_list(v);
        return *why ? NULL : xstrdup(v);
    }
    if (*v == '"' || *v == '\'') {
        const char *p = v;
        *why = skip_string(&p);
        if (!*why && *p)
            *why = "one quoted string (nothing after its closing quote)";
        return *why ? NULL : xstrdup(v);
    }
    if (is_number(v))
        return xstrdup(v);
    /* mirari's booleans; xl reads 1 and 0. */
    if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0)
        return xstrdup(v[0] == 't' ? "1" : "0");
    /* A bare word (preserve, 0-3, mac=...) is a string to xl. */
    char *s = xl_string(v);
    if (!s)
        *why = strchr(v, '\\') ? "a value without a backslash (an escape in xl's strings)"
                               : "a value that does not hold both kinds of quote";
    return s;
}

/* Every xl-KEY line, checked; false after errors. */
static bool xl_lines(const struct app_config *cfg, struct sbuf *b, struct diag *d)
{
    bool ok = true;
    for (size_t i = 0; i < cfg->n; i++) {
        const struct conf_item *it = cfg->items[i];
        if (!str_starts(it->name, "xl-") || !it->valid) /* invalid: reported already */
            continue;
        const char *key = it->name + 3;
        if (one_of(key, mirari_keys, COUNT(mirari_keys))) {
            conf_error(d, cfg->conf, it,
                       "mirari writes %s itself (the app's name, type \"pvh\", the image and "
                       "the boot arguments); remove this key",
                       key);
            ok = false;
            continue;
        }
        const char *why = NULL;
        char *value = xl_value(key, it->value, &why);
        if (!value) {
            char *shown = conf_show(it->value);
            conf_error(d, cfg->conf, it, "%s is not a value xl reads here; expected %s", shown,
                       why);
            free(shown);
            ok = false;
            continue;
        }
        /* memory is written with mirari's own lines. */
        if (strcmp(key, "memory") != 0)
            sb_printf(b, "%s = %s\n", key, value);
        free(value);
    }
    return ok;
}

static void add_word(struct strlist *out, const struct conf_item *it)
{
    sl_addf(out, "--%s=%s", it->name, it->value);
}

size_t xl_boot_words(const struct app_config *cfg, struct strlist *out)
{
    size_t n = 0;
    for (size_t i = 0; i < conf_nkeys; i++) {
        const struct conf_item *it =
            (conf_keys[i].flags & KEY_BOOT) ? cfg_get(cfg, conf_keys[i].name) : NULL;
        if (it && it->valid) { /* an invalid one is reported already */
            add_word(out, it);
            n++;
        }
    }
    for (size_t i = 0; i < cfg->n; i++)
        if (str_starts(cfg->items[i]->name, APP_KEY_PREFIX) && cfg->items[i]->valid)
            add_word(out, cfg->items[i]);
    return n;
}

char *xl_cmdline(char *const *words, size_t n, const char **bad)
{
    struct sbuf line = {0};
    for (size_t i = 0; i < n; i++) {
        char *enc = xmalloc(cmdline_encoded_len(words[i]) + 1);
        cmdline_encode(words[i], enc);
        /* xl's strings have no escapes: a word whose encoding needs a
         * backslash (it holds \, ' or ") cannot be written. */
        bool ok = strchr(enc, '\\') == NULL;
        if (ok)
            sb_printf(&line, "%s%s", i ? " " : "", enc);
        free(enc);
        if (!ok) {
            *bad = words[i];
            sb_free(&line);
            return NULL;
        }
    }
    char *s = xl_string(sb_str(&line));
    sb_free(&line);
    return s;
}

/* The item a boot argument came from, for the error's file and line. */
static const struct conf_item *word_item(const struct app_config *cfg, const char *word)
{
    for (size_t i = 0; i < cfg->n; i++) {
        const struct conf_item *it = cfg->items[i];
        size_t len = strlen(it->name);
        if (strncmp(word + 2, it->name, len) == 0 && word[2 + len] == '=')
            return it;
    }
    return NULL;
}

/* An app with a network that sets neither ip-address nor ip-use-dhcp. */
static bool takes_default_address(const struct app_config *cfg)
{
    const struct conf_item *dhcp = cfg_get(cfg, "ip-use-dhcp");
    return cfg->kind != MI_MAIN_NOIP && !cfg_get(cfg, "ip-address") &&
           !(dhcp && strcmp(dhcp->value, "true") == 0);
}

size_t xl_default_address(const struct app_config *cfg, struct strlist *out)
{
    if (!takes_default_address(cfg))
        return 0;
    sl_add(out, "--ip-address=" XL_DEFAULT_ADDRESS);
    size_t n = 1;
    if (!cfg_get(cfg, "ip-netmask"))
        sl_add(out, "--ip-netmask=" XL_DEFAULT_NETMASK), n++;
    if (!cfg_get(cfg, "ip-gateway"))
        sl_add(out, "--ip-gateway=" XL_DEFAULT_GATEWAY), n++;
    return n;
}

/* cmdline = "...", from the configuration's boot arguments; false after
 * an error. */
static bool cmdline_line(const struct app_config *cfg, struct sbuf *b, struct diag *d)
{
    struct strlist words = {0};
    xl_boot_words(cfg, &words);
    if (xl_default_address(cfg, &words))
        sb_add(b, "# No ip-address or ip-use-dhcp in the configuration: the address the tap\n"
                  "# targets give by default (mirari(1), RUNNING ON XEN).\n");
    const char *bad = NULL;
    char *line = xl_cmdline(words.v, words.n, &bad);
    if (line)
        sb_printf(b, "cmdline = %s\n", line);
    else
        conf_error(d, cfg->conf, word_item(cfg, bad),
                   "%s cannot be a boot argument on xen: xl's strings have no escapes, so "
                   "its cmdline carries no backslash, single or double quote",
                   bad);
    free(line);
    sl_free(&words);
    return line != NULL;
}

/* A network device for an app that uses the network and names none. The
 * app's static address (its own or the default) goes into the vif's ip=,
 * which routed hotplug scripts (vif-route) need. */
static void vif_line(const struct app_config *cfg, struct sbuf *b)
{
    if (cfg->kind == MI_MAIN_NOIP || cfg_get(cfg, "xl-vif"))
        return;
    const struct conf_item *addr = cfg_get(cfg, "ip-address");
    const struct conf_item *dhcp = cfg_get(cfg, "ip-use-dhcp");
    if (takes_default_address(cfg))
        sb_add(b, "vif = [ 'ip=" XL_DEFAULT_ADDRESS "' ]\n");
    else if (addr && !(dhcp && strcmp(dhcp->value, "true") == 0))
        sb_printf(b, "vif = [ 'ip=%s' ]\n", addr->value);
    else
        sb_add(b, "vif = [ '' ]\n");
}

char *xl_config_text(const struct app_config *cfg, const char *app, const char *kernel,
                     struct diag *d)
{
    struct sbuf b = {0}, extra = {0};
    char *image = xl_string(kernel);
    bool ok = xl_lines(cfg, &extra, d);
    if (!image) {
        diag_add(d, 0,
                 "%s: the image's path cannot be written in xl's configuration (it has a "
                 "backslash or both kinds of quote); move the app",
                 kernel);
        ok = false;
    }
    const struct conf_item *mem = cfg_get(cfg, "xl-memory");
    if (!mem)
        mem = cfg_get(cfg, "memory");
    sb_printf(&b,
              "# Generated by mirari configure from %s for the xen target: do not edit,\n"
              "# configure rewrites it. Start it with `mirari run --xen` (or xl create -c).\n"
              "name = \"%s\"\n" /* an app's name is letters, digits and . _ - */
              "type = \"pvh\"\n"
              "kernel = %s\n",
              path_base(cfg->conf->file), app, image ? image : "");
    if (mem)
        sb_printf(&b, "memory = %s\n", mem->value);
    else
        sb_printf(&b, "memory = %d\n", XL_DEFAULT_MEMORY_MB);
    ok = cmdline_line(cfg, &b, d) && ok;
    vif_line(cfg, &b);
    sb_add(&b, sb_str(&extra));
    sb_free(&extra);
    free(image);
    if (!ok) {
        sb_free(&b);
        return NULL;
    }
    return (char *)sb_str(&b);
}

bool xl_keeps_crashed(const struct app_config *cfg)
{
    const struct conf_item *it = cfg_get(cfg, "xl-on_crash");
    return it && strcmp(it->value, "preserve") == 0;
}
