/* SPDX-License-Identifier: ISC */
/* The unix-socket runner: the image is a plain Linux process. Start it,
 * pass on SIGINT and SIGTERM, and exit as it did. */
#include <stdlib.h>
#include <string.h>

#include "supervise.h"
#include "target.h"
#include "util.h"

int run_socket(const struct run_request *req)
{
    size_t n = 0;
    while (req->boot_args[n])
        n++;
    char **argv = xmalloc((n + 2) * sizeof *argv);
    argv[0] = (char *)req->image;
    memcpy(argv + 1, req->boot_args, (n + 1) * sizeof *argv);
    supervise_begin((struct forwarding){0});
    struct child_spec spec = {.path = req->image, .argv = argv, .keep_fd = -1};
    int rc = supervise_run(&spec, NULL, NULL);
    supervise_end();
    free(argv);
    return rc;
}
