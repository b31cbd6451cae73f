/* SPDX-License-Identifier: ISC */
/* The page tables. boot.S identity maps the first 4 GiB with 2 MiB pages
 * (everything is read-write-execute, ring 0); here single 4 KiB pages are
 * made absent to catch bugs: page 0 (NULL pointers) and the page below
 * the application's stack (overflow). */
#include "kernel.h"
#include "x86.h"

uint64_t x86_pml4[512] __attribute__((aligned(PAGE_SIZE)));
uint64_t x86_pdpt[512] __attribute__((aligned(PAGE_SIZE)));
uint64_t x86_pd[4 * 512] __attribute__((aligned(PAGE_SIZE)));
/* The table for the first 2 MiB, needed before the page allocator is. */
static uint64_t pt_low[512] __attribute__((aligned(PAGE_SIZE)));

#define MAPPED_TOP (4ull << 30)

static uint64_t *split(uint64_t *pde, uint64_t *table)
{
    uint64_t base = *pde & ~(uint64_t)(BIG_PAGE_SIZE - 1) & 0x000fffffffffffffull;
    for (unsigned i = 0; i < 512; i++)
        table[i] = (base + (uint64_t)i * PAGE_SIZE) | PTE_P | PTE_W;
    *pde = (uintptr_t)table | PTE_P | PTE_W;
    return table;
}

int paging_unmap(uintptr_t addr)
{
    if (addr >= MAPPED_TOP)
        return -1;
    uint64_t *pde = &x86_pd[addr >> 21];
    uint64_t *pt;
    if (*pde & PTE_PS) {
        pt = addr < BIG_PAGE_SIZE ? pt_low : port_page_alloc(1, NULL);
        if (!pt)
            return -1;
        split(pde, pt);
    } else {
        pt = (uint64_t *)(uintptr_t)(*pde & ~(uint64_t)(PAGE_SIZE - 1));
    }
    pt[(addr >> 12) & 511] = 0;
    /* The PDE changed too: flush everything rather than reason about
     * which cached translations the split invalidated. */
    write_cr3(read_cr3());
    return 0;
}

bool paging_is_mapped(uintptr_t addr)
{
    if (addr >= MAPPED_TOP)
        return false;
    uint64_t pde = x86_pd[addr >> 21];
    if (!(pde & PTE_P))
        return false;
    if (pde & PTE_PS)
        return true;
    const uint64_t *pt = (const uint64_t *)(uintptr_t)(pde & ~(uint64_t)(PAGE_SIZE - 1));
    return pt[(addr >> 12) & 511] & PTE_P;
}

void paging_init(void)
{
    paging_unmap(0);
}
