/* SPDX-License-Identifier: ISC */
/* PCI configuration access and a bus-0 scan. */
#include "pci.h"

#include "x86.h"

#define PCI_CONFIG_ADDR 0xcf8
#define PCI_CONFIG_DATA 0xcfc

static void select(struct pci_addr a, uint8_t off)
{
    outl(PCI_CONFIG_ADDR, 0x80000000u | (uint32_t)a.bus << 16 | (uint32_t)a.dev << 11 |
                              (uint32_t)a.fn << 8 | (off & 0xfcu));
}

uint32_t pci_read32(struct pci_addr a, uint8_t off)
{
    select(a, off);
    return inl(PCI_CONFIG_DATA);
}

uint16_t pci_read16(struct pci_addr a, uint8_t off)
{
    return (uint16_t)(pci_read32(a, off) >> ((off & 2) * 8));
}

uint8_t pci_read8(struct pci_addr a, uint8_t off)
{
    return (uint8_t)(pci_read32(a, off) >> ((off & 3) * 8));
}

void pci_write16(struct pci_addr a, uint8_t off, uint16_t v)
{
    select(a, off);
    outw((uint16_t)(PCI_CONFIG_DATA + (off & 2)), v);
}

bool pci_find(uint16_t vendor, uint16_t device, uint16_t subsys, struct pci_addr *out)
{
    for (uint8_t dev = 0; dev < 32; dev++) {
        for (uint8_t fn = 0; fn < 8; fn++) {
            struct pci_addr a = {0, dev, fn};
            uint16_t v = pci_read16(a, PCI_VENDOR);
            if (v == 0xffff) {
                if (fn == 0)
                    break; /* no device in this slot */
                continue;
            }
            if (v == vendor && pci_read16(a, PCI_DEVICE) == device &&
                (subsys == 0xffff || pci_read16(a, PCI_SUBSYS_ID) == subsys)) {
                *out = a;
                return true;
            }
            /* Functions 1-7 exist only on multi-function devices. */
            if (fn == 0 && !(pci_read8(a, PCI_HEADER) & 0x80))
                break;
        }
    }
    return false;
}
