/* SPDX-License-Identifier: ISC */
/* mirari pack DIR OUT: the generated Makefile's rule for an fs-NAME
 * store. Packs DIR into OUT (tool/pack.c; dotfiles and version-control
 * directories only with --pack-dotfiles=true) and writes OUT.d, a make
 * dependency file naming every file and directory below DIR, so the image
 * is packed again when one of them changes, appears or goes away. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "conf_keys.h"
#include "escape.h"
#include "pack.h"

/* Collect DIR and everything below it (symbolic links are listed, not
 * followed: the packer only follows those that stay inside DIR, which are
 * listed themselves). Depth is bounded like the packer's. */
static void walk(const char *path, int depth, unsigned flags, struct strlist *out)
{
    sl_add(out, path);
    struct stat st;
    if (depth > 64 || lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
        return;
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *child = path_join(path, e->d_name);
        /* What the packer leaves out is no dependency of the image. */
        if (lstat(child, &st) == 0 && !pack_leaves_out(e->d_name, S_ISDIR(st.st_mode), flags))
            walk(child, depth + 1, flags, out);
        free(child);
    }
    closedir(d);
}

/* "OUT: names...", then an empty rule per name (as gcc -MP writes) so a
 * removed file is no error. A name make cannot spell makes the image
 * always out of date instead: correct, only slower (packed and linked on
 * every build). */
static char *depfile(const char *out, const struct strlist *paths)
{
    struct sbuf b = {0}, phony = {0};
    char *target = make_file_name(out);
    bool always = target == NULL;
    sb_printf(&b, "%s:", target ? target : "");
    for (size_t i = 0; i < paths->n && !always; i++) {
        char *name = make_file_name(paths->v[i]);
        if (!name) {
            always = true;
            break;
        }
        sb_printf(&b, " \\\n  %s", name);
        sb_printf(&phony, "%s:\n", name);
        free(name);
    }
    if (always) {
        sb_free(&b);
        sb_printf(&b,
                  "# a name below the directory cannot be written in a Makefile\n"
                  "%s: mirari-always\n.PHONY: mirari-always\n",
                  target ? target : "");
    } else {
        sb_printf(&b, "\n%s", sb_str(&phony));
    }
    sb_free(&phony);
    free(target);
    return (char *)sb_str(&b);
}

int cmd_pack(const struct cli *cli)
{
    bool dotfiles = false;
    for (size_t i = 0; i < cli->nkeys; i++)
        if (strcmp(cli->keys[i].name, "pack-dotfiles") != 0 ||
            parse_bool(cli->keys[i].value, &dotfiles) != 0) {
            errorf("pack: --%s: the only key pack takes is --pack-dotfiles=true|false",
                   cli->keys[i].name);
            return EXIT_USAGE;
        }
    if (cli->words.n != 2) {
        errorf("usage: mirari pack DIR OUT [--pack-dotfiles=true] (used by the generated "
               "Makefile)");
        return EXIT_USAGE;
    }
    unsigned flags = dotfiles ? PACK_DOTFILES : 0;
    const char *dir = cli->words.v[0], *out = cli->words.v[1];
    char err[512];
    int rc = EXIT_OK;
    if (pack_dir(dir, out, flags, err, sizeof err) < 0) {
        errorf("%s", err);
        rc = EXIT_FAIL;
    }
    if (rc == EXIT_OK) {
        struct strlist paths = {0};
        walk(dir, 0, flags, &paths);
        char *dep = depfile(out, &paths);
        char *dep_path = xasprintf("%s.d", out);
        if (write_if_changed(dep_path, dep, strlen(dep)) < 0) {
            error_path(dep_path, errno);
            rc = EXIT_FAIL;
        }
        free(dep_path);
        free(dep);
        sl_free(&paths);
    }
    return rc;
}
