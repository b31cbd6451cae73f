/* SPDX-License-Identifier: ISC */
/* platform/unix: the platform interface for a Linux process. Used by both
 * unix targets: unix-socket (console, clocks and exit only) and
 * unix-direct (also the tap device whose fd `mirari run --unix` passes). */
#ifndef MIRARI_PLATFORM_UNIX_H
#define MIRARI_PLATFORM_UNIX_H

/* The tap device's file descriptor from the boot argument --net-fd=N, or
 * -1 when it was not given (always on unix-socket). Set by plat_init(). */
extern int unix_net_fd;

#endif
