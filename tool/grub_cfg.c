/* SPDX-License-Identifier: ISC */
/* grub.cfg of a mirari disk image (grub_cfg.h). */
#include "grub_cfg.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"

void grub_quote(struct sbuf *b, const char *s)
{
    /* GRUB's shell reads single quotes as sh does (grub-core/script). */
    char *q = sh_quote(s);
    sb_add(b, q);
    free(q);
}

char *grub_cfg_text(const char *kernel, char *const *words, size_t n, const char **bad)
{
    for (size_t i = 0; i < n; i++)
        if (strpbrk(words[i], "\t\n\r")) {
            *bad = words[i];
            return NULL;
        }
    struct sbuf b = {0};
    sb_add(&b, "# Written by mirari image. GRUB talks on the first serial port, as the\n"
               "# unikernel does, shows no menu and boots the kernel by Multiboot2 with\n"
               "# the boot arguments below (`mirari image --set KEY=VALUE` changes them).\n"
               "serial --unit=0 --speed=115200\n"
               "terminal_input serial console\n"
               "terminal_output serial console\n"
               "set timeout=0\n"
               "multiboot2 ");
    grub_quote(&b, kernel);
    for (size_t i = 0; i < n; i++) {
        sb_add(&b, " ");
        grub_quote(&b, words[i]);
    }
    sb_add(&b, "\nboot\n");
    char *s = xstrdup(sb_str(&b));
    sb_free(&b);
    return s;
}
