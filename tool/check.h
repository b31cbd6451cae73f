/* SPDX-License-Identifier: ISC */
/* Checks across the keys of a parsed configuration (file and command
 * line), and the effective configuration that configure, build and run
 * use: the command line overrides the file, lists accumulate. */
#ifndef MIRARI_TOOL_CHECK_H
#define MIRARI_TOOL_CHECK_H

#include <stdbool.h>

#include <mirari/app.h>

#include "conf.h"
#include "target.h"
#include "tls.h"
#include "util.h"

/* A packed store from fs-NAME: DIR. */
struct store {
    const char *name; /* NAME, as in the key */
    char *symbol;     /* NAME with '-' mapped to '_', for C symbols */
    const char *dir;  /* DIR as written */
    char *path;       /* DIR from the current directory */
    const struct conf_item *item;
};

struct app_config {
    const struct conf *conf;
    /* The effective items: in file order, a command-line value in place of
     * the file's; command-line-only keys at the end. */
    const struct conf_item **items;
    size_t n;
    enum mi_main_kind kind;
    const struct conf_item *main_item;
    char entry[ENTRY_MAX + 1]; /* the C function */
    struct store *stores;
    size_t nstores;
    struct strlist depends, packages; /* without repetitions */
    const char *compiler;             /* a C compiler, or NULL for the target's */
    const char *seed_family;          /* "unix" or "xen" for the seed's compiler: form */
    /* tls-cert and tls-key, read and checked (with CHECK_FS): what the
     * image embeds. https is set when both keys are given. */
    bool https;
    struct tls_blob tls_chain, tls_key;
};

/* Check the file's directories and the C compiler on this machine. The
 * fuzzer leaves it out. */
#define CHECK_FS 1u

/* Fill out from c; file paths are relative to confdir, command-line paths
 * to the current directory. Every problem becomes an error in d. Returns
 * the number of errors. */
int check_config(const struct conf *c, const char *confdir, unsigned flags, struct app_config *out,
                 struct diag *d);
/* What the configuration means on target t, checked once the target is
 * known (http-address on an own stack); errors into d, how many. */
int check_target(const struct app_config *a, const struct target *t, struct diag *d);
/* The effective item for a key (full name), or NULL. */
const struct conf_item *cfg_get(const struct app_config *a, const char *name);
void app_config_free(struct app_config *a);

#endif
