/* SPDX-License-Identifier: ISC */
/* The baseline for boot-time benchmarks (bench/qemu.py): a PVH kernel
 * whose first instruction ends the VM through isa-debug-exit, so QEMU
 * start to exit measures QEMU itself (firmware, loading, device set-up)
 * and nothing of mirari. Linked with bench/qemu-null.ld. */
	.section .note.pvh, "a", @note
	.balign 4
	.long 4, 8, 18          /* "Xen", 8-byte descriptor, XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.balign 4
	.quad start

	.text
	.code32
	.globl start
start:
	movl $1, %eax           /* exit status 0 in the mapping of platform/x86_64/exit.c */
	outl %eax, $0xf4
	cli
1:	hlt
	jmp 1b

	.section .note.GNU-stack, "", @progbits
