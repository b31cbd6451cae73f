/* SPDX-License-Identifier: ISC */
/* The split virtqueue (platform/virtio/virtq.c) against a fake device
 * that reads the available ring and fills the used ring as virtio 1.2,
 * 2.7 describes, in guest memory allocated here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../platform/virtio/virtq.h"

/* The device side: what it has consumed from avail, and its used index. */
struct fake_dev {
    struct virtq *q;
    uint16_t avail_seen;
};

/* Take every published buffer; device-writable ones get `fill` bytes of
 * 0xab, read-only ones are checked to be readable and returned with 0. */
static unsigned dev_process(struct fake_dev *d, uint32_t fill)
{
    struct virtq *q = d->q;
    unsigned n = 0;
    while (d->avail_seen != q->avail->idx) {
        uint16_t id = q->avail->ring[d->avail_seen % q->size];
        d->avail_seen++;
        assert_true(id < q->size);
        struct vring_desc *desc = &q->desc[id];
        uint32_t len = 0;
        if (desc->flags & VRING_DESC_F_WRITE) {
            len = fill < desc->len ? fill : desc->len;
            memset((void *)(uintptr_t)desc->addr, 0xab, len);
        }
        struct vring_used_elem *e = &q->used->ring[q->used->idx % q->size];
        e->id = id;
        e->len = len;
        q->used->idx++;
        n++;
    }
    return n;
}

static void *rings;

static int setup(void **state)
{
    (void)state;
    rings = aligned_alloc(4096, 4 * 4096);
    memset(rings, 0, 4 * 4096);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(rings);
    return 0;
}

static void legacy_layout(void **state)
{
    (void)state;
    /* virtio 0.9.5 2.3: size 256 -> desc 4096, avail 518, used at 8192. */
    assert_int_equal(virtq_legacy_bytes(256, 4096), 8192 + 6 + 8 * 256);
    struct virtq q;
    virtq_init_legacy(&q, 16, rings, 4096);
    assert_ptr_equal(q.desc, rings);
    assert_ptr_equal(q.avail, (char *)rings + 16 * 16);
    assert_ptr_equal(q.used, (char *)rings + 4096);
    assert_int_equal(q.num_free, 16);
}

static void receive_round_trip(void **state)
{
    (void)state;
    struct virtq q;
    virtq_init_legacy(&q, 8, rings, 4096);
    struct fake_dev dev = {&q, 0};
    static uint8_t bufs[8][64];
    for (int i = 0; i < 8; i++)
        assert_true(virtq_add(&q, (uintptr_t)bufs[i], sizeof bufs[i], true) >= 0);
    assert_int_equal(virtq_add(&q, 0, 1, true), -1); /* full */
    assert_int_equal(dev_process(&dev, 40), 0);      /* nothing published yet */
    assert_true(virtq_publish(&q));
    assert_int_equal(q.avail->idx, 8);
    assert_int_equal(dev_process(&dev, 40), 8);
    uint32_t len;
    int seen = 0;
    int id;
    while ((id = virtq_get_used(&q, &len)) >= 0) {
        assert_int_equal(len, 40);
        uint8_t *p = (uint8_t *)(uintptr_t)virtq_addr(&q, id);
        assert_int_equal(p[0], 0xab);
        assert_int_equal(p[39], 0xab);
        seen++;
    }
    assert_int_equal(seen, 8);
    assert_int_equal(q.num_free, 8);
    assert_false(virtq_has_used(&q));
}

/* Indices are free-running 16-bit counters: run past 65535. */
static void indices_wrap(void **state)
{
    (void)state;
    struct virtq q;
    virtq_init_legacy(&q, 4, rings, 4096);
    struct fake_dev dev = {&q, 0};
    static uint8_t buf[4][16];
    unsigned total = 0;
    for (int round = 0; round < 70000 / 3; round++) {
        for (int i = 0; i < 3; i++)
            assert_true(virtq_add(&q, (uintptr_t)buf[i], 16, i & 1) >= 0);
        virtq_publish(&q);
        assert_int_equal(dev_process(&dev, 16), 3);
        for (int i = 0; i < 3; i++)
            assert_true(virtq_get_used(&q, NULL) >= 0);
        assert_int_equal(virtq_get_used(&q, NULL), -1);
        total += 3;
    }
    assert_int_equal(q.avail->idx, (uint16_t)total);
    assert_int_equal(q.last_used, (uint16_t)total);
    assert_int_equal(q.num_free, 4);
}

static void notification_suppression(void **state)
{
    (void)state;
    struct virtq q;
    virtq_init(&q, 4, rings, (char *)rings + 4096, (char *)rings + 8192);
    assert_false(virtq_publish(&q)); /* nothing added: no kick */
    virtq_add(&q, 0x1000, 10, false);
    assert_true(virtq_publish(&q));
    q.used->flags = VRING_USED_F_NO_NOTIFY;
    virtq_add(&q, 0x2000, 10, false);
    assert_false(virtq_publish(&q));
    virtq_set_interrupts(&q, false);
    assert_int_equal(q.avail->flags, VRING_AVAIL_F_NO_INTERRUPT);
    virtq_set_interrupts(&q, true);
    assert_int_equal(q.avail->flags, 0);
}

/* Buffers come back in any order; descriptors are reused correctly. */
static void out_of_order_completion(void **state)
{
    (void)state;
    struct virtq q;
    virtq_init_legacy(&q, 4, rings, 4096);
    int a = virtq_add(&q, 0xa000, 1, false);
    int b = virtq_add(&q, 0xb000, 1, false);
    int c = virtq_add(&q, 0xc000, 1, false);
    virtq_publish(&q);
    /* The device completes c, then a, then b. */
    int order[3] = {c, a, b};
    for (int i = 0; i < 3; i++) {
        q.used->ring[i].id = (uint32_t)order[i];
        q.used->ring[i].len = 0;
    }
    q.used->idx = 3;
    for (int i = 0; i < 3; i++) {
        int id = virtq_get_used(&q, NULL);
        assert_int_equal(id, order[i]);
    }
    assert_int_equal(virtq_addr(&q, c), 0xc000);
    /* All four descriptors can be handed out again, each once. */
    int seen[4] = {0};
    for (int i = 0; i < 4; i++) {
        int id = virtq_add(&q, 0x1000u * (unsigned)i, 1, false);
        assert_true(id >= 0 && id < 4);
        assert_int_equal(seen[id]++, 0);
    }
}

static void broken_device_id_ignored(void **state)
{
    (void)state;
    struct virtq q;
    virtq_init_legacy(&q, 4, rings, 4096);
    virtq_add(&q, 0x1000, 1, true);
    virtq_publish(&q);
    q.used->ring[0].id = 99;
    q.used->idx = 1;
    assert_int_equal(virtq_get_used(&q, NULL), -1);
    assert_int_equal(q.num_free, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(legacy_layout, setup, teardown),
        cmocka_unit_test_setup_teardown(receive_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(indices_wrap, setup, teardown),
        cmocka_unit_test_setup_teardown(notification_suppression, setup, teardown),
        cmocka_unit_test_setup_teardown(out_of_order_completion, setup, teardown),
        cmocka_unit_test_setup_teardown(broken_device_id_ignored, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
