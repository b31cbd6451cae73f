/* SPDX-License-Identifier: ISC */
/* The kernel's C entry: set the machine up, then start the C library's
 * _start (crt1.o) on a stack laid out as Linux lays out a new process's,
 * so musl initialises itself exactly as it would under Linux and calls
 * main(argc, argv, envp). */
#include <elf.h>
#include <string.h>

#include "kernel_params.h"
#include "kernel.h"
#include "x86.h"

#define APP_STACK_PAGES 32 /* 128 KiB, plus a guard page below */
#define MAX_ARGS        64

_Noreturn void x86_start(uint32_t start_info_pa);
extern char _start[]; /* musl's crt1.o */

/* The image name, from the link (qemu-cc.sh); argv[0] and the
 * addr2line hint use it. */
extern const char kernel_image_name[] __attribute__((weak));
const char *kernel_name = "mirari";
#define MAX_KERNEL_PARAMS 16
static const char *kernel_params[MAX_KERNEL_PARAMS];
static size_t nkernel_params;
uintptr_t stack_guard;

const char *port_kernel_param(size_t i)
{
    return i < nkernel_params ? kernel_params[i] : NULL;
}

static uint64_t *push(uint64_t *sp, uint64_t v)
{
    *--sp = v;
    return sp;
}

static char *push_bytes(char **top, const void *p, size_t n)
{
    *top -= n;
    memcpy(*top, p, n);
    return *top;
}

static _Noreturn void enter_libc(void)
{
    char *stack = port_page_alloc(APP_STACK_PAGES + 1, NULL);
    if (!stack)
        port_panic("no memory for the application's stack");
    paging_unmap((uintptr_t)stack); /* the guard page */
    stack_guard = (uintptr_t)stack;
    char *top = stack + (APP_STACK_PAGES + 1) * PAGE_SIZE;

    /* argv: the image name, then the command line minus the kernel's own
     * parameters. The strings live at the top of the stack. */
    char *words[MAX_ARGS];
    size_t nwords = cmdline_split(boot.cmdline, words, MAX_ARGS - 1);
    if (nwords > MAX_ARGS - 1) {
        port_log("mirari: more than %d boot arguments, ignoring the rest\n", MAX_ARGS - 1);
        nwords = MAX_ARGS - 1;
    }
    char *argv[MAX_ARGS];
    size_t argc = 0;
    argv[argc++] = push_bytes(&top, kernel_name, strlen(kernel_name) + 1);
    for (size_t i = 0; i < nwords; i++) {
        if (!cmdline_is_kernel_param(words[i]))
            argv[argc++] = push_bytes(&top, words[i], strlen(words[i]) + 1);
        else if (nkernel_params < MAX_KERNEL_PARAMS)
            kernel_params[nkernel_params++] = words[i]; /* in boot.cmdline, which stays */
    }

    uint8_t rnd[16];
    port_random_bytes(rnd, sizeof rnd);
    char *at_random = push_bytes(&top, rnd, sizeof rnd);

    /* musl finds its TLS image through AT_PHDR: the headers are loaded
     * with the image (the linker script's FILEHDR PHDRS). */
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)__ehdr_start;
    uint32_t id[4];
    cpuid(1, 0, id);
    uint64_t auxv[][2] = {
        {AT_PHDR, (uintptr_t)__ehdr_start + eh->e_phoff},
        {AT_PHENT, eh->e_phentsize},
        {AT_PHNUM, eh->e_phnum},
        {AT_PAGESZ, PAGE_SIZE},
        {AT_ENTRY, (uintptr_t)_start},
        {AT_RANDOM, (uintptr_t)at_random},
        {AT_HWCAP, id[3]},
        {AT_CLKTCK, 100},
        {AT_UID, 0},
        {AT_EUID, 0},
        {AT_GID, 0},
        {AT_EGID, 0},
        {AT_SECURE, 0},
        {AT_NULL, 0},
    };
    size_t nauxv = sizeof auxv / sizeof auxv[0];

    /* argc, argv[], NULL, envp[] (empty), NULL, auxv: rsp must be 16-byte
     * aligned at argc (System V ABI 3.4.1). */
    uint64_t *sp = (uint64_t *)((uintptr_t)top & ~(uintptr_t)15);
    if ((2 * nauxv + 1 + argc + 1 + 1) % 2)
        sp = push(sp, 0);
    for (size_t i = nauxv; i-- > 0;) {
        sp = push(sp, auxv[i][1]);
        sp = push(sp, auxv[i][0]);
    }
    sp = push(sp, 0); /* end of envp */
    sp = push(sp, 0); /* end of argv */
    for (size_t i = argc; i-- > 0;)
        sp = push(sp, (uintptr_t)argv[i]);
    sp = push(sp, argc);

    __asm__ volatile("mov %0, %%rsp\n\t"
                     "xor %%ebp, %%ebp\n\t"
                     "jmp *%1"
                     :
                     : "r"(sp), "r"(_start)
                     : "memory");
    __builtin_unreachable();
}

_Noreturn void x86_start(uint32_t start_info_pa)
{
    console_init();
    bootinfo_copy(start_info_pa);
    if (kernel_image_name)
        kernel_name = kernel_image_name;
    cpu_init();
    idt_init();
    paging_init();
    mm_init();
    machine_init(); /* clock, timer, console: the PC's or Xen's */
    syscall_init();
    enter_libc();
}
