/* SPDX-License-Identifier: ISC */
/* The virtio entropy device, as pvh/entropy.c uses it for plat_entropy()
 * when the CPU has no RDSEED/RDRAND. */
#ifndef MIRARI_VIRTIO_RNG_H
#define MIRARI_VIRTIO_RNG_H

#include <stddef.h>

/* Find (legacy virtio-pci first, then virtio-mmio) and start the device.
 * 0, -ENODEV when there is none, or another negative errno. */
int virtio_rng_init(void);
/* n bytes from the device and n, or -EIO when it did not answer. */
int virtio_rng_read(void *buf, size_t n);

#endif
