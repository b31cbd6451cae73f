/* SPDX-License-Identifier: ISC */
/* A minimal printf for kernel messages (boot, exceptions), usable before
 * the C library is initialised and from an exception handler: no
 * allocation, no locks, no floating point. Supports %d %i %u %x %X %p %s %c
 * %%, the flags '0' and '-', a field width, and the l, ll, z length
 * modifiers. */
#ifndef MIRARI_X86_KFMT_H
#define MIRARI_X86_KFMT_H

#include <stdarg.h>
#include <stddef.h>

/* Format into buf (always NUL-terminated when cap > 0); returns the length
 * the full output would have, like vsnprintf. */
size_t kfmt(char *buf, size_t cap, const char *fmt, va_list ap);
size_t kfmt_s(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
