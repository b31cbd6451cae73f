/* SPDX-License-Identifier: ISC */
/* The machine: the console, clocks, wake-up timer and exit the PVH kernel
 * runs on, chosen once at boot. The same image boots on an emulated PC
 * (QEMU, Firecracker: COM1, the TSC against the PIT, the CMOS clock,
 * isa-debug-exit, which platform/x86_64 drives itself) or as a Xen PVH
 * guest, which has none of those devices and offers hypervisor calls
 * instead (platform/xen).
 *
 * The contract between the architecture (platform/x86_64), which calls
 * machine_probe() once and then routes every console write, clock read,
 * idle wait and exit through the table it returns, and the kernel's
 * composition (platform/pvh), which implements machine_probe() with the
 * hypervisor interfaces it knows. Neither side includes the other's
 * headers: this one is the meeting point. */
#ifndef MIRARI_MACHINE_H
#define MIRARI_MACHINE_H

#include <stddef.h>
#include <stdint.h>

struct machine {
    /* Called once, right after the table is chosen, with memory and the
     * interrupt table up and interrupts off: set the devices up. */
    void (*init)(void);
    /* Unbuffered console output, whole buffer (plat_console_write). */
    void (*console_write)(const char *buf, size_t len);
    /* platform.h's clocks: monotonic ns from about kernel entry (from the
     * probe on Xen), wall-clock ns since the Unix epoch. */
    uint64_t (*monotonic_ns)(void);
    uint64_t (*wall_ns)(void);
    /* Arrange an interrupt at (or soon after) monotonic time deadline_ns,
     * or earlier; the architecture then halts with interrupts enabled
     * (port_idle_until). */
    void (*timer_arm)(uint64_t deadline_ns);
    /* End the VM: a normal exit with this status, or a crash. Neither
     * returns. */
    void (*exit)(int status);
    void (*crash)(void);
};

/* The composition's answer, called by the architecture once at boot
 * after memory and the interrupt table are set up, before the clock:
 * the hypervisor's machine when the kernel finds itself on one it knows,
 * NULL to keep the architecture's emulated-PC devices. */
const struct machine *machine_probe(void);

#endif
