/* SPDX-License-Identifier: ISC */
/* What configure writes into _build/: the glue main.c, stores.S (the
 * packed stores, included with .incbin), the Makefile and sources.mk. Each is a pure
 * function of the checked configuration, returning the file's text, so
 * tests can compile the output directly. */
#ifndef MIRARI_TOOL_CODEGEN_H
#define MIRARI_TOOL_CODEGEN_H

#include "check.h"
#include "target.h"
#include "util.h"

struct codegen {
    const char *app;              /* the app's name */
    const struct app_config *cfg; /* checked: every value valid */
    const struct target *target;
    const char *prefix;            /* the install (make_safe) */
    const char *tool;              /* the mirari program (make_safe) */
    const struct strlist *sources; /* the app's *.c, names in its directory */
    const char *cflags, *libs;     /* from pkg-config, for depends */
};

char *gen_main_c(const struct codegen *g);
/* _build/entry.h: the entry point's prototype, force-included into the
 * app's sources so the compiler checks their definition. */
char *gen_entry_h(const struct codegen *g);
/* The entry point's C prototype as the glue calls it, without ';':
 * "void dispatch_main(mi_http_exchange *x)" (include/mirari/app.h). */
char *entry_prototype(const struct app_config *cfg);
/* NULL when the app has no store. */
char *gen_stores_s(const struct codegen *g);
/* _build/tls.S: the HTTPS credentials (tls-cert, tls-key) as the image's
 * mi_tls_creds, from _build/tls-chain.der and _build/tls-key.der; NULL
 * without HTTPS. */
char *gen_tls_s(const struct codegen *g);
char *gen_makefile(const struct codegen *g);
/* _build/sources.mk: APP_OBJS, one object per source of the app. */
char *gen_sources_mk(const struct codegen *g);
/* The files that building with that Makefile can create, relative to the
 * app's directory (for the manifest that clean goes by). */
void gen_outputs(const struct codegen *g, struct strlist *out);

/* The image's name: mir-NAME plus the target's suffix. */
char *image_name(const char *app, const struct target *t);
/* The object of a source of the app ("_build/app/hello.o"). */
char *object_name(const char *source);
/* A store's directory as make sees it (from the app's directory). */
char *store_dir_for_make(const struct store *s);

#endif
