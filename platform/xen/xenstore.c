/* SPDX-License-Identifier: ISC */
/* A xenstore client on the domain's shared ring (xen/io/xs_wire.h; Xen's
 * docs/misc/xenstore.txt and xenstore-ring.txt): the page whose frame
 * HVM_PARAM_STORE_PFN names holds a request ring and a reply ring of 1 KiB
 * each, with free-running indexes; HVM_PARAM_STORE_EVTCHN is the channel
 * both sides notify after moving an index. A message is a struct
 * xsd_sockmsg header and len bytes of payload, and may wrap around the
 * ring or arrive in pieces.
 *
 * One request is outstanding at a time, so the next reply is its reply,
 * except for watch events (XS_WATCH_EVENT), which the daemon sends
 * whenever a watched path changes: they are counted and dropped (the
 * netfront re-reads what it watches). Waiting halts the vCPU
 * (port_idle_until) until the store's channel or the clock wakes it. The
 * same shape as Mini-OS's xenbus.c without its threads, and Solo5's
 * bindings/xen. */
#include <errno.h>
#include <string.h>

#include <port.h>

#include <xen/hvm/params.h>
#include <xen/io/xs_wire.h>

#include "hypercall.h"
#include "xenstore.h"

/* Upper bound of one halt: a missed notification costs at most this. */
#define POLL_NS 10000000ull

static struct xenstore_domain_interface *ring;
static uint32_t ring_port;
static uint32_t next_req_id;
static unsigned watch_events;
static char body[XENSTORE_PAYLOAD_MAX + 1];

static int ring_init(void)
{
    static int state = 1; /* 1 until tried, then 0 or -ENODEV */
    if (state <= 0)
        return state;
    uint64_t pfn, port;
    state = -ENODEV;
    if (xen_hypercall_page == NULL || xen_get_param(HVM_PARAM_STORE_PFN, &pfn) < 0 || pfn == 0 ||
        xen_get_param(HVM_PARAM_STORE_EVTCHN, &port) < 0)
        return state;
    ring = port_phys_map(pfn * PORT_PAGE_SIZE, PORT_PAGE_SIZE);
    if (ring == NULL)
        return state;
    ring_port = (uint32_t)port;
    if (xen_event_bind(ring_port, NULL, NULL) < 0)
        return state;
    state = 0;
    return state;
}

/* Halt until the store's channel (or the clock) wakes us; -ETIMEDOUT once
 * deadline has passed. */
static int wait(uint64_t deadline)
{
    uint64_t now = xen_monotonic_ns();
    if (now >= deadline)
        return -ETIMEDOUT;
    port_idle_until(deadline - now > POLL_NS ? now + POLL_NS : deadline);
    return 0;
}

static int put(const void *data, size_t len, uint64_t deadline)
{
    const char *p = data;
    while (len > 0) {
        /* Acquire: the daemon has read the bytes it freed. */
        XENSTORE_RING_IDX cons = __atomic_load_n(&ring->req_cons, __ATOMIC_ACQUIRE);
        XENSTORE_RING_IDX prod = ring->req_prod;
        size_t space = XENSTORE_RING_SIZE - (prod - cons);
        if (space == 0) {
            int err = wait(deadline);
            if (err < 0)
                return err;
            continue;
        }
        size_t n = len < space ? len : space;
        for (size_t i = 0; i < n; i++)
            ring->req[MASK_XENSTORE_IDX(prod++)] = p[i];
        /* Release: the bytes are in the ring before the index covers
         * them. */
        __atomic_store_n(&ring->req_prod, prod, __ATOMIC_RELEASE);
        xen_notify(ring_port);
        p += n;
        len -= n;
    }
    return 0;
}

static int get(void *data, size_t len, uint64_t deadline)
{
    char *p = data;
    while (len > 0) {
        XENSTORE_RING_IDX prod = __atomic_load_n(&ring->rsp_prod, __ATOMIC_ACQUIRE);
        XENSTORE_RING_IDX cons = ring->rsp_cons;
        size_t avail = prod - cons;
        if (avail == 0) {
            int err = wait(deadline);
            if (err < 0)
                return err;
            continue;
        }
        size_t n = len < avail ? len : avail;
        for (size_t i = 0; i < n; i++)
            p[i] = ring->rsp[MASK_XENSTORE_IDX(cons++)];
        /* Release: read before the space is handed back. */
        __atomic_store_n(&ring->rsp_cons, cons, __ATOMIC_RELEASE);
        xen_notify(ring_port);
        p += n;
        len -= n;
    }
    return 0;
}

/* The next message that is not a watch event, its payload in body
 * (NUL-terminated for the callers' convenience). */
static int get_reply(struct xsd_sockmsg *m, uint64_t deadline)
{
    for (;;) {
        int err = get(m, sizeof *m, deadline);
        if (err < 0)
            return err;
        if (m->len > XENSTORE_PAYLOAD_MAX)
            return -EIO; /* the ring is out of step: nothing to resync on */
        if ((err = get(body, m->len, deadline)) < 0)
            return err;
        body[m->len] = '\0';
        if (m->type != XS_WATCH_EVENT)
            return 0;
        watch_events++;
    }
}

static int error_code(const char *name)
{
    for (size_t i = 0; i < sizeof xsd_errors / sizeof xsd_errors[0]; i++)
        if (strcmp(name, xsd_errors[i].errstring) == 0)
            return -xsd_errors[i].errnum;
    return -EIO;
}

/* Send a request whose payload is the n strings of part, each with its
 * NUL except the last when last_nul is false (XS_WRITE's value), and wait
 * for the reply: its payload length (in body), or a negative errno. */
static int request(uint32_t type, uint32_t tx, const char *const *part, size_t n, bool last_nul)
{
    int err = ring_init();
    if (err < 0)
        return err;
    struct xsd_sockmsg m = {.type = type, .req_id = next_req_id++, .tx_id = tx};
    size_t len[4];
    for (size_t i = 0; i < n; i++) {
        len[i] = strlen(part[i]) + (i + 1 < n || last_nul);
        m.len += (uint32_t)len[i];
    }
    if (m.len > XENSTORE_PAYLOAD_MAX)
        return -E2BIG;
    uint64_t deadline = xen_monotonic_ns() + XENSTORE_TIMEOUT_NS;
    if ((err = put(&m, sizeof m, deadline)) < 0)
        return err;
    for (size_t i = 0; i < n; i++)
        if ((err = put(part[i], len[i], deadline)) < 0)
            return err;
    struct xsd_sockmsg r;
    if ((err = get_reply(&r, deadline)) < 0)
        return err;
    if (r.type == XS_ERROR)
        return error_code(body);
    if (r.type != type || r.req_id != m.req_id)
        return -EIO;
    return (int)r.len;
}

static int copy_out(int len, char *buf, size_t cap)
{
    if (len < 0)
        return len;
    if ((size_t)len >= cap)
        return -EMSGSIZE;
    memcpy(buf, body, (size_t)len);
    buf[len] = '\0';
    return len;
}

int xenstore_read(uint32_t tx, const char *path, char *buf, size_t cap)
{
    return copy_out(request(XS_READ, tx, &path, 1, true), buf, cap);
}

int xenstore_directory(uint32_t tx, const char *path, char *buf, size_t cap)
{
    return copy_out(request(XS_DIRECTORY, tx, &path, 1, true), buf, cap);
}

int xenstore_write(uint32_t tx, const char *path, const char *value)
{
    const char *part[] = {path, value};
    int rc = request(XS_WRITE, tx, part, 2, false);
    return rc < 0 ? rc : 0;
}

int xenstore_transaction_start(uint32_t *tx)
{
    const char *empty = "";
    int rc = request(XS_TRANSACTION_START, 0, &empty, 1, true);
    if (rc < 0)
        return rc;
    /* The reply is the transaction's id in decimal. */
    uint32_t id = 0;
    for (const char *p = body; *p >= '0' && *p <= '9'; p++)
        id = id * 10 + (uint32_t)(*p - '0');
    if (id == 0)
        return -EIO;
    *tx = id;
    return 0;
}

int xenstore_transaction_end(uint32_t tx, bool commit)
{
    const char *flag = commit ? "T" : "F";
    int rc = request(XS_TRANSACTION_END, tx, &flag, 1, true);
    return rc < 0 ? rc : 0;
}

int xenstore_watch(const char *path, const char *token)
{
    const char *part[] = {path, token};
    int rc = request(XS_WATCH, 0, part, 2, true);
    return rc < 0 ? rc : 0;
}

int xenstore_unwatch(const char *path, const char *token)
{
    const char *part[] = {path, token};
    int rc = request(XS_UNWATCH, 0, part, 2, true);
    return rc < 0 ? rc : 0;
}

unsigned xenstore_watch_events(void)
{
    return watch_events;
}

int xenstore_wait_watch(unsigned seen, uint64_t deadline_ns)
{
    int err = ring_init();
    if (err < 0)
        return err;
    while (watch_events == seen) {
        /* Take whatever the daemon sent: only watch events come
         * unasked. */
        if (__atomic_load_n(&ring->rsp_prod, __ATOMIC_ACQUIRE) != ring->rsp_cons) {
            struct xsd_sockmsg m;
            if ((err = get(&m, sizeof m, deadline_ns)) < 0)
                return err;
            if (m.len > XENSTORE_PAYLOAD_MAX)
                return -EIO;
            if ((err = get(body, m.len, deadline_ns)) < 0)
                return err;
            if (m.type != XS_WATCH_EVENT)
                return -EIO;
            watch_events++;
        } else if ((err = wait(deadline_ns)) < 0) {
            return err;
        }
    }
    return 0;
}
