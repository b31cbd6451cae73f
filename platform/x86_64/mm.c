/* SPDX-License-Identifier: ISC */
/* Physical memory for the C library and the drivers.
 *
 * All RAM below 4 GiB is identity mapped, so "virtual" memory is physical
 * memory: brk grows upward from the start of the largest free range, mmap
 * and port_page_alloc take runs of pages from the top (pagealloc.c), and musl's
 * malloc is satisfied with both. Memory handed to the C library is zeroed,
 * as Linux's anonymous memory is. mremap is refused (-ENOMEM: musl's
 * realloc then allocates and copies). */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "kernel.h"
#include "memmap.h"
#include "pagealloc.h"

static struct pagealloc pa;
/* One bit per page handed out by mmap, so munmap frees nothing else. */
static uint64_t *mmapped;
static uint64_t brk_base, brk_cur, brk_limit, top;

static uint64_t page_up(uint64_t v)
{
    return (v + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
}

static uint16_t cmos16(uint8_t lo_reg)
{
    return (uint16_t)(cmos_read(lo_reg) | cmos_read((uint8_t)(lo_reg + 1)) << 8);
}

/* A loader without a memory map (start_info version 0): the sizes the
 * firmware records in CMOS (QEMU fills them in: 0x30 = KiB above 1 MiB up
 * to 64 MiB, 0x34 = 64 KiB units above 16 MiB). */
static void memmap_from_cmos(void)
{
    uint64_t above16 = (uint64_t)cmos16(0x34) << 16;
    uint64_t above1 = (uint64_t)cmos16(0x30) << 10;
    boot.memmap[0] = (struct hvm_memmap_entry){0, 640 << 10, HVM_MEMMAP_RAM, 0};
    boot.memmap[1] = (struct hvm_memmap_entry){1 << 20, above16 ? (15ull << 20) + above16 : above1,
                                               HVM_MEMMAP_RAM, 0};
    boot.nmemmap = 2;
    port_log("mirari: no memory map from the loader; CMOS says %lu KiB\n",
             (boot.memmap[1].size >> 10) + 640);
}

void mm_init(void)
{
    if (boot.nmemmap == 0)
        memmap_from_cmos();
    struct mem_range ram[32];
    struct mem_range kernel = {(uintptr_t)__ehdr_start, (uintptr_t)__image_end};
    size_t n = memmap_usable(boot.memmap, boot.nmemmap, &kernel, 1, PAGE_SIZE, 4ull << 30, ram,
                             sizeof ram / sizeof ram[0]);
    if (n == 0)
        port_panic("no usable RAM in the memory map");
    top = ram[n - 1].end;

    /* The two bitmaps go at the start of the first range big enough. */
    size_t npages = top / PAGE_SIZE;
    size_t bytes = page_up(2 * pa_bitmap_bytes(npages));
    size_t at = 0;
    while (at < n && ram[at].end - ram[at].start < bytes)
        at++;
    if (at == n)
        port_panic("no room for the page bitmap (%zu bytes)", bytes);
    uint64_t *bits = (uint64_t *)(uintptr_t)ram[at].start;
    pa_init(&pa, 0, npages, bits);
    mmapped = bits + pa_bitmap_bytes(npages) / sizeof(uint64_t);
    memset(mmapped, 0, pa_bitmap_bytes(npages));
    for (size_t i = 0; i < n; i++)
        pa_release(&pa, ram[i].start, (ram[i].end - ram[i].start) / PAGE_SIZE);
    pa_claim(&pa, ram[at].start, bytes / PAGE_SIZE);
    ram[at].start += bytes;

    /* brk lives in the largest range, from its bottom. */
    size_t big = 0;
    for (size_t i = 1; i < n; i++)
        if (ram[i].end - ram[i].start > ram[big].end - ram[big].start)
            big = i;
    brk_base = brk_cur = ram[big].start;
    brk_limit = ram[big].end;
}

uint64_t port_mem_top(void)
{
    return top;
}

static void mark(uint64_t addr, size_t n, bool on)
{
    for (size_t i = 0; i < n; i++) {
        size_t p = addr / PAGE_SIZE + i;
        if (on)
            mmapped[p / 64] |= 1ull << (p % 64);
        else
            mmapped[p / 64] &= ~(1ull << (p % 64));
    }
}

static bool marked(uint64_t addr, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t p = addr / PAGE_SIZE + i;
        if (p >= pa.npages || !(mmapped[p / 64] >> (p % 64) & 1))
            return false;
    }
    return true;
}

/* Identity mapped: the pointer is the physical address (port.h). */
void *port_page_alloc(size_t npages, uint64_t *phys)
{
    uint64_t p = pa_alloc(&pa, npages);
    if (!p)
        return NULL;
    memset((void *)(uintptr_t)p, 0, npages * PAGE_SIZE);
    if (phys)
        *phys = p;
    return (void *)(uintptr_t)p;
}

long sys_brk(uint64_t addr)
{
    if (addr < brk_base || addr > brk_limit)
        return (long)brk_cur;
    uint64_t have = page_up(brk_cur), want = page_up(addr);
    if (want > have) {
        if (!pa_is_free(&pa, have, (want - have) / PAGE_SIZE))
            return (long)brk_cur; /* mmap took the pages above: musl falls back to mmap */
        pa_claim(&pa, have, (want - have) / PAGE_SIZE);
        memset((void *)(uintptr_t)have, 0, want - have);
    } else if (want < have) {
        pa_release(&pa, want, (have - want) / PAGE_SIZE);
    }
    brk_cur = addr;
    return (long)brk_cur;
}

long sys_mmap(uint64_t addr, uint64_t len, int prot, int flags, int fd, uint64_t off)
{
    (void)fd;
    (void)off;
    if (len == 0 || len > top)
        return -EINVAL;
    if (!(flags & MAP_ANONYMOUS))
        return -ENODEV; /* there are no files */
    size_t n = page_up(len) / PAGE_SIZE;
    if (flags & MAP_FIXED) {
        if (addr % PAGE_SIZE)
            return -EINVAL;
        /* musl's malloc puts PROT_NONE guard pages inside memory it got
         * from brk; anything else must be ours or free. */
        bool in_brk = addr >= brk_base && addr + n * PAGE_SIZE <= page_up(brk_cur);
        if (!in_brk && !marked(addr, n)) {
            if (!pa_is_free(&pa, addr, n))
                return -ENOMEM;
            pa_claim(&pa, addr, n);
            mark(addr, n, true);
        }
        if (prot != PROT_NONE)
            memset((void *)(uintptr_t)addr, 0, n * PAGE_SIZE);
        return (long)addr;
    }
    uint64_t p = pa_alloc(&pa, n);
    if (!p)
        return -ENOMEM;
    mark(p, n, true);
    memset((void *)(uintptr_t)p, 0, n * PAGE_SIZE);
    return (long)p;
}

long sys_munmap(uint64_t addr, uint64_t len)
{
    if (addr % PAGE_SIZE || len == 0)
        return -EINVAL;
    size_t n = page_up(len) / PAGE_SIZE;
    /* Free page by page what mmap handed out; ignore the rest, as Linux
     * ignores unmapping holes. */
    for (size_t i = 0; i < n; i++) {
        uint64_t a = addr + i * PAGE_SIZE;
        if (marked(a, 1)) {
            mark(a, 1, false);
            pa_release(&pa, a, 1);
        }
    }
    return 0;
}
