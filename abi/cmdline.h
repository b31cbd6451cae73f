/* SPDX-License-Identifier: ISC */
/* The kernel command line: how boot arguments travel from the tool to a VM
 * image (QEMU -append, xl's cmdline, a boot loader's command line). The
 * tool writes words with cmdline_word_form(); the kernel splits them back
 * with cmdline_split(). Self-contained, C library only.
 *
 * Encoding: words separated by spaces, tabs or newlines; a word that is
 * empty or has a space, tab or newline is written in double quotes, which
 * the splitter removes. A double quote itself cannot be carried. Tested in
 * tests/unit/test_x86_text.c. */
#ifndef MIRARI_ABI_CMDLINE_H
#define MIRARI_ABI_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

enum cmdline_form {
    CMDLINE_BARE,      /* written as it is */
    CMDLINE_QUOTED,    /* written between double quotes */
    CMDLINE_INVALID,   /* has a double quote: cannot be carried */
};

static inline enum cmdline_form cmdline_word_form(const char *w)
{
    if (strchr(w, '"') != NULL)
        return CMDLINE_INVALID;
    return *w == '\0' || strpbrk(w, " \t\n") != NULL ? CMDLINE_QUOTED : CMDLINE_BARE;
}

/* Split `line` in place into words. Writes at most `max` word pointers and
 * returns how many words there were (more than max means some were
 * dropped). */
static inline size_t cmdline_split(char *line, char **words, size_t max)
{
    size_t n = 0;
    char *r = line, *w = line;
    for (;;) {
        while (*r == ' ' || *r == '\t' || *r == '\n')
            r++;
        if (*r == '\0')
            break;
        char *start = w;
        bool quoted = false;
        while (*r && (quoted || (*r != ' ' && *r != '\t' && *r != '\n'))) {
            if (*r == '"')
                quoted = !quoted;
            else
                *w++ = *r;
            r++;
        }
        /* r is at a separator or the end; w never passes r, so the
         * terminator cannot overwrite unread input except the separator. */
        bool end = *r == '\0';
        *w++ = '\0';
        if (n < max)
            words[n] = start;
        n++;
        if (end)
            break;
        r++;
    }
    return n;
}

#endif
