/* SPDX-License-Identifier: ISC */
/* Xen's shared_info page and its events: what wakes the idle halt.
 *
 * shared_info (xen.h) carries the 2-level event channel bitmaps and vCPU
 * 0's vcpu_info (pending flags and its pvclock); a PVH guest maps it
 * over one of its own frames with XENMEM_add_to_physmap
 * (XENMAPSPACE_shared_info). Events reach vCPU 0 as the local APIC
 * vector given with HVMOP_set_evtchn_upcall_vector (the per-vCPU upcall,
 * which wants an EOI: the architecture sends it). The wake-up timer is
 * Xen's one-shot (VCPUOP_set_singleshot_timer, vcpu.h), which raises
 * VIRQ_TIMER on its bound channel.
 *
 * The handler does not dispatch: it acknowledges every pending event
 * (clearing evtchn_upcall_pending, the selector, and the pending bits,
 * without which Xen raises no new upcall for those channels: its
 * 2-level set_pending notifies only on a 0 -> 1 change) and returns. The
 * halt is over; the kernel's wait loops re-read the clock and ask the
 * devices. */
#include <port.h>

#include <xen/event_channel.h>
#include <xen/hvm/hvm_op.h>
#include <xen/memory.h>
#include <xen/vcpu.h>

#include "hypercall.h"

struct shared_info *xen_shared;

static void upcall(void *arg)
{
    (void)arg;
    struct vcpu_info *v = &xen_shared->vcpu_info[0];
    /* Clear the flag before the selector: an event set after this raises
     * the upcall again (xen.h, vcpu_info). */
    __atomic_store_n(&v->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
    xen_ulong_t sel = __atomic_exchange_n(&v->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
    while (sel != 0) {
        unsigned i = (unsigned)__builtin_ctzl(sel);
        sel &= sel - 1;
        __atomic_store_n(&xen_shared->evtchn_pending[i], 0, __ATOMIC_SEQ_CST);
    }
}

static void must(long rc, const char *what)
{
    if (rc < 0)
        port_panic("Xen %s failed: error %ld", what, rc);
}

static void unmask(uint32_t port)
{
    __atomic_fetch_and(&xen_shared->evtchn_mask[port / (8 * sizeof(xen_ulong_t))],
                       ~((xen_ulong_t)1 << (port % (8 * sizeof(xen_ulong_t)))), __ATOMIC_SEQ_CST);
}

void xen_events_init(void)
{
    uint64_t phys;
    struct shared_info *page = port_page_alloc(1, &phys);
    if (page == NULL)
        port_panic("no memory for Xen's shared_info");
    struct xen_add_to_physmap map = {
        .domid = DOMID_SELF,
        .space = XENMAPSPACE_shared_info,
        .idx = 0,
        .gpfn = phys / PORT_PAGE_SIZE,
    };
    must(xen_memory_op(XENMEM_add_to_physmap, &map), "XENMEM_add_to_physmap(shared_info)");
    xen_shared = page;

    int vector = port_irq_vector(upcall, NULL);
    if (vector < 0)
        port_panic("no interrupt vector for Xen's upcall");
    struct xen_hvm_evtchn_upcall_vector up = {.vcpu = 0, .vector = (uint8_t)vector};
    must(xen_hvm_op(HVMOP_set_evtchn_upcall_vector, &up), "HVMOP_set_evtchn_upcall_vector");

    struct evtchn_bind_virq bind = {.virq = VIRQ_TIMER, .vcpu = 0};
    must(xen_event_channel_op(EVTCHNOP_bind_virq, &bind), "EVTCHNOP_bind_virq(VIRQ_TIMER)");
    unmask(bind.port);
    /* Only the one-shot timer wakes us, not a periodic tick (PV vCPUs
     * start with one; harmless to stop where there is none). */
    xen_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
    xen_shared->vcpu_info[0].evtchn_upcall_mask = 0;
}

void xen_timer_arm(uint64_t system_ns)
{
    /* Without VCPU_SSHOTTMR_future a time already past fires at once. */
    struct vcpu_set_singleshot_timer t = {.timeout_abs_ns = system_ns, .flags = 0};
    xen_vcpu_op(VCPUOP_set_singleshot_timer, 0, &t);
}
