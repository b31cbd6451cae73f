/* SPDX-License-Identifier: ISC */
/* mirari clean: remove what mirari generated for the app, as listed in
 * _build/manifest, and nothing else. */
#include <stdlib.h>

#include "commands.h"
#include "manifest.h"

int cmd_clean(const struct cli *cli)
{
    if (cli->words.n || cli->extra.n || cli->nkeys) {
        errorf("clean takes no operands and no keys; see mirari clean --help");
        return EXIT_USAGE;
    }
    /* The app's directory comes from its .conf, as for the other
     * commands; the runtime and the configuration are not needed. */
    struct session s = {0};
    int rc = find_conf(&s, cli);
    if (rc == EXIT_OK) {
        int removed;
        struct strlist kept = {0};
        rc = clean_app(s.appdir, &removed, &kept) < 0 ? EXIT_FAIL : EXIT_OK;
        if (rc == EXIT_OK && removed == 0)
            say("nothing to clean");
        else if (rc == EXIT_OK)
            say("removed %d file%s", removed, removed == 1 ? "" : "s");
        for (size_t i = 0; i < kept.n; i++)
            note("kept %s: mirari did not write it", kept.v[i]);
        sl_free(&kept);
    }
    session_close(&s);
    return rc;
}
