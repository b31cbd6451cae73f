/* SPDX-License-Identifier: ISC */
/* mirari build: configure when needed, then make. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codegen.h"
#include "commands.h"
#include "manifest.h"
#include "state.h"
#include "xl.h"

char *image_path(const struct session *s)
{
    char *name = image_name(s->app, s->target);
    /* "./mir-hello", never a bare name that exec or a shell would look
     * up in PATH. */
    char *path = strcmp(s->appdir, ".") == 0 ? xasprintf("./%s", name) : path_join(s->appdir, name);
    free(name);
    return path;
}

/* Configure again unless _build/ was written for exactly this
 * configuration and still holds what configure wrote. */
static bool needs_configure(const struct session *s)
{
    struct state st;
    if (state_read(s->builddir, &st) < 0)
        return true;
    char *stamp = session_stamp(s);
    bool stale = strcmp(stamp, st.stamp) != 0;
    static const char *const written[] = {"Makefile", "sources.mk", "main.c", "entry.h"};
    for (size_t i = 0; i < sizeof written / sizeof written[0] && !stale; i++) {
        char *path = path_join(s->builddir, written[i]);
        stale = !is_file(path);
        free(path);
    }
    /* A manifest deleted or damaged is written anew, so that clean works. */
    char *bad = NULL;
    if (!stale && manifest_check(s->appdir, &bad) != 0) {
        note("note: %s/manifest is %s; configuring again to write it", s->builddir,
             bad ? "damaged" : "missing");
        stale = true;
    }
    free(bad);
    if (!stale && s->target->xl) {
        char *name = xl_file_name(s->app);
        char *path = path_join(s->builddir, name);
        stale = !is_file(path);
        free(path);
        free(name);
    }
    if (!stale && s->cfg.nstores) {
        char *path = path_join(s->builddir, "stores.S");
        stale = !is_file(path);
        free(path);
    }
    free(stamp);
    state_free(&st);
    return stale;
}

/* make -C APPDIR -f _build/Makefile [-q] V=n -jN: from the app's
 * directory, so the compiler names the app's files as the user does. */
static int make(const struct session *s, bool question)
{
    char jobs[32], v[8];
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    snprintf(jobs, sizeof jobs, "-j%ld", n > 0 ? n : 1);
    snprintf(v, sizeof v, "V=%d", verbosity);
    char *argv[] = {"make", "--no-print-directory", "-r", "-C", s->appdir,
                    "-f",   "_build/Makefile",      jobs, v,    question ? "-q" : NULL,
                    NULL};
    /* The make command itself is shown with -v only when it builds. */
    int saved = verbosity;
    if (question)
        verbosity = verbosity > 1 ? 1 : verbosity;
    int rc = run_cmd(argv, NULL, false);
    verbosity = saved;
    return rc;
}

/* Whether the linker's log says that sym is undefined (GNU ld and gold
 * quote `sym' or 'sym', lld says "undefined symbol: sym"). */
static bool log_says(const char *log, const char *what, const char *sym)
{
    char *forms[] = {xasprintf("%s `%s'", what, sym), xasprintf("%s '%s'", what, sym),
                     xasprintf("%s: %s\n",
                               strcmp(what, "undefined reference to") == 0 ? "undefined symbol"
                                                                           : "duplicate symbol",
                               sym)};
    bool found = false;
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        found = found || strstr(log, forms[i]) != NULL;
        free(forms[i]);
    }
    return found;
}

/* The app's source whose object the linker names first ("_build/app/
 * hello.o" -> "hello.c"), or NULL. */
static char *first_app_source(const char *log)
{
    const char *p = strstr(log, "_build/app/");
    if (!p)
        return NULL;
    p += strlen("_build/app/");
    size_t n = strcspn(p, " :\n");
    if (n < 3 || strncmp(p + n - 2, ".o", 2) != 0)
        return NULL;
    return xasprintf("%.*s.c", (int)(n - 2), p);
}

/* After a failed link, say in mirari's terms what the linker's messages
 * (shown above, kept in _build/link.log) mean when they are about the
 * entry point or main(): the two mistakes the glue's contract makes
 * likely (include/mirari/app.h). */
static void explain_link(const struct session *s)
{
    char *path = path_join(s->builddir, "link.log");
    char *log = read_file(path, NULL);
    free(path);
    if (!log)
        return;
    const struct conf_item *it = s->cfg.main_item;
    char *where = it->origin == CONF_FILE
                      ? xasprintf("%s:%d: %s: %s", s->conf_path, it->line, it->name, it->value)
                      : xasprintf("command line: --%s=%s", it->name, it->value);
    char *proto = entry_prototype(&s->cfg);
    if (log_says(log, "undefined reference to", s->cfg.entry))
        fprintf(stderr,
                "%s: no function %s was linked; define it in one of the app's sources as: %s "
                "(not static: the glue in _build/main.c calls it)\n",
                where, s->cfg.entry, proto);
    if (log_says(log, "multiple definition of", "main")) {
        char *src = first_app_source(log);
        fprintf(stderr,
                "%s%sdefines main(), but mirari's glue (_build/main.c) provides main() and "
                "starts the entry point that %s names; make that function the app's start "
                "instead of main(): %s\n",
                src ? src : "", src ? ": " : "the app ", where, proto);
        free(src);
    }
    free(proto);
    free(where);
    free(log);
}

int build_app(struct session *s)
{
    int rc = EXIT_OK;
    if (needs_configure(s))
        rc = configure_app(s);
    else
        rc = target_available(s);
    if (rc != EXIT_OK)
        return rc;
    char *image = image_path(s);
    int q = make(s, true);
    if (q == 0) {
        say("%s is up to date (%s, %lld bytes)", path_base(image), s->target->name,
            file_size(image));
    } else {
        /* A log of an earlier link must not explain this build. */
        char *log = path_join(s->builddir, "link.log");
        unlink(log);
        free(log);
        if (make(s, false) == 0) {
            say("built %s (%s, %lld bytes)", path_base(image), s->target->name, file_size(image));
        } else {
            explain_link(s);
            errorf("building %s failed", path_base(image));
            rc = EXIT_FAIL;
        }
    }
    free(image);
    return rc;
}

int cmd_build(const struct cli *cli)
{
    if (cli->words.n || cli->extra.n) {
        errorf("build takes no operands%s; see mirari build --help",
               cli->extra.n ? " (arguments after -- are for run)" : "");
        return EXIT_USAGE;
    }
    struct session s;
    int rc = session_open(&s, cli, true);
    if (rc == EXIT_OK)
        rc = build_app(&s);
    session_close(&s);
    return rc;
}
