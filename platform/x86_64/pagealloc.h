/* SPDX-License-Identifier: ISC */
/* A physical page allocator: one bit per 4 KiB page over [base, base +
 * npages * 4096), set = in use. Small and predictable rather than fast:
 * the kernel allocates rarely (musl's malloc asks for memory in groups,
 * device rings are allocated once). Allocations come from the top, so the
 * brk heap can grow upward from the bottom (mm.c). Does not touch the
 * memory it manages (the caller zeroes), so it is tested on the host. */
#ifndef MIRARI_X86_PAGEALLOC_H
#define MIRARI_X86_PAGEALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pagealloc {
    uint64_t base; /* physical address of page 0 */
    size_t npages;
    uint64_t *bits; /* (npages + 63) / 64 words */
    size_t nfree;
};

/* Bytes of bitmap needed for npages. */
size_t pa_bitmap_bytes(size_t npages);
/* Every page starts in use; pa_release() the usable ranges. */
void pa_init(struct pagealloc *pa, uint64_t base, size_t npages, uint64_t *bits);
/* Mark [addr, addr + n pages) free / in use. Pages outside are ignored. */
void pa_release(struct pagealloc *pa, uint64_t addr, size_t n);
void pa_claim(struct pagealloc *pa, uint64_t addr, size_t n);
/* True when every page of [addr, addr + n pages) is inside and free. */
bool pa_is_free(const struct pagealloc *pa, uint64_t addr, size_t n);
/* True when every page of the range is inside and in use. */
bool pa_is_used(const struct pagealloc *pa, uint64_t addr, size_t n);
/* The highest run of n free pages, claimed; 0 when there is none. */
uint64_t pa_alloc(struct pagealloc *pa, size_t n);

#endif
