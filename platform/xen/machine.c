/* SPDX-License-Identifier: ISC */
/* The Xen PVH guest's machine (platform/include/machine.h): console on
 * the PV console ring, clocks from shared_info, the wake-up timer Xen's
 * one-shot, exit through SCHEDOP_shutdown, so that xl's on_poweroff and
 * on_crash apply. (A triple fault would not do: Xen turns an HVM guest's
 * into a reboot.) */
#include <machine.h>
#include <port.h>

#include <xen/sched.h>

#include "hypercall.h"
#include "xen_machine.h"

static void xen_init(void)
{
    xen_events_init();
    xen_time_init();
    xen_console_init();
}

/* xl carries no exit status: 0 is a power-off, anything else a crash
 * (on_crash), with the status on the console. */
static void xen_exit(int status)
{
    if (status != 0)
        port_log("mirari: exit status %d\n", status);
    xen_console_flush();
    xen_shutdown(status == 0 ? SHUTDOWN_poweroff : SHUTDOWN_crash);
}

static void xen_crash(void)
{
    xen_console_flush();
    xen_shutdown(SHUTDOWN_crash);
}

static const struct machine xen = {
    .init = xen_init,
    .console_write = xen_console_write,
    .monotonic_ns = xen_monotonic_ns,
    .wall_ns = xen_wall_ns,
    .timer_arm = xen_timer_arm_monotonic,
    .exit = xen_exit,
    .crash = xen_crash,
};

const struct machine *xen_machine(void)
{
    return xen_hypercall_init() ? &xen : NULL;
}
