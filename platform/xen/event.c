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
 * The handler acknowledges every pending, unmasked event (clearing
 * evtchn_upcall_pending, the selector and the pending bits, without which
 * Xen raises no new upcall for those channels: its 2-level set_pending
 * notifies only on a 0 -> 1 change) and calls the handler bound to its
 * port, if any. The timer's port has none: the upcall itself ends the
 * halt, and the kernel's wait loops re-read the clock and ask the
 * devices. Handlers are few (xenstore, a netfront), so they sit in a
 * small table searched by port rather than one slot per possible port
 * (4096 on x86_64). */
#include <port.h>

#include <xen/event_channel.h>
#include <xen/hvm/hvm_op.h>
#include <xen/memory.h>
#include <xen/vcpu.h>

#include "hypercall.h"

struct shared_info *xen_shared;

#define WORD_BITS    (8 * sizeof(xen_ulong_t))
#define MAX_HANDLERS 8

static struct {
    uint32_t port;
    port_irq_fn fn;
    void *arg;
} handlers[MAX_HANDLERS];
static unsigned nhandlers;

static void dispatch(uint32_t port)
{
    for (unsigned i = 0; i < nhandlers; i++)
        if (handlers[i].port == port)
            handlers[i].fn(handlers[i].arg);
}

static void upcall(void *arg)
{
    (void)arg;
    struct vcpu_info *v = &xen_shared->vcpu_info[0];
    /* Clear the flag before the selector: an event set after this raises
     * the upcall again (xen.h, vcpu_info). */
    __atomic_store_n(&v->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
    xen_ulong_t sel = __atomic_exchange_n(&v->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
    while (sel != 0) {
        unsigned w = (unsigned)__builtin_ctzl(sel);
        sel &= sel - 1;
        /* Take the unmasked bits only: a masked port stays pending, to be
         * delivered when it is unmasked (EVTCHNOP_unmask re-raises it). */
        xen_ulong_t bits = __atomic_fetch_and(&xen_shared->evtchn_pending[w],
                                              xen_shared->evtchn_mask[w], __ATOMIC_SEQ_CST) &
                           ~xen_shared->evtchn_mask[w];
        while (bits != 0) {
            unsigned b = (unsigned)__builtin_ctzl(bits);
            bits &= bits - 1;
            dispatch(w * WORD_BITS + b);
        }
    }
}

static void must(long rc, const char *what)
{
    if (rc < 0)
        port_panic("Xen %s failed: error %ld", what, rc);
}

static void unmask(uint32_t port)
{
    /* EVTCHNOP_unmask rather than clearing the bit here: Xen then raises
     * an upcall for an event that arrived while the port was masked. */
    struct evtchn_unmask u = {.port = port};
    xen_event_channel_op(EVTCHNOP_unmask, &u);
}

int xen_event_bind(uint32_t port, port_irq_fn fn, void *arg)
{
    if (fn != NULL) {
        if (nhandlers == MAX_HANDLERS)
            return -1;
        handlers[nhandlers++] = (typeof(handlers[0])){.port = port, .fn = fn, .arg = arg};
    }
    unmask(port);
    return 0;
}

void xen_event_unbind(uint32_t port)
{
    __atomic_fetch_or(&xen_shared->evtchn_mask[port / WORD_BITS],
                      (xen_ulong_t)1 << (port % WORD_BITS), __ATOMIC_SEQ_CST);
    for (unsigned i = 0; i < nhandlers; i++)
        if (handlers[i].port == port)
            handlers[i--] = handlers[--nhandlers];
}

long xen_event_alloc_unbound(uint16_t remote, uint32_t *port)
{
    struct evtchn_alloc_unbound a = {.dom = DOMID_SELF, .remote_dom = remote};
    long rc = xen_event_channel_op(EVTCHNOP_alloc_unbound, &a);
    *port = a.port;
    return rc;
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

void xen_timer_stop(void)
{
    xen_vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL);
}
