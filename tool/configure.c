/* SPDX-License-Identifier: ISC */
/* mirari configure: write _build/ from the configuration. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "codegen.h"
#include "commands.h"
#include "deps.h"
#include "manifest.h"
#include "state.h"
#include "xl.h"

/* Write one generated file into _build/ and list it for the manifest. */
static int emit(const struct session *s, const char *name, const char *text,
                struct strlist *written)
{
    char *path = path_join(s->builddir, name);
    int rc = write_if_changed(path, text, strlen(text));
    if (rc < 0)
        error_path(path, errno);
    else
        sl_addf(written, "_build/%s", name);
    free(path);
    return rc < 0 ? EXIT_FAIL : EXIT_OK;
}

/* _build/NAME.xl for a target started with xl; the kernel is named by its
 * absolute path, so that the file works from any directory. EXIT_USAGE
 * after errors about xl-* keys or boot arguments. */
static int generate_xl(struct session *s, struct strlist *written)
{
    char *dir = realpath(s->appdir, NULL);
    if (!dir) {
        error_path(s->appdir, errno);
        return EXIT_FAIL;
    }
    char *image = image_name(s->app, s->target);
    char *kernel = path_join(dir, image);
    struct diag d = {0};
    char *text = xl_config_text(&s->cfg, s->app, kernel, &d);
    diag_print(&d, stderr);
    diag_free(&d);
    int rc = EXIT_USAGE;
    if (text) {
        char *name = xl_file_name(s->app);
        rc = emit(s, name, text, written);
        free(name);
    }
    free(text);
    free(kernel);
    free(image);
    free(dir);
    return rc;
}

/* _build/tls-chain.der and _build/tls-key.der, the key readable by its
 * owner only (tls.S includes them). */
static int emit_tls(const struct session *s, const struct app_config *cfg, struct strlist *written)
{
    const struct {
        const char *name;
        const struct tls_blob *b;
        mode_t mode;
    } files[] = {{"tls-chain.der", &cfg->tls_chain, 0644}, {"tls-key.der", &cfg->tls_key, 0600}};
    for (size_t i = 0; i < 2; i++) {
        char *path = path_join(s->builddir, files[i].name);
        int rc = write_if_changed_mode(path, (const char *)files[i].b->p, files[i].b->len,
                                       files[i].mode);
        if (rc < 0)
            error_path(path, errno);
        else
            sl_addf(written, "_build/%s", files[i].name);
        free(path);
        if (rc < 0)
            return EXIT_FAIL;
    }
    return EXIT_OK;
}

static int generate(struct session *s, const struct codegen *g, struct strlist *written)
{
    if (s->target->xl) {
        int rc = generate_xl(s, written);
        if (rc != EXIT_OK)
            return rc;
    }
    char *main_c = gen_main_c(g);
    char *entry_h = gen_entry_h(g);
    char *stores = gen_stores_s(g);
    char *makefile = gen_makefile(g);
    char *sources = gen_sources_mk(g);
    char *tls = gen_tls_s(g);
    int rc = emit(s, "main.c", main_c, written);
    if (rc == EXIT_OK && tls)
        rc = emit(s, "tls.S", tls, written);
    if (rc == EXIT_OK && tls)
        rc = emit_tls(s, g->cfg, written);
    if (rc == EXIT_OK)
        rc = emit(s, "entry.h", entry_h, written);
    if (rc == EXIT_OK)
        rc = emit(s, "sources.mk", sources, written);
    if (rc == EXIT_OK && stores)
        rc = emit(s, "stores.S", stores, written);
    if (rc == EXIT_OK)
        rc = emit(s, "Makefile", makefile, written);
    free(main_c);
    free(entry_h);
    free(stores);
    free(makefile);
    free(sources);
    free(tls);
    if (rc == EXIT_OK) {
        char *stamp = session_stamp(s);
        char *text = state_text(s, stamp);
        rc = emit(s, "configuration", text, written);
        free(text);
        free(stamp);
    }
    return rc;
}

/* xl-* keys go into the xen target's NAME.xl only: on another target a
 * note says so (not an error: the same .conf serves several targets).
 * The qemu runner sizes its VM with xl-memory when memory is not set. */
static void note_xl_keys(const struct session *s)
{
    if (s->target->xl)
        return;
    for (size_t i = 0; i < s->cfg.n; i++) {
        const struct conf_item *it = s->cfg.items[i];
        if (!str_starts(it->name, "xl-"))
            continue;
        if (s->target->vm && strcmp(it->name, "xl-memory") == 0 && !cfg_get(&s->cfg, "memory"))
            continue;
        char *where = it->origin == CONF_FILE ? xasprintf("%s:%d", s->conf_path, it->line)
                                              : xstrdup("command line");
        note("%s: note: %s%s applies only to the xen target (--xen); %s does not use it", where,
             it->origin == CONF_FILE ? "" : "--", it->name, s->target->name);
        free(where);
    }
}

int configure_app(struct session *s)
{
    note_xl_keys(s);
    /* Dependencies are checked even when the target is missing, so that one
     * run reports every problem; nothing is installed for nothing then. */
    int target_rc = target_available(s);
    char *cflags = NULL, *libs = NULL;
    const char *dont = target_rc != EXIT_OK ? "not installing for a target that is missing"
                       : s->cli->no_install ? "--no-install was given"
                                            : NULL;
    int rc = deps_resolve(&s->cfg, dont, &cflags, &libs);
    if (rc == EXIT_OK)
        rc = target_rc;
    if (rc == EXIT_OK && make_dirs(s->builddir) < 0) {
        error_path(s->builddir, errno);
        rc = EXIT_FAIL;
    }
    struct codegen g = {.app = s->app,
                        .cfg = &s->cfg,
                        .target = s->target,
                        .prefix = s->prefix,
                        .tool = s->tool,
                        .sources = &s->sources,
                        .cflags = cflags,
                        .libs = libs};
    struct strlist files = {0};
    if (rc == EXIT_OK)
        rc = generate(s, &g, &files);
    if (rc == EXIT_OK) {
        gen_outputs(&g, &files);
        if (manifest_update(s->appdir, &files) < 0) {
            char *path = path_join(s->builddir, "manifest");
            error_path(path, errno);
            free(path);
            rc = EXIT_FAIL;
        }
    }
    if (rc == EXIT_OK)
        say("configured %s for %s in %s (%s: %s)", s->app, s->target->name, s->builddir,
            s->cfg.main_item->name, s->cfg.entry);
    sl_free(&files);
    free(cflags);
    free(libs);
    return rc;
}

int cmd_configure(const struct cli *cli)
{
    if (cli->words.n || cli->extra.n) {
        errorf("configure takes no operands%s; see mirari configure --help",
               cli->extra.n ? " (arguments after -- are for run)" : "");
        return EXIT_USAGE;
    }
    struct session s;
    int rc = session_open(&s, cli, false);
    if (rc == EXIT_OK)
        rc = configure_app(&s);
    session_close(&s);
    return rc;
}
