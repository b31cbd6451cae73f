/* SPDX-License-Identifier: ISC */
/* The recorded configuration; see state.h. */
#include "state.h"

#include <stdlib.h>
#include <string.h>

#include "session.h"

int state_read(const char *builddir, struct state *st)
{
    *st = (struct state){0};
    char *path = path_join(builddir, "configuration");
    char *text = read_file(path, NULL);
    free(path);
    if (!text)
        return -1;
    struct sbuf stamp = {0};
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        sb_printf(&stamp, "%s\n", line);
        if (str_starts(line, "target ")) {
            free(st->target);
            st->target = xstrdup(line + 7);
        } else if (str_starts(line, "arg --") && strchr(line, '=')) {
            sl_add(&st->args, line + 4);
        } else if (str_starts(line, "remembered-target ")) {
            free(st->kept_target);
            st->kept_target = xstrdup(line + 18);
        } else if (str_starts(line, "remembered --") && strchr(line, '=')) {
            sl_add(&st->kept, line + 11);
        }
    }
    free(text);
    st->stamp = (char *)sb_str(&stamp);
    return 0;
}

void state_free(struct state *st)
{
    free(st->stamp);
    free(st->target);
    sl_free(&st->args);
    free(st->kept_target);
    sl_free(&st->kept);
    *st = (struct state){0};
}

char *state_text(const struct session *s, const char *stamp)
{
    struct sbuf b = {0};
    sb_printf(&b,
              "# The configuration of the app %s, written by mirari.\n"
              "# `remembered` lines: the target and keys of the last `mirari configure`;\n"
              "# build and run start from them and add their own for that command only.\n"
              "# `target` and `arg`: what _build/ was last generated with. build and run\n"
              "# configure again when a line below differs from what they are given.\n",
              s->app);
    sb_add(&b, stamp);
    sb_add(&b, "# In effect (command line over file):\n");
    for (size_t i = 0; i < s->cfg.n; i++) {
        const struct conf_item *it = s->cfg.items[i];
        if (it->origin == CONF_FILE)
            sb_printf(&b, "#   %s: %s  (%s:%d)\n", it->name, it->value, s->conf_path, it->line);
        else
            sb_printf(&b, "#   %s: %s  (command line)\n", it->name, it->value);
    }
    return (char *)sb_str(&b);
}
