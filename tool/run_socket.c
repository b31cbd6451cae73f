/* The unix-socket runner: the image is a plain Linux process. Start it,
 * pass on SIGINT and SIGTERM, and exit as it did. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "target.h"
#include "util.h"

static volatile pid_t child;

/* A signal sent to mirari alone (kill, a supervisor) is passed on. One
 * from the terminal (Ctrl-C: si_code SI_KERNEL) reached the child too, as
 * it is in the same process group: passing it on would deliver it twice. */
static void forward(int sig, siginfo_t *info, void *ctx)
{
    (void)ctx;
    if (child > 0 && info->si_code != SI_KERNEL)
        kill(child, sig);
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
}

/* fork + exec; an exec failure comes back through a close-on-exec pipe
 * as the errno, so it is reported here rather than as a child's status. */
static pid_t start(const char *image, char **argv, int *exec_errno)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return -1;
    /* Signals wait until `child` is set: none is lost in between. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &old);
    pid_t pid = fork();
    if (pid == 0) {
        set_handlers(false);
        sigprocmask(SIG_SETMASK, &old, NULL);
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
    set_handlers(true);
    int exec_errno;
    pid_t pid = start(req->image, argv, &exec_errno);
    free(argv);
    int status = 0;
    if (pid > 0 && exec_errno == 0)
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    else if (pid > 0)
        waitpid(pid, &status, 0);
    child = 0;
    set_handlers(false);
    if (pid < 0 || exec_errno) {
        errorf("cannot start %s: %s", req->image, strerror(pid < 0 ? errno : exec_errno));
        return 1;
    }
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        errorf("%s was killed by signal %d (%s)", path_base(req->image), sig, strsignal(sig));
        return 128 + sig;
    }
    return WEXITSTATUS(status);
}
