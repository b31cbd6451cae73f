/* SPDX-License-Identifier: ISC */
/* A virtio device behind one of two transports: legacy virtio-pci (an
 * I/O BAR with the virtio 0.9.5 register layout; QEMU's default,
 * transitional virtio-net-pci on pc and q35) and virtio-mmio version 2
 * (virtio 1.2, section 4.2; QEMU microvm and Firecracker). Drivers
 * (virtio_net.c) see only this interface. */
#ifndef MIRARI_VIRTIO_H
#define MIRARI_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>

#include "virtq.h"

/* Device status bits (virtio 1.2, 2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER      2
#define VIRTIO_STATUS_DRIVER_OK   4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_FAILED      128

#define VIRTIO_F_VERSION_1 32 /* feature bit numbers */

#define VIRTIO_ID_NET 1
#define VIRTIO_ID_RNG 4

struct virtio_dev;

struct virtio_transport {
    const char *name;
    uint64_t (*get_features)(struct virtio_dev *d);
    /* Returns false when the device refused them (FEATURES_OK not kept). */
    bool (*set_features)(struct virtio_dev *d, uint64_t features);
    void (*set_status)(struct virtio_dev *d, uint8_t status);
    uint8_t (*get_status)(struct virtio_dev *d);
    uint8_t (*config_read8)(struct virtio_dev *d, unsigned offset);
    /* Allocate and register queue `index` with at most `max` entries.
     * 0 or a negative errno. */
    int (*setup_queue)(struct virtio_dev *d, unsigned index, struct virtq *q, uint16_t max);
    void (*notify)(struct virtio_dev *d, unsigned index);
    /* Read and acknowledge the interrupt status; non-zero when the device
     * had raised its interrupt. */
    uint32_t (*ack_interrupt)(struct virtio_dev *d);
};

struct virtio_dev {
    const struct virtio_transport *t;
    uint64_t base;  /* I/O port base (pci) or MMIO address */
    unsigned irq;   /* legacy interrupt line (port_irq_register), or VIRTIO_NO_IRQ */
    bool modern;    /* virtio 1.x: VERSION_1 negotiated, 12-byte net header */
    char where[40]; /* for messages: "pci 00:03.0" or "mmio 0xfeb00e00" */
};
#define VIRTIO_NO_IRQ 0xffu

/* Discovery. Fill *d and return 0 for the first device of type `id`:
 * on PCI bus 0 (virtio_pci_legacy.c), or among the MMIO windows the
 * command line announced (virtio_mmio.c). -ENODEV when there is none. */
int virtio_pci_legacy_find(unsigned id, struct virtio_dev *d);
int virtio_mmio_find(unsigned id, struct virtio_dev *d);

/* The common part of a driver's start-up (virtio 1.2, 3.1.1): reset,
 * ACKNOWLEDGE, DRIVER, negotiate `wanted` (VERSION_1 added on a modern
 * transport). 0 and the features agreed on in *agreed, or a negative
 * errno. The driver then sets up its queues and sets DRIVER_OK. */
int virtio_begin(struct virtio_dev *d, uint64_t wanted, uint64_t *agreed);

#endif
