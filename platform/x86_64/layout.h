/* SPDX-License-Identifier: ISC */
/* Constants shared by the assembly and C parts of the x86_64 kernel. */
#ifndef MIRARI_X86_LAYOUT_H
#define MIRARI_X86_LAYOUT_H

#define PAGE_SIZE     4096
#define BIG_PAGE_SIZE (2 * 1024 * 1024)

/* Page-table entry bits (Intel SDM vol. 3, 4.5). */
#define PTE_P  0x001
#define PTE_W  0x002
#define PTE_PS 0x080 /* 2 MiB page in a page-directory entry */

#define CR0_PE 0x00000001
#define CR0_MP 0x00000002
#define CR0_EM 0x00000004
#define CR0_NE 0x00000020
#define CR0_WP 0x00010000
#define CR0_PG 0x80000000

#define CR4_PAE        0x0020
#define CR4_OSFXSR     0x0200
#define CR4_OSXMMEXCPT 0x0400

#define MSR_EFER    0xc0000080
#define EFER_SCE    0x0001
#define EFER_LME    0x0100
#define MSR_STAR    0xc0000081
#define MSR_LSTAR   0xc0000082
#define MSR_FMASK   0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101

/* GDT selectors. `syscall` loads CS from STAR[47:32] and SS from that + 8,
 * so kernel data must follow kernel code. */
#define GDT_KCODE 0x08
#define GDT_KDATA 0x10
#define GDT_TSS   0x18

#define BOOT_STACK_SIZE 16384
#define IST_STACK_SIZE  16384

#endif
