/* SPDX-License-Identifier: ISC */
/* The boot arguments of a disk image: the configuration's, with --set
 * KEY=VALUE over them (image.h). */
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "xl.h"

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
