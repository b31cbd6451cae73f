/* SPDX-License-Identifier: ISC */
/* The loader's memory map -> ranges of free RAM. */
#include "memmap.h"

#include "layout.h"

static uint64_t round_up(uint64_t v)
{
    return v > UINT64_MAX - (PAGE_SIZE - 1) ? UINT64_MAX & ~(uint64_t)(PAGE_SIZE - 1)
                                            : (v + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
}

static uint64_t round_down(uint64_t v)
{
    return v & ~(uint64_t)(PAGE_SIZE - 1);
}

/* Insert [s, e) keeping `out` sorted and merged. When there is no room the
 * highest range is dropped. Returns the new count. */
static size_t add_range(struct mem_range *out, size_t n, size_t cap, uint64_t s, uint64_t e)
{
    size_t i = 0;
    while (i < n && out[i].end < s)
        i++;
    if (i < n && out[i].start <= e) {
        /* Overlaps or touches out[i]: grow it, then swallow followers. */
        if (s < out[i].start)
            out[i].start = s;
        if (e > out[i].end)
            out[i].end = e;
        size_t j = i + 1;
        while (j < n && out[j].start <= out[i].end) {
            if (out[j].end > out[i].end)
                out[i].end = out[j].end;
            j++;
        }
        size_t gone = j - (i + 1);
        for (size_t k = i + 1; k + gone < n; k++)
            out[k] = out[k + gone];
        return n - gone;
    }
    if (n == cap) {
        if (i == n)
            return n;
        n--;
    }
    for (size_t k = n; k > i; k--)
        out[k] = out[k - 1];
    out[i].start = s;
    out[i].end = e;
    return n + 1;
}

/* Remove [s, e) from the sorted ranges. */
static size_t cut_range(struct mem_range *out, size_t n, size_t cap, uint64_t s, uint64_t e)
{
    for (size_t i = 0; i < n; i++) {
        struct mem_range *r = &out[i];
        if (r->end <= s || r->start >= e)
            continue;
        if (r->start >= s && r->end <= e) {
            for (size_t k = i; k + 1 < n; k++)
                out[k] = out[k + 1];
            n--;
            i--;
        } else if (r->start < s && r->end > e) {
            /* A hole in the middle: split in two. */
            uint64_t tail_end = r->end;
            r->end = s;
            if (n < cap || i + 1 < n) {
                if (n == cap)
                    n--; /* drop the highest to make room */
                for (size_t k = n; k > i + 1; k--)
                    out[k] = out[k - 1];
                out[i + 1].start = e;
                out[i + 1].end = tail_end;
                n++;
                i++;
            }
        } else if (r->start < s) {
            r->end = s;
        } else {
            r->start = e;
        }
    }
    return n;
}

size_t memmap_usable(const struct hvm_memmap_entry *map, size_t n, const struct mem_range *reserved,
                     size_t nreserved, uint64_t lo, uint64_t hi, struct mem_range *out, size_t cap)
{
    size_t count = 0;
    if (cap == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (map[i].type != HVM_MEMMAP_RAM || map[i].size == 0)
            continue;
        uint64_t s = map[i].addr;
        uint64_t e = map[i].size > UINT64_MAX - s ? UINT64_MAX : s + map[i].size;
        if (s < lo)
            s = lo;
        if (e > hi)
            e = hi;
        s = round_up(s);
        e = round_down(e);
        if (s < e)
            count = add_range(out, count, cap, s, e);
    }
    /* A map may list a reserved range inside a RAM entry: the reserved
     * type wins, as Linux's e820 sanitizer decides. */
    for (size_t i = 0; i < n; i++) {
        if (map[i].type == HVM_MEMMAP_RAM || map[i].size == 0)
            continue;
        uint64_t e =
            map[i].size > UINT64_MAX - map[i].addr ? UINT64_MAX : map[i].addr + map[i].size;
        count = cut_range(out, count, cap, round_down(map[i].addr), round_up(e));
    }
    for (size_t i = 0; i < nreserved; i++)
        count =
            cut_range(out, count, cap, round_down(reserved[i].start), round_up(reserved[i].end));
    return count;
}
