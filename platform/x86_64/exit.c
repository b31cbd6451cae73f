/* SPDX-License-Identifier: ISC */
/* Ending the VM with a status the host can read back.
 *
 * QEMU's isa-debug-exit device (-device isa-debug-exit,iobase=0xf4,
 * iosize=0x04) ends QEMU with status (v << 1) | 1 when v is written to
 * its port. QEMU itself exits 1 on its own errors and 0 on a triple fault
 * with -no-reboot, so the unikernel's status c is sent as v = c + 1:
 *
 *   unikernel exit(c), 0 <= c <= 124   QEMU status 2c + 3   host reads c
 *   unikernel exit(c), c >= 125        QEMU status 253      host reads 125
 *   crash (exception, abort, panic)    QEMU status 255
 *   QEMU error                         QEMU status 1
 *
 * tool/run_qemu.c decodes it (abi/qemu_exit.h). Without the device (another
 * VMM) the i8042 reset that Firecracker treats as "stop" is tried, then a
 * triple fault, which -no-reboot turns into an exit. */
#include <stdarg.h>

#include "qemu_exit.h"
#include "kernel.h"
#include "kfmt.h"
#include "x86.h"

#define DEBUG_EXIT_PORT 0xf4

static _Noreturn void leave(unsigned v)
{
    outl(DEBUG_EXIT_PORT, v);
    outb(0x64, 0xfe); /* i8042: pulse the reset line */
    /* Triple fault: an empty IDT and an exception. */
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) none = {0, 0};
    __asm__ volatile("lidt %0; int3" : : "m"(none));
    for (;;)
        __asm__ volatile("cli; hlt");
}

void pc_exit(int status)
{
    leave(qemu_exit_encode(status));
}

void pc_crash(void)
{
    leave(QEMU_EXIT_PORT_CRASH);
}

_Noreturn void port_panic(const char *fmt, ...)
{
    char buf[200];
    va_list ap;
    va_start(ap, fmt);
    kfmt(buf, sizeof buf, fmt, ap);
    va_end(ap);
    port_log("mirari: panic: %s\n", buf);
    trap_backtrace((uintptr_t)__builtin_return_address(0), (uintptr_t)__builtin_frame_address(0));
    kernel_crash();
}
