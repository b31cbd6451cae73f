/* SPDX-License-Identifier: ISC */
/* The Linux system calls musl issues, answered in the kernel. One
 * process, one thread, no files: the console is fds 1 and 2 (and 0 reads
 * as end of file), open() finds no file (ENOENT), memory comes from mm.c,
 * time from clock.c. Any other call fails with -ENOSYS, which musl passes
 * on as errno (pthread_create returns EAGAIN), and is reported once per
 * call number, by name for the calls programs commonly make. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>

#include "kernel.h"
#include "x86.h"

struct syscall_args {
    uint64_t a[6]; /* rdi, rsi, rdx, r10, r8, r9 */
};

long syscall_dispatch(long nr, const struct syscall_args *args);
extern char syscall_entry[];

#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003

void syscall_init(void)
{
    /* STAR[47:32]: CS on syscall (SS = CS + 8). FMASK clears IF, DF, TF,
     * AC and NT on entry. EFER.SCE was set by boot.S. */
    wrmsr(MSR_STAR, (uint64_t)GDT_KCODE << 32);
    wrmsr(MSR_LSTAR, (uintptr_t)syscall_entry);
    wrmsr(MSR_FMASK, 0x47700);
}

static long do_write(int fd, const void *buf, size_t len)
{
    if (fd != 1 && fd != 2)
        return -EBADF;
    console_write(buf, len);
    return (long)len;
}

static long do_writev(int fd, const struct iovec *iov, int n)
{
    if (fd != 1 && fd != 2)
        return -EBADF;
    if (n < 0 || n > 1024)
        return -EINVAL;
    long total = 0;
    for (int i = 0; i < n; i++) {
        console_write(iov[i].iov_base, iov[i].iov_len);
        total += (long)iov[i].iov_len;
    }
    return total;
}

static void ns_to_timespec(uint64_t ns, struct timespec *ts)
{
    ts->tv_sec = (time_t)(ns / 1000000000);
    ts->tv_nsec = (long)(ns % 1000000000);
}

static long do_clock_gettime(clockid_t clk, struct timespec *ts)
{
    switch (clk) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
        ns_to_timespec(clock_wall_ns(), ts);
        return 0;
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
    case CLOCK_PROCESS_CPUTIME_ID:
    case CLOCK_THREAD_CPUTIME_ID:
        ns_to_timespec(clock_monotonic_ns(), ts);
        return 0;
    default:
        return -EINVAL;
    }
}

static long do_clock_getres(struct timespec *res)
{
    if (res)
        *res = (struct timespec){0, 1};
    return 0;
}

static long do_gettimeofday(struct timeval *tv)
{
    uint64_t ns = clock_wall_ns();
    if (tv)
        *tv = (struct timeval){(time_t)(ns / 1000000000), (suseconds_t)(ns / 1000 % 1000000)};
    return 0;
}

static long do_time(time_t *t)
{
    time_t now = (time_t)(clock_wall_ns() / 1000000000);
    if (t)
        *t = now;
    return now;
}

static long do_sleep(clockid_t clk, int flags, const struct timespec *req)
{
    if (req->tv_sec < 0 || req->tv_nsec < 0 || req->tv_nsec >= 1000000000)
        return -EINVAL;
    uint64_t ns = (uint64_t)req->tv_sec * 1000000000 + (uint64_t)req->tv_nsec;
    uint64_t deadline;
    if (flags & TIMER_ABSTIME) {
        uint64_t wall = clock_wall_ns(), mono = clock_monotonic_ns();
        deadline = clk == CLOCK_REALTIME ? (ns > wall ? mono + (ns - wall) : mono) : ns;
    } else {
        deadline = clock_monotonic_ns() + ns;
    }
    while (clock_monotonic_ns() < deadline)
        port_idle_until(deadline);
    return 0;
}

static long do_uname(struct utsname *u)
{
    memset(u, 0, sizeof *u);
    memcpy(u->sysname, "mirari", 7);
    memcpy(u->nodename, "mirari", 7);
    memcpy(u->release, MIRARI_VERSION, sizeof MIRARI_VERSION);
    memcpy(u->version, "pvh", 4);
    memcpy(u->machine, "x86_64", 7);
    return 0;
}

static long do_arch_prctl(uint64_t code, uint64_t addr)
{
    if (code == ARCH_SET_FS) {
        wrmsr(MSR_FS_BASE, addr); /* musl's thread pointer (TLS) */
        return 0;
    }
    if (code == ARCH_GET_FS) {
        *(uint64_t *)addr = rdmsr(MSR_FS_BASE);
        return 0;
    }
    return -EINVAL;
}

static long do_fstat(int fd, struct stat *st)
{
    if (fd < 0 || fd > 2)
        return -EBADF;
    memset(st, 0, sizeof *st);
    st->st_mode = S_IFCHR | 0620;
    st->st_blksize = 4096;
    return 0;
}

static long do_kill(int sig)
{
    if (sig == 0)
        return 0;
    /* Only fatal signals reach here (abort(), raise()): nothing catches
     * them, so the program ends as a crash, as under Linux. */
    port_log("\nmirari: killed by signal %d%s\n", sig, sig == SIGABRT ? " (abort)" : "");
    trap_backtrace((uintptr_t)__builtin_return_address(0), (uintptr_t)__builtin_frame_address(0));
    kernel_crash();
}

/* The calls a program may well make that have no answer here, for the
 * message of unknown(): the call's name and what to use on this target
 * instead. */
#define THREADS   "one thread: use timers and callbacks (mirari/loop.h)"
#define PROCESSES "one program, no processes"
#define SOCKETS   "use mirari's network API (mirari/net.h)"
#define FILES     "no file system: packed fs- stores are read with mirari/kv.h"
#define WAITING   "never block: wait with timers (mirari/loop.h)"

static const struct unsupported {
    long nr;
    const char *name;
    const char *instead;
} unsupported[] = {
    {SYS_clone, "clone", THREADS},
    {SYS_clone3, "clone3", THREADS},
    {SYS_fork, "fork", PROCESSES},
    {SYS_vfork, "vfork", PROCESSES},
    {SYS_execve, "execve", PROCESSES},
    {SYS_wait4, "wait4", PROCESSES},
    {SYS_pipe, "pipe", PROCESSES},
    {SYS_pipe2, "pipe2", PROCESSES},
    {SYS_socket, "socket", SOCKETS},
    {SYS_connect, "connect", SOCKETS},
    {SYS_bind, "bind", SOCKETS},
    {SYS_listen, "listen", SOCKETS},
    {SYS_accept, "accept", SOCKETS},
    {SYS_accept4, "accept4", SOCKETS},
    {SYS_sendto, "sendto", SOCKETS},
    {SYS_recvfrom, "recvfrom", SOCKETS},
    {SYS_poll, "poll", WAITING},
    {SYS_ppoll, "ppoll", WAITING},
    {SYS_select, "select", WAITING},
    {SYS_pselect6, "pselect6", WAITING},
    {SYS_epoll_create1, "epoll_create1", WAITING},
    {SYS_stat, "stat", FILES},
    {SYS_lstat, "lstat", FILES},
    {SYS_newfstatat, "newfstatat", FILES},
    {SYS_statx, "statx", FILES},
    {SYS_access, "access", FILES},
    {SYS_faccessat, "faccessat", FILES},
    {SYS_mkdir, "mkdir", FILES},
    {SYS_mkdirat, "mkdirat", FILES},
    {SYS_unlink, "unlink", FILES},
    {SYS_unlinkat, "unlinkat", FILES},
    {SYS_rename, "rename", FILES},
    {SYS_getdents64, "getdents64", FILES},
    {SYS_getcwd, "getcwd", FILES},
    {SYS_chdir, "chdir", FILES},
};

static const struct unsupported *unsupported_call(long nr)
{
    for (size_t i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++)
        if (unsupported[i].nr == nr)
            return &unsupported[i];
    return NULL;
}

static long unknown(long nr)
{
    /* One bit per number below 1023 (Linux uses fewer than 500); all
     * others share the last bit. One message per number, not per call: a
     * loop that retries must not flood the console. */
    static uint64_t reported[16];
    size_t bit = nr >= 0 && nr < 1023 ? (size_t)nr : 1023;
    if (!(reported[bit / 64] >> (bit % 64) & 1)) {
        reported[bit / 64] |= 1ull << (bit % 64);
        const struct unsupported *u = unsupported_call(nr);
        if (u)
            port_log("mirari: system call %ld (%s) is not implemented on this target, it fails "
                     "with ENOSYS; %s\n",
                     nr, u->name, u->instead);
        else
            port_log("mirari: system call %ld is not implemented on this target, it fails with "
                     "ENOSYS\n",
                     nr);
    }
    return -ENOSYS;
}

/* One switch, on purpose: each case reads as a Linux system call and
 * the kernel's answer to it, in one place, and gcc turns it into a jump
 * table (a table of handlers would be the same jump with a call more, and
 * one function per trivial answer). Calls that need more than a line are
 * the do_* functions above. */
long syscall_dispatch(long nr, const struct syscall_args *args)
{
    const uint64_t *a = args->a;
    switch (nr) {
    case SYS_read:
    case SYS_readv:
        return (int)a[0] == 0 ? 0 : -EBADF; /* stdin is at end of file */
    case SYS_write:
        return do_write((int)a[0], (const void *)a[1], a[2]);
    case SYS_writev:
        return do_writev((int)a[0], (const struct iovec *)a[1], (int)a[2]);
    case SYS_open:
    case SYS_openat:
        return -ENOENT;
    case SYS_close:
        return (int)a[0] >= 0 && (int)a[0] <= 2 ? 0 : -EBADF;
    case SYS_fstat:
        return do_fstat((int)a[0], (struct stat *)a[1]);
    case SYS_lseek:
        return -ESPIPE;
    case SYS_ioctl:
        return -ENOTTY; /* TIOCGWINSZ: the console is not a terminal */
    case SYS_fcntl:
        return (int)a[0] >= 0 && (int)a[0] <= 2 ? 0 : -EBADF;
    case SYS_brk:
        return sys_brk(a[0]);
    case SYS_mmap:
        return sys_mmap(a[0], a[1], (int)a[2], (int)a[3], (int)a[4], a[5]);
    case SYS_munmap:
        return sys_munmap(a[0], a[1]);
    case SYS_mremap:
        return -ENOMEM; /* realloc falls back to malloc, copy, free */
    case SYS_mprotect:
    case SYS_madvise:
        return 0;
    case SYS_clock_gettime:
        return do_clock_gettime((clockid_t)a[0], (struct timespec *)a[1]);
    case SYS_clock_getres:
        return do_clock_getres((struct timespec *)a[1]);
    case SYS_gettimeofday:
        return do_gettimeofday((struct timeval *)a[0]);
    case SYS_time:
        return do_time((time_t *)a[0]);
    case SYS_nanosleep:
        return do_sleep(CLOCK_MONOTONIC, 0, (const struct timespec *)a[0]);
    case SYS_clock_nanosleep:
        return do_sleep((clockid_t)a[0], (int)a[1], (const struct timespec *)a[2]);
    case SYS_sched_yield:
        return 0;
    case SYS_getrandom:
        port_random_bytes((void *)a[0], a[1]);
        return (long)a[1];
    case SYS_uname:
        return do_uname((struct utsname *)a[0]);
    case SYS_arch_prctl:
        return do_arch_prctl(a[0], a[1]);
    case SYS_set_tid_address:
    case SYS_getpid:
    case SYS_gettid:
        return 1;
    case SYS_getppid:
    case SYS_getuid:
    case SYS_geteuid:
    case SYS_getgid:
    case SYS_getegid:
        return 0;
    case SYS_rt_sigaction:
    case SYS_rt_sigprocmask:
    case SYS_sigaltstack:
    case SYS_futex: /* one thread: nobody to wait for or to wake */
        return 0;
    case SYS_kill:
    case SYS_tkill:
        return do_kill((int)a[1]);
    case SYS_tgkill:
        return do_kill((int)a[2]);
    case SYS_exit:
    case SYS_exit_group:
        kernel_exit((int)a[0]);
    default:
        return unknown(nr);
    }
}
