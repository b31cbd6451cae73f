/* SPDX-License-Identifier: ISC */
/* The PVH kernel's entropy (platform.h's plat_entropy): the CPU's RDSEED
 * or RDRAND (port_cpu_entropy) when it has them, else a virtio-rng device
 * (not as a Xen guest, which has no PCI or MMIO devices: there the CPU's
 * alone). Here because the composition is the one place that knows both
 * the architecture and the drivers.
 *
 * The source is chosen at the first call, which the DRBG makes at boot
 * for AT_RANDOM (platform/x86_64/start.c); with none the kernel says so
 * then, in one line, and the runtime's entropy_is_weak() is true from
 * then on: an HTTPS server must refuse to start, the rest still runs. */
#include <errno.h>

#include <platform.h>
#include <port.h>

#include "../virtio/virtio_rng.h"
#include "../xen/netfront.h"

enum source { UNPROBED, CPU, VIRTIO, NONE };

static enum source probe(void)
{
    unsigned char b;
    if (port_cpu_entropy(&b, 1) != -ENODEV)
        return CPU;
    if (!xen_guest() && virtio_rng_init() == 0)
        return VIRTIO;
    port_log("mirari: WARNING: no entropy source (no RDSEED/RDRAND, no virtio-rng device): "
             "random numbers are guessable and HTTPS will not start\n");
    return NONE;
}

int plat_entropy(void *buf, size_t n)
{
    static enum source src = UNPROBED;
    if (src == UNPROBED)
        src = probe();
    switch (src) {
    case CPU:
        return port_cpu_entropy(buf, n);
    case VIRTIO:
        return virtio_rng_read(buf, n);
    default:
        return -ENODEV;
    }
}
