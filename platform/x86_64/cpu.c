/* SPDX-License-Identifier: ISC */
/* The CPU tables: the final GDT with a TSS, whose interrupt stack table
 * gives exceptions a stack of their own (a stack overflow then still gets
 * its register dump instead of a triple fault). */
#include <string.h>

#include "kernel.h"
#include "x86.h"

struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));

static struct tss tss;
static uint8_t ist1_stack[IST_STACK_SIZE] __attribute__((aligned(16)));

static uint64_t gdt[5] = {
    0,
    0x00af9a000000ffff, /* GDT_KCODE: 64-bit code, DPL 0 */
    0x00cf92000000ffff, /* GDT_KDATA */
    0,                  /* GDT_TSS: 16-byte system descriptor, filled in */
    0,
};

void cpu_init(void)
{
    tss.ist[0] = (uintptr_t)(ist1_stack + sizeof ist1_stack);
    tss.iomap_base = sizeof tss; /* no I/O permission bitmap */

    /* Intel SDM vol. 3, 8.2.3: TSS descriptor in long mode, type 9. */
    uint64_t base = (uintptr_t)&tss, limit = sizeof tss - 1;
    gdt[3] = (limit & 0xffff) | (base & 0xffffff) << 16 | 0x89ull << 40 |
             ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
    gdt[4] = base >> 32;

    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) desc = {sizeof gdt - 1, (uintptr_t)gdt};
    __asm__ volatile("lgdt %0" : : "m"(desc));
    __asm__ volatile("ltr %w0" : : "r"(GDT_TSS));
}
