/* SPDX-License-Identifier: ISC */
/* Packages and pkg-config modules; see deps.h. */
#include "deps.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "session.h"

bool looks_like_ocamlfind(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot || dot == name || dot[1] == '\0')
        return false;
    for (const char *p = dot + 1; *p; p++)
        if (!(*p >= 'a' && *p <= 'z'))
            return false;
    return true;
}

bool debian_name_ok(const char *name)
{
    if (strlen(name) < 2 ||
        !((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= '0' && name[0] <= '9')))
        return false;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("+-.", *p)))
            return false;
    return true;
}

char *apt_command(const struct strlist *missing, bool as_root)
{
    struct sbuf b = {0};
    sb_add(&b, as_root ? "apt-get install -y" : "sudo apt-get install -y");
    for (size_t i = 0; i < missing->n; i++)
        sb_printf(&b, " %s", missing->v[i]);
    return (char *)sb_str(&b);
}

static bool dpkg_installed(const char *name)
{
    struct sbuf out = {0};
    char *argv[] = {"dpkg-query", "-W", "-f=${Status}", (char *)name, NULL};
    int rc = run_cmd(argv, &out, true);
    bool ok = rc == 0 && strstr(sb_str(&out), "install ok installed") != NULL;
    sb_free(&out);
    return ok;
}

static bool apt_knows(const char *name)
{
    struct sbuf out = {0};
    char *argv[] = {"apt-cache", "show", "--no-all-versions", (char *)name, NULL};
    int rc = run_cmd(argv, &out, true);
    sb_free(&out);
    return rc == 0;
}

static bool pkgconfig_knows(const char *name)
{
    char *argv[] = {"pkg-config", "--exists", (char *)name, NULL};
    return run_cmd(argv, NULL, true) == 0;
}

/* Call fn for each name of each effective `key` item, once per name. */
static void each_name(const struct app_config *cfg, const char *key,
                      void (*fn)(const struct app_config *, const struct conf_item *, const char *,
                                 void *),
                      void *arg)
{
    struct strlist seen = {0};
    for (size_t i = 0; i < cfg->n; i++) {
        const struct conf_item *it = cfg->items[i];
        if (strcmp(it->name, key) != 0 || !it->valid)
            continue;
        for (const char *p = it->value; *p;) {
            size_t n = strcspn(p, ",");
            char *name = xstrndup(p, n);
            char *s = name + strspn(name, " \t"), *e = s + strlen(s);
            while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
                *--e = '\0';
            if (*s && !sl_has(&seen, s)) {
                sl_add(&seen, s);
                fn(cfg, it, s, arg);
            }
            free(name);
            p += n + (p[n] == ',');
        }
    }
    sl_free(&seen);
}

struct pkg_state {
    struct diag *d;
    struct strlist missing;
};

static const char opam_note[] =
    "OCaml/OPAM packages (the original Mirari's) do not apply to C applications";

static void check_package(const struct app_config *cfg, const struct conf_item *it,
                          const char *name, void *arg)
{
    struct pkg_state *ps = arg;
    if (!debian_name_ok(name))
        conf_error(ps->d, cfg->conf, it,
                   "%s is not a Debian package name; expected lowercase letters, digits and "
                   "+ - . (%s)",
                   name, opam_note);
    else if (dpkg_installed(name))
        return;
    else if (apt_knows(name))
        sl_add(&ps->missing, name);
    else
        conf_error(ps->d, cfg->conf, it,
                   "%s is not a Debian package known to apt (apt-get update may help if it is "
                   "new); %s: expected Debian packages",
                   name, opam_note);
}

static void check_module(const struct app_config *cfg, const struct conf_item *it, const char *name,
                         void *arg)
{
    struct diag *d = arg;
    if (pkgconfig_knows(name))
        return;
    if (looks_like_ocamlfind(name) || !apt_knows(name))
        conf_error(d, cfg->conf, it,
                   "%s is not a pkg-config module%s; %s: expected pkg-config modules (see "
                   "pkg-config --list-all)",
                   name, looks_like_ocamlfind(name) ? " (it looks like an ocamlfind library)" : "",
                   opam_note);
    else
        conf_error(d, cfg->conf, it,
                   "%s is not a pkg-config module; there is a Debian package of that name (if "
                   "you meant it, list it under packages and its pkg-config module here); %s: "
                   "expected pkg-config modules",
                   name, opam_note);
}

static int install(const struct strlist *missing, const char *dont)
{
    bool root = geteuid() == 0;
    char *cmd = apt_command(missing, root);
    struct sbuf names = {0};
    for (size_t i = 0; i < missing->n; i++)
        sb_printf(&names, "%s%s", i ? ", " : "", missing->v[i]);
    int rc = EXIT_FAIL;
    if (dont || !root) {
        errorf("Debian packages not installed: %s (%s); install them with:\n  %s", sb_str(&names),
               dont ? dont : "mirari installs them only when run as root", cmd);
    } else {
        say("installing Debian packages: %s", cmd);
        setenv("DEBIAN_FRONTEND", "noninteractive", 1);
        char **argv = xmalloc((missing->n + 6) * sizeof *argv);
        size_t n = 0;
        argv[n++] = "apt-get";
        argv[n++] = "install";
        argv[n++] = "-y";
        argv[n++] = "-q";
        argv[n++] = "--no-install-recommends";
        for (size_t i = 0; i < missing->n; i++)
            argv[n++] = missing->v[i];
        argv[n] = NULL;
        if (run_cmd(argv, NULL, false) == 0)
            rc = EXIT_OK;
        else
            errorf("apt-get could not install %s", sb_str(&names));
        free(argv);
    }
    sb_free(&names);
    free(cmd);
    return rc;
}

/* pkg-config --cflags/--libs of every module, into *out. */
static int pkgconfig_flags(const struct app_config *cfg, const char *what, char **out)
{
    char **argv = xmalloc((cfg->depends.n + 3) * sizeof *argv);
    argv[0] = "pkg-config";
    argv[1] = (char *)what;
    for (size_t i = 0; i < cfg->depends.n; i++)
        argv[2 + i] = cfg->depends.v[i];
    argv[2 + cfg->depends.n] = NULL;
    struct sbuf b = {0};
    int rc = run_cmd(argv, &b, false);
    free(argv);
    char *s = (char *)sb_str(&b);
    s[strcspn(s, "\n")] = '\0';
    *out = s;
    if (rc != 0)
        errorf("pkg-config %s failed (status %d)", what, rc);
    return rc == 0 ? EXIT_OK : EXIT_FAIL;
}

int deps_check(const struct app_config *cfg, struct diag *d, struct strlist *missing)
{
    struct pkg_state ps = {.d = d};
    int before = d->total;
    each_name(cfg, "packages", check_package, &ps);
    for (size_t i = 0; i < ps.missing.n; i++)
        sl_add(missing, ps.missing.v[i]);
    /* A module may come with a package not installed yet. */
    if (ps.missing.n == 0)
        each_name(cfg, "depends", check_module, d);
    sl_free(&ps.missing);
    return d->total - before;
}

int deps_resolve(const struct app_config *cfg, const char *dont_install, char **cflags, char **libs)
{
    *cflags = xstrdup("");
    *libs = xstrdup("");
    struct diag d = {0};
    struct pkg_state ps = {.d = &d};
    each_name(cfg, "packages", check_package, &ps);
    int rc = EXIT_OK;
    /* Install first: the modules named in depends may come with them. */
    if (d.total == 0 && ps.missing.n)
        rc = install(&ps.missing, dont_install);
    if (rc == EXIT_OK)
        each_name(cfg, "depends", check_module, &d);
    diag_print(&d, stderr);
    if (d.total)
        rc = EXIT_USAGE;
    diag_free(&d);
    sl_free(&ps.missing);
    if (rc == EXIT_OK && cfg->depends.n) {
        free(*cflags);
        free(*libs);
        *libs = NULL;
        rc = pkgconfig_flags(cfg, "--cflags", cflags);
        if (rc == EXIT_OK)
            rc = pkgconfig_flags(cfg, "--libs", libs);
        if (!*libs)
            *libs = xstrdup("");
    }
    return rc;
}
