/* SPDX-License-Identifier: ISC */
/* PCI configuration space through I/O ports 0xcf8/0xcfc ("configuration
 * mechanism #1", PCI Local Bus 3.0, 3.2.2.3.2), which QEMU pc and q35
 * provide. Enough to find a device on bus 0 and enable it. */
#ifndef MIRARI_X86_PCI_H
#define MIRARI_X86_PCI_H

#include <stdbool.h>
#include <stdint.h>

struct pci_addr {
    uint8_t bus, dev, fn;
};

uint32_t pci_read32(struct pci_addr a, uint8_t off);
uint16_t pci_read16(struct pci_addr a, uint8_t off);
uint8_t pci_read8(struct pci_addr a, uint8_t off);
void pci_write16(struct pci_addr a, uint8_t off, uint16_t v);

#define PCI_VENDOR     0x00
#define PCI_DEVICE     0x02
#define PCI_COMMAND    0x04
#define PCI_SUBSYS_ID  0x2e
#define PCI_HEADER     0x0e
#define PCI_BAR0       0x10
#define PCI_IRQ_LINE   0x3c
#define PCI_CMD_IO     0x1
#define PCI_CMD_MEMORY 0x2
#define PCI_CMD_MASTER 0x4

/* The first function on bus 0 with this vendor and device id (and, when
 * subsys is not 0xffff, this subsystem id). */
bool pci_find(uint16_t vendor, uint16_t device, uint16_t subsys, struct pci_addr *out);

#endif
