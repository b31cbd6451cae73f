/* SPDX-License-Identifier: ISC */
/* Bitmap page allocator. */
#include "pagealloc.h"

#include "layout.h"

static bool used(const struct pagealloc *pa, size_t i)
{
    return pa->bits[i / 64] >> (i % 64) & 1;
}

static void set(struct pagealloc *pa, size_t i, bool v)
{
    uint64_t m = 1ull << (i % 64);
    if (v && !(pa->bits[i / 64] & m)) {
        pa->bits[i / 64] |= m;
        pa->nfree--;
    } else if (!v && (pa->bits[i / 64] & m)) {
        pa->bits[i / 64] &= ~m;
        pa->nfree++;
    }
}

size_t pa_bitmap_bytes(size_t npages)
{
    return (npages + 63) / 64 * sizeof(uint64_t);
}

void pa_init(struct pagealloc *pa, uint64_t base, size_t npages, uint64_t *bits)
{
    pa->base = base;
    pa->npages = npages;
    pa->bits = bits;
    pa->nfree = 0;
    for (size_t w = 0; w < (npages + 63) / 64; w++)
        bits[w] = ~0ull;
}

/* The page indexes [*first, *last) of a range clipped to the allocator. */
static bool clip(const struct pagealloc *pa, uint64_t addr, size_t n, size_t *first, size_t *last)
{
    if (addr < pa->base)
        return false;
    uint64_t i = (addr - pa->base) / PAGE_SIZE;
    if (i >= pa->npages)
        return false;
    *first = i;
    *last = n > pa->npages - i ? pa->npages : i + n;
    return true;
}

/* Set [a, b) to v, a word at a time where the range covers whole words
 * (the boot-time release of all RAM is then quick even when emulated). */
static void set_range(struct pagealloc *pa, size_t a, size_t b, bool v)
{
    size_t i = a;
    while (i < b) {
        if (i % 64 == 0 && b - i >= 64) {
            uint64_t *w = &pa->bits[i / 64];
            size_t in_use = (size_t)__builtin_popcountll(*w);
            if (v) {
                pa->nfree -= 64 - in_use;
                *w = ~0ull;
            } else {
                pa->nfree += in_use;
                *w = 0;
            }
            i += 64;
        } else {
            set(pa, i++, v);
        }
    }
}

void pa_release(struct pagealloc *pa, uint64_t addr, size_t n)
{
    size_t a, b;
    if (clip(pa, addr, n, &a, &b))
        set_range(pa, a, b, false);
}

void pa_claim(struct pagealloc *pa, uint64_t addr, size_t n)
{
    size_t a, b;
    if (clip(pa, addr, n, &a, &b))
        set_range(pa, a, b, true);
}

static bool all(const struct pagealloc *pa, uint64_t addr, size_t n, bool want_used)
{
    size_t a, b;
    if (n == 0 || !clip(pa, addr, n, &a, &b) || b - a != n)
        return false;
    for (size_t i = a; i < b; i++)
        if (used(pa, i) != want_used)
            return false;
    return true;
}

bool pa_is_free(const struct pagealloc *pa, uint64_t addr, size_t n)
{
    return all(pa, addr, n, false);
}

bool pa_is_used(const struct pagealloc *pa, uint64_t addr, size_t n)
{
    return all(pa, addr, n, true);
}

uint64_t pa_alloc(struct pagealloc *pa, size_t n)
{
    if (n == 0 || n > pa->nfree)
        return 0;
    size_t run = 0;
    for (size_t i = pa->npages; i-- > 0;) {
        /* Skip whole words in use: most of the top is taken after a while. */
        if (i % 64 == 63 && pa->bits[i / 64] == ~0ull) {
            run = 0;
            i -= 63;
            continue;
        }
        if (used(pa, i)) {
            run = 0;
            continue;
        }
        if (++run == n) {
            for (size_t k = i; k < i + n; k++)
                set(pa, k, true);
            return pa->base + (uint64_t)i * PAGE_SIZE;
        }
    }
    return 0;
}
