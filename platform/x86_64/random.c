/* SPDX-License-Identifier: ISC */
/* Random bytes for AT_RANDOM (musl's stack-protector canary and malloc
 * secrets) and getrandom(). RDRAND when the CPU has it (QEMU `-cpu max`,
 * KVM with -cpu host); otherwise a xorshift generator seeded from the TSC
 * at boot and now, which is unpredictable enough for hash seeds and TCP
 * initial sequence numbers against an off-path guesser, but not a source
 * of keys. */
#include <string.h>

#include "kernel.h"
#include "x86.h"

static bool have_rdrand, checked;
static uint64_t state;

static bool rdrand64(uint64_t *v)
{
    for (int i = 0; i < 10; i++) {
        unsigned char ok;
        __asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
        if (ok)
            return true;
    }
    return false;
}

static uint64_t next(void)
{
    uint64_t v;
    if (have_rdrand && rdrand64(&v))
        return v;
    /* xorshift64* (Vigna, "An experimental exploration of Marsaglia's
     * xorshift generators"), stirred with the TSC on every call. */
    state ^= rdtsc() * 0x9e3779b97f4a7c15ull;
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545f4914f6cdd1dull;
}

void port_random_bytes(void *buf, size_t n)
{
    if (!checked) {
        uint32_t r[4];
        cpuid(1, 0, r);
        have_rdrand = r[2] & (1u << 30);
        state = clock_boot_tsc() ^ 0x853c49e6748fea9bull;
        checked = true;
    }
    unsigned char *p = buf;
    while (n > 0) {
        uint64_t v = next();
        size_t k = n < sizeof v ? n : sizeof v;
        memcpy(p, &v, k);
        p += k;
        n -= k;
    }
}
