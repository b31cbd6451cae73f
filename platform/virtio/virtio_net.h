/* SPDX-License-Identifier: ISC */
/* The virtio-net driver, as pvh/net.c uses it for the platform
 * interface's network calls. */
#ifndef MIRARI_VIRTIO_NET_H
#define MIRARI_VIRTIO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <platform.h>

/* Find (legacy virtio-pci first, then virtio-mmio) and start the device.
 * 0, -ENODEV when there is none, or another negative errno. */
int virtio_net_init(void);
/* True when received frames wake the idle halt; false: poll. */
bool virtio_net_has_irq(void);
void virtio_net_mac(uint8_t mac[6]);
/* A received frame is waiting. */
bool virtio_net_pending(void);
/* As plat_net_read() / plat_net_write(). */
int virtio_net_read(void *buf, size_t cap, size_t *len);
int virtio_net_write(const void *frame, size_t len);
/* As plat_net_info()'s offloads, plat_net_recv() and plat_net_send(). */
uint32_t virtio_net_offloads(void);
int virtio_net_recv(void *buf, size_t cap, size_t *len, unsigned *flags);
int virtio_net_send(const struct plat_net_frag *frag, int n, const struct plat_net_tx *tx);

#endif
