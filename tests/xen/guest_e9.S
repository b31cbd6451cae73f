/* SPDX-License-Identifier: ISC */
/* The nested Xen lab's test guest (tests/xen/lab.py): a PVH kernel that
 * writes one line to I/O port 0xE9, which Xen prints in `xl dmesg` when
 * booted with guest_loglvl=all, then crashes on purpose so the domain ends
 * as crashed. A triple fault would not do: Xen turns an HVM guest's triple
 * fault into a reboot (HVM_PARAM_TRIPLE_FAULT_REASON defaults to
 * SHUTDOWN_reboot, and xl restarts the domain), so the guest asks for the
 * crash itself with SCHEDOP_shutdown(SHUTDOWN_crash) through the hypercall
 * page. It stays in 32-bit protected mode, where Xen takes hypercall
 * arguments in %ebx, %ecx. Linked with guest_e9.ld. */
	.section .note.pvh, "a", @note
	.balign 4
	.long 4, 8, 18          /* "Xen", 8-byte descriptor, XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.balign 4
	.quad start

	.set HYPERVISOR_sched_op, 29
	.set SCHEDOP_shutdown, 2
	.set SHUTDOWN_crash, 3

	.text
	.code32
	.globl start
start:
	movl $stack_top, %esp   /* PVH entry gives no stack */
	movl $msg, %esi
	movl $(msg_end - msg), %ecx
	movw $0xe9, %dx
	rep outsb               /* Xen's debug port prints a line at '\n' */

	/* Find Xen's CPUID leaves ("XenVMMXenVMM" at 0x40000000 + k * 0x100);
	 * leaf base + 2 gives in %ebx the MSR that installs the hypercall page. */
	movl $0x40000000, %esi
1:	movl %esi, %eax
	cpuid
	cmpl $0x566e6558, %ebx  /* "XenV" */
	jne 2f
	cmpl $0x65584d4d, %ecx  /* "MMXe" */
	jne 2f
	cmpl $0x4d4d566e, %edx  /* "nVMM" */
	je 3f
2:	addl $0x100, %esi
	cmpl $0x40010000, %esi
	jb 1b
	ud2                     /* not on Xen */
3:	leal 2(%esi), %eax
	cpuid
	movl %ebx, %ecx
	movl $hypercall_page, %eax
	xorl %edx, %edx
	wrmsr

	movl $SCHEDOP_shutdown, %ebx
	movl $shutdown_reason, %ecx
	call hypercall_page + HYPERVISOR_sched_op * 32
	ud2                     /* a crashed domain does not come back */

	.section .rodata
msg:
	.ascii "mirari-xen-lab: hello from domU\n"
msg_end:
	.balign 4
shutdown_reason:                /* struct sched_shutdown */
	.long SHUTDOWN_crash

	.bss
	.balign 4096
hypercall_page:
	.skip 4096
	.skip 1024
stack_top:

	.section .note.GNU-stack, "", @progbits
