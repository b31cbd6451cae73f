/* SPDX-License-Identifier: ISC */
/* Symbol lookup in the table the second link pass embeds. */
#include "ksyms.h"

/* Weak and undefined in a one-pass link: its address is then 0. */
extern const struct ksym_table kernel_symbols __attribute__((weak));

const struct ksym_table *ksym_table(void)
{
    const struct ksym_table *t = &kernel_symbols;
    return t && t->count ? t : NULL;
}

const char *ksym_lookup(const struct ksym_table *t, uint64_t addr, uint64_t *offset)
{
    if (!t || t->count == 0 || addr < t->sym[0].addr)
        return NULL;
    size_t lo = 0, hi = t->count; /* the answer is in [lo, hi) */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->sym[mid].addr <= addr)
            lo = mid;
        else
            hi = mid;
    }
    const char *name = (const char *)&t->sym[t->count] + t->sym[lo].name;
    if (name[0] == '\0')
        return NULL; /* the end-of-text marker: addr is past every function */
    *offset = addr - t->sym[lo].addr;
    return name;
}
