/* SPDX-License-Identifier: ISC */
/* Quoting of values on their way into generated files. Every value is
 * checked before it gets here; quoting anyway means that a value the
 * checks missed can still never change the meaning of generated code. */
#ifndef MIRARI_TOOL_ESCAPE_H
#define MIRARI_TOOL_ESCAPE_H

#include <stdbool.h>

/* A C string literal, quotes included, for any bytes: \" \\ \? and \ooo
 * octal escapes (always three digits, so a following digit is never
 * absorbed) for everything outside printable ASCII. */
char *c_string(const char *s);
/* A shell word in single quotes ('it'\''s'). */
char *sh_quote(const char *s);
/* s as it is when the shell would read it unchanged, else sh_quote(s). */
char *sh_quote_if_needed(const char *s);
/* Text for a make recipe line or variable: every $ doubled. */
char *make_dollar(const char *s);
/* Text for the value of a make variable: $ doubled, # escaped, line
 * breaks made blanks. */
char *make_text(const char *s);
/* A file name as a make target or prerequisite (as gcc writes them in
 * dependency files): blanks, # : = and wildcards escaped with a backslash,
 * $ doubled. NULL when make cannot express the name at all (% ; a
 * backslash, a control character, a leading ~). */
char *make_file_name(const char *s);

#endif
