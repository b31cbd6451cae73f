/* SPDX-License-Identifier: ISC */
/* The `syscall` instruction, executed by musl in ring 0.
 *
 * From ring 0, syscall saves the return address in %rcx and the flags in
 * %r11, clears the flags in MSR_FMASK (IF, DF, TF, AC, NT) and jumps here
 * with every other register, %rsp included, as the caller left it. So:
 *   - the caller's red zone (128 bytes below %rsp, System V ABI 3.2.2)
 *     may hold live data: step over it before pushing anything;
 *   - sysret would return to ring 3: return by hand with popfq and jmp;
 *   - Linux preserves every register but %rax, %rcx and %r11: save the
 *     argument registers the C code may clobber. The C side is built with
 *     -mgeneral-regs-only, so the caller's SSE state stays untouched. */

	.text
	.globl syscall_entry
	.type syscall_entry, @function
syscall_entry:
	leaq -128(%rsp), %rsp
	pushq %rcx                  /* return address: also a frame for backtraces */
	pushq %rbp
	movq %rsp, %rbp
	pushq %r11                  /* the caller's flags */
	pushq %r9
	pushq %r8
	pushq %r10
	pushq %rdx
	pushq %rsi
	pushq %rdi                  /* struct syscall_args starts here: rbp - 56 */
	movq %rsp, %rsi
	movq %rax, %rdi
	andq $-16, %rsp
	call syscall_dispatch
	leaq -56(%rbp), %rsp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %r10
	popq %r8
	popq %r9
	popfq                       /* before leaving the space below the red zone */
	popq %rbp
	popq %rcx
	leaq 128(%rsp), %rsp        /* lea: the flags are already restored */
	jmpq *%rcx
	.size syscall_entry, . - syscall_entry

	.section .note.GNU-stack, "", @progbits
