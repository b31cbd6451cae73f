/* SPDX-License-Identifier: ISC */
/* The platform interface (platform.h) on the x86_64 PVH kernel, but for
 * the network and the wait, which need a driver and are the kernel's
 * composition's (platform/pvh/net.c): console, clocks and exit are the
 * machine's chosen at boot (machine.c). */
#include <platform.h>

#include "kernel.h"

int plat_init(int *argc, char **argv)
{
    (void)argc;
    (void)argv; /* the kernel took its parameters out before main() */
    return 0;
}

void plat_console_write(const char *buf, size_t len)
{
    console_write(buf, len);
}

uint64_t plat_monotonic_ns(void)
{
    return clock_monotonic_ns();
}

uint64_t plat_wall_ns(void)
{
    return clock_wall_ns();
}

_Noreturn void plat_exit(int status)
{
    kernel_exit(status);
}
