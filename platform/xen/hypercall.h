/* SPDX-License-Identifier: ISC */
/* Xen hypercalls from a PVH guest, and what the files of platform/xen
 * share. The ABI comes from Xen's public headers as Debian's libxen-dev
 * installs them (mk/qemu.mk puts them on the include path and pins
 * __XEN_INTERFACE_VERSION__); they compile freestanding. */
#ifndef MIRARI_XEN_HYPERCALL_H
#define MIRARI_XEN_HYPERCALL_H

#include <stdbool.h>
#include <stdint.h>

#include <port.h>

#include <xen/xen.h>

/* hypercall.c: "XenVMMXenVMM" at CPUID 0x40000000 + k * 0x100 (Xen's
 * arch-x86/cpuid.h; other hypervisors' leaves may come first, as under a
 * Hyper-V-compatible Xen), then the hypercall page installed through the
 * MSR leaf base + 2 names. False when not on Xen or the page could not be
 * had. */
bool xen_hypercall_init(void);
extern uint8_t *xen_hypercall_page;

/* A hypercall through the page: entry nr is 32 bytes at nr * 32 (xen.h,
 * "hypercall page"); on x86_64 the arguments go in rdi, rsi, rdx and the
 * result comes back in rax. Xen's debug builds scribble on the argument
 * registers, hence their "+r". Called with interrupts off, from ring 0;
 * the kernel is compiled with -mno-red-zone, so a call in an asm is
 * safe. */
static inline long xen_hypercall3(unsigned nr, uint64_t a1, uint64_t a2, uint64_t a3)
{
    register uint64_t rdi __asm__("rdi") = a1;
    register uint64_t rsi __asm__("rsi") = a2;
    register uint64_t rdx __asm__("rdx") = a3;
    long ret;
    __asm__ volatile("call *%[entry]"
                     : "=a"(ret), "+r"(rdi), "+r"(rsi), "+r"(rdx)
                     : [entry] "r"(xen_hypercall_page + nr * 32)
                     : "memory", "rcx", "r8", "r9", "r10", "r11");
    return ret;
}

static inline long xen_sched_op(int cmd, void *arg)
{
    return xen_hypercall3(__HYPERVISOR_sched_op, (uint64_t)cmd, (uintptr_t)arg, 0);
}
static inline long xen_memory_op(int cmd, void *arg)
{
    return xen_hypercall3(__HYPERVISOR_memory_op, (uint64_t)cmd, (uintptr_t)arg, 0);
}
static inline long xen_hvm_op(int op, void *arg)
{
    return xen_hypercall3(__HYPERVISOR_hvm_op, (uint64_t)op, (uintptr_t)arg, 0);
}
static inline long xen_event_channel_op(int cmd, void *arg)
{
    return xen_hypercall3(__HYPERVISOR_event_channel_op, (uint64_t)cmd, (uintptr_t)arg, 0);
}
static inline long xen_vcpu_op(int cmd, unsigned vcpu, void *arg)
{
    return xen_hypercall3(__HYPERVISOR_vcpu_op, (uint64_t)cmd, vcpu, (uintptr_t)arg);
}

/* SCHEDOP_shutdown with this reason (xen/sched.h SHUTDOWN_*). */
_Noreturn void xen_shutdown(unsigned reason);
/* SCHEDOP_yield: let the other domains (dom0's console daemon) run. */
void xen_yield(void);
/* HVMOP_get_param of this domain: 0 and *value, or a negative Xen errno. */
long xen_get_param(uint32_t index, uint64_t *value);
/* EVTCHNOP_send: notify the other end of the channel. */
void xen_notify(uint32_t port);

/* event.c: shared_info mapped (XENMAPSPACE_shared_info), the upcall
 * vector, VIRQ_TIMER bound; the one-shot timer on Xen's system time. */
extern struct shared_info *xen_shared;
void xen_events_init(void);
/* Call fn(arg) from the upcall when port is signalled, and unmask it;
 * with fn NULL, only unmask it: its events then just end the idle halt.
 * 0, or -1 when the (small) handler table is full. */
int xen_event_bind(uint32_t port, port_irq_fn fn, void *arg);
/* Mask port and forget its handler. */
void xen_event_unbind(uint32_t port);
/* EVTCHNOP_alloc_unbound: a new port of this domain that domain remote
 * may bind. 0 and *port, or a negative Xen errno. */
long xen_event_alloc_unbound(uint16_t remote, uint32_t *port);
void xen_timer_arm(uint64_t system_ns);
/* No wake-up by time until the next xen_timer_arm. */
void xen_timer_stop(void);

/* grant.c: let domain domid access the page at physical address phys
 * (read-only or writable) for good: 0 and its grant reference, or a
 * negative errno (-ENOSPC: the table is full). The table is mapped on
 * first use. */
int xen_grant(uint16_t domid, uint64_t phys, bool readonly, uint32_t *ref);

/* time.c: pvclock (vcpu_time_info in shared_info) and the wall clock. */
uint64_t xen_system_time(void);
void xen_time_init(void);
uint64_t xen_monotonic_ns(void);
uint64_t xen_wall_ns(void);
void xen_timer_arm_monotonic(uint64_t deadline_ns);

/* console.c: the PV console ring (port 0xE9 before it is up). */
void xen_console_init(void);
void xen_console_write(const char *buf, size_t len);
/* Wait (bounded) until the console daemon has read everything. */
void xen_console_flush(void);

#endif
