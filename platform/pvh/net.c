/* SPDX-License-Identifier: ISC */
/* The PVH kernel's network, and its wait: platform.h's plat_net_* calls
 * and plat_yield() on top of a network driver, the one place that knows
 * both the architecture (through port.h and platform.h) and the drivers.
 * platform/x86_64 implements the rest of platform.h and never includes a
 * driver; the drivers see only port.h. Today the only driver is virtio-net
 * (legacy virtio-pci or virtio-mmio); a Xen netfront will be chosen here
 * too, when the kernel finds itself on Xen.
 *
 * The network device is probed and started by the first
 * plat_net_info(), not by plat_init(): the runtime asks for it only
 * when it starts the network (runtime/net's net_backend_start), so an
 * image that never does (main-noip) links neither the PCI/MMIO discovery
 * nor the driver (--gc-sections), and leaves a device it has untouched. */
#include <errno.h>

#include <platform.h>
#include <port.h>

#include "../virtio/virtio_net.h"

/* Without a usable interrupt line the device is polled this often. */
#define POLL_NS 1000000ull

/* Set once the device is up (plat_net_info): the wait reaches the
 * driver only through this pointer, so it does not link it in. */
static bool (*nic_pending)(void);
static bool nic_polled; /* up, but without an interrupt line */

bool plat_yield(uint64_t deadline_ns)
{
    for (;;) {
        if (nic_pending != NULL && nic_pending())
            return true;
        uint64_t now = plat_monotonic_ns();
        if (now >= deadline_ns)
            return false;
        uint64_t until = deadline_ns;
        if (nic_polled && deadline_ns - now > POLL_NS)
            until = now + POLL_NS;
        port_idle_until(until);
    }
}

int plat_net_info(struct plat_net_info *info)
{
    /* 1 until probed, then 0 or the probe's error (-ENODEV: no device),
     * which later calls return too: one probe, one start-up message. */
    static int probed = 1;
    if (probed > 0) {
        probed = virtio_net_init();
        if (probed == 0) {
            nic_pending = virtio_net_pending;
            nic_polled = !virtio_net_has_irq();
        }
    }
    if (probed < 0)
        return probed;
    virtio_net_mac(info->mac);
    info->mtu = 1500;
    return 0;
}

int plat_net_write(const void *frame, size_t len)
{
    return virtio_net_write(frame, len);
}

int plat_net_read(void *buf, size_t cap, size_t *len)
{
    return virtio_net_read(buf, cap, len);
}
