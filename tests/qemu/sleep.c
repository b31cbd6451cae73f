/* SPDX-License-Identifier: ISC */
/* Sleeps 200 ms, or the milliseconds given as its first boot argument
 * (nanosleep: the kernel's idle wait on the machine's timer), and prints
 * how long that took on the monotonic clock, and the wall clock's
 * seconds, so a test can check that both clocks and the wake-up timer
 * work on a machine (Xen: pvclock, shared_info's wall clock, the one-shot
 * timer and the event upcall), and that the wait blocks (the VM's CPU
 * time stays low). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long long ns(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    long ms = argc > 1 ? atol(argv[1]) : 200;
    long long t0 = ns(CLOCK_MONOTONIC);
    struct timespec req = {ms / 1000, ms % 1000 * 1000000};
    nanosleep(&req, NULL);
    long long t1 = ns(CLOCK_MONOTONIC);
    printf("slept %lld us\n", (t1 - t0) / 1000);
    printf("wall clock %lld s\n", ns(CLOCK_REALTIME) / 1000000000);
    return 0;
}
