/* SPDX-License-Identifier: ISC */
/* virtio_mmio.device= parsing. */
#include "mmio_param.h"

#include <stdbool.h>
#include <string.h>

static bool parse_num(const char **s, uint64_t *out)
{
    const char *p = *s;
    unsigned base = 10;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    uint64_t v = 0;
    const char *start = p;
    for (;; p++) {
        unsigned d;
        if (*p >= '0' && *p <= '9')
            d = (unsigned)(*p - '0');
        else if (base == 16 && *p >= 'a' && *p <= 'f')
            d = (unsigned)(*p - 'a' + 10);
        else if (base == 16 && *p >= 'A' && *p <= 'F')
            d = (unsigned)(*p - 'A' + 10);
        else
            break;
        if (v > (UINT64_MAX - d) / base)
            return false;
        v = v * base + d;
    }
    if (p == start)
        return false;
    *s = p;
    *out = v;
    return true;
}

int mmio_param_parse(const char *word, struct mmio_param *out)
{
    static const char key[] = "virtio_mmio.device=";
    if (strncmp(word, key, sizeof key - 1) != 0)
        return -1;
    const char *p = word + sizeof key - 1;
    uint64_t size, base, irq;
    if (!parse_num(&p, &size))
        return -1;
    unsigned shift = 0;
    switch (*p) {
    case 'K':
    case 'k':
        shift = 10;
        break;
    case 'M':
    case 'm':
        shift = 20;
        break;
    case 'G':
    case 'g':
        shift = 30;
        break;
    }
    if (shift) {
        if (size > UINT64_MAX >> shift)
            return -1;
        size <<= shift;
        p++;
    }
    if (*p++ != '@' || !parse_num(&p, &base) || *p++ != ':' || !parse_num(&p, &irq))
        return -1;
    if (*p == ':') { /* an optional platform device id, unused here */
        p++;
        uint64_t id;
        if (!parse_num(&p, &id))
            return -1;
    }
    if (*p != '\0' || size == 0 || irq > 255)
        return -1;
    out->base = base;
    out->size = size;
    out->irq = (unsigned)irq;
    return 0;
}
