/* SPDX-License-Identifier: ISC */
/* plat_init for a Linux process: take the platform's own boot argument
 * out of argv before the runtime parses the rest.
 *
 *   --net-fd=N | --net-fd N   the tap device opened by `mirari run --unix`
 *                             and inherited by this process (unix-direct)
 *
 * The argument is removed from argv whatever the target, so a unix-socket
 * build started by a runner that always passes it does not refuse it as
 * unknown. */
#include <errno.h>
#include <string.h>

#include <platform.h>

#include "unix.h"

int unix_net_fd = -1;

/* A file descriptor number: decimal digits only, at most INT_MAX. */
static int parse_fd(const char *s, int *out)
{
    long v = 0;
    if (*s == '\0')
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (*s - '0');
        if (v > 0x7fffffff)
            return -1;
    }
    *out = (int)v;
    return 0;
}

static void remove_args(int *argc, char **argv, int at, int n)
{
    /* argv[*argc] is NULL and moves down with the rest. */
    memmove(&argv[at], &argv[at + n], (size_t)(*argc - at - n + 1) * sizeof(char *));
    *argc -= n;
}

int plat_init(int *argc, char **argv)
{
    static const char opt[] = "--net-fd";
    const size_t optlen = sizeof(opt) - 1;

    for (int i = 1; i < *argc;) {
        const char *a = argv[i];
        if (strncmp(a, opt, optlen) != 0 || (a[optlen] != '=' && a[optlen] != '\0')) {
            i++;
            continue;
        }
        const char *value;
        int n;
        if (a[optlen] == '=') {
            value = a + optlen + 1;
            n = 1;
        } else {
            if (i + 1 >= *argc)
                return -EINVAL;
            value = argv[i + 1];
            n = 2;
        }
        if (parse_fd(value, &unix_net_fd) != 0)
            return -EINVAL;
        remove_args(argc, argv, i, n);
    }
    return 0;
}
