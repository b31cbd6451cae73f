/* SPDX-License-Identifier: ISC */
/* Collected configuration errors; see diag.h. */
#include "diag.h"

#include <stdbool.h>
#include <stdlib.h>

void diag_vadd(struct diag *d, int line, const char *fmt, va_list ap)
{
    d->total++;
    if (d->n == DIAG_MAX)
        return;
    char *s;
    if (vasprintf(&s, fmt, ap) < 0)
        s = xstrdup("(out of memory formatting an error)");
    d->line[d->n] = line;
    d->msg[d->n++] = s;
}

void diag_add(struct diag *d, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(d, line, fmt, ap);
    va_end(ap);
}

void diag_print(const struct diag *d, FILE *f)
{
    /* A stable selection by line: at most DIAG_MAX messages. */
    bool done[DIAG_MAX] = {0};
    for (int k = 0; k < d->n; k++) {
        int best = -1;
        for (int i = 0; i < d->n; i++)
            if (!done[i] && (best < 0 || d->line[i] < d->line[best]))
                best = i;
        done[best] = true;
        fprintf(f, "%s\n", d->msg[best]);
    }
    if (d->total > d->n)
        fprintf(f, "(%d more errors not shown)\n", d->total - d->n);
}

void diag_free(struct diag *d)
{
    for (int i = 0; i < d->n; i++)
        free(d->msg[i]);
    *d = (struct diag){0};
}
