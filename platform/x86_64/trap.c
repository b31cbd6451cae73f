/* SPDX-License-Identifier: ISC */
/* Exceptions: a register dump, a backtrace and a distinct exit status.
 * Interrupts go on to irq.c. */
#include "kernel.h"
#include "ksyms.h"
#include "x86.h"

static const char *const names[32] = {
    "#DE divide error",
    "#DB debug",
    "NMI",
    "#BP breakpoint",
    "#OF overflow",
    "#BR bound range",
    "#UD invalid opcode",
    "#NM device not available",
    "#DF double fault",
    "coprocessor segment overrun",
    "#TS invalid TSS",
    "#NP segment not present",
    "#SS stack fault",
    "#GP general protection",
    "#PF page fault",
    "reserved",
    "#MF x87 floating point",
    "#AC alignment check",
    "#MC machine check",
    "#XM SIMD floating point",
    "#VE virtualization",
    "#CP control protection",
};

static void print_addr(uint64_t addr)
{
    uint64_t off;
    const char *name = ksym_lookup(ksym_table(), addr, &off);
    if (name)
        port_log("0x%lx <%s+0x%lx>", addr, name, off);
    else
        port_log("0x%lx", addr);
}

static bool plausible_frame(uint64_t rbp, uint64_t prev)
{
    return rbp > prev && rbp % 8 == 0 && rbp >= PAGE_SIZE && rbp + 16 <= port_mem_top() &&
           paging_is_mapped(rbp) && paging_is_mapped(rbp + 15);
}

static bool in_text(uint64_t a)
{
    return a >= (uintptr_t)__text_start && a < (uintptr_t)__etext;
}

void trap_backtrace(uint64_t rip, uint64_t rbp)
{
    uint64_t pcs[24];
    size_t n = 0;
    pcs[n++] = rip;
    uint64_t prev = 0;
    /* Frame pointers: [rbp] = caller's rbp, [rbp + 8] = return address.
     * The runtime and kernel keep them; musl's code does not, so the chain
     * may skip or end inside the C library. */
    while (n < sizeof pcs / sizeof pcs[0] && plausible_frame(rbp, prev)) {
        const uint64_t *fp = (const uint64_t *)rbp;
        if (!in_text(fp[1]))
            break;
        pcs[n++] = fp[1];
        prev = rbp;
        rbp = fp[0];
    }
    port_log("backtrace:\n");
    for (size_t i = 0; i < n; i++) {
        /* Deep recursion: one line for a run of the same return address. */
        size_t same = 0;
        while (i > 0 && i + same + 1 < n && pcs[i + same + 1] == pcs[i])
            same++;
        if (same > 1)
            port_log("  #%zu-%zu ", i, i + same);
        else
            port_log("  #%zu ", i);
        /* Symbolise return addresses by the call instruction before them. */
        uint64_t off;
        const char *name = ksym_lookup(ksym_table(), i ? pcs[i] - 1 : pcs[i], &off);
        if (name)
            port_log("0x%lx <%s+0x%lx>", pcs[i], name, i ? off + 1 : off);
        else
            port_log("0x%lx", pcs[i]);
        if (same > 1) {
            port_log(" (the same %zu times)", same + 1);
            i += same;
        }
        port_log("\n");
    }
    if (!ksym_table()) {
        port_log("symbolise with: addr2line -f -e %s.pvh", kernel_name);
        for (size_t i = 0; i < n; i++)
            port_log(" 0x%lx", i ? pcs[i] - 1 : pcs[i]);
        port_log("\n");
    }
}

static void exception(const struct trap_frame *f)
{
    static bool dumping;
    if (dumping) {
        /* A fault while dumping a fault: stop before it loops. */
        port_log("mirari: exception %lu while reporting an exception\n", f->vector);
        kernel_crash();
    }
    dumping = true;

    port_log("\nmirari: unhandled exception %lu (%s), error code 0x%lx, at ", f->vector,
             f->vector < 32 && names[f->vector] ? names[f->vector] : "reserved", f->error);
    print_addr(f->rip);
    port_log("\n");
    if (f->vector == 14) {
        uint64_t cr2 = read_cr2();
        /* Error code bits (SDM vol. 3, 4.7): P, W/R, U/S, RSVD, I/D. */
        port_log("  cr2 0x%016lx: %s of %s address%s\n", cr2,
                 f->error & 16  ? "instruction fetch"
                 : f->error & 2 ? "write"
                                : "read",
                 f->error & 1 ? "a protected" : "an unmapped",
                 cr2 < PAGE_SIZE                                ? " (NULL pointer dereference)"
                 : stack_guard && cr2 - stack_guard < PAGE_SIZE ? " (stack overflow)"
                                                                : "");
    }
    port_log("  rax %016lx  rbx %016lx  rcx %016lx  rdx %016lx\n", f->rax, f->rbx, f->rcx, f->rdx);
    port_log("  rsi %016lx  rdi %016lx  rbp %016lx  rsp %016lx\n", f->rsi, f->rdi, f->rbp, f->rsp);
    port_log("  r8  %016lx  r9  %016lx  r10 %016lx  r11 %016lx\n", f->r8, f->r9, f->r10, f->r11);
    port_log("  r12 %016lx  r13 %016lx  r14 %016lx  r15 %016lx\n", f->r12, f->r13, f->r14, f->r15);
    port_log("  rip %016lx  rflags %08lx  cs %04lx  ss %04lx  cr3 %08lx\n", f->rip, f->rflags,
             f->cs, f->ss, read_cr3());
    trap_backtrace(f->rip, f->rbp);
    kernel_crash();
}

void trap_dispatch(struct trap_frame *f)
{
    if (f->vector < 32) {
        exception(f);
        return;
    }
    /* An interrupt taken between the idle halt's sti and its hlt: resume
     * after the hlt, or it would sleep past this interrupt (isr.S). */
    if (f->rip == (uintptr_t)cpu_idle_hlt)
        f->rip = (uintptr_t)cpu_idle_woken;
    if (f->vector < 48)
        irq_dispatch((unsigned)(f->vector - 32));
    else if (f->vector == IRQ_VECTOR)
        irq_vector_dispatch();
    /* 255: the LAPIC's spurious vector needs no EOI. */
}
