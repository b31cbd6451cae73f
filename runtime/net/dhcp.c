/* SPDX-License-Identifier: ISC */
/* DHCP client, RFC 2131 (message format section 2, client behaviour
 * sections 3.1 and 4.4), options from RFC 2132.
 *
 *   SELECTING   DISCOVER broadcast, retransmitted after 4, 8, 16, 32, 64,
 *               64... seconds, each +-1 s (4.1); the first OFFER wins
 *   REQUESTING  REQUEST broadcast naming the server (4.3.2); 4 tries, then
 *               back to SELECTING; ACK -> BOUND, NAK -> SELECTING
 *   BOUND       until T1 (default lease/2)
 *   RENEWING    REQUEST unicast to the server, retransmitted after half
 *               the time left until T2, at least 60 s (4.4.5)
 *   REBINDING   the same, broadcast, until the lease expires
 *   expiry      the address is dropped and the client starts again
 *
 * Not done: the ARP probe of the offered address before using it (a
 * SHOULD of 2131 4.4.1; with DECLINE), INIT-REBOOT, option overload. */
#include <errno.h>
#include <string.h>

#include "stack.h"

#define DHCP_FIXED   236 /* op .. file */
#define DHCP_MIN_LEN (DHCP_FIXED + 4)
#define DHCP_MAGIC   0x63825363u

#define DHCPDISCOVER 1
#define DHCPOFFER    2
#define DHCPREQUEST  3
#define DHCPACK      5
#define DHCPNAK      6

#define OPT_PAD         0
#define OPT_SUBNET_MASK 1
#define OPT_ROUTER      3
#define OPT_REQUESTED   50
#define OPT_LEASE       51
#define OPT_MSG_TYPE    53
#define OPT_SERVER_ID   54
#define OPT_PARAMS      55
#define OPT_MAX_SIZE    57
#define OPT_T1          58
#define OPT_T2          59
#define OPT_CLIENT_ID   61
#define OPT_END         255

#define SEC(x) ((uint64_t)(x)*MI_NSEC_PER_SEC)

static const char *const state_names[] = {
    [DHCP_OFF] = "OFF",     [DHCP_SELECTING] = "SELECTING", [DHCP_REQUESTING] = "REQUESTING",
    [DHCP_BOUND] = "BOUND", [DHCP_RENEWING] = "RENEWING",   [DHCP_REBINDING] = "REBINDING",
};

static void dhcp_timer_fn(mi_timer *timer, void *arg);
static void dhcp_recv(mi_udp *u, mi_ipv4 src, uint16_t sport, const void *data, size_t len,
                      void *arg);

static void set_state(struct net_stack *s, enum dhcp_state st)
{
    mi_debug("net: dhcp %s -> %s", state_names[s->dhcp.state], state_names[st]);
    s->dhcp.state = st;
    s->dhcp.tries = 0;
}

/* RFC 2131 4.1: randomised exponential backoff, 4 s doubling to 64 s,
 * plus or minus one second; called after the tries-th transmission. */
static uint64_t backoff(struct net_stack *s)
{
    unsigned sent = s->dhcp.tries > 0 ? s->dhcp.tries - 1 : 0;
    unsigned n = sent < 4 ? sent : 4;
    uint32_t in[2] = {s->dhcp.xid, s->dhcp.tries};
    int64_t jitter_ms = (int64_t)(net_hash(s, in, sizeof(in)) % 2001) - 1000;
    return (uint64_t)((int64_t)SEC(4u << n) + jitter_ms * (int64_t)MI_NSEC_PER_MSEC);
}

static uint8_t *opt_u8(uint8_t *p, uint8_t code, uint8_t v)
{
    p[0] = code;
    p[1] = 1;
    p[2] = v;
    return p + 3;
}

static uint8_t *opt_ip(uint8_t *p, uint8_t code, mi_ipv4 a)
{
    p[0] = code;
    p[1] = 4;
    put32(p + 2, a);
    return p + 6;
}

static void send_msg(struct net_stack *s, uint8_t type)
{
    struct dhcp_client *d = &s->dhcp;
    uint8_t m[DHCP_MIN_LEN + 64];
    memset(m, 0, sizeof(m));
    m[0] = 1; /* BOOTREQUEST */
    m[1] = 1; /* Ethernet */
    m[2] = ETH_ALEN;
    put32(m + 4, d->xid);
    uint64_t secs = (mi_now() - d->started) / MI_NSEC_PER_SEC;
    put16(m + 8, (uint16_t)(secs > 65535 ? 65535 : secs));
    bool renewing = d->state == DHCP_RENEWING || d->state == DHCP_REBINDING;
    if (renewing)
        put32(m + 12, s->nif.address); /* ciaddr (table 5 of 4.4.1) */
    memcpy(m + 28, s->mac, ETH_ALEN);
    put32(m + DHCP_FIXED, DHCP_MAGIC);

    uint8_t *p = m + DHCP_MIN_LEN;
    p = opt_u8(p, OPT_MSG_TYPE, type);
    *p++ = OPT_CLIENT_ID;
    *p++ = 1 + ETH_ALEN;
    *p++ = 1;
    memcpy(p, s->mac, ETH_ALEN);
    p += ETH_ALEN;
    *p++ = OPT_MAX_SIZE;
    *p++ = 2;
    put16(p, (uint16_t)s->mtu);
    p += 2;
    if (type == DHCPREQUEST && d->state == DHCP_REQUESTING) {
        p = opt_ip(p, OPT_REQUESTED, d->offered);
        p = opt_ip(p, OPT_SERVER_ID, d->server);
    }
    static const uint8_t params[] = {OPT_SUBNET_MASK, OPT_ROUTER, OPT_LEASE, OPT_T1, OPT_T2};
    *p++ = OPT_PARAMS;
    *p++ = sizeof(params);
    memcpy(p, params, sizeof(params));
    p += sizeof(params);
    *p++ = OPT_END;

    /* RENEWING talks to the server directly; every other message is
     * broadcast, from 0.0.0.0 while we have no address (4.1). */
    mi_ipv4 src = renewing ? s->nif.address : 0;
    mi_ipv4 dst = d->state == DHCP_RENEWING ? d->server : IP_BROADCAST;
    if (udp_send(s, src, DHCP_CLIENT_PORT, dst, DHCP_SERVER_PORT, m, (size_t)(p - m)) == 0)
        s->stats.dhcp_out++;
    d->tries++;
}

static void start_selecting(struct net_stack *s)
{
    struct dhcp_client *d = &s->dhcp;
    set_state(s, DHCP_SELECTING);
    uint64_t in[2] = {mi_now(), d->xid};
    d->xid = (uint32_t)net_hash(s, in, sizeof(in));
    d->started = mi_now();
    d->offered = d->server = 0;
    send_msg(s, DHCPDISCOVER);
    mi_timer_after(&d->timer, backoff(s));
}

int dhcp_start(struct net_stack *s, void (*ready)(void *arg), void *arg)
{
    struct dhcp_client *d = &s->dhcp;
    if (d->state != DHCP_OFF)
        return -EALREADY;
    int err;
    d->sock = udp_bind(s, MI_IPV4_ANY, DHCP_CLIENT_PORT, dhcp_recv, s, &err);
    if (d->sock == NULL)
        return err;
    /* The client's socket is the runtime's, not the application's. */
    d->sock->internal = true;
    s->udp.n--;
    s->udp.n_internal++;
    d->ready = ready;
    d->ready_arg = arg;
    mi_timer_init(&d->timer, dhcp_timer_fn, s);
    start_selecting(s);
    return 0;
}

void dhcp_stop(struct net_stack *s)
{
    struct dhcp_client *d = &s->dhcp;
    if (d->state == DHCP_OFF)
        return;
    mi_timer_stop(&d->timer);
    udp_unbind(d->sock);
    d->sock = NULL;
    d->state = DHCP_OFF;
}

/* The lease is lost (expiry or NAK while bound): stop using the address. */
static void lose_address(struct net_stack *s)
{
    if (s->configured) {
        mi_warn("net: dhcp: lost " IP4_FMT, IP4_ARGS(s->nif.address));
        net_stack_deconfigure(s);
    }
}

static void dhcp_timer_fn(mi_timer *timer, void *arg)
{
    struct net_stack *s = arg;
    struct dhcp_client *d = &s->dhcp;
    uint64_t now = mi_now();
    (void)timer;
    switch (d->state) {
    case DHCP_SELECTING:
        send_msg(s, DHCPDISCOVER);
        mi_timer_after(&d->timer, backoff(s));
        return;
    case DHCP_REQUESTING:
        if (d->tries >= 4) {
            start_selecting(s);
            return;
        }
        send_msg(s, DHCPREQUEST);
        mi_timer_after(&d->timer, backoff(s));
        return;
    case DHCP_BOUND:
    case DHCP_RENEWING:
    case DHCP_REBINDING:
        break;
    default:
        return;
    }
    if (now >= d->expire_at) {
        NET_DROP(s, dhcp_expired, IP4_FMT, IP4_ARGS(d->offered));
        lose_address(s);
        start_selecting(s);
        return;
    }
    if (now >= d->t2_at && d->state != DHCP_REBINDING) {
        set_state(s, DHCP_REBINDING);
        d->xid++;
    } else if (now >= d->t1_at && d->state == DHCP_BOUND) {
        set_state(s, DHCP_RENEWING);
        d->xid++;
    }
    uint64_t until = d->state == DHCP_RENEWING ? d->t2_at : d->expire_at;
    if (d->state != DHCP_BOUND)
        send_msg(s, DHCPREQUEST);
    /* 4.4.5: retransmit after half the remaining time, at least 60 s,
     * but wake up for the next state change. */
    uint64_t next = d->state == DHCP_BOUND ? d->t1_at : now + (until - now) / 2;
    if (d->state != DHCP_BOUND && next < now + SEC(60))
        next = now + SEC(60);
    if (next > until)
        next = until;
    mi_timer_at(&d->timer, next);
}

/* What an OFFER, ACK or NAK says. */
struct dhcp_reply {
    uint8_t type;
    mi_ipv4 yiaddr, server, netmask, router;
    uint32_t lease, t1, t2;
};

static int parse(const struct net_stack *s, const uint8_t *m, size_t len, struct dhcp_reply *r)
{
    memset(r, 0, sizeof(*r));
    if (len < DHCP_MIN_LEN || m[0] != 2 || m[1] != 1 || m[2] != ETH_ALEN ||
        get32(m + 4) != s->dhcp.xid || memcmp(m + 28, s->mac, ETH_ALEN) != 0 ||
        get32(m + DHCP_FIXED) != DHCP_MAGIC)
        return -1;
    r->yiaddr = get32(m + 16);
    for (size_t i = DHCP_MIN_LEN; i < len;) {
        uint8_t code = m[i];
        if (code == OPT_PAD) {
            i++;
            continue;
        }
        if (code == OPT_END || i + 1 >= len)
            break;
        uint8_t olen = m[i + 1];
        const uint8_t *v = m + i + 2;
        if (i + 2 + olen > len)
            return -1;
        switch (code) {
        case OPT_MSG_TYPE:
            if (olen == 1)
                r->type = v[0];
            break;
        case OPT_SUBNET_MASK:
            if (olen == 4)
                r->netmask = get32(v);
            break;
        case OPT_ROUTER:
            if (olen >= 4)
                r->router = get32(v); /* the first router of the list */
            break;
        case OPT_SERVER_ID:
            if (olen == 4)
                r->server = get32(v);
            break;
        case OPT_LEASE:
            if (olen == 4)
                r->lease = get32(v);
            break;
        case OPT_T1:
            if (olen == 4)
                r->t1 = get32(v);
            break;
        case OPT_T2:
            if (olen == 4)
                r->t2 = get32(v);
            break;
        default:
            break;
        }
        i += 2u + olen;
    }
    return r->type != 0 ? 0 : -1;
}

/* A mask with contiguous ones; else the classful default (RFC 2131 does
 * not require the option). */
static mi_ipv4 sane_netmask(mi_ipv4 mask, mi_ipv4 addr)
{
    if (mask != 0 && (~mask & (~mask + 1)) == 0 && mask != IP_BROADCAST)
        return mask;
    uint8_t first = (uint8_t)(addr >> 24);
    return first < 128 ? 0xff000000u : first < 192 ? 0xffff0000u : 0xffffff00u;
}

static void call_ready(void *arg)
{
    struct net_stack *s = arg;
    void (*ready)(void *) = s->dhcp.ready;
    s->dhcp.ready = NULL;
    if (ready != NULL)
        ready(s->dhcp.ready_arg);
}

static void bound(struct net_stack *s, const struct dhcp_reply *r)
{
    struct dhcp_client *d = &s->dhcp;
    uint64_t now = mi_now();
    uint32_t lease = r->lease != 0 ? r->lease : 3600;
    /* 4.4.5 defaults: T1 = 0.5 lease, T2 = 0.875 lease; keep T1 <= T2 <= lease. */
    uint32_t t2 = r->t2 != 0 && r->t2 <= lease ? r->t2 : lease - lease / 8;
    uint32_t t1 = r->t1 != 0 && r->t1 <= t2 ? r->t1 : lease / 2;
    if (t1 > t2)
        t1 = t2;
    mi_ipv4 mask = sane_netmask(r->netmask, r->yiaddr);
    mi_ipv4 gw = r->router;
    if (gw != 0 && ((gw ^ r->yiaddr) & mask) != 0)
        gw = 0; /* a router off our link is unusable */
    bool fresh = !s->configured || s->nif.address != r->yiaddr || s->nif.netmask != mask ||
                 s->nif.gateway != gw;
    d->offered = r->yiaddr;
    if (r->server != 0)
        d->server = r->server;
    d->netmask = mask;
    d->router = gw;
    d->lease_s = lease;
    d->t1_at = now + SEC(t1);
    d->t2_at = now + SEC(t2);
    d->expire_at = now + SEC(lease);
    set_state(s, DHCP_BOUND);
    s->stats.dhcp_lease++;
    if (fresh) {
        net_stack_configure(s, r->yiaddr, mask, gw);
        arp_announce(s);
    }
    mi_info("net: dhcp: lease of " IP4_FMT " for %u s from " IP4_FMT, IP4_ARGS(r->yiaddr), lease,
            IP4_ARGS(d->server));
    mi_timer_at(&d->timer, d->t1_at);
    if (d->ready != NULL && mi_defer(call_ready, s) != 0)
        call_ready(s);
}

static void dhcp_recv(mi_udp *u, mi_ipv4 src, uint16_t sport, const void *data, size_t len,
                      void *arg)
{
    struct net_stack *s = arg;
    struct dhcp_client *d = &s->dhcp;
    struct dhcp_reply r;
    (void)u;
    if (sport != DHCP_SERVER_PORT || parse(s, data, len, &r) != 0) {
        NET_DROP(s, dhcp_drop, "%zu bytes from " IP4_FMT ":%u", len, IP4_ARGS(src), sport);
        return;
    }
    switch (d->state) {
    case DHCP_SELECTING:
        if (r.type != DHCPOFFER || r.yiaddr == 0 || ipv4_is_martian(s, r.yiaddr))
            break;
        s->stats.dhcp_in++;
        d->offered = r.yiaddr;
        d->server = r.server != 0 ? r.server : src;
        set_state(s, DHCP_REQUESTING);
        send_msg(s, DHCPREQUEST);
        mi_timer_after(&d->timer, backoff(s));
        return;
    case DHCP_REQUESTING:
    case DHCP_RENEWING:
    case DHCP_REBINDING:
        if (r.type == DHCPACK && r.yiaddr != 0 && !ipv4_is_martian(s, r.yiaddr) &&
            (d->state != DHCP_REQUESTING || r.yiaddr == d->offered)) {
            s->stats.dhcp_in++;
            bound(s, &r);
            return;
        }
        if (r.type == DHCPNAK && (r.server == 0 || d->server == 0 || r.server == d->server ||
                                  d->state == DHCP_REBINDING)) {
            s->stats.dhcp_in++;
            NET_DROP(s, dhcp_nak, "from " IP4_FMT, IP4_ARGS(src));
            lose_address(s);
            start_selecting(s);
            return;
        }
        break;
    default:
        break;
    }
    NET_DROP(s, dhcp_drop, "type %u in %s", r.type, state_names[d->state]);
}
