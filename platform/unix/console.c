/* SPDX-License-Identifier: ISC */
/* The console of a Linux process is its standard error, written with
 * write(2) directly: the log path has no stdio buffer to lose at exit. */
#include <errno.h>
#include <unistd.h>

#include <platform.h>

void plat_console_write(const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(STDERR_FILENO, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return; /* stderr closed or broken: nothing else to tell */
        }
        buf += n;
        len -= (size_t)n;
    }
}
