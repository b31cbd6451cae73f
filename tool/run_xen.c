/* SPDX-License-Identifier: ISC */
/* The xen runner: start the PVH image as a Xen guest with
 * `xl create -c _build/NAME.xl`, its console on the terminal, and exit
 * as the guest ended.
 *
 *   xl           MIRARI_XL names the command, else xl from PATH. `xl info`
 *                must work (Xen running, mirari root in dom0): otherwise
 *                one error says what is missing and nothing is started.
 *   how it ended The kernel shuts down with SCHEDOP_shutdown: poweroff for
 *                exit 0, crash for a fault or a non-zero exit. xl's console
 *                does not say which, so the domain is created with
 *                on_poweroff and on_crash "preserve" (given on xl's command
 *                line, over the file's) and a watcher process polls
 *                `xl list NAME` (state s: shut down, c: crashed). On a
 *                poweroff or crash it records which and destroys the
 *                domain, which ends the console: 0 for a poweroff, 139
 *                with a message for a crash. A crashed domain is kept when
 *                the configuration says xl-on_crash: preserve: the watcher
 *                then ends the console through mirari (SIGTERM) and the
 *                message says how to inspect and remove the domain.
 *   stopping     Ctrl-C (when the console is not raw), SIGTERM or SIGHUP
 *                to mirari, or leaving the console with Ctrl-]: the
 *                domain is destroyed (xl destroy NAME); 128+N, 130 for a
 *                detached console.
 *   arguments    after -- are appended to the file's cmdline, given to xl
 *                as cmdline="..." on its command line.
 * An existing domain of the same name is an error, never destroyed. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "supervise.h"
#include "target.h"
#include "util.h"
#include "xl.h"

#define CRASH_STATUS (128 + SIGSEGV) /* as the qemu runner's crashed kernel */
#define POLL_NS      200000000L      /* between two `xl list` of the watcher */

/* What the watcher saw, one byte on its pipe. */
enum verdict {
    V_NONE = 0,
    V_POWEROFF = 'p',   /* shut down (destroyed by the watcher) */
    V_CRASHED = 'c',    /* crashed (destroyed by the watcher) */
    V_CRASH_KEPT = 'k', /* crashed, kept for xl-on_crash: preserve */
    V_GONE = 'g',       /* destroyed by someone else */
};

enum domain_state { DOM_ABSENT, DOM_RUNNING, DOM_SHUTDOWN, DOM_CRASHED };

struct xen_setup {
    const char *xl;    /* the command */
    const char *name;  /* the domain: the app's name */
    char *file;        /* _build/NAME.xl */
    char *cmdline;     /* cmdline="..." for arguments after --, or NULL */
    bool keep_crashed; /* xl-on_crash: preserve */
};

/* xl WORD NAME, its output in out (may be NULL); the exit status. */
static int xl(const struct xen_setup *x, const char *word, const char *name, struct sbuf *out)
{
    char *argv[] = {(char *)x->xl, (char *)word, (char *)name, NULL};
    return run_cmd(argv, out, true);
}

/* From `xl list NAME`: its second line's fifth field is the state, six
 * letters or dashes (r b p s c d), "---sc-" for a crashed domain. */
static enum domain_state domain_state(const struct xen_setup *x)
{
    struct sbuf out = {0};
    enum domain_state st = DOM_ABSENT;
    if (xl(x, "list", x->name, &out) == 0) {
        const char *line = strchr(sb_str(&out), '\n');
        char state[16] = "";
        if (line && sscanf(line, "%*s %*s %*s %*s %15s", state) == 1)
            st = strchr(state, 'c') ? DOM_CRASHED : strchr(state, 's') ? DOM_SHUTDOWN : DOM_RUNNING;
    }
    sb_free(&out);
    return st;
}

/* The watcher's loop, in its own process: wait for the domain to appear,
 * then for it to end; report how, then end the console. */
static int watch(const struct xen_setup *x, int report)
{
    bool seen = false;
    for (;;) {
        nanosleep(&(struct timespec){.tv_nsec = POLL_NS}, NULL);
        enum domain_state st = domain_state(x);
        if (st == DOM_RUNNING || (st == DOM_ABSENT && !seen)) {
            seen = seen || st == DOM_RUNNING;
            continue;
        }
        char v = st == DOM_ABSENT     ? V_GONE
                 : st == DOM_SHUTDOWN ? V_POWEROFF
                 : x->keep_crashed    ? V_CRASH_KEPT
                                      : V_CRASHED;
        /* Reported before the console ends, so mirari reads it after. */
        (void)!write(report, &v, 1);
        if (v == V_POWEROFF || v == V_CRASHED)
            xl(x, "destroy", x->name, NULL);
        else if (v == V_CRASH_KEPT)
            kill(getppid(), SIGTERM); /* the console would wait for the kept domain */
        return 0;
    }
}

/* The watcher process; its pipe's read end in *fd. -1 when it cannot
 * start (after a message). */
static pid_t start_watcher(const struct xen_setup *x, int *fd)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) {
        errorf("cannot watch the domain: %s", strerror(errno));
        return -1;
    }
    pid_t parent = getpid(), pid = fork();
    if (pid == 0) {
        close(p[0]);
        signal(SIGINT, SIG_IGN); /* mirari decides what a Ctrl-C does */
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(0);
        verbosity = 0; /* its polls are not the user's commands */
        _exit(watch(x, p[1]));
    }
    close(p[1]);
    if (pid < 0) {
        errorf("cannot watch the domain: %s", strerror(errno));
        close(p[0]);
        return -1;
    }
    *fd = p[0];
    return pid;
}

/* The watcher's verdict, once it is gone: waited for when it has one (it
 * may still be destroying the domain), killed otherwise. */
static enum verdict stop_watcher(pid_t pid, int fd)
{
    fcntl(fd, F_SETFL, O_NONBLOCK);
    char v = V_NONE;
    if (read(fd, &v, 1) != 1) {
        v = V_NONE;
        kill(pid, SIGKILL);
    }
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
    close(fd);
    return (enum verdict)v;
}

/* xl, Xen, the file, the domain's name free; -1 after a message. */
static int xen_choices(const struct run_request *req, struct xen_setup *x)
{
    x->xl = getenv("MIRARI_XL");
    if (!x->xl || !*x->xl)
        x->xl = "xl";
    x->name = req->app;
    if (!find_program(x->xl)) {
        errorf("%s not found: running on Xen needs the Xen hypervisor and its xl tool in dom0 "
               "(Debian packages xen-system-amd64 and xen-utils), or MIRARI_XL naming xl",
               x->xl);
        return -1;
    }
    char *argv[] = {(char *)x->xl, "info", NULL};
    struct sbuf info = {0}; /* not the user's to read */
    int rc = run_cmd(argv, &info, true);
    sb_free(&info);
    if (rc != 0) {
        errorf("`%s info` failed (status %d): Xen is not running here; boot this machine under "
               "the Xen hypervisor and run mirari as root in dom0",
               x->xl, rc);
        return -1;
    }
    if (domain_state(x) != DOM_ABSENT) {
        errorf("a domain named %s already exists (xl list %s); remove it with `xl destroy %s` "
               "first",
               x->name, x->name, x->name);
        return -1;
    }
    char *name = xl_file_name(req->app);
    char *rel = path_join("_build", name);
    x->file = path_join(req->appdir, rel);
    free(rel);
    free(name);
    x->keep_crashed = xl_keeps_crashed(req->cfg);
    return 0;
}

/* cmdline="..." when arguments follow --: the file's boot arguments, then
 * those; -1 after a message when xl's cmdline cannot carry one. */
static int extra_cmdline(const struct run_request *req, struct xen_setup *x)
{
    struct strlist words = {0};
    size_t fixed = xl_boot_words(req->cfg, &words);
    xl_default_address(req->cfg, &words);
    size_t given = 0;
    while (req->boot_args[given])
        given++;
    for (size_t i = fixed; i < given; i++)
        sl_add(&words, req->boot_args[i]);
    int rc = 0;
    if (given > fixed) {
        const char *bad = NULL;
        char *line = xl_cmdline(words.v, words.n, &bad);
        if (line)
            x->cmdline = xasprintf("cmdline=%s", line);
        else
            errorf("boot argument %s: a kernel command line carries no double quote, and xl's "
                   "cmdline no single quote or backslash",
                   bad);
        rc = line ? 0 : -1;
        free(line);
    }
    sl_free(&words);
    return rc;
}

/* The tool's exit status from xl's and the watcher's. */
static int outcome(const struct xen_setup *x, enum verdict v, int rc)
{
    switch (v) {
    case V_POWEROFF:
        return 0;
    case V_CRASHED:
        errorf("%s crashed or exited with a non-zero status (Xen reports both as a crash; the "
               "kernel's report is above)",
               x->name);
        return CRASH_STATUS;
    case V_CRASH_KEPT:
        errorf("%s crashed or exited with a non-zero status; the domain is kept as "
               "xl-on_crash: preserve asks: inspect it with `xl list %s` and `xl console %s`, "
               "remove it with `xl destroy %s`",
               x->name, x->name, x->name, x->name);
        return CRASH_STATUS;
    case V_GONE:
        errorf("domain %s was destroyed outside mirari", x->name);
        return 1;
    case V_NONE:
        break;
    }
    if (child_stopped_by()) {
        if (xl(x, "destroy", x->name, NULL) == 0)
            note("destroyed domain %s", x->name);
        return 128 + child_stopped_by();
    }
    if (domain_state(x) != DOM_ABSENT) {
        note("the console was left: destroying domain %s", x->name);
        xl(x, "destroy", x->name, NULL);
        return 128 + SIGINT;
    }
    errorf("`%s create` failed (status %d) for %s", x->xl, rc, x->file);
    return 1;
}

/* xl create -c FILE, with the overrides that let the watcher see how the
 * domain ended. */
static void xl_argv(const struct xen_setup *x, struct strlist *argv)
{
    sl_add(argv, x->xl);
    sl_add(argv, "create");
    sl_add(argv, "-c");
    sl_add(argv, x->file);
    sl_add(argv, "on_poweroff=\"preserve\"");
    sl_add(argv, "on_crash=\"preserve\"");
    if (x->cmdline)
        sl_add(argv, x->cmdline);
    sl_add(argv, ""); /* room for the terminating NULL */
    free(argv->v[argv->n - 1]);
    argv->v[argv->n - 1] = NULL;
}

int run_xen(const struct run_request *req)
{
    struct xen_setup x = {0};
    if (xen_choices(req, &x) != 0 || extra_cmdline(req, &x) != 0) {
        free(x.file);
        return 1;
    }
    int rc = 1, fd = -1;
    struct strlist argv = {0};
    xl_argv(&x, &argv);
    supervise_begin((struct forwarding){.as = SIGTERM, .hup = true});
    pid_t watcher = start_watcher(&x, &fd);
    if (watcher > 0) {
        /* The console goes when mirari does; the domain is destroyed by
         * the paths above, or by the watcher. */
        struct child_spec spec = {.argv = argv.v, .keep_fd = -1, .death_signal = SIGTERM};
        int status = supervise_run(&spec, NULL, NULL);
        enum verdict v = stop_watcher(watcher, fd);
        rc = outcome(&x, v, status);
    }
    supervise_end();
    sl_free(&argv);
    free(x.file);
    free(x.cmdline);
    return rc;
}
