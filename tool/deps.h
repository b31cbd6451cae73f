/* SPDX-License-Identifier: ISC */
/* Dependencies: `packages` are Debian packages (checked with dpkg-query,
 * installed with apt-get when running as root), `depends` are pkg-config
 * modules whose --cflags and --libs go into the generated Makefile. The
 * seed's names (OCaml/OPAM packages and ocamlfind libraries) are neither,
 * and are reported as such. */
#ifndef MIRARI_TOOL_DEPS_H
#define MIRARI_TOOL_DEPS_H

#include <stdbool.h>

#include "check.h"

/* Satisfy packages, then resolve depends. Missing packages are installed
 * with apt-get when running as root, unless dont_install gives the reason
 * not to (printed with the apt-get command). Returns EXIT_OK with the
 * flags in *cflags and *libs (allocated, possibly empty), EXIT_USAGE when
 * a name is wrong, EXIT_FAIL when packages are missing and not installed. */
int deps_resolve(const struct app_config *cfg, const char *dont_install, char **cflags,
                 char **libs);

/* Only check the names, installing nothing: errors about packages and
 * depends into d (depends only when no package is missing, since a
 * module may come with one), installable missing packages into missing.
 * Returns the number of errors. */
int deps_check(const struct app_config *cfg, struct diag *d, struct strlist *missing);

/* Whether a name that no tool knows looks like an ocamlfind library
 * ("cohttp.syntax", "lwt.unix": a dot followed by letters only). */
bool looks_like_ocamlfind(const char *name);
/* A valid Debian package name (policy 5.6.1: lowercase letters, digits,
 * + - . ; at least two characters, starting with a letter or digit). */
bool debian_name_ok(const char *name);
/* The command a user runs to install missing packages. */
char *apt_command(const struct strlist *missing, bool as_root);

#endif
