/* SPDX-License-Identifier: ISC */
/* The Xen PV network frontend (xen/io/netif.h) of device/vif/0: one tx
 * and one rx shared ring (xen/io/ring.h), page-sized packet buffers
 * granted to the backend once and reused, and an event channel the
 * backend notifies. Modelled on Mini-OS's netfront.c, without its
 * threads: the set-up below runs synchronously at the first
 * plat_net_info(), waiting on xenstore watches with bounded timeouts.
 *
 * Negotiated (docs: netif.h, "Feature and Parameter Negotiation"): what
 * the frontend writes is request-rx-copy=1 (the backend copies each frame
 * into a granted rx buffer: no page flipping), feature-rx-notify=1 (we
 * set rsp_event, so the backend notifies us; Linux's netback refuses a
 * frontend without it), feature-sg=0, feature-gso-tcpv4=0,
 * feature-gso-tcpv6=0 (every frame fits one buffer, no segmentation
 * offload) and feature-no-csum-offload=1 (the backend must hand us frames
 * with complete checksums; our frames carry theirs, flags 0). A single
 * queue: no multi-queue-num-queues, so the keys are at the vif's root.
 *
 * Handshake (XenbusState, xen/io/xenbus.h): the toolstack creates both
 * ends in Initialising; the backend moves to InitWait once its hotplug
 * script has run; we publish the rings, channel and features in one
 * transaction together with our state Connected, then wait for the
 * backend's Connected. */
#include <errno.h>
#include <string.h>

#include <port.h>

#include <xen/grant_table.h>

#define xen_mb()  __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#include <xen/io/netif.h>
#include <xen/io/ring.h>
#include <xen/io/xenbus.h>

#include "hypercall.h"
#include "netfront.h"
#include "xenstore.h"

#define VIF        "device/vif/0"
#define RING_PAGES 1
#define NRX        64 /* rx buffers posted (the ring holds 256) */
#define NTX        32 /* tx buffers */
/* How long the backend may take to reach a state: its hotplug script
 * runs in dom0, which is slow under nested emulation. */
#define STATE_TIMEOUT_NS (30 * 1000000000ull)

static struct {
    bool up;
    uint16_t backend_id;
    char backend[128];
    uint8_t mac[6];
    uint32_t evtchn;
    netif_tx_front_ring_t tx;
    netif_rx_front_ring_t rx;
    uint32_t tx_ring_ref, rx_ring_ref;
    uint8_t *rx_buf[NRX], *tx_buf[NTX];
    grant_ref_t rx_gref[NRX], tx_gref[NTX];
    uint16_t tx_free[NTX]; /* a stack of free tx buffer ids */
    unsigned ntx_free;
    unsigned long rx_frames, tx_frames, rx_dropped, tx_busy;
} nf;

bool xen_guest(void)
{
    return xen_hypercall_page != NULL;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
    for (unsigned i = 0; i < 6; i++) {
        unsigned v = 0;
        for (unsigned k = 0; k < 2; k++, s++) {
            char c = *s;
            unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                         : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                         : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                                : 16;
            if (d == 16)
                return -EINVAL;
            v = v * 16 + d;
        }
        mac[i] = (uint8_t)v;
        if (*s != (i < 5 ? ':' : '\0'))
            return -EINVAL;
        s++;
    }
    return 0;
}

/* A page granted to the backend: its pointer, and its reference in
 * *ref. */
static void *granted_page(bool readonly, grant_ref_t *ref, int *err)
{
    uint64_t phys;
    void *p = port_page_alloc(1, &phys);
    if (p == NULL) {
        *err = -ENOMEM;
        return NULL;
    }
    *err = xen_grant(nf.backend_id, phys, readonly, ref);
    return *err < 0 ? NULL : p;
}

static void post_rx(uint16_t id)
{
    netif_rx_request_t *r = RING_GET_REQUEST(&nf.rx, nf.rx.req_prod_pvt);
    r->id = id;
    r->gref = nf.rx_gref[id];
    nf.rx.req_prod_pvt++;
}

static void push_rx(void)
{
    int notify;
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&nf.rx, notify);
    if (notify)
        xen_notify(nf.evtchn);
}

static int setup_rings(void)
{
    int err;
    netif_tx_sring_t *txs = granted_page(false, &nf.tx_ring_ref, &err);
    if (txs == NULL)
        return err;
    netif_rx_sring_t *rxs = granted_page(false, &nf.rx_ring_ref, &err);
    if (rxs == NULL)
        return err;
    SHARED_RING_INIT(txs);
    FRONT_RING_INIT(&nf.tx, txs, PORT_PAGE_SIZE * RING_PAGES);
    SHARED_RING_INIT(rxs);
    FRONT_RING_INIT(&nf.rx, rxs, PORT_PAGE_SIZE * RING_PAGES);
    for (uint16_t i = 0; i < NRX; i++)
        if ((nf.rx_buf[i] = granted_page(false, &nf.rx_gref[i], &err)) == NULL)
            return err;
    for (uint16_t i = 0; i < NTX; i++) {
        if ((nf.tx_buf[i] = granted_page(true, &nf.tx_gref[i], &err)) == NULL)
            return err;
        nf.tx_free[nf.ntx_free++] = i;
    }
    long rc = xen_event_alloc_unbound(nf.backend_id, &nf.evtchn);
    if (rc < 0)
        return -EIO;
    for (uint16_t i = 0; i < NRX; i++)
        post_rx(i);
    return 0;
}

static int write_uint(uint32_t tx, const char *key, unsigned long v)
{
    char path[64], val[24];
    port_snprintf(path, sizeof path, VIF "/%s", key);
    port_snprintf(val, sizeof val, "%lu", v);
    return xenstore_write(tx, path, val);
}

/* The frontend's keys and its Connected state, in one transaction,
 * retried when the store reports a conflicting change (-EAGAIN). */
static int publish(void)
{
    static const char *const features[][2] = {
        {"request-rx-copy", "1"},   {"feature-rx-notify", "1"}, {"feature-sg", "0"},
        {"feature-gso-tcpv4", "0"}, {"feature-gso-tcpv6", "0"}, {"feature-no-csum-offload", "1"},
    };
    for (;;) {
        uint32_t tx;
        int err = xenstore_transaction_start(&tx);
        if (err < 0)
            return err;
        if ((err = write_uint(tx, "tx-ring-ref", nf.tx_ring_ref)) >= 0 &&
            (err = write_uint(tx, "rx-ring-ref", nf.rx_ring_ref)) >= 0 &&
            (err = write_uint(tx, "event-channel", nf.evtchn)) >= 0) {
            for (size_t i = 0; i < sizeof features / sizeof features[0] && err >= 0; i++) {
                char path[64];
                port_snprintf(path, sizeof path, VIF "/%s", features[i][0]);
                err = xenstore_write(tx, path, features[i][1]);
            }
        }
        if (err >= 0)
            err = write_uint(tx, "state", XenbusStateConnected);
        if (err < 0) {
            xenstore_transaction_end(tx, false);
            return err;
        }
        err = xenstore_transaction_end(tx, true);
        if (err != -EAGAIN)
            return err;
    }
}

/* Wait until the backend's state is at least want (watching it), or it
 * gives up (Closing and after), or the time runs out. */
static int wait_backend(XenbusState want)
{
    char path[160], val[16];
    port_snprintf(path, sizeof path, "%s/state", nf.backend);
    int err = xenstore_watch(path, "mirari-netfront");
    if (err < 0)
        return err;
    uint64_t deadline = xen_monotonic_ns() + STATE_TIMEOUT_NS;
    for (;;) {
        unsigned seen = xenstore_watch_events();
        if ((err = xenstore_read(0, path, val, sizeof val)) < 0)
            break;
        unsigned state = 0;
        for (const char *p = val; *p >= '0' && *p <= '9'; p++)
            state = state * 10 + (unsigned)(*p - '0');
        if (state >= XenbusStateClosing) {
            err = -ECONNREFUSED;
            break;
        }
        if (state >= want)
            break;
        if ((err = xenstore_wait_watch(seen, deadline)) < 0)
            break;
    }
    xenstore_unwatch(path, "mirari-netfront");
    return err < 0 ? err : 0;
}

static int connect(void)
{
    char val[32];
    int err = xenstore_read(0, VIF "/backend-id", val, sizeof val);
    if (err < 0)
        return err == -ENOENT ? -ENODEV : err;
    nf.backend_id = 0;
    for (const char *p = val; *p >= '0' && *p <= '9'; p++)
        nf.backend_id = (uint16_t)(nf.backend_id * 10 + (*p - '0'));
    if ((err = xenstore_read(0, VIF "/backend", nf.backend, sizeof nf.backend)) < 0 ||
        (err = xenstore_read(0, VIF "/mac", val, sizeof val)) < 0)
        return err;
    if ((err = parse_mac(val, nf.mac)) < 0)
        return err;
    if ((err = wait_backend(XenbusStateInitWait)) < 0) {
        port_log("mirari: netfront: backend %s not ready (%d)\n", nf.backend, err);
        return err;
    }
    if ((err = setup_rings()) < 0)
        return err;
    /* The backend's notifications end the idle halt; no handler: the
     * driver looks at the rings when the runtime asks. */
    if (xen_event_bind(nf.evtchn, NULL, NULL) < 0)
        return -EBUSY;
    if ((err = publish()) < 0 || (err = wait_backend(XenbusStateConnected)) < 0) {
        port_log("mirari: netfront: backend %s did not connect (%d)\n", nf.backend, err);
        /* A backend that is gone must not keep waking us. */
        xen_event_unbind(nf.evtchn);
        return err;
    }
    /* Rx buffers go to the backend only now that it reads the ring. */
    push_rx();
    return 0;
}

int netfront_init(void)
{
    int err = connect();
    if (err < 0) {
        if (err != -ENODEV)
            port_log("mirari: netfront " VIF ": start-up failed (%d)\n", err);
        return err;
    }
    nf.up = true;
    port_log("mirari: netfront " VIF " (backend %s), mac %02x:%02x:%02x:%02x:%02x:%02x\n",
             nf.backend, nf.mac[0], nf.mac[1], nf.mac[2], nf.mac[3], nf.mac[4], nf.mac[5]);
    return 0;
}

void netfront_mac(uint8_t mac[6])
{
    memcpy(mac, nf.mac, 6);
}

bool netfront_pending(void)
{
    if (!nf.up)
        return false;
    /* Sets rsp_event to the next response and looks again: a frame the
     * backend posts after the look notifies the channel, which ends the
     * coming halt. */
    int more;
    RING_FINAL_CHECK_FOR_RESPONSES(&nf.rx, more);
    return more != 0;
}

int netfront_read(void *buf, size_t cap, size_t *len)
{
    if (!nf.up)
        return -ENODEV;
    for (;;) {
        if (!RING_HAS_UNCONSUMED_RESPONSES(&nf.rx))
            return -EAGAIN;
        /* Read the response after seeing the index that covers it. */
        xen_rmb();
        netif_rx_response_t r = *RING_GET_RESPONSE(&nf.rx, nf.rx.rsp_cons);
        nf.rx.rsp_cons++;
        int rc = 0;
        uint16_t id = r.id;
        if (id >= NRX)
            port_panic("netfront: rx response for unknown buffer %u", id);
        if (r.status <= 0 || (r.flags & (NETRXF_more_data | NETRXF_extra_info)) ||
            r.offset + (size_t)r.status > PORT_PAGE_SIZE) {
            rc = 1; /* an error, or a frame we did not negotiate: drop */
            nf.rx_dropped++;
        } else if ((size_t)r.status > cap) {
            rc = -EMSGSIZE;
            nf.rx_dropped++;
        } else {
            *len = (size_t)r.status;
            memcpy(buf, nf.rx_buf[id] + r.offset, *len);
            nf.rx_frames++;
        }
        post_rx(id);
        push_rx();
        if (rc <= 0)
            return rc;
    }
}

int netfront_write(const void *frame, size_t len)
{
    if (!nf.up)
        return -ENODEV;
    if (len > PORT_PAGE_SIZE)
        return -EIO;
    /* Take back the buffers the backend has sent. */
    while (RING_HAS_UNCONSUMED_RESPONSES(&nf.tx)) {
        xen_rmb();
        netif_tx_response_t *r = RING_GET_RESPONSE(&nf.tx, nf.tx.rsp_cons);
        nf.tx.rsp_cons++;
        if (r->status == NETIF_RSP_NULL)
            continue; /* the slot of an extra-info request: none here */
        if (r->id < NTX)
            nf.tx_free[nf.ntx_free++] = r->id;
    }
    if (nf.ntx_free == 0 || RING_FULL(&nf.tx)) {
        nf.tx_busy++;
        return -EAGAIN;
    }
    uint16_t id = nf.tx_free[--nf.ntx_free];
    memcpy(nf.tx_buf[id], frame, len);
    netif_tx_request_t *t = RING_GET_REQUEST(&nf.tx, nf.tx.req_prod_pvt);
    t->gref = nf.tx_gref[id];
    t->offset = 0;
    t->flags = 0; /* checksums complete, no more fragments */
    t->id = id;
    t->size = (uint16_t)len;
    nf.tx.req_prod_pvt++;
    int notify;
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&nf.tx, notify);
    if (notify)
        xen_notify(nf.evtchn);
    nf.tx_frames++;
    return 0;
}
