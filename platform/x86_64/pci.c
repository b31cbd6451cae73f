/* SPDX-License-Identifier: ISC */
/* port.h's PCI part: configuration space through I/O ports 0xcf8/0xcfc
 * ("configuration mechanism #1", PCI Local Bus 3.0, 3.2.2.3.2), which
 * QEMU pc and q35 provide, and a bus-0 scan. */
#include <port.h>

#include "x86.h"

#define PCI_CONFIG_ADDR 0xcf8
#define PCI_CONFIG_DATA 0xcfc

static void select(struct port_pci_addr a, uint8_t off)
{
    outl(PCI_CONFIG_ADDR, 0x80000000u | (uint32_t)a.bus << 16 | (uint32_t)a.dev << 11 |
                              (uint32_t)a.fn << 8 | (off & 0xfcu));
}

uint32_t port_pci_read32(struct port_pci_addr a, uint8_t off)
{
    select(a, off);
    return inl(PCI_CONFIG_DATA);
}

uint16_t port_pci_read16(struct port_pci_addr a, uint8_t off)
{
    return (uint16_t)(port_pci_read32(a, off) >> ((off & 2) * 8));
}

uint8_t port_pci_read8(struct port_pci_addr a, uint8_t off)
{
    return (uint8_t)(port_pci_read32(a, off) >> ((off & 3) * 8));
}

void port_pci_write16(struct port_pci_addr a, uint8_t off, uint16_t v)
{
    select(a, off);
    outw((uint16_t)(PCI_CONFIG_DATA + (off & 2)), v);
}

bool port_pci_find(uint16_t vendor, uint16_t device, uint16_t subsys, struct port_pci_addr *out)
{
    for (uint8_t dev = 0; dev < 32; dev++) {
        for (uint8_t fn = 0; fn < 8; fn++) {
            struct port_pci_addr a = {0, dev, fn};
            uint16_t v = port_pci_read16(a, PCI_VENDOR);
            if (v == 0xffff) {
                if (fn == 0)
                    break; /* no device in this slot */
                continue;
            }
            if (v == vendor && port_pci_read16(a, PCI_DEVICE) == device &&
                (subsys == 0xffff || port_pci_read16(a, PCI_SUBSYS_ID) == subsys)) {
                *out = a;
                return true;
            }
            /* Functions 1-7 exist only on multi-function devices. */
            if (fn == 0 && !(port_pci_read8(a, PCI_HEADER) & 0x80))
                break;
        }
    }
    return false;
}
