/* SPDX-License-Identifier: ISC */
/* libFuzzer target for the boot argument parser: the input is split on
 * NUL and newline bytes into argv. Beyond "no crash, no sanitizer report"
 * it checks what the parser promises: an accepted command line yields
 * only values the key table accepts (declared app-NAME keys included, and
 * no value for an undeclared one), and an error message is one line of
 * printable text (it is printed on the console as is). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/bootargs.h"
#include "conf_keys.h"

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    if (copy == NULL)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';

    char *argv[MAX_ARGS + 2];
    int argc = 0;
    argv[argc++] = "mir-fuzz";
    char *start = copy;
    for (size_t i = 0; i <= size && argc <= MAX_ARGS; i++) {
        if (i == size || copy[i] == '\0' || copy[i] == '\n') {
            copy[i] = '\0';
            argv[argc++] = start;
            start = copy + i + 1;
        }
    }
    argv[argc] = NULL;

    /* Boot keys, a build-time key and the application's own keys (an
     * empty default among them). */
    static const mi_conf_pair defaults[] = {
        {"http-port", "8080"},  {"fs-static", "files"},
        {"app-echo-port", "7"}, {"app-motd", "Hello, \"world\""},
        {"app-empty", ""},
    };
    const size_t ndefaults = sizeof(defaults) / sizeof(defaults[0]);
    struct bootargs r;
    bootargs_parse(&r, argc, argv, defaults, ndefaults);

    switch (r.action) {
    case BOOT_RUN:
        for (size_t i = 0; i < conf_nkeys; i++) {
            const struct conf_key *k = &conf_keys[i];
            if (k->flags & KEY_FAMILY)
                continue;
            const char *v = bootargs_get(&r, k->name);
            if (v != NULL && (k->flags & KEY_BOOT) && conf_key_check(k, v) != NULL)
                abort(); /* accepted a value the table refuses */
        }
        /* Declared app keys keep a value of their type; others have none. */
        for (size_t i = 2; i < ndefaults; i++) {
            const char *v = bootargs_get(&r, defaults[i].key);
            const struct conf_key *k = conf_key_find(defaults[i].key, strlen(defaults[i].key));
            if (v == NULL || conf_key_check(k, v) != NULL)
                abort();
        }
        if (bootargs_get(&r, "app-undeclared") != NULL)
            abort();
        break;
    case BOOT_ERROR:
        if (r.error[0] == '\0')
            abort();
        for (const char *p = r.error; *p; p++)
            if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
                abort(); /* would print raw bytes on the console */
        break;
    default:
        break;
    }

    char usage[4096];
    size_t len = bootargs_usage("mir-fuzz", defaults, ndefaults, usage, sizeof(usage));
    if (len == 0 || strlen(usage) != (len < sizeof(usage) ? len : sizeof(usage) - 1))
        abort();
    free(copy);
    return 0;
}
