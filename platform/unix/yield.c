/* SPDX-License-Identifier: ISC */
/* plat_yield for a Linux process: ppoll(2) on the network fd with the
 * time left until the deadline.
 *
 * The first call is also where the process confines itself (confine.c):
 * by the time the event loop first waits, boot arguments are parsed, the
 * stores are mapped, the network device is set up and the application's
 * entry point has run, so nothing legitimate needs a new system call. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <platform.h>

#include "unix_net.h"

/* SIGINT and SIGTERM end the unikernel at once with 128 + the signal, as
 * on unix-socket, with a line saying so: it holds nothing that needs
 * cleaning up. Only async-signal-safe calls, and ones the filter allows. */
static void on_stop(int sig)
{
    const char *msg =
        sig == SIGINT ? "mirari: stopping on SIGINT\n" : "mirari: stopping on SIGTERM\n";
    (void)!write(STDERR_FILENO, msg, strlen(msg));
    _exit(128 + sig);
}

bool plat_yield(uint64_t deadline_ns)
{
    static bool confined;
    if (!confined) {
        confined = true;
        struct sigaction sa = {.sa_handler = on_stop};
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        if (unix_confine() != 0) {
            static const char msg[] =
                "mirari: warning: seccomp confinement refused by the kernel\n";
            plat_console_write(msg, sizeof(msg) - 1);
        }
    }

    struct timespec ts, *tsp = NULL;
    if (deadline_ns != UINT64_MAX) {
        uint64_t now = plat_monotonic_ns();
        uint64_t left = deadline_ns > now ? deadline_ns - now : 0;
        ts.tv_sec = (time_t)(left / 1000000000ull);
        ts.tv_nsec = (long)(left % 1000000000ull);
        tsp = &ts;
    }
    int fd = unix_net_poll_fd();
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    int r = ppoll(fd >= 0 ? &pfd : NULL, fd >= 0 ? 1 : 0, tsp, NULL);
    if (r <= 0)
        return false; /* deadline, or a signal */
    if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)) {
        /* POLLIN may come with POLLHUP: let the reader see what is left;
         * a hang-up without data is final. */
        if (!(pfd.revents & POLLIN)) {
            unix_net_hangup();
            return false;
        }
    }
    return (pfd.revents & POLLIN) != 0;
}
