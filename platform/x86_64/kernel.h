/* SPDX-License-Identifier: ISC */
/* Internal interfaces of the x86_64 PVH kernel (platform/x86_64). The
 * application and the runtime see only platform.h and the C library. */
#ifndef MIRARI_X86_KERNEL_H
#define MIRARI_X86_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"
#include "start_info.h"

/* console.c: COM1. */
void console_init(void);
void console_write(const char *buf, size_t len);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

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
/* Print a backtrace from a frame pointer (and the addr2line hint). */
void trap_backtrace(uint64_t rip, uint64_t rbp);

/* paging.c: the identity map built by boot.S. */
void paging_init(void);
/* Make one 4 KiB page absent (NULL and stack guards), splitting its 2 MiB
 * page. Returns 0 or -1 when no page table could be allocated. */
int paging_unmap(uintptr_t addr);
bool paging_is_mapped(uintptr_t addr);

/* mm.c: physical memory, brk and mmap. */
void mm_init(void);
/* Zeroed, page-aligned, physically contiguous; NULL when out of memory. */
void *page_alloc(size_t npages);
uint64_t mm_top(void); /* end of the highest usable RAM */
long sys_brk(uint64_t addr);
long sys_mmap(uint64_t addr, uint64_t len, int prot, int flags, int fd, uint64_t off);
long sys_munmap(uint64_t addr, uint64_t len);

/* clock.c */
void clock_init(void);
uint64_t clock_monotonic_ns(void);
uint64_t clock_wall_ns(void);
uint64_t clock_boot_tsc(void); /* TSC at kernel entry */

/* rtc.c: seconds since the epoch from the CMOS clock; CMOS registers. */
int64_t rtc_read(void);
uint8_t cmos_read(uint8_t reg);

/* irq.c: the 8259 PICs behind the LAPIC's virtual wire. */
void irq_init(void);
typedef void (*irq_handler)(void *arg);
void irq_set_handler(unsigned irq, irq_handler fn, void *arg);
void irq_dispatch(unsigned irq);

/* idle.c: PIT channel 0 as a one-shot wake-up (irq.c arms it first). */
void pit_oneshot(uint32_t ticks);
#define PIT_HZ 1193182u

/* idle.c: halt until an interrupt or the deadline (monotonic ns). */
void idle_until(uint64_t deadline_ns);

/* syscall.c */
void syscall_init(void);

/* random.c */
void random_bytes(void *buf, size_t n);

/* exit.c */
_Noreturn void kernel_exit(int status);
/* Exit as a crash (exit.c explains the status mapping). */
_Noreturn void kernel_crash(void);
_Noreturn void kernel_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* start.c */
extern const char *kernel_name; /* argv[0] */
/* The command-line words the kernel kept for itself (kernel_params.h). */
extern const char *kernel_params[];
extern size_t nkernel_params;
/* The application stack's guard page (for the "stack overflow" hint). */
extern uintptr_t stack_guard;

/* Linker script symbols. */
extern char __ehdr_start[], __text_start[], __etext[], __bss_start[], __bss_end[], __image_end[];

#endif
