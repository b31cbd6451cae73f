/* SPDX-License-Identifier: ISC */
/* Finding Xen and installing its hypercall page: the few lines of x86
 * (CPUID, WRMSR) that are Xen's interface rather than the architecture's
 * (port.h leaves them out on purpose), and the small hypercalls the other
 * files share. */
#include <port.h>

#include <xen/arch-x86/cpuid.h>
#include <xen/event_channel.h>
#include <xen/hvm/hvm_op.h>
#include <xen/sched.h>

#include "hypercall.h"

uint8_t *xen_hypercall_page;

static void cpuid(uint32_t leaf, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}

/* The base of Xen's leaves, or 0. Leaf base gives in eax the highest
 * leaf; base + 2 (the hypercall page MSR) must be among them. */
static uint32_t xen_cpuid_base(void)
{
    for (uint32_t base = XEN_CPUID_FIRST_LEAF; base < XEN_CPUID_FIRST_LEAF + 0x10000;
         base += 0x100) {
        uint32_t r[4];
        cpuid(base, r);
        if (r[1] == XEN_CPUID_SIGNATURE_EBX && r[2] == XEN_CPUID_SIGNATURE_ECX &&
            r[3] == XEN_CPUID_SIGNATURE_EDX && r[0] - base >= 2)
            return base;
    }
    return 0;
}

bool xen_hypercall_init(void)
{
    uint32_t base = xen_cpuid_base();
    if (base == 0)
        return false;
    uint64_t phys;
    uint8_t *page = port_page_alloc(1, &phys);
    if (page == NULL)
        return false;
    /* Leaf base + 2: eax = number of hypercall pages, ebx = the MSR to
     * which the guest writes each page's physical address (cpuid.h). Xen
     * fills the page with a call stub per hypercall (vmcall or vmmcall). */
    uint32_t r[4];
    cpuid(base + 2, r);
    __asm__ volatile("wrmsr"
                     :
                     : "c"(r[1]), "a"((uint32_t)phys), "d"((uint32_t)(phys >> 32))
                     : "memory");
    xen_hypercall_page = page;
    return true;
}

_Noreturn void xen_shutdown(unsigned reason)
{
    struct sched_shutdown s = {.reason = reason};
    for (;;)
        xen_sched_op(SCHEDOP_shutdown, &s);
}

void xen_yield(void)
{
    xen_sched_op(SCHEDOP_yield, NULL);
}

long xen_get_param(uint32_t index, uint64_t *value)
{
    struct xen_hvm_param p = {.domid = DOMID_SELF, .index = index};
    long rc = xen_hvm_op(HVMOP_get_param, &p);
    *value = p.value;
    return rc;
}

void xen_notify(uint32_t port)
{
    struct evtchn_send s = {.port = port};
    xen_event_channel_op(EVTCHNOP_send, &s);
}
