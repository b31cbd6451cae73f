/* SPDX-License-Identifier: ISC */
/* Time on Xen, from shared_info rather than from a calibration:
 *   - system time: vCPU 0's pvclock (struct vcpu_time_info, xen.h):
 *     ns = system_time + ((tsc - tsc_timestamp) << tsc_shift) *
 *     tsc_to_system_mul >> 32, read under its version counter (odd while
 *     Xen updates it). It is the time base of the one-shot timer
 *     (VCPUOP_set_singleshot_timer takes an absolute system time), so
 *     deadlines need no conversion, and Xen keeps it in step across
 *     migration and TSC changes, which a TSC rate read once from CPUID
 *     leaf base + 3 would not;
 *   - the monotonic clock: system time since xen_time_init();
 *   - the wall clock: shared_info's wc_sec (with wc_sec_hi) and wc_nsec,
 *     the Unix time at system time 0, under wc_version, plus system time. */
#include <port.h>

#include "hypercall.h"

static uint64_t origin;

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

uint64_t xen_system_time(void)
{
    const struct vcpu_time_info *t = &xen_shared->vcpu_info[0].time;
    uint32_t v;
    uint64_t ns;
    do {
        v = __atomic_load_n(&t->version, __ATOMIC_ACQUIRE);
        uint64_t delta = rdtsc() - t->tsc_timestamp;
        if (t->tsc_shift < 0)
            delta >>= -t->tsc_shift;
        else
            delta <<= t->tsc_shift;
        ns = t->system_time + (uint64_t)(((unsigned __int128)delta * t->tsc_to_system_mul) >> 32);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
    } while ((v & 1) || v != __atomic_load_n(&t->version, __ATOMIC_ACQUIRE));
    return ns;
}

void xen_time_init(void)
{
    if (xen_shared->vcpu_info[0].time.tsc_to_system_mul == 0)
        port_panic("Xen published no pvclock in shared_info");
    origin = xen_system_time();
}

uint64_t xen_monotonic_ns(void)
{
    return xen_system_time() - origin;
}

uint64_t xen_wall_ns(void)
{
    uint32_t v;
    uint64_t sec, nsec;
    do {
        v = __atomic_load_n(&xen_shared->wc_version, __ATOMIC_ACQUIRE);
        sec = (uint64_t)xen_shared->wc_sec_hi << 32 | xen_shared->wc_sec;
        nsec = xen_shared->wc_nsec;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
    } while ((v & 1) || v != __atomic_load_n(&xen_shared->wc_version, __ATOMIC_ACQUIRE));
    return sec * 1000000000ull + nsec + xen_system_time();
}

void xen_timer_arm_monotonic(uint64_t deadline_ns)
{
    /* Xen keeps the timeout as a signed system time (s_time_t): a deadline
     * beyond that range (UINT64_MAX, the runtime's "no deadline") would
     * wrap into the past and fire at once; none stops the timer. */
    if (deadline_ns > (uint64_t)INT64_MAX - origin)
        xen_timer_stop();
    else
        xen_timer_arm(deadline_ns + origin);
}
