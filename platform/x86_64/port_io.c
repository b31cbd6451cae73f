/* SPDX-License-Identifier: ISC */
/* port.h's device register access on x86_64, and port_phys_map. Out of line: a driver's
 * register access is a VM exit (microseconds) under every hypervisor, so
 * a call costs nothing measurable, and drivers stay free of x86 assembly.
 *
 * Ordering (port.h): x86 does not reorder memory accesses with I/O
 * instructions (Intel SDM vol. 3, 9.2.2 "Memory Ordering in P6 and More
 * Recent Processor Families"), and MMIO accesses are volatile accesses that
 * the hypervisor traps where they stand; what remains is the compiler,
 * held back by the "memory" clobbers below, as Linux's x86 readl/writel
 * and inb/outb are. */
#include <port.h>

#include "layout.h"
#include "x86.h"

_Static_assert(PORT_PAGE_SIZE == PAGE_SIZE, "port.h and the kernel agree on the page size");

#define BARRIER() __asm__ volatile("" ::: "memory")

uint8_t port_in8(uint16_t port)
{
    BARRIER();
    uint8_t v = inb(port);
    BARRIER();
    return v;
}

uint16_t port_in16(uint16_t port)
{
    BARRIER();
    uint16_t v = inw(port);
    BARRIER();
    return v;
}

uint32_t port_in32(uint16_t port)
{
    BARRIER();
    uint32_t v = inl(port);
    BARRIER();
    return v;
}

void port_out8(uint16_t port, uint8_t v)
{
    BARRIER();
    outb(port, v);
    BARRIER();
}

void port_out16(uint16_t port, uint16_t v)
{
    BARRIER();
    outw(port, v);
    BARRIER();
}

void port_out32(uint16_t port, uint32_t v)
{
    BARRIER();
    outl(port, v);
    BARRIER();
}

uint8_t port_mmio_read8(uint64_t addr)
{
    BARRIER();
    uint8_t v = *(volatile uint8_t *)(uintptr_t)addr;
    BARRIER();
    return v;
}

uint32_t port_mmio_read32(uint64_t addr)
{
    BARRIER();
    uint32_t v = *(volatile uint32_t *)(uintptr_t)addr;
    BARRIER();
    return v;
}

void port_mmio_write32(uint64_t addr, uint32_t v)
{
    BARRIER();
    *(volatile uint32_t *)(uintptr_t)addr = v;
    BARRIER();
}

void *port_phys_map(uint64_t phys, size_t len)
{
    /* Identity mapped (boot.S), like the device windows. */
    if (phys >= PORT_MMIO_LIMIT || len > PORT_MMIO_LIMIT - phys)
        return NULL;
    return (void *)(uintptr_t)phys;
}
