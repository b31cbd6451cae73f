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

static long long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
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
    } else if (make(s, false) == 0) {
        say("built %s (%s, %lld bytes)", path_base(image), s->target->name, file_size(image));
    } else {
        errorf("building %s failed", path_base(image));
        rc = EXIT_FAIL;
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
