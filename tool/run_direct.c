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
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hostnet.h"
#include "target.h"
#include "util.h"

static volatile pid_t child;
static volatile sig_atomic_t stopped_by; /* a signal that came before the unikernel started */

/* As run_socket: a signal sent to mirari alone is passed on; one from the
 * terminal (si_code SI_KERNEL) reached the unikernel too. Before the
 * unikernel runs, it stops the start-up (and the cleanup still happens). */
static void forward(int sig, siginfo_t *info, void *ctx)
{
    (void)ctx;
    if (child > 0) {
        if (info->si_code != SI_KERNEL)
            kill(child, sig);
    } else {
        stopped_by = sig;
    }
}

static void set_handlers(bool on)
{
    struct sigaction sa = {0};
    sigemptyset(&sa.sa_mask);
    if (on) {
        sa.sa_sigaction = forward;
        sa.sa_flags = SA_SIGINFO | SA_RESTART;
    } else {
        sa.sa_handler = SIG_DFL;
    }
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

/* fork + exec with the tap fd inherited; exec errors come back through a
 * close-on-exec pipe. */
static pid_t start(const char *image, char **argv, int tapfd, int *exec_errno)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return -1;
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigprocmask(SIG_BLOCK, &block, &old);
    pid_t pid = fork();
    if (pid == 0) {
        set_handlers(false);
        sigprocmask(SIG_SETMASK, &old, NULL);
        if (tapfd >= 0)
            fcntl(tapfd, F_SETFD, 0); /* inherited by this exec only */
        execv(image, argv);
        int e = errno;
        (void)!write(p[1], &e, sizeof e);
        _exit(127);
    }
    child = pid;
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(p[1]);
    *exec_errno = 0;
    if (pid > 0) {
        ssize_t n;
        while ((n = read(p[0], exec_errno, sizeof *exec_errno)) < 0 && errno == EINTR)
            ;
        if (n != (ssize_t)sizeof *exec_errno)
            *exec_errno = 0;
    }
    close(p[0]);
    return pid;
}

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
    stopped_by = 0;
    set_handlers(true);
    if (hostnet_start_dhcp(&hn) != 0)
        goto out;
    hostnet_note(&hn);
    if (verbosity >= 2) {
        char *line = cmd_line(argv.v);
        fprintf(stderr, "%s\n", line);
        free(line);
    }
    fflush(stdout);
    if (stopped_by) {
        rc = 128 + stopped_by;
        goto out;
    }
    int exec_errno;
    pid_t pid = start(req->image, argv.v, hn.fd, &exec_errno);
    int status = 0;
    if (pid > 0)
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    child = 0;
    if (pid < 0 || exec_errno) {
        errorf("cannot start %s: %s", req->image, strerror(pid < 0 ? errno : exec_errno));
        rc = 1;
    } else if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        errorf("%s was killed by signal %d (%s)", path_base(req->image), sig, strsignal(sig));
        rc = 128 + sig;
    } else {
        rc = WEXITSTATUS(status);
    }
out:
    set_handlers(false);
    hostnet_close(&hn);
    sl_free(&argv);
    return rc;
}
