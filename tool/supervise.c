/* SPDX-License-Identifier: ISC */
/* One child process at a time, supervised for the runners. */
#include "supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

static volatile pid_t child;
static volatile sig_atomic_t stopped_by;
static struct forwarding forwarding;
static sigset_t handled; /* the signals forward() takes */

/* A signal sent to mirari alone (kill, a supervisor) is passed on. One
 * from the terminal (Ctrl-C: si_code SI_KERNEL) reached the child too, as
 * it is in the same process group: passing it on would deliver it twice.
 * It is recorded either way: before the child runs it stops the start-up,
 * and the QEMU runner tells an interrupted guest from a finished one. */
static void forward(int sig, siginfo_t *info, void *ctx)
{
    (void)ctx;
    stopped_by = sig;
    if (child > 0 && info->si_code != SI_KERNEL)
        kill(child, forwarding.as ? forwarding.as : sig);
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
    for (int sig = 1; sig < NSIG; sig++)
        if (sigismember(&handled, sig) == 1)
            sigaction(sig, &sa, NULL);
}

void supervise_begin(struct forwarding fw)
{
    forwarding = fw;
    sigemptyset(&handled);
    sigaddset(&handled, SIGINT);
    sigaddset(&handled, SIGTERM);
    if (fw.hup)
        sigaddset(&handled, SIGHUP);
    stopped_by = 0;
    set_handlers(true);
}

void supervise_end(void)
{
    set_handlers(false);
}

int child_stopped_by(void)
{
    return stopped_by;
}

/* Between fork and exec: the child's own signal state, then the exec. An
 * exec failure goes back through `report` (close-on-exec) as the errno. */
static void exec_child(const struct child_spec *spec, const sigset_t *old, pid_t parent, int report)
{
    set_handlers(false);
    sigprocmask(SIG_SETMASK, old, NULL);
    if (spec->death_signal) {
        prctl(PR_SET_PDEATHSIG, spec->death_signal);
        if (getppid() != parent) /* mirari died before the prctl */
            _exit(127);
    }
    if (spec->keep_fd >= 0)
        fcntl(spec->keep_fd, F_SETFD, 0); /* inherited by this exec only */
    if (spec->path)
        execv(spec->path, spec->argv);
    else
        execvp(spec->argv[0], spec->argv);
    int e = errno;
    (void)!write(report, &e, sizeof e);
    _exit(127);
}

/* fork + exec; the pid, 0 without starting when a signal already asked
 * to stop, -1 with *err set when it failed (*err is also an exec's errno
 * when the pid is > 0). */
static pid_t start(const struct child_spec *spec, int *err)
{
    *err = 0;
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) {
        *err = errno;
        return -1;
    }
    /* Signals wait until `child` is set: none is lost in between. */
    sigset_t old;
    sigprocmask(SIG_BLOCK, &handled, &old);
    pid_t pid = 0, parent = getpid();
    if (!stopped_by && (pid = fork()) == 0)
        exec_child(spec, &old, parent, p[1]);
    if (pid < 0)
        *err = errno;
    child = pid;
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(p[1]);
    if (pid > 0) {
        ssize_t n;
        while ((n = read(p[0], err, sizeof *err)) < 0 && errno == EINTR)
            ;
        if (n != (ssize_t)sizeof *err)
            *err = 0;
    }
    close(p[0]);
    return pid;
}

enum child_outcome child_run(const struct child_spec *spec, int *status)
{
    int err;
    pid_t pid = start(spec, &err);
    *status = 0;
    if (pid > 0)
        while (waitpid(pid, status, 0) < 0 && errno == EINTR)
            ;
    child = 0;
    if (pid == 0)
        return CHILD_STOPPED;
    if (pid < 0 || err) {
        *status = err;
        return CHILD_FAILED;
    }
    return CHILD_RAN;
}

int child_exit_code(const char *who, int status)
{
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        errorf("%s was killed by signal %d (%s)", who, sig, strsignal(sig));
        return 128 + sig;
    }
    return WEXITSTATUS(status);
}

int supervise_run(const struct child_spec *spec, status_fn decode, const void *ctx)
{
    const char *program = spec->path ? spec->path : spec->argv[0];
    if (verbosity >= 2) {
        char *line = cmd_line(spec->argv);
        fprintf(stderr, "%s\n", line);
        free(line);
    }
    fflush(stdout);
    int status;
    switch (child_run(spec, &status)) {
    case CHILD_STOPPED: /* nothing started: the caller cleans up all the same */
        return 128 + child_stopped_by();
    case CHILD_FAILED:
        errorf("cannot start %s: %s", program, strerror(status));
        return 1;
    case CHILD_RAN:
        break;
    }
    return decode ? decode(status, ctx) : child_exit_code(path_base(program), status);
}
