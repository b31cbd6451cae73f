/* SPDX-License-Identifier: ISC */
/* Confinement of a unix-direct unikernel with seccomp (libseccomp): an
 * allow-list of the system calls the runtime makes once it runs, every
 * other call kills the whole process (SIGSYS). Like Solo5's tenders: the
 * unikernel gets the interface of a small machine, not of Linux.
 *
 * Allowed, and why:
 *   read, write, readv, writev
 *                            frames on the tap fd (with their virtio-net
 *                            header: net_tap.c), log lines on stderr
 *   ppoll                    plat_yield
 *   clock_gettime, gettimeofday, time, clock_nanosleep
 *                            clocks (normally the vDSO, no system call)
 *   brk, mmap, munmap, mremap, madvise, mprotect
 *                            malloc and free
 *   getrandom                the C library's malloc seeds itself once; the
 *                            DRBG (platform/rng/rng.c) seeds and reseeds
 *                            from it (plat_entropy, entropy.c)
 *   newfstatat, fstat, ioctl(TCGETS)
 *                            the first printf to stdout asks what it is
 *   rt_sigreturn, rt_sigprocmask, rt_sigaction, getpid, gettid, tgkill
 *                            abort() and the return from a signal
 *   exit, exit_group
 * Sanitizer builds also allow what ASan/UBSan need to print a report. */
#include <stddef.h>
#include <sys/ioctl.h>

#include <seccomp.h>

#include "unix_net.h"

static const int allowed[] = {
    SCMP_SYS(read),         SCMP_SYS(write),          SCMP_SYS(writev),
    SCMP_SYS(readv),        SCMP_SYS(ppoll),          SCMP_SYS(clock_gettime),
    SCMP_SYS(gettimeofday), SCMP_SYS(time),           SCMP_SYS(clock_nanosleep),
    SCMP_SYS(brk),          SCMP_SYS(mmap),           SCMP_SYS(munmap),
    SCMP_SYS(mremap),       SCMP_SYS(madvise),        SCMP_SYS(mprotect),
    SCMP_SYS(getrandom),    SCMP_SYS(newfstatat),     SCMP_SYS(fstat),
    SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigaction),
    SCMP_SYS(getpid),       SCMP_SYS(gettid),         SCMP_SYS(tgkill),
    SCMP_SYS(exit),         SCMP_SYS(exit_group),
};

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__) || defined(MIRARI_SANITIZE)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif

#ifdef SANITIZED
/* A sanitizer report reads /proc/self/maps, may start the symbolizer, and
 * uses an alternate signal stack. Never socket(), connect() and the like:
 * the test of the filter relies on those being refused in every build. */
static const int sanitizer_allowed[] = {
    SCMP_SYS(openat),     SCMP_SYS(open),
    SCMP_SYS(close),      SCMP_SYS(readlink),
    SCMP_SYS(readlinkat), SCMP_SYS(lseek),
    SCMP_SYS(pread64),    SCMP_SYS(sigaltstack),
    SCMP_SYS(prctl),      SCMP_SYS(sched_yield),
    SCMP_SYS(futex),      SCMP_SYS(prlimit64),
    SCMP_SYS(getrlimit),  SCMP_SYS(pipe2),
    SCMP_SYS(pipe),       SCMP_SYS(clone),
    SCMP_SYS(fork),       SCMP_SYS(vfork),
    SCMP_SYS(execve),     SCMP_SYS(wait4),
    SCMP_SYS(dup2),       SCMP_SYS(dup3),
    SCMP_SYS(ioctl),      SCMP_SYS(uname),
    SCMP_SYS(nanosleep),  SCMP_SYS(sched_getaffinity),
    SCMP_SYS(fcntl),      SCMP_SYS(getppid),
};
#endif

int unix_confine(void)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
    if (ctx == NULL)
        return -1;
    int r = 0;
    for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]) && r == 0; i++)
        r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0);
#ifdef SANITIZED
    for (size_t i = 0; i < sizeof(sanitizer_allowed) / sizeof(sanitizer_allowed[0]) && r == 0; i++)
        r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, sanitizer_allowed[i], 0);
#else
    if (r == 0)
        r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
                             SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)TCGETS));
#endif
    /* libseccomp sets no_new_privs itself (SCMP_FLTATR_CTL_NNP). */
    if (r == 0)
        r = seccomp_load(ctx);
    seccomp_release(ctx);
    return r == 0 ? 0 : -1;
}
