/* SPDX-License-Identifier: ISC */
/* The Xen PV console: the ring page whose frame HVM_PARAM_CONSOLE_PFN
 * names, shared with dom0's xenconsoled, which copies what the guest
 * writes to `xl console` (and its log). The guest is the producer of the
 * `out` ring (xen/io/console.h): it writes bytes at out_prod, publishes
 * out_prod after them, and notifies the event channel
 * HVM_PARAM_CONSOLE_EVTCHN; the daemon advances out_cons as it reads.
 * Until the ring is set up (and if it cannot be), bytes go to I/O port
 * 0xE9, which Xen prints in `xl dmesg` when booted guest_loglvl=all. */
#include <port.h>

#include <xen/hvm/params.h>
#include <xen/io/console.h>

#include "hypercall.h"

#define DEBUG_PORT 0xe9
/* How long exit waits for the daemon to drain the ring. */
#define FLUSH_NS 1000000000ull

static struct xencons_interface *ring;
static uint32_t ring_port;

void xen_console_init(void)
{
    uint64_t pfn, port;
    if (xen_get_param(HVM_PARAM_CONSOLE_PFN, &pfn) < 0 || pfn == 0 ||
        xen_get_param(HVM_PARAM_CONSOLE_EVTCHN, &port) < 0) {
        port_log("mirari: no Xen console ring; writing to port 0xe9\n");
        return;
    }
    ring_port = (uint32_t)port;
    ring = port_phys_map(pfn * PORT_PAGE_SIZE, PORT_PAGE_SIZE);
}

void xen_console_write(const char *buf, size_t len)
{
    if (ring == NULL) {
        for (size_t i = 0; i < len; i++)
            port_out8(DEBUG_PORT, (uint8_t)buf[i]);
        return;
    }
    while (len > 0) {
        /* Read out_cons before writing the bytes it frees (acquire: the
         * daemon read them before it moved out_cons). */
        XENCONS_RING_IDX cons = __atomic_load_n(&ring->out_cons, __ATOMIC_ACQUIRE);
        XENCONS_RING_IDX prod = ring->out_prod;
        size_t space = sizeof ring->out - (prod - cons);
        if (space == 0) {
            /* Full: the daemon runs in dom0; let it. */
            xen_notify(ring_port);
            xen_yield();
            continue;
        }
        size_t n = len < space ? len : space;
        for (size_t i = 0; i < n; i++)
            ring->out[MASK_XENCONS_IDX(prod++, ring->out)] = buf[i];
        /* Publish the bytes before the index that covers them (release:
         * Linux's hvc_xen has wmb() here). */
        __atomic_store_n(&ring->out_prod, prod, __ATOMIC_RELEASE);
        xen_notify(ring_port);
        buf += n;
        len -= n;
    }
}

void xen_console_flush(void)
{
    if (ring == NULL)
        return;
    /* A domain destroyed on exit (on_poweroff="destroy") takes the ring
     * with it: wait until the daemon has read everything, but not for
     * ever (no daemon, or a stuck one). */
    uint64_t until = xen_system_time() + FLUSH_NS;
    while (__atomic_load_n(&ring->out_cons, __ATOMIC_ACQUIRE) != ring->out_prod &&
           xen_system_time() < until) {
        xen_notify(ring_port);
        xen_yield();
    }
}
