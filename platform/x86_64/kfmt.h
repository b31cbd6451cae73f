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
 * the full output would have, like vsnprintf. port_snprintf() (port.h) is
 * the same with arguments, in kfmt.c too. */
size_t kfmt(char *buf, size_t cap, const char *fmt, va_list ap);

#endif
