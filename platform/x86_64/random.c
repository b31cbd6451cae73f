/* SPDX-License-Identifier: ISC */
/* The CPU's entropy (port_cpu_entropy): RDSEED, else RDRAND, with the
 * retries Intel's "Digital Random Number Generator (DRNG) Software
 * Implementation Guide" (rev. 2.1, 5.2.1 and 5.3.1) recommends: RDRAND
 * can fail transiently when many threads draw at once, ten tries make a
 * failure vanishingly unlikely on a working part; RDSEED fails whenever
 * its conditioner has nothing ready, so it is retried with a pause, and
 * RDRAND takes over if it keeps failing. A value of all ones is treated
 * as a failure too (some AMD parts return it after a resume when RDRAND
 * is broken).
 *
 * And port_random_bytes() for drivers, AT_RANDOM and getrandom(): the
 * image's DRBG (platform/include/rng.h), which plat_entropy (platform/pvh)
 * seeds from here or from a virtio-rng device. */
#include <errno.h>
#include <string.h>

#include <port.h>

#include <rng.h>
#include "kernel.h"
#include "x86.h"

#define RDRAND_TRIES 10
#define RDSEED_TRIES 1000

static bool have_rdrand, have_rdseed, checked;

static bool rdrand64(uint64_t *v)
{
    for (int i = 0; i < RDRAND_TRIES; i++) {
        unsigned char ok;
        __asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
        if (ok && *v != ~0ull)
            return true;
    }
    return false;
}

static bool rdseed64(uint64_t *v)
{
    for (int i = 0; i < RDSEED_TRIES; i++) {
        unsigned char ok;
        __asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok));
        if (ok && *v != ~0ull)
            return true;
        __asm__ volatile("pause");
    }
    return false;
}

static void check_cpu(void)
{
    uint32_t r[4];
    cpuid(1, 0, r);
    have_rdrand = r[2] & (1u << 30); /* CPUID.01H:ECX.RDRAND */
    cpuid(0, 0, r);
    if (r[0] >= 7) {
        cpuid(7, 0, r);
        have_rdseed = r[1] & (1u << 18); /* CPUID.(EAX=07H,ECX=0):EBX.RDSEED */
    }
    checked = true;
}

int port_cpu_entropy(void *buf, size_t n)
{
    if (!checked)
        check_cpu();
    if (!have_rdseed && !have_rdrand)
        return -ENODEV;
    unsigned char *p = buf;
    for (size_t done = 0; done < n;) {
        uint64_t v;
        if (!(have_rdseed && rdseed64(&v)) && !(have_rdrand && rdrand64(&v)))
            return -EIO;
        size_t k = n - done < sizeof v ? n - done : sizeof v;
        memcpy(p + done, &v, k);
        done += k;
    }
    return (int)n;
}

void port_random_bytes(void *buf, size_t n)
{
    rng_bytes(buf, n);
}
