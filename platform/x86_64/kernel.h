/* SPDX-License-Identifier: ISC */
/* Internal interfaces of the x86_64 PVH kernel (platform/x86_64). The
 * application and the runtime see only platform.h and the C library;
 * drivers and the kernel's composition (platform/pvh) see port.h, which
 * this kernel implements and uses itself (port_log, port_panic,
 * port_page_alloc, ...). */
#ifndef MIRARI_X86_KERNEL_H
#define MIRARI_X86_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <port.h>

#include "layout.h"
#include "start_info.h"

/* machine.c: the machine chosen at boot (platform/include/machine.h),
 * and the calls that go through it. */
void machine_init(void);
void console_write(const char *buf, size_t len);
uint64_t clock_monotonic_ns(void);
uint64_t clock_wall_ns(void);
_Noreturn void kernel_exit(int status);
/* Exit as a crash (exit.c explains the status mapping on the PC). */
_Noreturn void kernel_crash(void);
/* port_idle_until() is machine.c's too. */

/* The emulated PC's devices, machine.c's default machine. */
/* console.c: COM1. */
void console_init(void);
void com1_write(const char *buf, size_t len);
/* port_log() is console.c's too. */

/* bootinfo.c: the loader's data, copied out of low memory. */
#define BOOT_MEMMAP_MAX  64
#define BOOT_CMDLINE_MAX 2048
struct boot_info {
    uint32_t version;
    uint64_t rsdp;
    struct hvm_memmap_entry memmap[BOOT_MEMMAP_MAX];
    size_t nmemmap;
    char cmdline[BOOT_CMDLINE_MAX];
};
extern struct boot_info boot;
void bootinfo_copy(uint32_t start_info_pa);

/* cpu.c, idt.c */
void cpu_init(void);
void idt_init(void);

/* trap.c: what isr.S saves. */
struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};
void trap_dispatch(struct trap_frame *f);
/* isr.S: halt with interrupts enabled for the hlt only (`sti; hlt; cli`),
 * ended by any interrupt, even one an emulated CPU delivers before the
 * hlt (trap_dispatch then resumes at cpu_idle_woken). */
void cpu_idle_halt(void);
extern const char cpu_idle_hlt[], cpu_idle_woken[];
/* Print a backtrace from a frame pointer (and the addr2line hint). */
void trap_backtrace(uint64_t rip, uint64_t rbp);

/* paging.c: the identity map built by boot.S. */
void paging_init(void);
/* Make one 4 KiB page absent (NULL and stack guards), splitting its 2 MiB
 * page. Returns 0 or -1 when no page table could be allocated. */
int paging_unmap(uintptr_t addr);
bool paging_is_mapped(uintptr_t addr);

/* mm.c: physical memory, brk and mmap (and port_page_alloc,
 * port_mem_top). */
void mm_init(void);
long sys_brk(uint64_t addr);
long sys_mmap(uint64_t addr, uint64_t len, int prot, int flags, int fd, uint64_t off);
long sys_munmap(uint64_t addr, uint64_t len);

/* clock.c: kvmclock or the TSC; the CMOS wall clock. */
void clock_init(void);
uint64_t tsc_monotonic_ns(void);
uint64_t tsc_wall_ns(void);
uint64_t clock_boot_tsc(void); /* TSC at kernel entry */

/* rtc.c: seconds since the epoch from the CMOS clock; CMOS registers. */
int64_t rtc_read(void);
uint8_t cmos_read(uint8_t reg);

/* irq.c: the 8259 PICs behind the LAPIC's virtual wire (and
 * port_irq_register); the LAPIC's upcall vector (port_irq_vector). */
void lapic_init(void);
void pic_init(void);
void irq_dispatch(unsigned irq);
#define IRQ_VECTOR 48 /* after the PICs' 32-47 */
void irq_vector_dispatch(void);

/* idle.c: PIT channel 0 as a one-shot wake-up, which pic_init() and
 * pit_arm() (the PC's timer_arm) arm. */
void pit_oneshot(uint32_t ticks);
void pit_arm(uint64_t deadline_ns);
#define PIT_HZ 1193182u

/* syscall.c */
void syscall_init(void);

/* exit.c: isa-debug-exit (the PC's exit and crash; neither returns). */
void pc_exit(int status);
void pc_crash(void);
/* port_panic() is exit.c's too; port_random_bytes() is random.c's. */

/* start.c */
extern const char *kernel_name; /* argv[0] */
/* port_kernel_param() gives the words start.c kept (kernel_params.h). */
/* The application stack's guard page (for the "stack overflow" hint). */
extern uintptr_t stack_guard;

/* Linker script symbols. */
extern char __ehdr_start[], __text_start[], __etext[], __bss_start[], __bss_end[], __image_end[];

#endif
