/* SPDX-License-Identifier: ISC */
/* The Xen netfront (netfront.c), as pvh/net.c uses it for the platform
 * interface's network calls when the kernel runs as a Xen guest. */
#ifndef MIRARI_XEN_NETFRONT_H
#define MIRARI_XEN_NETFRONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when the kernel runs as a Xen guest: the network is a netfront's,
 * never a PCI or MMIO device's. */
bool xen_guest(void);
/* Connect device/vif/0 to its backend. 0, -ENODEV when the domain has no
 * vif, or another negative errno (with a message saying which step
 * failed). */
int netfront_init(void);
void netfront_mac(uint8_t mac[6]);
/* A received frame is waiting; also re-arms the backend's notification,
 * so the coming halt ends when one arrives. */
bool netfront_pending(void);
/* As plat_net_read() / plat_net_write(). */
int netfront_read(void *buf, size_t cap, size_t *len);
int netfront_write(const void *frame, size_t len);

#endif
