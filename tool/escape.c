/* SPDX-License-Identifier: ISC */
/* Quoting for C, the shell and make; see escape.h. */
#include "escape.h"

#include <string.h>

#include "util.h"

char *c_string(const char *s)
{
    struct sbuf b = {0};
    sb_add(&b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            sb_printf(&b, "\\%c", *p);
        else if (*p == '?')
            sb_add(&b, "\\?"); /* no trigraph can form (??/ is a backslash in ISO C) */
        else if (*p < 0x20 || *p >= 0x7f)
            sb_printf(&b, "\\%03o", *p);
        else
            sb_addn(&b, (const char *)p, 1);
    }
    sb_add(&b, "\"");
    return b.s;
}

char *sh_quote(const char *s)
{
    struct sbuf b = {0};
    sb_add(&b, "'");
    for (; *s; s++) {
        if (*s == '\'')
            sb_add(&b, "'\\''");
        else
            sb_addn(&b, s, 1);
    }
    sb_add(&b, "'");
    return b.s;
}

char *sh_quote_if_needed(const char *s)
{
    if (*s == '\0')
        return xstrdup("''");
    for (const char *p = s; *p; p++) {
        char c = *p;
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     strchr("/._+-,=:@%", c);
        if (!plain)
            return sh_quote(s);
    }
    return xstrdup(s);
}

char *make_dollar(const char *s)
{
    struct sbuf b = {0};
    for (; *s; s++)
        sb_addn(&b, *s == '$' ? "$$" : s, *s == '$' ? 2 : 1);
    return (char *)sb_str(&b);
}

char *make_text(const char *s)
{
    struct sbuf b = {0};
    for (; *s; s++) {
        if (*s == '$')
            sb_add(&b, "$$");
        else if (*s == '#')
            sb_add(&b, "\\#");
        else if (*s == '\n' || *s == '\r')
            sb_add(&b, " ");
        else
            sb_addn(&b, s, 1);
    }
    return (char *)sb_str(&b);
}

char *make_file_name(const char *s)
{
    struct sbuf b = {0};
    if (s[0] == '~')
        return NULL; /* make would expand it to a home directory */
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        /* % makes a pattern rule, ; starts a recipe, and make has no
         * escape for either. */
        if (*p == '%' || *p == ';' || *p == '\\' || *p < 0x20 || *p == 0x7f) {
            sb_free(&b);
            return NULL;
        }
        if (*p == '$')
            sb_add(&b, "$$");
        else if (strchr(" #:*?[]=", *p))
            sb_printf(&b, "\\%c", *p);
        else
            sb_addn(&b, (const char *)p, 1);
    }
    return (char *)sb_str(&b);
}
