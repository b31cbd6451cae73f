/* SPDX-License-Identifier: ISC */
/* Hardware interrupts: on the emulated PC, through the two 8259 PICs,
 * which QEMU pc, q35 and microvm all have, delivered by the local APIC's
 * LINT0 in "virtual wire" (ExtINT) mode; on any machine, one vector of
 * the local APIC's own (port_irq_vector) for a hypervisor's upcall. The
 * PIT (IRQ 0) wakes the idle halt; virtio devices raise their legacy line
 * (the PCI interrupt line, or the IRQ named in virtio_mmio.device=) to
 * end it early. Interrupts are taken only inside port_idle_until(), so
 * handlers run on the kernel's stack and keep short. */
#include <errno.h>

#include "kernel.h"
#include "x86.h"

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1
#define PIC_EOI   0x20

#define LAPIC_BASE  0xfee00000u
#define LAPIC_TPR   0x080
#define LAPIC_EOI   0x0b0
#define LAPIC_SVR   0x0f0
#define LAPIC_LINT0 0x350
#define LAPIC_LINT1 0x360

static struct {
    port_irq_fn fn;
    void *arg;
} handlers[16];
static uint16_t mask = 0xffff & ~(1u << 2); /* IRQ 2 is the cascade */

static void lapic_write(unsigned reg, uint32_t v)
{
    *(volatile uint32_t *)(uintptr_t)(LAPIC_BASE + reg) = v;
}

static void write_mask(void)
{
    outb(PIC1_DATA, mask & 0xff);
    outb(PIC2_DATA, mask >> 8);
}

static void unmask(unsigned line)
{
    mask &= (uint16_t) ~(1u << line);
    write_mask();
}

void pic_init(void)
{
    /* ICW1-4: edge triggered, cascaded, vectors 32-39 and 40-47 (away
     * from the CPU exceptions), slave on IRQ 2, 8086 mode. */
    outb(PIC1_CMD, 0x11);
    outb(PIC2_CMD, 0x11);
    outb(PIC1_DATA, 32);
    outb(PIC2_DATA, 40);
    outb(PIC1_DATA, 0x04);
    outb(PIC2_DATA, 0x02);
    outb(PIC1_DATA, 0x01);
    outb(PIC2_DATA, 0x01);
    write_mask();

    /* The PIT (left periodic by the calibration) becomes a one-shot wake-up. */
    pit_oneshot(0xffff);
    unmask(0);
}

void lapic_init(void)
{
    /* LAPIC: software enabled with spurious vector 255, no task priority,
     * LINT0 = ExtINT (the PIC), LINT1 = NMI. The firmware may have done
     * this already, but a PVH loader need not run any firmware. */
    lapic_write(LAPIC_SVR, 0x100 | 0xff);
    lapic_write(LAPIC_TPR, 0);
    lapic_write(LAPIC_LINT0, 0x700);
    lapic_write(LAPIC_LINT1, 0x400);
}

int port_irq_register(unsigned line, port_irq_fn fn, void *arg)
{
    if (line >= 16)
        return -EINVAL;
    handlers[line].fn = fn;
    handlers[line].arg = arg;
    unmask(line);
    return 0;
}

/* One vector for a hypervisor's upcall (Xen's event channels), delivered
 * by the local APIC, which wants an EOI. */
static port_irq_fn vector_fn;
static void *vector_arg;

int port_irq_vector(port_irq_fn fn, void *arg)
{
    if (vector_fn != NULL)
        return -EBUSY;
    vector_fn = fn;
    vector_arg = arg;
    return IRQ_VECTOR;
}

void irq_vector_dispatch(void)
{
    if (vector_fn)
        vector_fn(vector_arg);
    lapic_write(LAPIC_EOI, 0);
}

static bool in_service(unsigned irq)
{
    uint16_t port = irq < 8 ? PIC1_CMD : PIC2_CMD;
    outb(port, 0x0b); /* OCW3: read the in-service register */
    return inb(port) & (1u << (irq % 8));
}

void irq_dispatch(unsigned irq)
{
    /* IRQ 7 and 15 are also what a PIC reports for a line that dropped
     * before it was acknowledged: spurious unless in service. */
    if ((irq == 7 || irq == 15) && !in_service(irq)) {
        if (irq == 15)
            outb(PIC1_CMD, PIC_EOI);
        return;
    }
    if (handlers[irq].fn)
        handlers[irq].fn(handlers[irq].arg);
    if (irq >= 8)
        outb(PIC2_CMD, PIC_EOI);
    outb(PIC1_CMD, PIC_EOI);
}
