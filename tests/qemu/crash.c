/* SPDX-License-Identifier: ISC */
/* A guest that crashes on purpose, to check the kernel's report: with
 * no argument it writes through a NULL pointer a few calls deep (page
 * fault, register dump, backtrace through the named functions); with
 * "abort" it calls abort(); with "overflow" it recurses until the stack
 * guard page stops it. The exit status must say "crashed". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) static void write_through(int *volatile p)
{
    *p = 42;
}

__attribute__((noinline)) void crash_inner(int *p);
__attribute__((noinline)) void crash_inner(int *p)
{
    write_through(p);
    __asm__ volatile("" ::: "memory"); /* keep the frame: no tail call */
}

static volatile unsigned depth_limit = ~0u; /* "infinite", unknown to the compiler */

__attribute__((noinline)) static unsigned recurse(unsigned n)
{
    volatile char pad[512];
    pad[0] = (char)n;
    if (n >= depth_limit)
        return 0;
    return recurse(n + 1) + pad[0];
}

int main(int argc, char **argv)
{
    printf("about to crash\n");
    fflush(stdout);
    if (argc > 1 && strcmp(argv[1], "abort") == 0)
        abort();
    if (argc > 1 && strcmp(argv[1], "overflow") == 0)
        return (int)recurse(0);
    crash_inner(NULL);
    printf("still alive?\n");
    return 0;
}
