/* SPDX-License-Identifier: ISC */
/* Interrupt and exception entry stubs. Each pushes an error code (the
 * CPU's, or 0) and the vector, then the common code saves every general
 * register into a struct trap_frame (kernel.h) and calls trap_dispatch. */

#include "layout.h"

	.text

.macro VEC_NOERR n
	.balign 16
isr_\n:
	pushq $0
	pushq $\n
	jmp isr_common
.endm

.macro VEC_ERR n
	.balign 16
isr_\n:
	pushq $\n
	jmp isr_common
.endm

/* Vectors that push an error code: #DF 8, #TS 10, #NP 11, #SS 12, #GP 13,
 * #PF 14, #AC 17, #CP 21, #VC 29, #SX 30 (Intel SDM vol. 3, table 6-1). */
VEC_NOERR 0
VEC_NOERR 1
VEC_NOERR 2
VEC_NOERR 3
VEC_NOERR 4
VEC_NOERR 5
VEC_NOERR 6
VEC_NOERR 7
VEC_ERR 8
VEC_NOERR 9
VEC_ERR 10
VEC_ERR 11
VEC_ERR 12
VEC_ERR 13
VEC_ERR 14
VEC_NOERR 15
VEC_NOERR 16
VEC_ERR 17
VEC_NOERR 18
VEC_NOERR 19
VEC_NOERR 20
VEC_ERR 21
VEC_NOERR 22
VEC_NOERR 23
VEC_NOERR 24
VEC_NOERR 25
VEC_NOERR 26
VEC_NOERR 27
VEC_NOERR 28
VEC_ERR 29
VEC_ERR 30
VEC_NOERR 31
/* The 16 legacy PIC lines, remapped to 32-47, and the LAPIC's spurious
 * vector. */
VEC_NOERR 32
VEC_NOERR 33
VEC_NOERR 34
VEC_NOERR 35
VEC_NOERR 36
VEC_NOERR 37
VEC_NOERR 38
VEC_NOERR 39
VEC_NOERR 40
VEC_NOERR 41
VEC_NOERR 42
VEC_NOERR 43
VEC_NOERR 44
VEC_NOERR 45
VEC_NOERR 46
VEC_NOERR 47
VEC_NOERR 48 /* IRQ_VECTOR (kernel.h): a hypervisor's upcall */
VEC_NOERR 255

isr_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi
	/* Keep the frame-pointer chain walkable from C: a fake frame whose
	 * return address is the interrupted %rip. */
	pushq 17*8(%rdi)            /* frame->rip */
	pushq %rbp
	movq %rsp, %rbp
	andq $-16, %rsp
	call trap_dispatch
	movq %rbp, %rsp
	addq $16, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp              /* vector and error code */
	iretq

/* The idle halt (cpu_idle_halt(), kernel.h): interrupts are enabled for
 * the hlt alone. On a real CPU `sti` holds interrupts off for one more
 * instruction, so one that is already pending is taken at the hlt and
 * ends it. An emulated CPU can deliver it between the two (seen with Xen
 * nested under QEMU's TCG); the handler would then return to the hlt,
 * which sleeps past the event it just consumed. trap_dispatch moves an
 * interrupt taken at cpu_idle_hlt to cpu_idle_woken, so either way the
 * interrupt ends the halt. */
	.text
	.globl cpu_idle_halt, cpu_idle_hlt, cpu_idle_woken
cpu_idle_halt:
	sti
cpu_idle_hlt:
	hlt
cpu_idle_woken:
	cli
	ret

/* The table idt.c installs: the address of each stub, vectors 0-48, then
 * the spurious vector. */
	.section .rodata
	.balign 8
	.globl isr_table
isr_table:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad isr_\n
	.endr
	.irp n, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48
	.quad isr_\n
	.endr
	.quad isr_255

	.section .note.GNU-stack, "", @progbits
