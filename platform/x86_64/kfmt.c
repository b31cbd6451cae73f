/* SPDX-License-Identifier: ISC */
/* The kernel's printf core. */
#include "kfmt.h"

#include <port.h>

#include <stdbool.h>
#include <stdint.h>

struct out {
    char *buf;
    size_t cap, len;
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->cap)
        o->buf[o->len] = c;
    o->len++;
}

static void put_field(struct out *o, const char *s, size_t n, unsigned width, bool left, char pad)
{
    size_t fill = width > n ? width - n : 0;
    if (!left) {
        /* Zero padding goes after a sign. */
        if (pad == '0' && n > 0 && s[0] == '-') {
            put(o, '-');
            s++;
            n--;
        }
        while (fill--)
            put(o, pad);
        fill = 0;
    }
    while (n--)
        put(o, *s++);
    while (fill--)
        put(o, ' ');
}

size_t kfmt(char *buf, size_t cap, const char *fmt, va_list ap)
{
    struct out o = {buf, cap, 0};
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            put(&o, *p);
            continue;
        }
        p++;
        bool left = false;
        char pad = ' ';
        for (;; p++) {
            if (*p == '-')
                left = true;
            else if (*p == '0')
                pad = '0';
            else
                break;
        }
        unsigned width = 0;
        while (*p >= '0' && *p <= '9')
            width = width * 10 + (unsigned)(*p++ - '0');
        int lng = 0;
        while (*p == 'l' || *p == 'z') {
            lng = *p == 'z' ? 2 : lng + 1;
            p++;
        }
        if (left)
            pad = ' ';
        char tmp[24];
        size_t n = 0;
        switch (*p) {
        case 'd':
        case 'i': {
            long long v = lng ? va_arg(ap, long long) : va_arg(ap, int);
            unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
            char rev[24];
            size_t k = 0;
            do {
                rev[k++] = (char)('0' + u % 10);
                u /= 10;
            } while (u);
            if (v < 0)
                tmp[n++] = '-';
            while (k)
                tmp[n++] = rev[--k];
            put_field(&o, tmp, n, width, left, pad);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'p': {
            unsigned long long u;
            unsigned base = *p == 'u' ? 10 : 16;
            const char *digits = *p == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
            if (*p == 'p')
                u = (uintptr_t)va_arg(ap, void *);
            else
                u = lng ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned);
            char rev[24];
            size_t k = 0;
            do {
                rev[k++] = digits[u % base];
                u /= base;
            } while (u);
            if (*p == 'p') {
                tmp[n++] = '0';
                tmp[n++] = 'x';
            }
            while (k)
                tmp[n++] = rev[--k];
            put_field(&o, tmp, n, width, left, pad);
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            size_t len = 0;
            while (s[len])
                len++;
            put_field(&o, s, len, width, left, ' ');
            break;
        }
        case 'c':
            tmp[0] = (char)va_arg(ap, int);
            put_field(&o, tmp, 1, width, left, ' ');
            break;
        case '%':
            put(&o, '%');
            break;
        case '\0':
            p--; /* a lone '%' at the end */
            break;
        default:
            put(&o, '%');
            put(&o, *p);
            break;
        }
    }
    if (cap > 0)
        buf[o.len < cap ? o.len : cap - 1] = '\0';
    return o.len;
}

size_t port_snprintf(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = kfmt(buf, cap, fmt, ap);
    va_end(ap);
    return n;
}
