/* SPDX-License-Identifier: ISC */
/* The mapping between a unikernel's exit status and QEMU's: the kernel
 * (platform/x86_64/exit.c) writes qemu_exit_encode(status) to QEMU's
 * isa-debug-exit port, which makes QEMU exit with (value << 1) | 1; the
 * runner (tool/run_qemu.c) turns that back with qemu_exit_decode().
 * Exit status 0 cannot be expressed by the device, hence the +1. */
#ifndef MIRARI_ABI_QEMU_EXIT_H
#define MIRARI_ABI_QEMU_EXIT_H

#define QEMU_EXIT_MAX        125 /* larger statuses come back as this */
#define QEMU_EXIT_PORT_CRASH 127 /* the value written for a crash */
#define QEMU_EXIT_CRASHED    (-1)
#define QEMU_EXIT_QEMU_ERROR (-2)
#define QEMU_EXIT_RESET      (-3)

/* The value the kernel writes to isa-debug-exit for exit(status). */
static inline unsigned qemu_exit_encode(int status)
{
    unsigned c = (unsigned)status & 0xff;
    return (c > QEMU_EXIT_MAX ? QEMU_EXIT_MAX : c) + 1;
}

/* The unikernel's status from QEMU's exit status: 0..125, or
 * QEMU_EXIT_CRASHED, QEMU_EXIT_QEMU_ERROR (QEMU failed on its own) or
 * QEMU_EXIT_RESET (triple fault or reset with -no-reboot). */
static inline int qemu_exit_decode(int qemu_status)
{
    if (qemu_status == 0)
        return QEMU_EXIT_RESET;
    if (qemu_status % 2 == 0 || qemu_status == 1)
        return QEMU_EXIT_QEMU_ERROR;
    int v = (qemu_status - 1) / 2;
    return v == QEMU_EXIT_PORT_CRASH ? QEMU_EXIT_CRASHED : v - 1;
}

#endif
