/* SPDX-License-Identifier: ISC */
/* Grant tables, version 1 (xen/grant_table.h): how the guest lets another
 * domain (dom0's netback) read or write some of its pages. The table's
 * frames are mapped over frames of our own with XENMEM_add_to_physmap
 * (XENMAPSPACE_grant_table, frame i at idx i; Xen grows the table to
 * cover i), as shared_info is. Entry r says: domain domid may access
 * frame gfn, read-only or not.
 *
 * Grants are made once at start-up (the rings, the packet buffers) and
 * kept: device memory is never freed (port.h), so refs are handed out by
 * a bump allocator after the entries reserved for the toolstack
 * (GNTTAB_NR_RESERVED_ENTRIES: the console's and xenstore's). */
#include <errno.h>

#include <port.h>

#include <xen/grant_table.h>
#include <xen/memory.h>

#include "hypercall.h"

/* 4 frames of 512 entries: the rings and up to ~2000 buffers, more than
 * one netfront uses; Xen's default limit for a domU is 64 frames. */
#define FRAMES  4
#define ENTRIES (FRAMES * PORT_PAGE_SIZE / sizeof(grant_entry_v1_t))

static grant_entry_v1_t *table;
static grant_ref_t next_ref = GNTTAB_NR_RESERVED_ENTRIES;

static int init(void)
{
    uint64_t phys;
    grant_entry_v1_t *t = port_page_alloc(FRAMES, &phys);
    if (t == NULL)
        return -ENOMEM;
    for (unsigned i = 0; i < FRAMES; i++) {
        struct xen_add_to_physmap map = {
            .domid = DOMID_SELF,
            .space = XENMAPSPACE_grant_table,
            .idx = i,
            .gpfn = phys / PORT_PAGE_SIZE + i,
        };
        long rc = xen_memory_op(XENMEM_add_to_physmap, &map);
        if (rc < 0) {
            port_log("mirari: XENMEM_add_to_physmap(grant table frame %u) failed: %ld\n", i, rc);
            return -EIO;
        }
    }
    table = t;
    return 0;
}

int xen_grant(uint16_t domid, uint64_t phys, bool readonly, uint32_t *ref)
{
    if (table == NULL) {
        int err = init();
        if (err < 0)
            return err;
    }
    if (next_ref == ENTRIES)
        return -ENOSPC;
    grant_entry_v1_t *e = &table[next_ref];
    e->domid = domid;
    e->frame = (uint32_t)(phys / PORT_PAGE_SIZE);
    /* The entry's domain and frame must be visible before the flags that
     * make it valid (grant_table.h, "Introducing a valid entry"): the
     * other domain may use it as soon as it sees GTF_permit_access. */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    __atomic_store_n(&e->flags, (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0)),
                     __ATOMIC_RELEASE);
    *ref = next_ref++;
    return 0;
}
