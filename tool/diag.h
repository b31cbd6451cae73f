/* SPDX-License-Identifier: ISC */
/* Error messages about a configuration, collected so that one run reports
 * every problem of a file (up to DIAG_MAX), each in a compiler's format:
 *   app.conf:12: http-port: "99999" is not a port number; expected ...
 *   command line: --http-port: ... */
#ifndef MIRARI_TOOL_DIAG_H
#define MIRARI_TOOL_DIAG_H

#include <stdio.h>

#include "util.h"

#define DIAG_MAX 20

struct diag {
    char *msg[DIAG_MAX]; /* the first DIAG_MAX messages */
    int line[DIAG_MAX];  /* where each is about, for printing in order */
    int n;               /* kept in msg */
    int total;           /* all errors, kept or not */
};

/* The line of a message about the command line: after the file's. */
#define DIAG_CLI_LINE 0x7fffffff

/* A complete message (location included) about a line. */
void diag_add(struct diag *d, int line, const char *fmt, ...) PRINTF(3, 4);
void diag_vadd(struct diag *d, int line, const char *fmt, va_list ap);
/* Print the messages in line order (as found for the same line), and a
 * line saying how many were left out. */
void diag_print(const struct diag *d, FILE *f);
void diag_free(struct diag *d);

#endif
