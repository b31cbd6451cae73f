/* SPDX-License-Identifier: ISC */
/* Finding and checking the app; see session.h. */
#include "session.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deps.h"
#include "diag.h"
#include "state.h"
#include "xl.h"

/* The app's name becomes file names (mir-NAME) and a C string. */
static bool app_name_ok(const char *name)
{
    if (name[0] == '\0' || name[0] == '.' || name[0] == '-')
        return false;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              strchr("._-", *p)))
            return false;
    return true;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The regular files of dir whose names end in suffix (not hidden), sorted. */
static int list_files(const char *dir, const char *suffix, struct strlist *out)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !str_ends(e->d_name, suffix) ||
            strlen(e->d_name) == strlen(suffix))
            continue;
        char *p = path_join(dir, e->d_name);
        if (is_file(p))
            sl_add(out, e->d_name);
        free(p);
    }
    closedir(d);
    if (out->n > 1)
        qsort(out->v, out->n, sizeof *out->v, cmp_str);
    return 0;
}

int find_conf(struct session *s, const struct cli *cli)
{
    if (cli->file) {
        if (!is_file(cli->file)) {
            error_path(cli->file, is_dir(cli->file) ? EISDIR : ENOENT);
            return EXIT_USAGE;
        }
        s->conf_path = xstrdup(cli->file);
    } else {
        struct strlist found = {0};
        if (list_files(".", ".conf", &found) < 0) {
            int e = errno;
            char *cwd = path_full(".");
            errorf("cannot read the current directory %s: %s", cwd, strerror(e));
            free(cwd);
            return EXIT_FAIL;
        }
        if (found.n != 1) {
            struct sbuf names = {0};
            for (size_t i = 0; i < found.n; i++)
                sb_printf(&names, "%s%s", i ? ", " : "", found.v[i]);
            if (found.n == 0)
                errorf("no *.conf file in the current directory; expected exactly one (or "
                       "name it with -f FILE)");
            else
                errorf("%zu .conf files in the current directory (%s); expected exactly one, "
                       "or choose with -f FILE",
                       found.n, sb_str(&names));
            sb_free(&names);
            sl_free(&found);
            return EXIT_USAGE;
        }
        s->conf_path = xstrdup(found.v[0]);
        sl_free(&found);
    }
    s->appdir = path_dir(s->conf_path);
    s->builddir = path_join(s->appdir, "_build");
    const char *base = path_base(s->conf_path);
    s->app = str_ends(base, ".conf") ? xstrndup(base, strlen(base) - 5) : xstrdup(base);
    if (!app_name_ok(s->app)) {
        errorf("%s: the app's name \"%s\" (the file's name without .conf) cannot name a "
               "program; expected letters, digits, '.', '_' and '-'",
               s->conf_path, s->app);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

int find_install(struct session *s)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n < 0) {
        errorf("cannot find this program (/proc/self/exe): %s", strerror(errno));
        return EXIT_FAIL;
    }
    exe[n] = '\0';
    s->tool = xstrdup(exe);
    const char *env = getenv("MIRARI_PREFIX");
    char *bin = path_dir(exe);
    char *guess = env && *env ? xstrdup(env) : path_dir(bin);
    free(bin);
    s->prefix = realpath(guess, NULL);
    char *header = s->prefix ? path_join(s->prefix, "include/mirari/app.h") : NULL;
    bool ok = header && is_file(header);
    free(header);
    if (!ok) {
        errorf("cannot find mirari's runtime in %s (no include/mirari/app.h there); install "
               "mirari with `make install`, or set MIRARI_PREFIX to its prefix",
               guess);
        free(guess);
        return EXIT_FAIL;
    }
    free(guess);
    /* Both go into the generated Makefile, which cannot quote names. */
    const char *bad = !make_safe(s->prefix) ? s->prefix : !make_safe(s->tool) ? s->tool : NULL;
    if (bad) {
        errorf("%s: mirari is installed under a path the generated Makefile cannot name (a "
               "blank or one of $ # : %% \\ ' \" in it); install it under a plain path",
               bad);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

int target_available(const struct session *s)
{
    char *mk = xasprintf("%s/lib/mirari/%s", s->prefix, s->target->mk);
    bool ok = is_file(mk);
    if (!ok)
        errorf("target %s is not available yet in this mirari build (%s is not installed)",
               s->target->name, mk);
    free(mk);
    return ok ? EXIT_OK : EXIT_FAIL;
}

/* Command-line keys as --KEY=VALUE, fs- paths made absolute so that a
 * later build from anywhere packs the same directory. */
static void cli_args(const struct cli *cli, struct strlist *out)
{
    char cwd[PATH_MAX];
    bool have_cwd = getcwd(cwd, sizeof cwd) != NULL;
    for (size_t i = 0; i < cli->nkeys; i++) {
        const struct cli_key *k = &cli->keys[i];
        if (str_starts(k->name, "fs-") && k->value[0] && k->value[0] != '/' && have_cwd) {
            char *abs = path_join(cwd, k->value);
            sl_addf(out, "--%s=%s", k->name, abs);
            free(abs);
        } else {
            sl_addf(out, "--%s=%s", k->name, k->value);
        }
    }
}

/* Both --KEY=... of the same key. */
static bool same_key(const char *a, const char *b)
{
    size_t la = strcspn(a, "="), lb = strcspn(b, "=");
    return la == lb && strncmp(a, b, la) == 0;
}

/* The entry of l for the key of arg, or NULL. */
static const char *find_key(const struct strlist *l, const char *arg)
{
    for (size_t i = 0; i < l->n; i++)
        if (same_key(l->v[i], arg))
            return l->v[i];
    return NULL;
}

/* The keys in effect: the remembered ones, each replaced by the same key
 * given to this command, then this command's other keys. */
static void merge_keys(struct session *s, const struct strlist *given)
{
    for (size_t i = 0; i < s->kept.n; i++) {
        const char *over = find_key(given, s->kept.v[i]);
        sl_add(&s->args, over ? over : s->kept.v[i]);
    }
    for (size_t i = 0; i < given->n; i++)
        if (!find_key(&s->kept, given->v[i]))
            sl_add(&s->args, given->v[i]);
}

/* What build and run take from _build/configuration, and what they leave
 * of an earlier command's own keys, said on stderr (the rule is in
 * mirari(1), "The keys are remembered"). */
static void note_remembered(const struct session *s, const struct strlist *given,
                            const struct state *recorded)
{
    struct sbuf used = {0};
    for (size_t i = 0; i < s->kept.n; i++) {
        const char *over = find_key(given, s->kept.v[i]);
        if (!over)
            sb_printf(&used, " %s", s->kept.v[i]);
        else if (strcmp(over, s->kept.v[i]) != 0)
            note("note: %s replaces the remembered %s for this command only", over, s->kept.v[i]);
    }
    if (s->kept_target && !s->cli->target)
        sb_printf(&used, " -t %s", s->kept_target->name);
    if (used.len)
        note("note: using remembered keys:%s (from %s/configuration; `mirari configure` "
             "resets them)",
             sb_str(&used), s->builddir);
    sb_free(&used);
    for (size_t i = 0; i < recorded->args.n; i++) {
        const char *arg = recorded->args.v[i];
        if (!sl_has(&s->args, arg) && !sl_has(&s->kept, arg))
            note("note: dropping %s: it was given to an earlier build or run, for that "
                 "command only (`mirari configure %s` remembers it)",
                 arg, arg);
    }
}

/* configure starts afresh: the keys of the last configure it is not
 * given again are forgotten. */
static void note_forgotten(const struct session *s, const struct state *recorded)
{
    struct sbuf gone = {0};
    for (size_t i = 0; i < recorded->kept.n; i++)
        if (!sl_has(&s->kept, recorded->kept.v[i]))
            sb_printf(&gone, " %s", recorded->kept.v[i]);
    if (gone.len)
        note("note: configure starts afresh from %s and its own keys; no longer remembered:%s",
             s->conf_path, sb_str(&gone));
    sb_free(&gone);
}

/* The app's sources: every *.c next to the .conf. */
static int find_sources(struct session *s)
{
    if (list_files(s->appdir, ".c", &s->sources) < 0) {
        error_path(s->appdir, errno);
        return EXIT_FAIL;
    }
    for (size_t i = 0; i < s->sources.n; i++) {
        if (!make_safe(s->sources.v[i])) {
            errorf("%s: make cannot build a file with this name; expected a name of letters, "
                   "digits and . _ + - @ ~ (rename it)",
                   s->sources.v[i]);
            return EXIT_USAGE;
        }
    }
    if (s->sources.n == 0) {
        errorf("no .c file next to %s; expected the C sources of the app there", s->conf_path);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

/* The target: the original Mirari's compiler: form wins (with a note),
 * then the command line, then the one configure remembered, then the
 * default. */
static void pick_target(struct session *s, const struct cli *cli)
{
    const struct target *asked = cli->target ? cli->target : s->kept_target;
    if (s->cfg.seed_family) {
        const struct conf_item *it = cfg_get(&s->cfg, "compiler");
        s->target = target_for_family(s->cfg.seed_family, asked);
        const char *where = it->origin == CONF_FILE ? s->conf_path : "command line";
        if (it->origin == CONF_FILE)
            note("%s:%d: note: compiler: %s is the original Mirari's OPAM switch name: it "
                 "selects target %s%s%s; the OCaml compiler part does not apply, the default C "
                 "compiler is used",
                 where, it->line, it->value, s->target->name,
                 cli->target && cli->target != s->target ? " over " : "",
                 cli->target && cli->target != s->target ? cli->target_opt : "");
        else
            note("command line: note: --compiler=%s selects target %s; the OCaml compiler part "
                 "does not apply, the default C compiler is used",
                 it->value, s->target->name);
    } else {
        s->target = asked ? asked : target_default();
    }
}

/* After errors, packages that configure would install: said, since
 * depends was not checked for them (a module may come with one). */
static void note_missing(const struct strlist *missing)
{
    struct sbuf names = {0};
    for (size_t i = 0; i < missing->n; i++)
        sb_printf(&names, "%s%s", i ? ", " : "", missing->v[i]);
    note("note: Debian packages not installed yet: %s (configure installs them, as root, once "
         "the errors are fixed, then checks depends)",
         sb_str(&names));
    sb_free(&names);
}

/* Parse the .conf and the keys, pick the target, check them together
 * and for the target (xl-* keys too for xen). On an error here, or one
 * the caller already had (more_errors), packages and depends are checked
 * as well. */
static int load_config(struct session *s, const struct cli *cli, bool more_errors)
{
    size_t len;
    s->conf_text = read_file(s->conf_path, &len);
    if (!s->conf_text) {
        error_path(s->conf_path, errno);
        return EXIT_FAIL;
    }
    struct diag d = {0};
    conf_init(&s->conf, s->conf_path);
    conf_parse(&s->conf, s->conf_text, len, &d);
    for (size_t i = 0; i < s->args.n; i++) {
        const char *arg = s->args.v[i] + 2, *eq = strchr(arg, '=');
        char *name = xstrndup(arg, (size_t)(eq - arg));
        conf_add_cli(&s->conf, name, eq + 1, &d);
        free(name);
    }
    check_config(&s->conf, s->appdir, CHECK_FS, &s->cfg, &d);
    pick_target(s, cli);
    check_target(&s->cfg, s->target, &d);
    if (s->target->xl) /* the text is written by configure; here only its errors */
        free(xl_config_text(&s->cfg, s->app, "/", &d));
    /* After an error, the names of packages and depends too (nothing is
     * installed), so that one run reports every problem (mirari(1)). */
    struct strlist missing = {0};
    if (d.total || more_errors)
        deps_check(&s->cfg, &d, &missing);
    diag_print(&d, stderr); /* in the order of the file's lines */
    if (missing.n)
        note_missing(&missing);
    sl_free(&missing);
    int errors = d.total;
    diag_free(&d);
    return errors ? EXIT_USAGE : EXIT_OK;
}

int session_open(struct session *s, const struct cli *cli, bool reuse_recorded)
{
    *s = (struct session){.cli = cli};
    int rc = find_conf(s, cli);
    if (rc == EXIT_OK)
        rc = find_install(s);
    if (rc != EXIT_OK)
        return rc;
    struct state recorded = {0};
    bool have = state_read(s->builddir, &recorded) == 0;
    struct strlist given = {0};
    cli_args(cli, &given);
    if (!reuse_recorded) {
        for (size_t i = 0; i < given.n; i++)
            sl_add(&s->kept, given.v[i]);
        s->kept_target = cli->target;
        if (have)
            note_forgotten(s, &recorded);
    } else if (have) {
        for (size_t i = 0; i < recorded.kept.n; i++)
            sl_add(&s->kept, recorded.kept.v[i]);
        s->kept_target = recorded.kept_target ? target_find(recorded.kept_target) : NULL;
    }
    merge_keys(s, &given);
    if (reuse_recorded && have)
        note_remembered(s, &given, &recorded);
    /* Every problem in one run: the sources' and the configuration's. */
    rc = find_sources(s);
    int config_rc = load_config(s, cli, rc != EXIT_OK);
    if (rc == EXIT_OK)
        rc = config_rc;
    if (rc == EXIT_OK && reuse_recorded && have && !cli->target && recorded.target &&
        strcmp(recorded.target, s->target->name) != 0)
        note("note: back to target %s: %s was given to an earlier build or run, for that "
             "command only (`mirari configure -t %s` remembers it)",
             s->target->name, recorded.target, recorded.target);
    sl_free(&given);
    state_free(&recorded);
    return rc;
}

static unsigned long long fnv1a(const char *s)
{
    unsigned long long h = 0xcbf29ce484222325ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}

char *session_stamp(const struct session *s)
{
    char *conf_abs = realpath(s->conf_path, NULL);
    struct sbuf b = {0};
    sb_printf(&b, "version %s\ntool %s\nprefix %s\nconf %s\nconf-hash %016llx\ntarget %s\n",
              MIRARI_VERSION, s->tool, s->prefix, conf_abs ? conf_abs : s->conf_path,
              fnv1a(s->conf_text), s->target->name);
    free(conf_abs);
    for (size_t i = 0; i < s->sources.n; i++)
        sb_printf(&b, "source %s\n", s->sources.v[i]);
    for (size_t i = 0; i < s->args.n; i++)
        sb_printf(&b, "arg %s\n", s->args.v[i]);
    if (s->kept_target)
        sb_printf(&b, "remembered-target %s\n", s->kept_target->name);
    for (size_t i = 0; i < s->kept.n; i++)
        sb_printf(&b, "remembered %s\n", s->kept.v[i]);
    return (char *)sb_str(&b);
}

void session_close(struct session *s)
{
    app_config_free(&s->cfg);
    conf_free(&s->conf);
    free(s->conf_text);
    sl_free(&s->sources);
    sl_free(&s->args);
    sl_free(&s->kept);
    free(s->conf_path);
    free(s->appdir);
    free(s->builddir);
    free(s->app);
    free(s->tool);
    free(s->prefix);
    *s = (struct session){0};
}
