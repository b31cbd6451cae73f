/* SPDX-License-Identifier: ISC */
/* PVH entry: from 32-bit protected mode to long mode, then into C.
 *
 * A PVH loader (QEMU -kernel, Xen type="pvh", Firecracker) finds the entry
 * point in the ELF note XEN_ELFNOTE_PHYS32_ENTRY and jumps there with
 * (xen docs/misc/pvh.pandoc):
 *   32-bit protected mode, paging off, flat 4 GiB code/data segments,
 *   CR0 = PE, CR4 = 0, interrupts off, %ebx = physical address of
 *   struct hvm_start_info; no stack, GDT or IDT we may rely on.
 * Nothing here may touch .bss before it is zeroed: some loaders (QEMU)
 * zero it, others need not.
 *
 * Multiboot2 entry: GRUB (the boot loader of `mirari image`'s disks, under
 * BIOS and UEFI) enters mb2_start32 in the same machine state, with %eax =
 * MB2_BOOTLOADER_MAGIC and %ebx = the boot information. There is no
 * Multiboot v1 header: QEMU's -kernel knows only v1 and would boot that
 * instead of the PVH note; v2's magic is one it does not look for. */

#include "layout.h"
#include "multiboot2.h"

/* The note. QEMU reads notes only through PT_NOTE program headers (the
 * linker script puts .note.pvh there) and, in an ELF64 file, takes the
 * descriptor as 8 bytes. */
	.section .note.pvh, "a", @note
	.balign 4
	.long 4                     /* namesz: "Xen\0" */
	.long 8                     /* descsz */
	.long 18                    /* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.balign 4
	.quad pvh_start32

/* The Multiboot2 header (specification 3.1): magic, architecture, length
 * and a checksum making the four sum to 0 mod 2^32, then 8-aligned tags.
 * The entry tag names mb2_start32; GRUB loads the ELF by its program
 * headers. The linker script puts it within the first 32 KiB. */
	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long 0x100000000 - (MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	.balign 8
	.short MB2_HEADER_TAG_ENTRY, 0
	.long 12
	.long mb2_start32
	.balign 8
	/* A framebuffer of any mode, optional. The kernel writes to the serial
	 * port only, but without this GRUB under UEFI, where there is no VGA
	 * text mode, warns that "no console will be available to OS". */
	.short MB2_HEADER_TAG_FB, MB2_HEADER_TAG_OPTIONAL
	.long 20
	.long 0, 0, 0               /* width, height, depth: no preference */
	.balign 8
	.short MB2_HEADER_TAG_END, 0
	.long 8
mb2_header_end:

	.section .text.boot, "ax"
	.code32
	.globl mb2_start32
	.type mb2_start32, @function
mb2_start32:
	cmpl $MB2_BOOTLOADER_MAGIC, %eax
	jne 1f
	/* .data, not .bss: the PVH path clears .bss before C reads this. */
	movl $BOOT_PROTOCOL_MB2, boot_protocol
	jmp pvh_start32
1:	hlt                         /* not a Multiboot2 loader: nothing to go on */
	jmp 1b
	.size mb2_start32, . - mb2_start32

	.globl pvh_start32
	.type pvh_start32, @function
pvh_start32:
	cld
	/* The TSC at entry: the origin of the monotonic clock, and how boot
	 * time is measured. Kept in esi:ebp while .bss is cleared. */
	rdtsc
	movl %eax, %esi
	movl %edx, %ebp
	/* %ebx (start_info) must survive until C; rep stos uses eax/ecx/edi. */
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	shrl $2, %ecx               /* the linker script aligns both ends to 8 */
	xorl %eax, %eax
	rep stosl
	movl %esi, boot_tsc
	movl %ebp, boot_tsc + 4

	movl $boot_stack_top, %esp

	/* Identity map the first 4 GiB with 2 MiB pages: PML4[0] -> PDPT,
	 * PDPT[0..3] -> four page directories of 512 entries each. MMIO (the
	 * IOAPIC/LAPIC near 0xfec00000, virtio-mmio at 0xfeb00000) lives in
	 * the last GiB, so all four are needed. */
	movl $x86_pdpt, %eax
	orl $(PTE_P | PTE_W), %eax
	movl %eax, x86_pml4

	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $12, %eax
	addl $x86_pd, %eax
	orl $(PTE_P | PTE_W), %eax
	movl %eax, x86_pdpt(, %ecx, 8)
	incl %ecx
	cmpl $4, %ecx
	jne 1b

	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $21, %eax
	orl $(PTE_P | PTE_W | PTE_PS), %eax
	movl %eax, x86_pd(, %ecx, 8)
	movl %ecx, %eax
	shrl $11, %eax              /* bits 32+ of the address: entry / 2048 */
	movl %eax, x86_pd + 4(, %ecx, 8)
	incl %ecx
	cmpl $(4 * 512), %ecx
	jne 2b

	movl $x86_pml4, %eax
	movl %eax, %cr3

	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4

	/* EFER: long mode, and SYSCALL (musl's system calls are `syscall`). */
	movl $MSR_EFER, %ecx
	rdmsr
	orl $(EFER_LME | EFER_SCE), %eax
	wrmsr

	movl %cr0, %eax
	orl $(CR0_PG | CR0_PE), %eax
	movl %eax, %cr0

	lgdt boot_gdt_desc
	ljmp $GDT_KCODE, $start64

	.code64
start64:
	movl $GDT_KDATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movabsq $boot_stack_top, %rsp
	xorl %ebp, %ebp             /* ends the frame-pointer chain */

	/* SSE before any C: musl's code and gcc's output for the application
	 * use xmm registers. CR0: no emulation, monitor coprocessor, native
	 * FPU errors; CR4: fxsave/SSE and SIMD exceptions enabled. */
	movq %cr0, %rax
	andq $~CR0_EM, %rax
	orq $(CR0_MP | CR0_NE), %rax
	movq %rax, %cr0
	movq %cr4, %rax
	orq $(CR4_OSFXSR | CR4_OSXMMEXCPT), %rax
	movq %rax, %cr4
	fninit
	ldmxcsr mxcsr_default(%rip)

	movl %ebx, %edi
	call x86_start
	ud2
	.size pvh_start32, . - pvh_start32

/* The boot GDT: null, 64-bit kernel code, kernel data. cpu.c replaces it
 * by one with a TSS. */
	.section .rodata
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff    /* 0x08: code, long mode, DPL 0 */
	.quad 0x00cf92000000ffff    /* 0x10: data */
boot_gdt_end:
boot_gdt_desc:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt
mxcsr_default:
	.long 0x1f80                /* all SIMD exceptions masked, round to nearest */

	.section .data
	.balign 8
	.globl boot_tsc
boot_tsc:
	.quad 0
	.globl boot_protocol
boot_protocol:
	.long BOOT_PROTOCOL_PVH

	.section .bss
	.balign 16
	.globl boot_stack_top
boot_stack:
	.skip BOOT_STACK_SIZE
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
