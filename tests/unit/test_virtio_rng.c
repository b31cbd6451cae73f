/* SPDX-License-Identifier: ISC */
/* The virtio-rng driver (platform/virtio/virtio_rng.c) against a fake
 * transport and device defined here: the device fills the buffers it is
 * given with a running byte counter, in full, in part, with nothing, or
 * never; the port's clock advances only while the driver waits. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <platform.h>
#include <port.h>

#include "../../platform/virtio/virtio.h"
#include "../../platform/virtio/virtio_rng.h"

/* ---- the port ---- */

static uint64_t fake_now;
static char logged[1024];
static void *pages[16];
static size_t npages_alloc;

void *port_page_alloc(size_t npages, uint64_t *phys)
{
    assert_true(npages_alloc < sizeof pages / sizeof pages[0]);
    void *p = aligned_alloc(PORT_PAGE_SIZE, npages * PORT_PAGE_SIZE);
    assert_non_null(p);
    memset(p, 0, npages * PORT_PAGE_SIZE);
    pages[npages_alloc++] = p;
    if (phys != NULL)
        *phys = (uint64_t)(uintptr_t)p; /* the test's "physical" addresses are its pointers */
    return p;
}

void port_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = strlen(logged);
    vsnprintf(logged + n, sizeof logged - n, fmt, ap);
    va_end(ap);
}

uint64_t plat_monotonic_ns(void)
{
    return fake_now;
}

static void device_work(void);

void port_idle_until(uint64_t deadline_ns)
{
    if (fake_now < deadline_ns)
        fake_now = deadline_ns;
    device_work();
}

/* ---- the device and its transport ---- */

enum answer { FULL, PART, EMPTY, SILENT };
static struct {
    bool present;
    enum answer answer;
    struct virtq *q;
    uint16_t avail_seen;
    uint8_t counter; /* the next byte the device writes */
    uint8_t status;
    unsigned requests;
} dev;

static void device_work(void)
{
    struct virtq *q = dev.q;
    if (q == NULL || dev.answer == SILENT)
        return;
    while (dev.avail_seen != q->avail->idx) {
        uint16_t id = q->avail->ring[dev.avail_seen++ % q->size];
        struct vring_desc *d = &q->desc[id];
        assert_true(d->flags & VRING_DESC_F_WRITE);
        uint32_t len = dev.answer == FULL ? d->len : dev.answer == PART ? 7 : 0;
        if (len > d->len)
            len = d->len;
        uint8_t *p = (uint8_t *)(uintptr_t)d->addr;
        for (uint32_t i = 0; i < len; i++)
            p[i] = dev.counter++;
        struct vring_used_elem *e = &q->used->ring[q->used->idx % q->size];
        e->id = id;
        e->len = len;
        q->used->idx++;
        dev.requests++;
    }
}

static uint64_t get_features(struct virtio_dev *d)
{
    (void)d;
    return 1ull << VIRTIO_F_VERSION_1;
}

static bool set_features(struct virtio_dev *d, uint64_t f)
{
    (void)d;
    (void)f;
    return true;
}

static void set_status(struct virtio_dev *d, uint8_t s)
{
    (void)d;
    dev.status = s;
}

static uint8_t get_status(struct virtio_dev *d)
{
    (void)d;
    return dev.status;
}

static uint8_t config_read8(struct virtio_dev *d, unsigned off)
{
    (void)d;
    (void)off;
    return 0;
}

static int setup_queue(struct virtio_dev *d, unsigned index, struct virtq *q, uint16_t max)
{
    (void)d;
    assert_int_equal(index, 0);
    void *mem = port_page_alloc(2, NULL);
    virtq_init_legacy(q, max, mem, PORT_PAGE_SIZE);
    dev.q = q;
    dev.avail_seen = 0;
    return 0;
}

static void notify(struct virtio_dev *d, unsigned index)
{
    (void)d;
    assert_int_equal(index, 0);
    device_work();
}

static uint32_t ack_interrupt(struct virtio_dev *d)
{
    (void)d;
    return 0;
}

static const struct virtio_transport fake_transport = {
    "fake",       get_features, set_features, set_status,    get_status,
    config_read8, setup_queue,  notify,       ack_interrupt,
};

int virtio_pci_legacy_find(unsigned id, struct virtio_dev *d)
{
    if (!dev.present || id != VIRTIO_ID_RNG)
        return -ENODEV;
    d->t = &fake_transport;
    d->modern = true;
    d->irq = VIRTIO_NO_IRQ;
    snprintf(d->where, sizeof d->where, "fake 0");
    return 0;
}

int virtio_mmio_find(unsigned id, struct virtio_dev *d)
{
    (void)id;
    (void)d;
    return -ENODEV;
}

static int reset(void **state)
{
    (void)state;
    memset(&dev, 0, sizeof dev);
    dev.present = true;
    fake_now = 1000;
    logged[0] = '\0';
    return 0;
}

static int free_pages(void **state)
{
    (void)state;
    while (npages_alloc > 0)
        free(pages[--npages_alloc]);
    return 0;
}

static void no_device(void **state)
{
    (void)state;
    dev.present = false;
    assert_int_equal(virtio_rng_init(), -ENODEV);
}

static void full_answers(void **state)
{
    (void)state;
    assert_int_equal(virtio_rng_init(), 0);
    assert_true(dev.status & VIRTIO_STATUS_DRIVER_OK);
    assert_non_null(strstr(logged, "mirari: entropy from virtio-rng at fake 0"));
    uint8_t buf[600];
    /* Longer than one buffer (256): three requests, the bytes in order. */
    assert_int_equal(virtio_rng_read(buf, sizeof buf), (int)sizeof buf);
    assert_int_equal(dev.requests, 3);
    for (size_t i = 0; i < sizeof buf; i++)
        assert_int_equal(buf[i], (uint8_t)i);
    /* No copy of the bytes is left in the driver's buffer (the page the
     * driver allocated after the queue's two). */
    static const uint8_t zero[256];
    assert_memory_equal(pages[npages_alloc - 1], zero, sizeof zero);
}

static void partial_answers_are_gathered(void **state)
{
    (void)state;
    dev.answer = PART;
    assert_int_equal(virtio_rng_init(), 0);
    uint8_t buf[32];
    assert_int_equal(virtio_rng_read(buf, sizeof buf), (int)sizeof buf);
    assert_int_equal(dev.requests, 5); /* 7 bytes each */
    for (size_t i = 0; i < sizeof buf; i++)
        assert_int_equal(buf[i], (uint8_t)i);
}

static void a_silent_device_fails_once_and_is_dropped(void **state)
{
    (void)state;
    dev.answer = SILENT;
    assert_int_equal(virtio_rng_init(), 0);
    uint8_t buf[32];
    uint64_t start = fake_now;
    assert_int_equal(virtio_rng_read(buf, sizeof buf), -EIO);
    assert_true(fake_now - start >= 1000000000ull); /* it waited for its deadline */
    assert_non_null(strstr(logged, "does not answer: no longer used"));
    assert_int_equal(virtio_rng_read(buf, sizeof buf), -ENODEV);
}

static void empty_answers_fail_at_the_deadline(void **state)
{
    (void)state;
    dev.answer = EMPTY;
    assert_int_equal(virtio_rng_init(), 0);
    uint8_t buf[32];
    assert_int_equal(virtio_rng_read(buf, sizeof buf), -EIO);
    assert_true(dev.requests > 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(no_device, reset, free_pages),
        cmocka_unit_test_setup_teardown(full_answers, reset, free_pages),
        cmocka_unit_test_setup_teardown(partial_answers_are_gathered, reset, free_pages),
        cmocka_unit_test_setup_teardown(a_silent_device_fails_once_and_is_dropped, reset,
                                        free_pages),
        cmocka_unit_test_setup_teardown(empty_answers_fail_at_the_deadline, reset, free_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
