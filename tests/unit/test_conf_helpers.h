/* SPDX-License-Identifier: ISC */
/* Shared by the tool's unit tests: parse a configuration held in a
 * string and look for an error message. */
#ifndef MIRARI_TESTS_TEST_CONF_HELPERS_H
#define MIRARI_TESTS_TEST_CONF_HELPERS_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tool/check.h"
#include "../../tool/conf.h"
#include "../../tool/diag.h"

struct parsed {
    struct conf conf;
    struct app_config cfg;
    struct diag d;
};

/* Parse text as file "app.conf", add command-line keys ("name=value",
 * NULL-terminated), then check (flags: CHECK_FS or 0). */
static inline int parse_full(struct parsed *p, const char *text, const char *const *cli,
                             const char *confdir, unsigned flags)
{
    memset(p, 0, sizeof *p);
    conf_init(&p->conf, "app.conf");
    conf_parse(&p->conf, text, strlen(text), &p->d);
    for (; cli && *cli; cli++) {
        const char *eq = strchr(*cli, '=');
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(eq - *cli), *cli);
        conf_add_cli(&p->conf, name, eq + 1, &p->d);
    }
    check_config(&p->conf, confdir, flags, &p->cfg, &p->d);
    return p->d.total;
}

static inline int parse(struct parsed *p, const char *text)
{
    return parse_full(p, text, NULL, ".", 0);
}

static inline void parsed_free(struct parsed *p)
{
    app_config_free(&p->cfg);
    conf_free(&p->conf);
    diag_free(&p->d);
}

/* Whether some message contains all of the (up to three) fragments. */
static inline bool has_error(const struct parsed *p, const char *a, const char *b, const char *c)
{
    for (int i = 0; i < p->d.n; i++) {
        const char *m = p->d.msg[i];
        if (strstr(m, a) && (!b || strstr(m, b)) && (!c || strstr(m, c)))
            return true;
    }
    return false;
}

/* On a failed expectation, show what was reported. */
static inline void dump(const struct parsed *p)
{
    diag_print(&p->d, stderr);
}

/* A new directory under $TMPDIR (or the system's default). */
static inline void make_temp_dir(char *buf, size_t cap)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(buf, cap, "%s/mirari-test-XXXXXX", tmp && *tmp ? tmp : P_tmpdir);
    if (!mkdtemp(buf)) {
        perror("mkdtemp");
        abort();
    }
}

#define assert_error(p, a, b, c)                                                                   \
    do {                                                                                           \
        if (!has_error(p, a, b, c))                                                                \
            dump(p);                                                                               \
        assert_true(has_error(p, a, b, c));                                                        \
    } while (0)

#endif
