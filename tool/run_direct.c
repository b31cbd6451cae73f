/* SPDX-License-Identifier: ISC */
/* The unix-direct runner (`mirari run --unix`): the image is a Linux
 * process with mirari's own TCP/IP stack, and its network is a tap device
 * whose fd it inherits as --net-fd=N.
 *
 *   network   hostnet.h: the tap (a new one, or MIRARI_TAP), its host
 *             address (MIRARI_TAP_ADDRESS, 10.0.0.1/24 by default), the
 *             app's default address, dnsmasq for ip-use-dhcp: true.
 *   fd        opened close-on-exec and made inheritable only in the child
 *             between fork and exec: it exists before the unikernel does,
 *             so there is no hand-off to race.
 *   exit      the unikernel's status (128+N when killed by signal N);
 *             SIGINT, SIGTERM and SIGHUP are passed on to it; dnsmasq and
 *             the temporary directory are removed on every path. */
#include <stdlib.h>

#include "hostnet.h"
#include "supervise.h"
#include "target.h"
#include "util.h"

int run_direct(const struct run_request *req)
{
    struct hostnet hn;
    if (hostnet_open(&hn, req->boot_args, hostnet_given_tap(), false, NULL) != HOSTNET_OK) {
        hostnet_close(&hn);
        return 1;
    }

    /* The boot arguments, plus the default address and the fd. */
    struct strlist argv = {0};
    sl_add(&argv, req->image);
    for (char **a = req->boot_args; *a; a++)
        sl_add(&argv, *a);
    hostnet_default_address(&hn, &argv);
    sl_addf(&argv, "--net-fd=%d", hn.fd);
    sl_add(&argv, ""); /* room for the terminating NULL */
    free(argv.v[argv.n - 1]);
    argv.v[argv.n - 1] = NULL;

    int rc = 1;
    supervise_begin((struct forwarding){.hup = true});
    if (hostnet_start_dhcp(&hn) == 0) {
        hostnet_note(&hn);
        struct child_spec spec = {.path = req->image, .argv = argv.v, .keep_fd = hn.fd};
        rc = supervise_run(&spec, NULL, NULL);
    }
    supervise_end();
    hostnet_close(&hn);
    sl_free(&argv);
    return rc;
}
