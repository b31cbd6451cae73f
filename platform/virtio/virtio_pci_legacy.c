/* SPDX-License-Identifier: ISC */
/* Legacy virtio-pci: the device's registers in I/O BAR 0 with the virtio
 * 0.9.5 layout (virtio 1.2, 4.1.4.8 "Legacy Interfaces"). QEMU's
 * virtio-net-pci on pc and q35 is "transitional": PCI device 0x1000
 * (virtio 1.2, 4.1.2.1 lists the others: 0x1005 for the entropy device,
 * not 0x1000 + type - 1), subsystem id = device type,
 * and it offers this interface next to the modern one. Without MSI-X the
 * device-specific configuration starts at offset 20. */
#include <errno.h>

#include <port.h>

#include "virtio.h"

#define REG_HOST_FEATURES  0  /* 32 bits */
#define REG_GUEST_FEATURES 4  /* 32 bits */
#define REG_QUEUE_PFN      8  /* 32 bits: ring address / 4096 */
#define REG_QUEUE_NUM      12 /* 16 bits, read-only: the queue size */
#define REG_QUEUE_SEL      14 /* 16 bits */
#define REG_QUEUE_NOTIFY   16 /* 16 bits */
#define REG_STATUS         18 /* 8 bits */
#define REG_ISR            19 /* 8 bits, reading acknowledges */
#define REG_CONFIG         20

#define LEGACY_ALIGN 4096 /* the used ring's alignment */

static uint16_t port(struct virtio_dev *d, unsigned reg)
{
    return (uint16_t)(d->base + reg);
}

static uint64_t get_features(struct virtio_dev *d)
{
    return port_in32(port(d, REG_HOST_FEATURES));
}

static bool set_features(struct virtio_dev *d, uint64_t f)
{
    port_out32(port(d, REG_GUEST_FEATURES), (uint32_t)f);
    return true; /* legacy has no FEATURES_OK handshake */
}

static void set_status(struct virtio_dev *d, uint8_t s)
{
    port_out8(port(d, REG_STATUS), s);
}

static uint8_t get_status(struct virtio_dev *d)
{
    return port_in8(port(d, REG_STATUS));
}

static uint8_t config_read8(struct virtio_dev *d, unsigned off)
{
    return port_in8(port(d, REG_CONFIG + off));
}

static int setup_queue(struct virtio_dev *d, unsigned index, struct virtq *q, uint16_t max)
{
    (void)max; /* a legacy device fixes the size */
    port_out16(port(d, REG_QUEUE_SEL), (uint16_t)index);
    uint16_t size = port_in16(port(d, REG_QUEUE_NUM));
    if (size == 0 || (size & (size - 1)))
        return -ENODEV;
    size_t bytes = virtq_legacy_bytes(size, LEGACY_ALIGN);
    uint64_t phys;
    void *mem = port_page_alloc((bytes + PORT_PAGE_SIZE - 1) / PORT_PAGE_SIZE, &phys);
    if (!mem)
        return -ENOMEM;
    virtq_init_legacy(q, size, mem, LEGACY_ALIGN);
    port_out32(port(d, REG_QUEUE_PFN), (uint32_t)(phys / PORT_PAGE_SIZE));
    return 0;
}

static void notify(struct virtio_dev *d, unsigned index)
{
    port_out16(port(d, REG_QUEUE_NOTIFY), (uint16_t)index);
}

static uint32_t ack_interrupt(struct virtio_dev *d)
{
    return port_in8(port(d, REG_ISR));
}

static const struct virtio_transport legacy_pci = {
    "virtio-pci (legacy)", get_features, set_features, set_status,    get_status,
    config_read8,          setup_queue,  notify,       ack_interrupt,
};

int virtio_pci_legacy_find(unsigned id, struct virtio_dev *d)
{
    /* Transitional device ids by type (virtio 1.2, 4.1.2.1). */
    uint16_t device;
    switch (id) {
    case VIRTIO_ID_NET:
        device = 0x1000;
        break;
    case VIRTIO_ID_RNG:
        device = 0x1005;
        break;
    default:
        return -ENODEV;
    }
    struct port_pci_addr a;
    if (!port_pci_find(0x1af4, device, (uint16_t)id, &a))
        return -ENODEV;
    uint32_t bar = port_pci_read32(a, PCI_BAR0);
    if (!(bar & 1) || (bar & ~3u) == 0) {
        port_log("mirari: virtio device at pci %02x:%02x.%x has no I/O BAR 0 "
                 "(disable-legacy=on?): not usable\n",
                 a.bus, a.dev, a.fn);
        return -ENODEV;
    }
    port_pci_write16(a, PCI_COMMAND,
                     (uint16_t)(port_pci_read16(a, PCI_COMMAND) | PCI_CMD_IO | PCI_CMD_MASTER));
    d->t = &legacy_pci;
    d->base = bar & ~3u;
    d->modern = false;
    /* The firmware's routing of INTx to a legacy line; 0xff or 0 = none.
     * Whether the architecture can take that line is port_irq_register's
     * answer (virtio_net.c). */
    uint8_t line = port_pci_read8(a, PCI_IRQ_LINE);
    d->irq = line > 0 && line < 0xff ? line : VIRTIO_NO_IRQ;
    port_snprintf(d->where, sizeof d->where, "pci %02x:%02x.%x", a.bus, a.dev, a.fn);
    return 0;
}
