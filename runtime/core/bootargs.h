/* SPDX-License-Identifier: ISC */
/* Boot arguments: the unikernel's command line (argv of a process, the
 * kernel command line of a VM) over the defaults compiled in from
 * app.conf. Pure functions of their inputs, so they can be unit-tested
 * and fuzzed without a platform.
 *
 * Which keys are boot arguments, and what values they accept, comes from
 * the key table shared with the tool (abi/conf_keys.h): a value that app.conf
 * accepts is accepted at boot and the other way round. */
#ifndef MIRARI_CORE_BOOTARGS_H
#define MIRARI_CORE_BOOTARGS_H

#include <stddef.h>

#include <mirari/app.h>

#include "conf_keys.h"

/* Room for every key of the table (checked at run time). */
#define BOOTARGS_MAX_KEYS 64

enum boot_action {
    BOOT_RUN,     /* start the application */
    BOOT_HELP,    /* --help / -h: print bootargs_usage(), exit 0 */
    BOOT_VERSION, /* --version: print the version, exit 0 */
    BOOT_ERROR,   /* bad arguments: print error, exit 2 */
};

struct bootargs {
    enum boot_action action;
    /* Effective value of each key of conf_keys[] (same index), NULL when
     * unset: built-in default < app.conf default < boot argument. Values
     * point into argv, the defaults or constant strings. */
    const char *value[BOOTARGS_MAX_KEYS];
    /* The application keys (app-NAME) that the defaults declare, in their
     * order, and the effective value of each: the default, or the boot
     * argument (pointing into argv). No allocation: the tool allows at
     * most APP_KEYS_MAX. */
    const mi_conf_pair *app[APP_KEYS_MAX];
    const char *app_value[APP_KEYS_MAX];
    size_t napp;
    const mi_conf_pair *defaults;
    size_t ndefaults;
    char error[256]; /* the reason, for BOOT_ERROR */
};

/* Parse argv[1..argc-1] (--KEY=VALUE, --KEY VALUE, a bare --KEY for a
 * boolean, --help, --version) over the compiled defaults. --app-NAME is
 * accepted only for an app-NAME the defaults declare. */
void bootargs_parse(struct bootargs *r, int argc, char *const *argv,
                       const mi_conf_pair *defaults, size_t ndefaults);

/* The effective value of `key` (a key of the table, a declared app-NAME,
 * or any other key present in the defaults), or NULL. */
const char *bootargs_get(const struct bootargs *r, const char *key);

/* Write the --help text for program `prog` into buf (like snprintf: NUL-
 * terminated, truncated to cap) and return its full length: the boot keys
 * of the table, then the declared app-NAME keys, each with its default. */
size_t bootargs_usage(const char *prog, const mi_conf_pair *defaults, size_t ndefaults,
                         char *buf, size_t cap);

#endif
