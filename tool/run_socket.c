/* SPDX-License-Identifier: ISC */
/* The unix-socket runner: the image is a plain Linux process. Start it,
 * pass on SIGINT and SIGTERM, and exit as it did. */
#include <stdio.h>
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
    if (verbosity >= 2) {
        char *line = cmd_line(argv);
        fprintf(stderr, "%s\n", line);
        free(line);
    }
    fflush(stdout);
    supervise_begin((struct forwarding){0});
    struct child_spec spec = {.path = req->image, .argv = argv, .keep_fd = -1};
    int status;
    enum child_outcome how = child_run(&spec, &status);
    supervise_end();
    free(argv);
    switch (how) {
    case CHILD_STOPPED: /* a signal in the instant before the start */
        return 128 + child_stopped_by();
    case CHILD_FAILED:
        errorf("cannot start %s: %s", req->image, strerror(status));
        return 1;
    default:
        return child_exit_code(path_base(req->image), status);
    }
}
