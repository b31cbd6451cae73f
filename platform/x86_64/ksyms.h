/* SPDX-License-Identifier: ISC */
/* The kernel's own symbol table, for symbolised backtraces. The link
 * (qemu-cc.sh) runs twice: the second pass adds a table generated from
 * the first pass's `nm` output in section .kernel_symbols, which the linker
 * script places after everything else so no address moves. Without it
 * (a one-pass link) lookups fail and traps print an addr2line hint. */
#ifndef MIRARI_X86_KSYMS_H
#define MIRARI_X86_KSYMS_H

#include <stddef.h>
#include <stdint.h>

/* Layout of the generated table: `count` entries sorted by address, each
 * an address and the offset of its NUL-terminated name in `names`, which
 * follows the entries. The last entry has an empty name and marks the
 * end of the code. */
struct ksym {
    uint32_t addr; /* the kernel lives below 4 GiB */
    uint32_t name;
};
struct ksym_table {
    uint64_t count;
    struct ksym sym[];
};

/* The function containing addr: its name and *offset into it, or NULL. */
const char *ksym_lookup(const struct ksym_table *t, uint64_t addr, uint64_t *offset);

/* The table linked into this image, or NULL. */
const struct ksym_table *ksym_table(void);

#endif
