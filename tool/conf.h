/* SPDX-License-Identifier: ISC */
/* The app.conf parser: `key: value` lines split at the first colon,
 * values stripped and kept verbatim, `#` comment lines, blank lines.
 * It parses from memory (no file system), so the fuzzer can drive it, and
 * takes the command line's --KEY=VALUE through the same checks.
 *
 * What each key means and how keys combine is checked later (check.h);
 * here every line is checked on its own: syntax, known key, family member
 * name, and the value against the key's type. */
#ifndef MIRARI_TOOL_CONF_H
#define MIRARI_TOOL_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "conf_keys.h"
#include "diag.h"

enum conf_origin { CONF_FILE, CONF_CLI };

struct conf_item {
    const struct conf_key *key; /* the table entry (the family for fs-/xl-) */
    char *name;                 /* the full key: "fs-static" */
    char *value;                /* stripped, otherwise as written */
    int line;                   /* line in the file; 0 on the command line */
    enum conf_origin origin;
    bool valid; /* the value passed its type check */
};

struct conf {
    char *file; /* the file as named in messages: "app.conf" */
    int nlines; /* lines in the file, for errors about what is missing */
    struct conf_item *items;
    size_t n, cap;
};

void conf_init(struct conf *c, const char *file);
void conf_free(struct conf *c);

/* Parse a whole file held in memory (any bytes). Each problem becomes an
 * error in d; good lines become items. Returns the number of errors. */
int conf_parse(struct conf *c, const char *buf, size_t len, struct diag *d);

/* A key from the command line (name without the leading "--"), checked
 * like a line of the file. Returns 0, or -1 after adding an error. */
int conf_add_cli(struct conf *c, const char *name, const char *value, struct diag *d);

/* An error about an item: "app.conf:12: http-port: " or
 * "command line: --http-port: " followed by the message. */
void conf_error(struct diag *d, const struct conf *c, const struct conf_item *it, const char *fmt,
                ...) PRINTF(4, 5);

/* The error for a name that is no key, with a did-you-mean. where is the
 * location prefix ("app.conf:3" or "command line"), line its line
 * (DIAG_CLI_LINE for the command line), dashes is "" or "--". */
void conf_unknown_key(struct diag *d, int line, const char *where, const char *dashes,
                      const char *name);

/* Why there is no key `name`, for the error about one. */
#define CONF_NAME_HINT                                                                             \
    "the application's name is the .conf file's name (NAME.conf builds mir-NAME); rename the "     \
    "file to change it"

/* A value for a message: quoted, escaped, shortened when long. */
char *conf_show(const char *s);

#endif
