/* SPDX-License-Identifier: ISC */
/* Prints how long after kernel entry main() started: the kernel's
 * CLOCK_MONOTONIC counts from its first instruction (platform/x86_64/
 * clock.c), so this is the whole boot: long mode, memory, clock
 * calibration or kvmclock, musl's start-up. Used by bench/qemu.py. */
#include <stdio.h>
#include <time.h>

int main(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    printf("main reached %ld ns after kernel entry\n", ts.tv_sec * 1000000000L + ts.tv_nsec);
    return 0;
}
