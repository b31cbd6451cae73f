/* SPDX-License-Identifier: ISC */
/* The emulated PC's wake-up timer: PIT channel 0 as a one-shot (mode 0,
 * at most 65535 ticks = 54.9 ms), raised on IRQ 0 through the PIC, which
 * ends the idle halt (port_idle_until, machine.c). This is how solo5's
 * virtio binding sleeps, and what keeps an idle guest from burning a host
 * core. */
#include "kernel.h"
#include "x86.h"

#define PIT_CH0  0x40
#define PIT_MODE 0x43

void pit_oneshot(uint32_t ticks)
{
    if (ticks == 0)
        ticks = 1;
    if (ticks > 0xffff)
        ticks = 0xffff;
    outb(PIT_MODE, 0x30); /* channel 0, lobyte/hibyte, mode 0 */
    outb(PIT_CH0, ticks & 0xff);
    outb(PIT_CH0, ticks >> 8);
}

void pit_arm(uint64_t deadline_ns)
{
    uint64_t now = tsc_monotonic_ns();
    uint64_t ns = deadline_ns > now ? deadline_ns - now : 0;
    /* Round up so the wake-up is not before the deadline. */
    uint64_t ticks = ns > 60000000 ? 0xffff : (ns * PIT_HZ + 999999999) / 1000000000;
    pit_oneshot((uint32_t)ticks);
}
