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

/* A conversion's flags, field width and length modifier. */
struct spec {
    bool left; /* '-': pad on the right */
    char pad;  /* ' ', or '0' (ignored with '-') */
    unsigned width;
    int lng; /* 0: int; otherwise long, long long or size_t (all 64 bits) */
};

/* Read the spec after a '%'; returns where the conversion character is. */
static const char *parse_spec(const char *p, struct spec *s)
{
    *s = (struct spec){false, ' ', 0, 0};
    for (;; p++) {
        if (*p == '-')
            s->left = true;
        else if (*p == '0')
            s->pad = '0';
        else
            break;
    }
    while (*p >= '0' && *p <= '9')
        s->width = s->width * 10 + (unsigned)(*p++ - '0');
    while (*p == 'l' || *p == 'z') {
        s->lng = *p == 'z' ? 2 : s->lng + 1;
        p++;
    }
    if (s->left)
        s->pad = ' ';
    return p;
}

/* Append the digits of u in base (most significant first) to tmp[0..n);
 * returns the new length. */
static size_t put_digits(char *tmp, size_t n, unsigned long long u, unsigned base, bool upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char rev[24];
    size_t k = 0;
    do {
        rev[k++] = digits[u % base];
        u /= base;
    } while (u);
    while (k)
        tmp[n++] = rev[--k];
    return n;
}

/* One conversion, c, with its argument taken from *ap. */
static void convert(struct out *o, char c, const struct spec *s, va_list *ap)
{
    char tmp[24]; /* a sign or "0x", and up to 20 digits */
    size_t n = 0;
    switch (c) {
    case 'd':
    case 'i': {
        long long v = s->lng ? va_arg(*ap, long long) : va_arg(*ap, int);
        if (v < 0)
            tmp[n++] = '-';
        unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
        n = put_digits(tmp, n, u, 10, false);
        put_field(o, tmp, n, s->width, s->left, s->pad);
        break;
    }
    case 'u':
    case 'x':
    case 'X': {
        unsigned long long u = s->lng ? va_arg(*ap, unsigned long long) : va_arg(*ap, unsigned);
        n = put_digits(tmp, 0, u, c == 'u' ? 10 : 16, c == 'X');
        put_field(o, tmp, n, s->width, s->left, s->pad);
        break;
    }
    case 'p':
        tmp[n++] = '0';
        tmp[n++] = 'x';
        n = put_digits(tmp, n, (uintptr_t)va_arg(*ap, void *), 16, false);
        put_field(o, tmp, n, s->width, s->left, s->pad);
        break;
    case 's': {
        const char *str = va_arg(*ap, const char *);
        if (!str)
            str = "(null)";
        size_t len = 0;
        while (str[len])
            len++;
        put_field(o, str, len, s->width, s->left, ' ');
        break;
    }
    case 'c':
        tmp[0] = (char)va_arg(*ap, int);
        put_field(o, tmp, 1, s->width, s->left, ' ');
        break;
    case '%':
        put(o, '%');
        break;
    default: /* not a conversion we know: print it as it was */
        put(o, '%');
        put(o, c);
        break;
    }
}

size_t kfmt(char *buf, size_t cap, const char *fmt, va_list ap)
{
    struct out o = {buf, cap, 0};
    /* A copy we can take the address of (va_list may be an array type,
     * which a parameter turns into a pointer). */
    va_list aq;
    va_copy(aq, ap);
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            put(&o, *p);
            continue;
        }
        struct spec s;
        p = parse_spec(p + 1, &s);
        if (*p == '\0')
            break; /* a lone '%' at the end */
        convert(&o, *p, &s, &aq);
    }
    va_end(aq);
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
