/* SPDX-License-Identifier: ISC */
/* The port: what an architecture (platform/x86_64) provides to device
 * drivers (platform/virtio, later platform/xen) and to the kernel's
 * composition (platform/pvh), and all they may use of it. A driver
 * includes this header, its own headers, abi/ and the C library's
 * freestanding headers, never an architecture's headers (scripts/tree-check,
 * rule 5), so a driver moves to another architecture, and a new driver
 * family lands beside virtio, without an include cycle.
 *
 * It lives in platform/include (next to platform.h) because that is the
 * folder every platform part already has on its include path
 * (-Iplatform/include) and the one tree-check lets drivers include.
 *
 * Scope: memory for devices, device registers (I/O ports, MMIO, PCI
 * configuration space), interrupt lines, waiting, messages, the kernel's
 * command-line parameters, random bytes, panic. Not here:
 *   - hypercalls, CPUID leaves and MSRs: they are a hypervisor's interface
 *     on one architecture (Xen's hypercall page is found through CPUID and
 *     installed with an MSR on x86 only; Xen on Arm uses `hvc` and the
 *     device tree), so they belong to that hypervisor's folder
 *     (platform/xen), which will carry its own few lines of x86 assembly;
 *   - clocks, the console, exit: platform.h has them.
 * Calls are added when a driver needs them, not before.
 *
 * Execution context: one CPU; drivers are called from the application's
 * context (platform.h calls) with interrupts off, and from an interrupt
 * handler (port_irq_register). Nothing here blocks except
 * port_idle_until(). Driver code must not use floating-point or SIMD
 * registers (the kernel parts are compiled with -mgeneral-regs-only), which
 * is also why formatting is port_snprintf() and not the C library's. */
#ifndef MIRARI_PORT_H
#define MIRARI_PORT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Memory for devices ---- */

#define PORT_PAGE_SIZE 4096

/* npages pages, zeroed, contiguous in physical memory and aligned to
 * PORT_PAGE_SIZE, for the life of the kernel (there is no free: device
 * memory is allocated once, at start-up). Returns the kernel's pointer to
 * them and, when phys is not NULL, stores their physical address there:
 * the address to give a device (a DMA address) or a hypervisor (a frame
 * number is phys / PORT_PAGE_SIZE). Today physical memory below 4 GiB is
 * identity mapped, so the two are equal, but a driver must not rely on
 * that: it converts between them with the offset from the start of the
 * allocation. NULL when out of memory. */
void *port_page_alloc(size_t npages, uint64_t *phys);

/* The end of the highest usable RAM, in bytes: about the guest's memory
 * size, by which drivers scale their buffers. */
uint64_t port_mem_top(void);

/* The kernel's pointer to len bytes at physical address phys that the
 * kernel did not allocate: memory a hypervisor shares (Xen's console and
 * xenstore rings, at frames it names), ordinary write-back RAM. NULL when
 * the range is not below PORT_MMIO_LIMIT. */
void *port_phys_map(uint64_t phys, size_t len);

/* ---- Device registers ----
 * Every access below is ordered after all the caller's earlier memory
 * accesses (a ring update is visible to the device before the write that
 * notifies it) and before all its later ones (a register read is not
 * answered from before it happened); the compiler does not move memory
 * accesses across it either. */

/* I/O port space (x86 in/out). 8, 16 and 32 bits. */
uint8_t port_in8(uint16_t port);
uint16_t port_in16(uint16_t port);
uint32_t port_in32(uint16_t port);
void port_out8(uint16_t port, uint8_t v);
void port_out16(uint16_t port, uint16_t v);
void port_out32(uint16_t port, uint32_t v);

/* Memory-mapped registers at a physical address, naturally aligned.
 * Device windows must lie below PORT_MMIO_LIMIT, the end of what the
 * architecture maps (on x86_64: the identity map of the first 4 GiB,
 * where QEMU and Firecracker put them; the memory type is the one the
 * firmware's MTRRs give the window); a driver checks an address it was
 * told about before touching it. */
#define PORT_MMIO_LIMIT (4ull << 30)
uint8_t port_mmio_read8(uint64_t addr);
uint32_t port_mmio_read32(uint64_t addr);
void port_mmio_write32(uint64_t addr, uint32_t v);

/* ---- PCI ----
 * Configuration space of bus 0 (on x86_64: configuration mechanism #1,
 * ports 0xcf8/0xcfc, PCI Local Bus 3.0, 3.2.2.3.2; QEMU pc and q35). On a
 * machine without PCI (QEMU microvm, Firecracker, a Xen PVH guest) no
 * device is ever found: reads return all ones. */
struct port_pci_addr {
    uint8_t bus, dev, fn;
};

/* Offsets in the type 0 configuration header, and command bits. */
#define PCI_VENDOR     0x00
#define PCI_DEVICE     0x02
#define PCI_COMMAND    0x04
#define PCI_HEADER     0x0e
#define PCI_BAR0       0x10
#define PCI_SUBSYS_ID  0x2e
#define PCI_IRQ_LINE   0x3c
#define PCI_CMD_IO     0x1
#define PCI_CMD_MEMORY 0x2
#define PCI_CMD_MASTER 0x4

/* The first function on bus 0 with this vendor and device id (and, when
 * subsys is not 0xffff, this subsystem id): true and *out, or false. */
bool port_pci_find(uint16_t vendor, uint16_t device, uint16_t subsys, struct port_pci_addr *out);
/* Configuration reads at any offset (a 16-bit read at an even one, a
 * 32-bit read at a multiple of 4), and a 16-bit write. */
uint32_t port_pci_read32(struct port_pci_addr a, uint8_t off);
uint16_t port_pci_read16(struct port_pci_addr a, uint8_t off);
uint8_t port_pci_read8(struct port_pci_addr a, uint8_t off);
void port_pci_write16(struct port_pci_addr a, uint8_t off, uint16_t v);

/* ---- Interrupts and waiting ---- */

typedef void (*port_irq_fn)(void *arg);
/* Call fn(arg) when the legacy interrupt line `line` (an ISA IRQ: the
 * PCI interrupt line register, or the irq of virtio_mmio.device=) is
 * raised, and unmask it. 0, or -EINVAL when the architecture cannot
 * route that line (on x86_64: the two 8259 PICs, lines 0-15); the driver
 * then polls. Interrupts are taken only inside port_idle_until(), so fn
 * runs with interrupts off, on the kernel's stack, between two
 * instructions of that wait and never of application code; it should
 * acknowledge the device and return. */
int port_irq_register(unsigned line, port_irq_fn fn, void *arg);

/* Call fn(arg) when the CPU interrupt vector returned is raised: the
 * vector to give a hypervisor for its upcall (Xen's
 * HVMOP_set_evtchn_upcall_vector), delivered by the local APIC, which the
 * architecture acknowledges after fn. Same context as port_irq_register.
 * The vector (0-255), or -EBUSY when the one such vector is taken. */
int port_irq_vector(port_irq_fn fn, void *arg);

/* Halt until the monotonic clock (plat_monotonic_ns) reaches deadline_ns,
 * or any interrupt (a registered line, a hypervisor's upcall, or the
 * machine's own timer) arrives, whichever is first; it may return earlier. Returns at once
 * when the deadline has passed. */
void port_idle_until(uint64_t deadline_ns);

/* ---- Messages, parameters, randomness, failure ---- */

/* Formatting for messages: %d %i %u %x %X %p %s %c %%, the flags '0' and
 * '-', a field width, the length modifiers l, ll and z; no floating point.
 * port_log() writes to the console, unbuffered (messages start with
 * "mirari: " by convention). port_snprintf() formats into buf, always
 * NUL-terminated when cap > 0, and returns the length the whole output
 * would have, as snprintf does. Both work in an interrupt handler. */
void port_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
size_t port_snprintf(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The i-th command-line word the kernel kept for itself instead of
 * passing it to the application (i from 0; NULL past the last): words such
 * as `virtio_mmio.device=SIZE@BASE:IRQ` that a VMM appends for drivers.
 * Valid for the life of the kernel. */
const char *port_kernel_param(size_t i);

/* n random bytes from the kernel's DRBG (platform/include/rng.h), seeded
 * from plat_entropy(): fit for keys unless the kernel said at boot that
 * it has no entropy source. For a driver's identifiers (a MAC address). */
void port_random_bytes(void *buf, size_t n);

/* n bytes of the CPU's own entropy (x86_64: RDSEED, else RDRAND) and n;
 * -ENODEV when the CPU has no such instruction, -EIO when it kept
 * failing. For plat_entropy(), which tries a device after it. */
int port_cpu_entropy(void *buf, size_t n);

/* Print "mirari: panic: " and the message, a backtrace, and end the VM as
 * a crash (the host sees the crash status). For states a driver cannot
 * return an error from. */
_Noreturn void port_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
