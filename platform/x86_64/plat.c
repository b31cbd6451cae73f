/* SPDX-License-Identifier: ISC */
/* The platform interface (platform.h) on the x86_64 PVH kernel: the
 * console is COM1, clocks come from clock.c, the network is virtio-net,
 * and waiting halts the CPU until the deadline or a received frame.
 *
 * The network device is probed and started by the first
 * plat_net_info(), not by plat_init(): the runtime asks for it only
 * when it starts the network (runtime/net's net_backend_start), so an
 * image that never does (main-noip) links neither the PCI/MMIO discovery
 * nor the driver (--gc-sections), and leaves a device it has untouched. */
#include <errno.h>

#include <platform.h>

#include "../virtio/virtio_net.h"
#include "kernel.h"

int plat_init(int *argc, char **argv)
{
    (void)argc;
    (void)argv; /* the kernel took its parameters out before main() */
    return 0;
}

void plat_console_write(const char *buf, size_t len)
{
    console_write(buf, len);
}

uint64_t plat_monotonic_ns(void)
{
    return clock_monotonic_ns();
}

uint64_t plat_wall_ns(void)
{
    return clock_wall_ns();
}

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
        uint64_t now = clock_monotonic_ns();
        if (now >= deadline_ns)
            return false;
        uint64_t until = deadline_ns;
        if (nic_polled && deadline_ns - now > POLL_NS)
            until = now + POLL_NS;
        idle_until(until);
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

_Noreturn void plat_exit(int status)
{
    kernel_exit(status);
}
