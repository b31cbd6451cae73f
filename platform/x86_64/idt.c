/* SPDX-License-Identifier: ISC */
/* The interrupt descriptor table: exceptions 0-31 on the IST stack,
 * the PIC's lines 32-47, the upcall vector 48 and the LAPIC's spurious
 * vector 255 on the current
 * (kernel) stack. Interrupts are enabled only inside the idle halt
 * (idle.c), so they never land on application code and its red zone. */
#include "kernel.h"

struct idt_gate {
    uint16_t off0;
    uint16_t sel;
    uint8_t ist;
    uint8_t type; /* 0x8e: present, DPL 0, 64-bit interrupt gate */
    uint16_t off1;
    uint32_t off2;
    uint32_t zero;
} __attribute__((packed));

static struct idt_gate idt[256] __attribute__((aligned(16)));
extern const uint64_t isr_table[50];

static void set_gate(unsigned vec, uint64_t handler, uint8_t ist)
{
    idt[vec] = (struct idt_gate){
        .off0 = handler & 0xffff,
        .sel = GDT_KCODE,
        .ist = ist,
        .type = 0x8e,
        .off1 = (handler >> 16) & 0xffff,
        .off2 = handler >> 32,
    };
}

void idt_init(void)
{
    for (unsigned v = 0; v < 32; v++)
        set_gate(v, isr_table[v], 1);
    for (unsigned v = 32; v <= IRQ_VECTOR; v++)
        set_gate(v, isr_table[v], 0);
    set_gate(255, isr_table[IRQ_VECTOR + 1], 0);

    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) desc = {sizeof idt - 1, (uintptr_t)idt};
    __asm__ volatile("lidt %0" : : "m"(desc));
}
