/* SPDX-License-Identifier: ISC */
/* The PVH kernel's network, and its wait: platform.h's plat_net_* calls
 * and plat_yield() on top of a network driver, the one place that knows
 * both the architecture (through port.h and platform.h) and the drivers.
 * platform/x86_64 implements the rest of platform.h and never includes a
 * driver; the drivers see only port.h (and platform.h's types). The
 * driver is Xen's netfront when the kernel runs as a Xen guest (which has
 * no PCI or MMIO devices), and virtio-net (legacy virtio-pci or
 * virtio-mmio) otherwise. Offloads (platform.h) go to a driver that has
 * them (virtio-net); for one without (netfront) the pieces of a frame are
 * put together here and nothing is offloaded.
 *
 * The network device is probed and started by the first
 * plat_net_info(), not by plat_init(): the runtime asks for it only
 * when it starts the network (runtime/net's net_backend_start), so an
 * image that never does (main-noip) links neither the PCI/MMIO discovery
 * nor the drivers (--gc-sections), and leaves a device it has untouched. */
#include <errno.h>
#include <string.h>

#include <platform.h>
#include <port.h>

#include "../virtio/virtio_net.h"
#include "../xen/netfront.h"

/* Without a usable interrupt line the device is polled this often. */
#define POLL_NS 1000000ull

struct nic {
    int (*init)(void);
    bool (*has_irq)(void);
    void (*mac)(uint8_t mac[6]);
    bool (*pending)(void);
    int (*read)(void *buf, size_t cap, size_t *len);
    int (*write)(const void *frame, size_t len);
    /* A driver with offloads (NULL: none; frames as read and write). */
    uint32_t (*offloads)(void);
    int (*recv)(void *buf, size_t cap, size_t *len, unsigned *flags);
    int (*send)(const struct plat_net_frag *frag, int n, const struct plat_net_tx *tx);
};

static bool always(void)
{
    return true;
}

static const struct nic virtio = {virtio_net_init,     virtio_net_has_irq, virtio_net_mac,
                                  virtio_net_pending,  virtio_net_read,    virtio_net_write,
                                  virtio_net_offloads, virtio_net_recv,    virtio_net_send};
/* A netfront's backend always notifies its event channel. */
static const struct nic netfront = {netfront_init, always,         netfront_mac, netfront_pending,
                                    netfront_read, netfront_write, NULL,         NULL,
                                    NULL};

/* Set once the device is up (plat_net_info): the wait reaches the
 * driver only through this pointer, so it does not link it in. */
static const struct nic *nic;
static bool nic_polled; /* up, but without an interrupt line */

bool plat_yield(uint64_t deadline_ns)
{
    for (;;) {
        if (nic != NULL && nic->pending())
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
        const struct nic *n = xen_guest() ? &netfront : &virtio;
        probed = n->init();
        if (probed == 0) {
            nic = n;
            nic_polled = !nic->has_irq();
        }
    }
    if (probed < 0)
        return probed;
    nic->mac(info->mac);
    info->mtu = 1500;
    info->offloads = nic->offloads != NULL ? nic->offloads() : 0;
    return 0;
}

int plat_net_write(const void *frame, size_t len)
{
    return nic != NULL ? nic->write(frame, len) : -ENODEV;
}

int plat_net_read(void *buf, size_t cap, size_t *len)
{
    return nic != NULL ? nic->read(buf, cap, len) : -ENODEV;
}

int plat_net_send(const struct plat_net_frag *frag, int n, const struct plat_net_tx *tx)
{
    if (nic != NULL && nic->send != NULL)
        return nic->send(frag, n, tx);
    /* No offloads: the pieces are put together here, as the driver
     * takes one buffer (it copies it into its own anyway). */
    static uint8_t frame[14 + 1500];
    size_t len = 0;
    if (n < 1 || n > PLAT_NET_SEND_FRAGS ||
        (tx != NULL && (tx->csum_start != 0 || tx->tso_mss != 0)))
        return -EINVAL;
    for (int i = 0; i < n; i++) {
        if (frag[i].len > sizeof(frame) - len)
            return -EINVAL;
        memcpy(frame + len, frag[i].base, frag[i].len);
        len += frag[i].len;
    }
    return plat_net_write(frame, len);
}

int plat_net_recv(void *buf, size_t cap, size_t *len, unsigned *flags)
{
    if (nic != NULL && nic->recv != NULL)
        return nic->recv(buf, cap, len, flags);
    *flags = 0;
    return plat_net_read(buf, cap, len);
}
