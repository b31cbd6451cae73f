/* SPDX-License-Identifier: ISC */
/* virtio-rng, the entropy device (virtio 1.2, 5.4): one queue (0) of
 * buffers the device fills with random bytes, nothing to negotiate. The
 * host side is QEMU's rng backend (by default its own getrandom()).
 *
 * Used only to seed and reseed the DRBG, a few dozen bytes at a time, so
 * one buffer is posted per request and the driver polls for it: no
 * interrupt handler, the wait halts between looks (port_idle_until). */
#include <errno.h>
#include <string.h>

#include <platform.h>
#include <port.h>

#include "virtio.h"
#include "virtio_rng.h"

#define REQUESTQ   0
#define QUEUE_MAX  8
#define BUF_SIZE   256
#define POLL_NS    1000000ull    /* 1 ms between looks */
#define TIMEOUT_NS 1000000000ull /* a device silent this long has failed */

static struct {
    bool up;
    struct virtio_dev dev;
    struct virtq q;
    uint8_t *buf;
    uint64_t buf_phys;
} rng;

static int start(struct virtio_dev *d)
{
    uint64_t features;
    int err = virtio_begin(d, 0, &features);
    if (err < 0)
        return err;
    if ((err = d->t->setup_queue(d, REQUESTQ, &rng.q, QUEUE_MAX)) < 0) {
        d->t->set_status(d, VIRTIO_STATUS_FAILED);
        return err;
    }
    rng.buf = port_page_alloc(1, &rng.buf_phys);
    if (!rng.buf) {
        d->t->set_status(d, VIRTIO_STATUS_FAILED);
        return -ENOMEM;
    }
    virtq_set_interrupts(&rng.q, false);
    d->t->set_status(d, d->t->get_status(d) | VIRTIO_STATUS_DRIVER_OK);
    return 0;
}

int virtio_rng_init(void)
{
    struct virtio_dev d = {0};
    if (virtio_pci_legacy_find(VIRTIO_ID_RNG, &d) < 0 && virtio_mmio_find(VIRTIO_ID_RNG, &d) < 0)
        return -ENODEV;
    rng.dev = d;
    int err = start(&rng.dev);
    if (err < 0) {
        port_log("mirari: virtio-rng at %s: start-up failed (%d)\n", d.where, err);
        return err;
    }
    rng.up = true;
    port_log("mirari: entropy from virtio-rng at %s (%s)\n", d.where, d.t->name);
    return 0;
}

/* One buffer to the device and back: the bytes it wrote (0 to `want`),
 * or -EIO when the deadline passes without an answer. */
static int request(size_t want, uint64_t deadline)
{
    if (virtq_add(&rng.q, rng.buf_phys, (uint32_t)want, true) < 0)
        return -EIO;
    if (virtq_publish(&rng.q))
        rng.dev.t->notify(&rng.dev, REQUESTQ);
    for (;;) {
        uint32_t len;
        if (virtq_get_used(&rng.q, &len) >= 0)
            return (int)(len < want ? len : want);
        uint64_t now = plat_monotonic_ns();
        if (now >= deadline)
            return -EIO; /* the buffer stays with the device: the driver is done */
        port_idle_until(now + POLL_NS);
    }
}

int virtio_rng_read(void *buf, size_t n)
{
    if (!rng.up)
        return -ENODEV;
    unsigned char *p = buf;
    /* One deadline for the whole read: a device that keeps answering
     * with empty buffers fails as one that does not answer. */
    uint64_t deadline = plat_monotonic_ns() + TIMEOUT_NS;
    for (size_t done = 0; done < n;) {
        size_t want = n - done < BUF_SIZE ? n - done : BUF_SIZE;
        int got = request(want, deadline);
        if (got == 0) { /* nothing ready on the host: look again in a while */
            uint64_t now = plat_monotonic_ns();
            if (now >= deadline)
                got = -EIO;
            else
                port_idle_until(now + POLL_NS);
        }
        if (got < 0) {
            rng.up = false;
            port_log("mirari: virtio-rng at %s does not answer: no longer used\n", rng.dev.where);
            return got;
        }
        memcpy(p + done, rng.buf, (size_t)got);
        memset(rng.buf, 0, (size_t)got); /* no copy of a seed left behind */
        done += (size_t)got;
    }
    return (int)n;
}
