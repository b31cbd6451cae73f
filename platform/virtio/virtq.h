/* SPDX-License-Identifier: ISC */
/* The split virtqueue (virtio 1.2, section 2.7; the same rings as legacy
 * virtio 0.9.5): a descriptor table, the driver's "available" ring and the
 * device's "used" ring. One implementation for every transport; each
 * buffer here is a single descriptor (no chains), which is all virtio-net
 * without offloads needs.
 *
 * Pure memory manipulation with the barriers the protocol needs, so it is
 * tested on the host against a fake device (tests/unit/test_virtq.c). */
#ifndef MIRARI_VIRTQ_H
#define MIRARI_VIRTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vring_desc {
    uint64_t addr; /* guest-physical */
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};
#define VRING_DESC_F_NEXT  1
#define VRING_DESC_F_WRITE 2 /* the device writes this buffer */

struct vring_avail {
    uint16_t flags;
    uint16_t idx;
    uint16_t ring[];
};
#define VRING_AVAIL_F_NO_INTERRUPT 1

struct vring_used_elem {
    uint32_t id;
    uint32_t len;
};
struct vring_used {
    uint16_t flags;
    uint16_t idx;
    struct vring_used_elem ring[];
};
#define VRING_USED_F_NO_NOTIFY 1

struct virtq {
    uint16_t size; /* a power of 2 */
    struct vring_desc *desc;
    struct vring_avail *avail;
    struct vring_used *used;
    uint16_t free_head; /* free descriptors are chained through .next */
    uint16_t num_free;
    uint16_t last_used; /* the used index we have consumed up to */
    uint16_t added;     /* buffers added since the last kick check */
};

/* Bytes for the three rings laid out as legacy virtio-pci requires
 * (virtio 0.9.5 2.3: used ring on the next `align` boundary). */
size_t virtq_legacy_bytes(uint16_t size, size_t align);
/* Set up the rings in zeroed memory: contiguous legacy layout, or three
 * separate areas (virtio 1.x transports take three addresses). */
void virtq_init_legacy(struct virtq *q, uint16_t size, void *mem, size_t align);
void virtq_init(struct virtq *q, uint16_t size, void *desc, void *avail, void *used);

/* Offer one buffer to the device (device_writes: a receive buffer).
 * Returns its descriptor id, or -1 when the queue is full. The device
 * sees it only after virtq_publish(). */
int virtq_add(struct virtq *q, uint64_t addr, uint32_t len, bool device_writes);
/* Make added buffers visible; true when the device wants a notification
 * (it has not set VRING_USED_F_NO_NOTIFY). */
bool virtq_publish(struct virtq *q);
/* Take one buffer the device has finished with: its descriptor id and
 * the bytes it wrote in *len; -1 when there is none. The descriptor is
 * free again. */
int virtq_get_used(struct virtq *q, uint32_t *len);
/* The buffer address a descriptor was given: a driver finds its buffer
 * again from the id virtq_get_used() returns. */
static inline uint64_t virtq_addr(const struct virtq *q, int id)
{
    return q->desc[id].addr;
}
/* True when the device has used buffers we have not taken. */
bool virtq_has_used(const struct virtq *q);
/* Ask for (or not) an interrupt when the device uses a buffer. */
void virtq_set_interrupts(struct virtq *q, bool on);

#endif
