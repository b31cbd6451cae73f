/* SPDX-License-Identifier: ISC */
/* mirari run: build when needed, then hand the image to the target's
 * runner with boot arguments from the configuration. */
#include <stdlib.h>
#include <string.h>

#include "commands.h"

/* --KEY=VALUE for every boot-argument key set in the configuration, then
 * the user's own arguments (after --), which the unikernel reads last. */
static char **boot_args(const struct session *s)
{
    struct strlist l = {0};
    for (size_t i = 0; i < conf_nkeys; i++) {
        const struct conf_item *it =
            (conf_keys[i].flags & KEY_BOOT) ? cfg_get(&s->cfg, conf_keys[i].name) : NULL;
        if (it)
            sl_addf(&l, "--%s=%s", it->name, it->value);
    }
    for (size_t i = 0; i < s->cli->extra.n; i++)
        sl_add(&l, s->cli->extra.v[i]);
    sl_add(&l, ""); /* room for the terminating NULL */
    free(l.v[l.n - 1]);
    l.v[l.n - 1] = NULL;
    return l.v;
}

int cmd_run(const struct cli *cli)
{
    if (cli->words.n) {
        errorf("run takes no operands; arguments for the unikernel go after -- (mirari run -- "
               "--log-level=debug)");
        return EXIT_USAGE;
    }
    /* The runners read the host network's settings from the environment
     * (hostnet.c), where the flags put them, over what was there. */
    if (cli->opts.tap)
        setenv("MIRARI_TAP", cli->opts.tap, 1);
    if (cli->opts.tap_address)
        setenv("MIRARI_TAP_ADDRESS", cli->opts.tap_address, 1);
    struct session s;
    int rc = session_open(&s, cli, true);
    if (rc == EXIT_OK)
        rc = build_app(&s);
    if (rc == EXIT_OK) {
        char *image = image_path(&s);
        char **args = boot_args(&s);
        struct run_request req = {
            .app = s.app, .appdir = s.appdir, .image = image, .boot_args = args, .cfg = &s.cfg};
        rc = s.target->run(&req);
        for (char **a = args; *a; a++)
            free(*a);
        free(args);
        free(image);
    }
    session_close(&s);
    return rc;
}
