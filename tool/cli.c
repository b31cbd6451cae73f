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
    {"-f", "--file", OPT_FILE, "the app's .conf (default: the only *.conf here)", NULL},
    {"-t", "--target", OPT_TARGET, "the target", NULL},
    {NULL, "--no-install", OPT_NO_INSTALL, "do not run apt-get for missing packages", NULL},
    {"-v", "--verbose", OPT_VERBOSE, "show the commands run", NULL},
    {"-q", "--quiet", OPT_QUIET, "print errors only", NULL},
    {"-h", "--help", OPT_HELP, "print help", NULL},
    {NULL, "--version", OPT_VERSION, "print the version", NULL},
    {NULL, "--format", OPT_FORMAT, "the image's format: raw, qcow2, gce or libvirt", "image"},
    {"-o", "--output", OPT_OUTPUT, "the image's file", "image deploy"},
    {NULL, "--size", OPT_SIZE, "the disk's size (64M, 1G, ...)", "image deploy"},
    {NULL, "--set", OPT_SET, "KEY=VALUE: a boot argument of the image", "image deploy"},
    {NULL, "--network", OPT_NETWORK, "the libvirt domain's network, or tap:DEV", "image"},
    {NULL, "--bucket", OPT_BUCKET, "the bucket the image is uploaded to", "deploy"},
    {NULL, "--yes", OPT_YES, "run the commands, not only print them", "deploy"},
    {NULL, "--tap", OPT_TAP, "run on this existing tap", "run"},
    {NULL, "--tap-address", OPT_TAP_ADDRESS, "A.B.C.D/N: the host side of the tap", "run"},
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
    if ((s && strcmp(arg, s) == 0) || strcmp(arg, l) == 0) {
        if (*i + 1 >= argc) {
            *err = usage_error("%s needs a value", arg);
            return NULL;
        }
        return argv[++*i];
    }
    if (s && strncmp(arg, s, 2) == 0 && arg[2])
        return arg + 2;
    if (strncmp(arg, l, ll) == 0 && arg[ll] == '=')
        return arg + ll + 1;
    return NULL;
}

bool cli_option_valued(const struct cli_option *o)
{
    return o->kind <= OPT_TARGET || (o->kind >= OPT_FORMAT && o->kind <= OPT_SET);
}

bool cli_option_for(const struct cli_option *o, const char *name)
{
    if (!o->commands)
        return true;
    size_t len = strlen(name);
    for (const char *p = o->commands; (p = strstr(p, name)) != NULL; p += len)
        if ((p == o->commands || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0'))
            return true;
    return false;
}

/* A command's own option: its value kept in c->opts, its name noted for
 * command_check_options. */
static void command_option(struct cli *c, const struct cli_option *o, const char *v)
{
    const char **field[] = {
        [OPT_FORMAT] = &c->opts.format,
        [OPT_OUTPUT] = &c->opts.output,
        [OPT_SIZE] = &c->opts.size,
        [OPT_BUCKET] = &c->opts.bucket,
        [OPT_NETWORK] = &c->opts.network,
        [OPT_TAP] = &c->opts.tap,
        [OPT_TAP_ADDRESS] = &c->opts.tap_address,
    };
    if (o->kind == OPT_SET)
        sl_add(&c->opts.set, v);
    else if (o->kind == OPT_YES)
        c->opts.yes = true;
    else
        *field[o->kind] = v;
    sl_add(&c->opts.given, o->long_name);
}

/* An option of the table: 1 when arg is one (applied, or *err set), 0
 * when it is not. */
static int table_option(struct cli *c, char **argv, int argc, int *i, int *err)
{
    const char *arg = argv[*i];
    for (size_t k = 0; k < cli_noptions; k++) {
        const struct cli_option *o = &cli_options[k];
        const char *v = NULL;
        if (cli_option_valued(o)) {
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
        default:
            command_option(c, o, v);
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
