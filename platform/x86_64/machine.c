/* SPDX-License-Identifier: ISC */
/* The machine the kernel runs on (platform/include/machine.h): the
 * emulated PC's devices by default, or what the composition's
 * machine_probe() offers instead (a Xen PVH guest has no UART, PIT, PIC,
 * CMOS clock or isa-debug-exit). Chosen once at boot; from then on every
 * console write, clock read, idle wait and exit of the kernel goes
 * through `machine`, so no other file here knows which it is. */
#include <machine.h>

#include "kernel.h"

static void pc_init(void)
{
    clock_init();
    pic_init();
}

static const struct machine pc_machine = {
    .init = pc_init,
    .console_write = com1_write,
    .monotonic_ns = tsc_monotonic_ns,
    .wall_ns = tsc_wall_ns,
    .timer_arm = pit_arm,
    .exit = pc_exit,
    .crash = pc_crash,
};

static const struct machine *machine = &pc_machine;

void machine_init(void)
{
    const struct machine *m = machine_probe();
    if (m != NULL)
        machine = m;
    lapic_init();
    machine->init();
}

void console_write(const char *buf, size_t len)
{
    machine->console_write(buf, len);
}

uint64_t clock_monotonic_ns(void)
{
    return machine->monotonic_ns();
}

uint64_t clock_wall_ns(void)
{
    return machine->wall_ns();
}

/* Halt until the machine's timer or a device interrupts. `sti; hlt` is
 * atomic on a real CPU: an interrupt that became pending before sti still
 * ends the hlt (it is taken after sti's one-instruction shadow, i.e. at
 * the hlt). On Xen an HVM guest's hlt with interrupts enabled is
 * SCHEDOP_block (Xen's hvm_hlt()), without the race a `sti` followed by
 * the hypercall would have: an event taken between the two would be
 * consumed and the block would sleep past it. An emulated CPU that takes
 * the interrupt before the hlt is handled in cpu_idle_halt (isr.S). */
void port_idle_until(uint64_t deadline_ns)
{
    if (clock_monotonic_ns() >= deadline_ns)
        return;
    machine->timer_arm(deadline_ns);
    cpu_idle_halt();
}

_Noreturn void kernel_exit(int status)
{
    machine->exit(status);
    for (;;)
        __asm__ volatile("cli; hlt");
}

_Noreturn void kernel_crash(void)
{
    machine->crash();
    for (;;)
        __asm__ volatile("cli; hlt");
}
