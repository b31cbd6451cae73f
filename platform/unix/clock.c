/* SPDX-License-Identifier: ISC */
/* Clocks of a Linux process (vDSO clock_gettime: no system call). */
#include <time.h>

#include <platform.h>

static uint64_t read_clock(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t plat_monotonic_ns(void)
{
    return read_clock(CLOCK_MONOTONIC);
}

uint64_t plat_wall_ns(void)
{
    return read_clock(CLOCK_REALTIME);
}
