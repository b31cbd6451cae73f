/* SPDX-License-Identifier: ISC */
/* What a library built for glibc with _FORTIFY_SOURCE and the stack
 * protector calls beyond musl: Debian's libbearssl.a (HTTPS) calls
 * __memcpy_chk, __memmove_chk, __memset_chk and __stack_chk_fail. The
 * checks mean what they mean in glibc: a write beyond the destination's
 * known size, or a smashed stack, stops the kernel, not the program's
 * memory. Linked only into images that use such a library (mk/qemu.mk).
 *
 * The canary __stack_chk_fail guards is %fs:0x28, where musl keeps it on
 * x86_64 as glibc does (its thread descriptor's canary). */
#include <stddef.h>
#include <string.h>

#include "port.h"

void *__memcpy_chk(void *dst, const void *src, size_t len, size_t dstlen);
void *__memmove_chk(void *dst, const void *src, size_t len, size_t dstlen);
void *__memset_chk(void *dst, int c, size_t len, size_t dstlen);
_Noreturn void __stack_chk_fail(void);

static void check(const char *fn, size_t len, size_t dstlen)
{
    if (len > dstlen)
        port_panic("%s: %zu bytes into an object of %zu (buffer overflow detected)", fn, len,
                   dstlen);
}

void *__memcpy_chk(void *dst, const void *src, size_t len, size_t dstlen)
{
    check("memcpy", len, dstlen);
    return memcpy(dst, src, len);
}

void *__memmove_chk(void *dst, const void *src, size_t len, size_t dstlen)
{
    check("memmove", len, dstlen);
    return memmove(dst, src, len);
}

void *__memset_chk(void *dst, int c, size_t len, size_t dstlen)
{
    check("memset", len, dstlen);
    return memset(dst, c, len);
}

_Noreturn void __stack_chk_fail(void)
{
    port_panic("stack smashing detected");
}
