/* SPDX-License-Identifier: ISC */
/* Time. The monotonic clock counts nanoseconds since kernel entry:
 *   - under KVM, from kvmclock (the hypervisor publishes TSC scale and
 *     offset in a pvclock structure; no calibration needed);
 *   - otherwise (QEMU TCG, where CPUID offers no TSC frequency), from the
 *     TSC calibrated against PIT channel 0 (1.193182 MHz) over 50 ms.
 *     A `tsc-khz=N` boot argument (tool/run_qemu.c passes the host's TSC
 *     rate under TCG, where the guest sees the host's TSC) skips it.
 * The wall clock is the CMOS RTC read once at boot, advanced by the
 * monotonic clock. */
#include "kernel.h"
#include "x86.h"

#define PIT_CH0        0x40
#define PIT_MODE       0x43
#define CALIBRATION_MS 50

extern uint64_t boot_tsc; /* boot.S */

/* Linux's struct pvclock_vcpu_time_info (Documentation/virt/kvm/msr.rst). */
struct pvclock {
    uint32_t version;
    uint32_t pad0;
    uint64_t tsc_timestamp;
    uint64_t system_time;
    uint32_t tsc_to_system_mul;
    int8_t tsc_shift;
    uint8_t flags;
    uint8_t pad[2];
} __attribute__((packed));

#define MSR_KVM_SYSTEM_TIME_NEW  0x4b564d01
#define KVM_FEATURE_CLOCKSOURCE2 (1u << 3)

static struct pvclock pvclock __attribute__((aligned(64)));
static bool use_kvmclock;
static uint64_t kvm_origin; /* system_time at boot */
static uint64_t ns_mult;    /* ns = (ticks * ns_mult) >> 32 */
static int64_t wall_offset; /* wall ns - monotonic ns */

uint64_t clock_boot_tsc(void)
{
    return boot_tsc;
}

static bool kvm_present(void)
{
    uint32_t r[4];
    cpuid(0x40000000, 0, r);
    if (r[1] != 0x4b4d564b || r[2] != 0x564b4d56 || r[3] != 0x0000004d) /* "KVMKVMKVM\0\0\0" */
        return false;
    cpuid(0x40000001, 0, r);
    return r[0] & KVM_FEATURE_CLOCKSOURCE2;
}

static uint64_t pvclock_read(void)
{
    uint32_t v;
    uint64_t ns;
    do {
        /* An odd version means the hypervisor is updating the fields. */
        v = __atomic_load_n(&pvclock.version, __ATOMIC_ACQUIRE);
        uint64_t delta = rdtsc() - pvclock.tsc_timestamp;
        if (pvclock.tsc_shift < 0)
            delta >>= -pvclock.tsc_shift;
        else
            delta <<= pvclock.tsc_shift;
        ns = pvclock.system_time +
             (uint64_t)(((unsigned __int128)delta * pvclock.tsc_to_system_mul) >> 32);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
    } while ((v & 1) || v != __atomic_load_n(&pvclock.version, __ATOMIC_ACQUIRE));
    return ns;
}

static uint16_t pit_read(void)
{
    outb(PIT_MODE, 0x00); /* latch channel 0 */
    uint8_t lo = inb(PIT_CH0);
    return (uint16_t)(lo | inb(PIT_CH0) << 8);
}

/* TSC ticks per second, measured over CALIBRATION_MS of PIT channel 0
 * (mode 2, free running from 65536). Channel 2 with port 0x61 would free
 * channel 0, but QEMU microvm has no port 0x61. */
static uint64_t calibrate_with_pit(void)
{
    outb(PIT_MODE, 0x34); /* channel 0, lobyte/hibyte, mode 2, binary */
    outb(PIT_CH0, 0);
    outb(PIT_CH0, 0);
    const uint32_t want = PIT_HZ / 1000 * CALIBRATION_MS;
    /* Start on a tick edge so the first partial tick does not count. */
    uint16_t prev = pit_read(), cur;
    while ((cur = pit_read()) == prev)
        cpu_relax();
    uint64_t t0 = rdtsc();
    uint32_t elapsed = 0;
    prev = cur;
    while (elapsed < want) {
        cur = pit_read();
        elapsed += (uint16_t)(prev - cur); /* modulo 65536: the counter wraps */
        prev = cur;
    }
    uint64_t t1 = rdtsc();
    return (t1 - t0) * PIT_HZ / elapsed;
}

static void set_tsc_hz(uint64_t hz)
{
    ns_mult = (1000000000ull << 32) / hz;
}

/* tsc-khz=N from the command line: the host knows the rate under TCG. */
static uint64_t tsc_khz_from_cmdline(void)
{
    static const char key[] = "tsc-khz=";
    const char *c = boot.cmdline;
    for (const char *p = c; *p; p++) {
        if ((p == c || p[-1] == ' ') && __builtin_memcmp(p, key, sizeof key - 1) == 0) {
            uint64_t v = 0;
            for (p += sizeof key - 1; *p >= '0' && *p <= '9'; p++)
                v = v * 10 + (uint64_t)(*p - '0');
            return v;
        }
    }
    return 0;
}

void clock_init(void)
{
    if (kvm_present()) {
        wrmsr(MSR_KVM_SYSTEM_TIME_NEW, (uintptr_t)&pvclock | 1);
        use_kvmclock = true;
        /* kvmclock starts at the VM's start: re-base it on kernel entry by
         * subtracting what has passed since boot_tsc. */
        uint64_t now = pvclock_read();
        uint64_t mul = pvclock.tsc_to_system_mul;
        int shift = pvclock.tsc_shift;
        /* ns per tick = mul * 2^shift / 2^32, so hz = 2^32 * 1e9 / (mul * 2^shift). */
        uint64_t hz = (1000000000ull << 32) / mul;
        hz = shift >= 0 ? hz >> shift : hz << -shift;
        set_tsc_hz(hz);
        uint64_t since_boot = (uint64_t)(((unsigned __int128)(rdtsc() - boot_tsc) * ns_mult) >> 32);
        kvm_origin = now - since_boot;
    } else {
        uint64_t khz = tsc_khz_from_cmdline();
        set_tsc_hz(khz ? khz * 1000 : calibrate_with_pit());
    }
    int64_t rtc = rtc_read();
    wall_offset = (rtc > 0 ? rtc : 0) * 1000000000ll - (int64_t)tsc_monotonic_ns();
}

uint64_t tsc_monotonic_ns(void)
{
    if (use_kvmclock)
        return pvclock_read() - kvm_origin;
    return (uint64_t)(((unsigned __int128)(rdtsc() - boot_tsc) * ns_mult) >> 32);
}

uint64_t tsc_wall_ns(void)
{
    return (uint64_t)((int64_t)tsc_monotonic_ns() + wall_offset);
}
