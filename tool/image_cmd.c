/* SPDX-License-Identifier: ISC */
/* mirari image: build the app's kernel when needed, then write a disk
 * image of it (image.h) with the configuration's boot arguments, changed
 * by --set KEY=VALUE without a rebuild. */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "image.h"
#include "image_cmd.h"
#include "xl.h"

static const char *const default_suffix[] = {".img", ".qcow2", "-gce.tar.gz"};

/* The index of the word that sets `key` (--KEY=...), or -1. */
static long word_for(const struct strlist *w, const char *key)
{
    size_t len = strlen(key);
    for (size_t i = 0; i < w->n; i++)
        if (strncmp(w->v[i], "--", 2) == 0 && strncmp(w->v[i] + 2, key, len) == 0 &&
            w->v[i][2 + len] == '=')
            return (long)i;
    return -1;
}

/* One --set KEY=VALUE, checked as the configuration checks that key:
 * 0, or -1 after a message. */
static int apply_set(const struct app_config *cfg, const char *set, struct strlist *w)
{
    const char *kv = strncmp(set, "--", 2) == 0 ? set + 2 : set;
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv) {
        errorf("--set %s: expected KEY=VALUE, such as --set ip-address=10.0.0.5", set);
        return -1;
    }
    char *key = xstrndup(kv, (size_t)(eq - kv));
    const char *value = eq + 1;
    const struct conf_key *k = conf_key_find(key, strlen(key));
    int rc = -1;
    if (!k) {
        const char *close = conf_key_suggest(key);
        errorf("--set %s: unknown key %s%s%s%s", set, key, close ? " (did you mean " : "",
               close ? close : "", close ? "?)" : "");
    } else if (!(k->flags & KEY_BOOT)) {
        errorf("--set %s: %s is not a boot argument (it is built into the image: change it in "
               "the .conf and build again)",
               set, key);
    } else if (str_starts(key, APP_KEY_PREFIX) && !cfg_get(cfg, key)) {
        errorf("--set %s: %s is not declared in the .conf (an app reads only the app- keys it "
               "declares)",
               set, key);
    } else {
        const char *why = conf_key_check(k, value);
        if (why) {
            errorf("--set %s: %s", set, why);
        } else {
            long i = word_for(w, key);
            char *word = xasprintf("--%s=%s", key, value);
            if (i >= 0) {
                free(w->v[i]);
                w->v[i] = word;
            } else {
                sl_add(w, word);
                free(word);
            }
            rc = 0;
        }
    }
    free(key);
    return rc;
}

int image_boot_words(const struct app_config *cfg, const struct strlist *sets,
                     struct strlist *words)
{
    xl_boot_words(cfg, words);
    int rc = 0;
    for (size_t i = 0; i < sets->n; i++)
        if (apply_set(cfg, sets->v[i], words) < 0)
            rc = -1;
    /* A cloud hands out addresses by DHCP: an app with a network and no
     * address of its own asks for one rather than assume the tap
     * targets' 10.0.0.2. */
    if (rc == 0 && cfg->kind != MI_MAIN_NOIP && word_for(words, "ip-address") < 0 &&
        word_for(words, "ip-use-dhcp") < 0) {
        sl_add(words, "--ip-use-dhcp=true");
        note("no ip-address in the configuration: the image takes its address by DHCP "
             "(--set ip-address=A.B.C.D to give it one)");
    }
    return rc;
}

int image_for_session(struct session *s, const struct cli *cli, enum image_format format,
                      const char *output, char **written)
{
    uint64_t requested = 0;
    if (cli->opts.size && image_parse_size(cli->opts.size, &requested) < 0) {
        errorf("--size %s: expected a size in bytes or with K, M, G or T (e.g. 64M, 1G)",
               cli->opts.size);
        return EXIT_USAGE;
    }
    if (strcmp(s->target->mk, "qemu.mk") != 0) {
        errorf("a disk image boots the kernel of the qemu target; this app is configured for %s: "
               "give -t qemu (mirari %s -t qemu) or configure with -t qemu",
               s->target->name, cli->command->name);
        return EXIT_FAIL;
    }
    int rc = build_app(s);
    if (rc != EXIT_OK)
        return rc;
    struct image_plan p = {.format = format};
    char *kernel = image_path(s);
    p.kernel = kernel;
    p.kernel_name = path_base(kernel);
    char *name = xasprintf("%s%s", s->app, default_suffix[format]);
    char *out = output ? xstrdup(output) : path_join(s->appdir, name);
    free(name);
    p.output = out;
    if (image_boot_words(&s->cfg, &cli->opts.set, &p.words) < 0) {
        rc = EXIT_USAGE;
    } else if (image_plan_sizes(&p, (uint64_t)file_size(kernel), requested) < 0) {
        errorf("--size %s: the disk is too small; this image needs at least %llu MiB",
               cli->opts.size, (unsigned long long)((p.min_bytes + (1 << 20) - 1) >> 20));
        rc = EXIT_FAIL;
    } else if (image_write(&p) < 0) {
        rc = EXIT_FAIL;
    } else {
        say("wrote %s (%s, a %llu MiB disk that boots by BIOS and UEFI)", out,
            cli->opts.format ? cli->opts.format : "raw",
            (unsigned long long)(p.disk_sectors * 512 >> 20));
        if (written)
            *written = xstrdup(out);
    }
    sl_free(&p.words);
    free(kernel);
    free(out);
    return rc;
}

int cmd_image(const struct cli *cli)
{
    if (cli->words.n) {
        errorf("image takes no operands; the output is -o FILE");
        return EXIT_USAGE;
    }
    int format = IMAGE_RAW;
    if (cli->opts.format && (format = image_format_find(cli->opts.format)) < 0) {
        errorf("--format %s: unknown format; expected raw, qcow2 or gce", cli->opts.format);
        return EXIT_USAGE;
    }
    struct session s;
    int rc = session_open(&s, cli, true);
    if (rc == EXIT_OK)
        rc = image_for_session(&s, cli, (enum image_format)format, cli->opts.output, NULL);
    session_close(&s);
    return rc;
}
