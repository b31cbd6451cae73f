/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE /* ppoll */
/* platform/unix/confine.c: after unix_confine() the process may do what a
 * unikernel does (I/O on its fds, clocks, memory, waiting, exit) and
 * nothing else: a forbidden system call kills it with SIGSYS. Each case
 * runs in a child process, since confinement cannot be undone. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../platform/unix/unix_net.h"

static int in_child(void (*fn)(void))
{
    pid_t pid = fork();
    if (pid == 0) {
        fn();
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

static void confine_or_die(void)
{
    if (unix_confine() != 0)
        _exit(3);
}

static void does_allowed_things(void)
{
    /* Made before the process confines itself, like the tap fd the tool
     * passes: socketpair is not allowed after. */
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) != 0)
        _exit(9);
    confine_or_die();
    /* Memory, big and small, and giving it back. */
    for (int i = 0; i < 100; i++) {
        char *m = malloc((size_t)1 << (i % 24));
        if (m == NULL)
            _exit(5);
        memset(m, i, (size_t)1 << (i % 24));
        free(m);
    }
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0 || clock_gettime(CLOCK_REALTIME, &ts) != 0)
        _exit(6);
    struct timespec wait = {0, 1000000};
    ppoll(NULL, 0, &wait, NULL);
    if (write(STDOUT_FILENO, "", 0) != 0)
        _exit(7);
    /* A frame and its virtio-net header in one call each way, as
     * platform/unix/net_tap.c moves them: writev and readv. */
    char hdr[12] = {1}, frame[60] = {2}, got_hdr[12], got_frame[60];
    struct iovec out[2] = {{hdr, sizeof(hdr)}, {frame, sizeof(frame)}};
    struct iovec in[2] = {{got_hdr, sizeof(got_hdr)}, {got_frame, sizeof(got_frame)}};
    if (writev(sv[0], out, 2) != 72 || readv(sv[1], in, 2) != 72 ||
        memcmp(got_hdr, hdr, sizeof(hdr)) != 0 || memcmp(got_frame, frame, sizeof(frame)) != 0)
        _exit(8);
    _exit(0);
}

static void opens_a_socket(void)
{
    confine_or_die();
    socket(AF_INET, SOCK_STREAM, 0);
    _exit(4); /* not reached */
}

#ifndef __SANITIZE_ADDRESS__
static void opens_a_file(void)
{
    confine_or_die();
    open("/dev/null", O_RDONLY);
    _exit(4);
}
#endif

static void signals_another(void)
{
    confine_or_die();
    kill(getpid(), 0);
    _exit(4);
}

static void test_allowed(void **state)
{
    (void)state;
    int st = in_child(does_allowed_things);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
}

static void assert_killed_by_sigsys(int st)
{
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGSYS);
}

static void test_socket_kills(void **state)
{
    (void)state;
    assert_killed_by_sigsys(in_child(opens_a_socket));
}

/* Sanitizer builds allow open (their reports read /proc/self/maps), so
 * this case exists only in plain builds. */
#ifndef __SANITIZE_ADDRESS__
static void test_open_kills(void **state)
{
    (void)state;
    assert_killed_by_sigsys(in_child(opens_a_file));
}
#endif

static void test_kill_kills(void **state)
{
    (void)state;
    assert_killed_by_sigsys(in_child(signals_another));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_allowed),
        cmocka_unit_test(test_socket_kills),
#ifndef __SANITIZE_ADDRESS__
        cmocka_unit_test(test_open_kills),
#endif
        cmocka_unit_test(test_kill_kills),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
