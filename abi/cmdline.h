/* SPDX-License-Identifier: ISC */
/* The kernel command line: how boot arguments travel from the tool to a VM
 * image (QEMU -append, xl's cmdline, a boot loader's command line). The
 * tool writes words with cmdline_encode(); the kernel splits them back
 * with cmdline_split(). Self-contained, C library only.
 *
 * Encoding: words separated by spaces, tabs or newlines; a backslash makes
 * the next character literal, and a word that holds a space, tab or newline
 * (or is empty) is written in double quotes, which the splitter removes.
 * This is what GRUB writes for a multiboot2 or linux command line
 * (grub_create_loader_cmdline: `\`, `'` and `"` escaped with a backslash,
 * words with a space double-quoted), so a line GRUB passes on splits back
 * into the words of its configuration. Tested in
 * tests/unit/test_x86_text.c. */
#ifndef MIRARI_ABI_CMDLINE_H
#define MIRARI_ABI_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

static inline bool cmdline_escaped(char c)
{
    return c == '\\' || c == '\'' || c == '"';
}

static inline bool cmdline_needs_quotes(const char *w)
{
    return *w == '\0' || strpbrk(w, " \t\n") != NULL;
}

/* Bytes cmdline_encode() writes for `w`, not counting the terminator. */
static inline size_t cmdline_encoded_len(const char *w)
{
    size_t n = cmdline_needs_quotes(w) ? 2 : 0;
    for (; *w; w++)
        n += cmdline_escaped(*w) ? 2 : 1;
    return n;
}

/* Write `w` encoded into `out` (cmdline_encoded_len(w) + 1 bytes);
 * returns the length written, not counting the terminator. */
static inline size_t cmdline_encode(const char *w, char *out)
{
    bool quote = cmdline_needs_quotes(w);
    char *o = out;
    if (quote)
        *o++ = '"';
    for (; *w; w++) {
        if (cmdline_escaped(*w))
            *o++ = '\\';
        *o++ = *w;
    }
    if (quote)
        *o++ = '"';
    *o = '\0';
    return (size_t)(o - out);
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
            if (*r == '\\' && r[1] != '\0')
                *w++ = *++r;
            else if (*r == '"')
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
