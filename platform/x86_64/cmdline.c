/* Command-line splitting. */
#include "cmdline.h"

#include <string.h>

size_t cmdline_split(char *line, char **words, size_t max)
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

bool cmdline_is_kernel_param(const char *word)
{
    return strncmp(word, "tsc-khz=", 8) == 0 || strncmp(word, "virtio_mmio.device=", 19) == 0;
}
