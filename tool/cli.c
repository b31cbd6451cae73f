/* SPDX-License-Identifier: ISC */
/* Command-line parsing; see cli.h. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "conf.h"
#include "conf_keys.h"

/* The options besides the keys and the target switches (target.c), in
 * the order mirari --help shows them; shell completion offers these. */
const struct cli_option cli_options[] = {
    {"-f", "--file", OPT_FILE, "the app's .conf (default: the only *.conf here)"},
    {"-t", "--target", OPT_TARGET, "the target"},
    {NULL, "--no-install", OPT_NO_INSTALL, "do not run apt-get for missing packages"},
    {"-v", "--verbose", OPT_VERBOSE, "show the commands run"},
    {"-q", "--quiet", OPT_QUIET, "print errors only"},
    {"-h", "--help", OPT_HELP, "print help"},
    {NULL, "--version", OPT_VERSION, "print the version"},
};
const size_t cli_noptions = sizeof cli_options / sizeof cli_options[0];

static int usage_error(const char *fmt, ...) PRINTF(1, 2);
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("mirari: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n(see mirari --help)\n", stderr);
    return 2;
}

static int set_target(struct cli *c, const struct target *t, const char *opt)
{
    if (c->target && c->target != t)
        return usage_error("%s and %s ask for different targets (%s, %s); give one", c->target_opt,
                           opt, c->target->name, t->name);
    c->target = t;
    c->target_opt = opt;
    return 0;
}

static int target_option(struct cli *c, const char *name, const char *opt)
{
    const struct target *t = target_find(name);
    if (!t)
        return usage_error("%s: unknown target \"%s\"; expected %s", opt, name, target_names());
    return set_target(c, t, opt);
}

static void add_key(struct cli *c, const char *name, size_t len, const char *value)
{
    c->keys = xrealloc(c->keys, (c->nkeys + 1) * sizeof *c->keys);
    c->keys[c->nkeys++] = (struct cli_key){xstrndup(name, len), xstrdup(value)};
}

/* --KEY=VALUE, --KEY VALUE, or a bare --KEY for a boolean (true), as the
 * unikernel's own boot arguments accept. Returns how many arguments it
 * used, or -1 after a usage error. */
static int key_option(struct cli *c, char **argv, int i, int argc)
{
    const char *arg = argv[i] + 2;
    const char *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    const struct conf_key *k = conf_key_find(arg, len);
    if (!k) {
        char *name = xstrndup(arg, len);
        const char *s = conf_key_suggest(name);
        if (strcmp(name, "name") == 0)
            usage_error("unknown option --name; %s", CONF_NAME_HINT);
        else if (s)
            usage_error("unknown option --%s; did you mean --%s%s?", name, s,
                        str_ends(s, "-") ? "NAME" : "");
        else
            usage_error("unknown option --%s", name);
        free(name);
        return -1;
    }
    if (eq) {
        add_key(c, arg, len, eq + 1);
        return 1;
    }
    const char *next = i + 1 < argc ? argv[i + 1] : NULL;
    if (k->type == KT_BOOL && (!next || (strcmp(next, "true") && strcmp(next, "false")))) {
        add_key(c, arg, len, "true");
        return 1;
    }
    /* Free text takes no "--..." from the next argument, as at boot: that
     * is more likely the next option (--app-motd=--x gives one). */
    if (!next || (k->type == KT_TEXT && strncmp(next, "--", 2) == 0)) {
        usage_error("--%s needs a value (--%s=VALUE)", arg, arg);
        return -1;
    }
    add_key(c, arg, len, next);
    return 2;
}

/* An option that takes a value: -fFILE, -f FILE, --file=FILE, --file FILE.
 * Returns the value and advances *i, or NULL when arg is not that option. */
static const char *valued(char **argv, int argc, int *i, const char *s, const char *l, int *err)
{
    const char *arg = argv[*i];
    size_t ll = strlen(l);
    if (strcmp(arg, s) == 0 || strcmp(arg, l) == 0) {
        if (*i + 1 >= argc) {
            *err = usage_error("%s needs a value", arg);
            return NULL;
        }
        return argv[++*i];
    }
    if (strncmp(arg, s, 2) == 0 && arg[2])
        return arg + 2;
    if (strncmp(arg, l, ll) == 0 && arg[ll] == '=')
        return arg + ll + 1;
    return NULL;
}

/* A command's own option (cli_cmdopts): 1 when arg was one (and *i moved
 * past its value), 0 when not, -1 after a usage error. Forms: --NAME=V,
 * --NAME V, and for --output also -o V and -oV. */
static int command_option(struct cli *c, char **argv, int argc, int *i)
{
    const char *arg = argv[*i];
    if (strcmp(arg, "--yes") == 0) {
        c->opts.yes = true;
        sl_add(&c->opts.given, "--yes");
        return 1;
    }
    const char **fields[] = {
        &c->opts.format,  &c->opts.output, &c->opts.size,        &c->opts.bucket,
        &c->opts.network, &c->opts.tap,    &c->opts.tap_address, NULL};
    static const char *const names[] = {"--format",  "--output", "--size",        "--bucket",
                                        "--network", "--tap",    "--tap-address", "--set"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        size_t len = strlen(names[k]);
        const char *v = NULL;
        if (strncmp(arg, names[k], len) == 0 && arg[len] == '=')
            v = arg + len + 1;
        else if (k == 1 && strncmp(arg, "-o", 2) == 0 && arg[2])
            v = arg + 2;
        else if (strcmp(arg, names[k]) == 0 || (k == 1 && strcmp(arg, "-o") == 0)) {
            if (*i + 1 >= argc) {
                usage_error("%s needs a value", arg);
                return -1;
            }
            v = argv[++*i];
        } else {
            continue;
        }
        if (fields[k])
            *fields[k] = v;
        else
            sl_add(&c->opts.set, v);
        sl_add(&c->opts.given, names[k]);
        return 1;
    }
    return 0;
}

/* An option of the table: 1 when arg is one (applied, or *err set), 0
 * when it is not. */
static int table_option(struct cli *c, char **argv, int argc, int *i, int *err)
{
    const char *arg = argv[*i];
    for (size_t k = 0; k < cli_noptions; k++) {
        const struct cli_option *o = &cli_options[k];
        const char *v = NULL;
        if (o->kind == OPT_FILE || o->kind == OPT_TARGET) {
            v = valued(argv, argc, i, o->short_name, o->long_name, err);
            if (*err)
                return 1;
            if (!v)
                continue;
        } else if (strcmp(arg, o->long_name) != 0 &&
                   !(o->short_name && strcmp(arg, o->short_name) == 0)) {
            continue;
        }
        switch (o->kind) {
        case OPT_FILE:
            c->file = v;
            break;
        case OPT_TARGET:
            *err = target_option(c, v, arg);
            break;
        case OPT_NO_INSTALL:
            c->no_install = true;
            break;
        case OPT_VERBOSE:
            c->verbosity = 2;
            break;
        case OPT_QUIET:
            c->verbosity = 0;
            break;
        case OPT_HELP:
            c->help = true;
            break;
        case OPT_VERSION:
            c->version = true;
            break;
        }
        return 1;
    }
    return 0;
}

static int one_option(struct cli *c, char **argv, int argc, int *i)
{
    const char *arg = argv[*i];
    int err = 0;
    if (table_option(c, argv, argc, i, &err))
        return err;
    int own = command_option(c, argv, argc, i);
    if (own)
        return own < 0 ? 2 : 0;
    if (target_by_flag(arg))
        return set_target(c, target_by_flag(arg), arg);
    if (strncmp(arg, "--", 2) == 0) {
        int used = key_option(c, argv, *i, argc);
        if (used < 0)
            return 2;
        *i += used - 1;
        return 0;
    }
    return usage_error("unknown option %s", arg);
}

int cli_parse(int argc, char **argv, struct cli *out)
{
    *out = (struct cli){.verbosity = 1};
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        int rc = 0;
        if (strcmp(arg, "--") == 0) {
            for (i++; i < argc; i++)
                sl_add(&out->extra, argv[i]);
        } else if (arg[0] == '-' && arg[1] != '\0') {
            rc = one_option(out, argv, argc, &i);
        } else if (!out->command) {
            /* Never a fall-through to some default command: a typo would
             * run it with the wrong meaning. */
            out->command = command_find(arg);
            if (!out->command) {
                const char *close = command_suggest(arg);
                return usage_error("unknown command \"%s\"%s%s%s; the commands are %s", arg,
                                   close ? " (did you mean " : "", close ? close : "",
                                   close ? "?)" : "", command_names());
            }
        } else {
            sl_add(&out->words, arg);
        }
        if (rc)
            return rc;
    }
    return 0;
}

void cli_free(struct cli *c)
{
    for (size_t i = 0; i < c->nkeys; i++) {
        free(c->keys[i].name);
        free(c->keys[i].value);
    }
    free(c->keys);
    sl_free(&c->words);
    sl_free(&c->extra);
    sl_free(&c->opts.set);
    sl_free(&c->opts.given);
    *c = (struct cli){0};
}
