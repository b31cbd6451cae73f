/* SPDX-License-Identifier: ISC */
/* Split virtqueue. Memory ordering follows virtio 1.2, 2.7.13: the
 * descriptor and ring entry are written before the index that publishes
 * them (release), and the used index is read before the entries it
 * covers (acquire). The device runs on another host thread (QEMU's), so
 * these are real barriers, not just compiler ones. */
#include "virtq.h"

size_t virtq_legacy_bytes(uint16_t size, size_t align)
{
    size_t a = sizeof(struct vring_desc) * size + sizeof(uint16_t) * (3 + size);
    a = (a + align - 1) & ~(align - 1);
    return a + sizeof(uint16_t) * 3 + sizeof(struct vring_used_elem) * size;
}

static void init_free_list(struct virtq *q)
{
    for (uint16_t i = 0; i < q->size; i++)
        q->desc[i].next = (uint16_t)(i + 1);
    q->free_head = 0;
    q->num_free = q->size;
    q->last_used = 0;
    q->added = 0;
}

void virtq_init(struct virtq *q, uint16_t size, void *desc, void *avail, void *used)
{
    q->size = size;
    q->desc = desc;
    q->avail = avail;
    q->used = used;
    init_free_list(q);
}

void virtq_init_legacy(struct virtq *q, uint16_t size, void *mem, size_t align)
{
    char *p = mem;
    size_t used_off = sizeof(struct vring_desc) * size + sizeof(uint16_t) * (3 + size);
    used_off = (used_off + align - 1) & ~(align - 1);
    virtq_init(q, size, p, p + sizeof(struct vring_desc) * size, p + used_off);
}

int virtq_add(struct virtq *q, uint64_t addr, uint32_t len, bool device_writes)
{
    if (q->num_free == 0)
        return -1;
    uint16_t id = q->free_head;
    struct vring_desc *d = &q->desc[id];
    q->free_head = d->next;
    q->num_free--;
    d->addr = addr;
    d->len = len;
    d->flags = device_writes ? VRING_DESC_F_WRITE : 0;
    d->next = 0;
    /* The slot after the last published index; avail->idx is ours alone. */
    uint16_t slot = (uint16_t)(q->avail->idx + q->added);
    q->avail->ring[slot & (q->size - 1)] = id;
    q->added++;
    return id;
}

bool virtq_publish(struct virtq *q)
{
    if (q->added == 0)
        return false;
    uint16_t idx = (uint16_t)(q->avail->idx + q->added);
    q->added = 0;
    __atomic_store_n(&q->avail->idx, idx, __ATOMIC_RELEASE);
    /* The device's flag must be read after the index is visible (2.7.13:
     * a full barrier between them), or a device going to sleep could miss
     * the new buffers. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return !(__atomic_load_n(&q->used->flags, __ATOMIC_RELAXED) & VRING_USED_F_NO_NOTIFY);
}

bool virtq_has_used(const struct virtq *q)
{
    return __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE) != q->last_used;
}

int virtq_get_used(struct virtq *q, uint32_t *len)
{
    if (!virtq_has_used(q))
        return -1;
    struct vring_used_elem e = q->used->ring[q->last_used & (q->size - 1)];
    q->last_used++;
    if (e.id >= q->size)
        return -1; /* a broken device: ignore the entry */
    if (len)
        *len = e.len;
    q->desc[e.id].next = q->free_head;
    q->free_head = (uint16_t)e.id;
    q->num_free++;
    return (int)e.id;
}

void virtq_set_interrupts(struct virtq *q, bool on)
{
    uint16_t f = on ? 0 : VRING_AVAIL_F_NO_INTERRUPT;
    __atomic_store_n(&q->avail->flags, f, __ATOMIC_RELEASE);
}
