/* SPDX-License-Identifier: ISC */
/* The manifest of generated files; see manifest.h. */
#include "manifest.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool manifest_entry_ok(const char *entry)
{
    if (str_starts(entry, "mir-"))
        return entry[4] != '\0' && !strchr(entry, '/') && strcmp(entry + 4, ".") != 0 &&
               strcmp(entry + 4, "..") != 0;
    if (!str_starts(entry, "_build/") || entry[7] == '\0')
        return false;
    /* Each component below _build/ is a plain name. */
    const char *p = entry + 7;
    while (*p) {
        size_t n = strcspn(p, "/");
        if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return false;
        p += n;
        if (*p == '/')
            p++;
    }
    return true;
}

int manifest_read(const char *appdir, struct strlist *out)
{
    char *path = path_join(appdir, MANIFEST_PATH);
    char *text = read_file(path, NULL);
    free(path);
    if (!text)
        return -1;
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (line[0] != '#' && line[0] != '\0' && !sl_has(out, line))
            sl_add(out, line);
    }
    free(text);
    return 0;
}

#define MANIFEST_HEADER "# Files mirari generated for this app; "

int manifest_check(const char *appdir, char **bad)
{
    *bad = NULL;
    char *path = path_join(appdir, MANIFEST_PATH);
    size_t len;
    char *text = read_file(path, &len);
    free(path);
    if (!text)
        return -1;
    /* What every manifest mirari writes has: its first line, entries clean
     * may act on, and the configuration that every configure writes. A
     * file cut short or written over by something else lacks one. */
    if (strlen(text) != len)
        *bad = xstrdup("a NUL byte");
    else if (!str_starts(text, MANIFEST_HEADER))
        *bad = xstrdup("it does not start as mirari writes it");
    bool configuration = false;
    for (char *line = text, *next; !*bad && line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (!manifest_entry_ok(line))
            *bad = xasprintf("\"%s\" is not a file mirari writes", line);
        configuration |= strcmp(line, "_build/configuration") == 0;
    }
    if (!*bad && !configuration)
        *bad = xstrdup("_build/configuration is not listed");
    free(text);
    return *bad ? 1 : 0;
}

int manifest_update(const char *appdir, const struct strlist *entries)
{
    struct strlist all = {0};
    for (size_t i = 0; i < entries->n; i++)
        if (!sl_has(&all, entries->v[i]))
            sl_add(&all, entries->v[i]);
    /* Keeps earlier entries, if any, but only those clean may act on: a
     * damaged manifest is written anew. */
    struct strlist old = {0};
    manifest_read(appdir, &old);
    for (size_t i = 0; i < old.n; i++)
        if (manifest_entry_ok(old.v[i]) && !sl_has(&all, old.v[i]))
            sl_add(&all, old.v[i]);
    sl_free(&old);
    struct sbuf b = {0};
    sb_add(&b, MANIFEST_HEADER "`mirari clean` removes exactly\n"
                               "# these (a directory only when empty), then _build/ when empty.\n");
    for (size_t i = 0; i < all.n; i++)
        sb_printf(&b, "%s\n", all.v[i]);
    char *path = path_join(appdir, MANIFEST_PATH);
    int rc = write_if_changed(path, sb_str(&b), b.len) < 0 ? -1 : 0;
    free(path);
    sb_free(&b);
    sl_free(&all);
    return rc;
}

/* Longer paths first, so a directory comes after what is inside it. */
static int deeper_first(const void *a, const void *b)
{
    size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);
    return la < lb ? 1 : la > lb ? -1 : 0;
}

/* Every directory on the way from appdir to entry is a real directory,
 * not a symbolic link that would lead the removal somewhere else. */
static bool real_dirs_on_path(const char *appdir, const char *entry)
{
    bool ok = true;
    for (const char *slash = strchr(entry, '/'); ok && slash; slash = strchr(slash + 1, '/')) {
        char *part = xstrndup(entry, (size_t)(slash - entry));
        char *path = path_join(appdir, part);
        struct stat st;
        ok = lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
        free(path);
        free(part);
    }
    return ok;
}

static void remove_file(const char *appdir, const char *entry, int *removed)
{
    if (!real_dirs_on_path(appdir, entry))
        return;
    char *path = path_join(appdir, entry);
    struct stat st;
    /* lstat: a symlink is removed itself, never followed. */
    if (lstat(path, &st) == 0 && !S_ISDIR(st.st_mode) && unlink(path) == 0)
        (*removed)++;
    free(path);
}

static void remove_dir(const char *appdir, const char *entry)
{
    if (!real_dirs_on_path(appdir, entry))
        return;
    char *path = path_join(appdir, entry);
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
        rmdir(path); /* only when empty: anything else in it stays */
    free(path);
}

static void list_kept(const char *dir, struct strlist *kept)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            sl_addf(kept, "_build/%s", e->d_name);
    closedir(d);
}

int clean_app(const char *appdir, int *removed, struct strlist *kept)
{
    *removed = 0;
    char *rel = path_join(appdir, "_build");
    struct stat st;
    int rc = 0;
    if (lstat(rel, &st) < 0) {
        free(rel);
        return 0; /* nothing to clean */
    }
    /* Messages name it from the root, files are reached as before. */
    char *build = path_full(rel);
    free(rel);
    struct strlist entries = {0};
    char *bad = NULL;
    if (!S_ISDIR(st.st_mode)) {
        errorf("%s is not a directory (a symbolic link?); not removing anything", build);
        rc = -1;
    } else if ((rc = manifest_check(appdir, &bad)) != 0) {
        if (rc < 0)
            errorf("%s/manifest: %s; without it mirari cannot tell its files from yours, so it "
                   "removes nothing; `mirari configure` writes it again, then clean removes "
                   "what mirari generated",
                   build, strerror(errno));
        else
            errorf("%s/manifest is damaged (%s); mirari cannot tell its files from yours, so it "
                   "removes nothing; `mirari configure` writes it again, then clean removes "
                   "what mirari generated",
                   build, bad);
        rc = -1;
    } else if (manifest_read(appdir, &entries) < 0) {
        errorf("%s/manifest: %s", build, strerror(errno));
        rc = -1;
    } else {
        if (entries.n > 1)
            qsort(entries.v, entries.n, sizeof *entries.v, deeper_first);
        for (size_t i = 0; i < entries.n; i++)
            if (manifest_entry_ok(entries.v[i]) && !str_ends(entries.v[i], "/"))
                remove_file(appdir, entries.v[i], removed);
        for (size_t i = 0; i < entries.n; i++)
            if (manifest_entry_ok(entries.v[i]) && str_ends(entries.v[i], "/"))
                remove_dir(appdir, entries.v[i]);
        remove_file(appdir, MANIFEST_PATH, removed);
        if (rmdir(build) < 0 && errno != ENOENT)
            list_kept(build, kept);
    }
    sl_free(&entries);
    free(bad);
    free(build);
    return rc;
}
