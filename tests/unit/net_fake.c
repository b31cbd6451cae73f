/* SPDX-License-Identifier: ISC */
/* The fake world of net_fake.h: clock, loop, platform, wire. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mirari/log.h>
#include <mirari/loop.h>
#include <platform.h>

#include <rng.h>
#include "net/checksum.h"
#include "net_fake.h"

uint64_t fake_now;
uint64_t fake_frames_sent;
uint64_t fake_queue_drops;

/* ---- deterministic randomness (splitmix64) ---- */
static uint64_t rng_state;

static uint64_t rng(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* The image's DRBG (rng.h), for backend.c: the fake world's
 * deterministic stream instead. */
void rng_bytes(void *buf, size_t n)
{
    static uint64_t state = 0x6d69726172692d72ull;
    unsigned char *p = buf;
    for (size_t i = 0; i < n; i++) {
        uint64_t z = (state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        p[i] = (unsigned char)(z >> 56);
    }
}

static unsigned pct(void)
{
    return (unsigned)(rng() % 100);
}

/* ---- the loop ---- */
#define MAX_TIMERS 4096
static mi_timer *timers[MAX_TIMERS];
static uint64_t timer_order[MAX_TIMERS];
static size_t ntimers;
static uint64_t arm_counter;

struct deferred {
    void (*fn)(void *);
    void *arg;
};
static struct deferred deferred[4096];
static size_t ndeferred;

uint64_t mi_now(void)
{
    return fake_now;
}

uint64_t mi_wall(void)
{
    return 1700000000ull * MI_NSEC_PER_SEC + fake_now;
}

void mi_timer_init(mi_timer *t, mi_timer_fn fn, void *arg)
{
    memset(t, 0, sizeof(*t));
    t->fn = fn;
    t->arg = arg;
}

void mi_timer_stop(mi_timer *t)
{
    if (t->slot == 0)
        return;
    size_t i = t->slot - 1;
    ntimers--;
    if (i != ntimers) {
        timers[i] = timers[ntimers];
        timer_order[i] = timer_order[ntimers];
        timers[i]->slot = i + 1;
    }
    t->slot = 0;
}

void mi_timer_at(mi_timer *t, uint64_t deadline)
{
    mi_timer_stop(t);
    if (ntimers == MAX_TIMERS)
        abort();
    t->deadline = deadline;
    timers[ntimers] = t;
    timer_order[ntimers] = arm_counter++;
    t->slot = ++ntimers;
}

void mi_timer_after(mi_timer *t, uint64_t delay_ns)
{
    mi_timer_at(t, fake_now + delay_ns);
}

bool mi_timer_armed(const mi_timer *t)
{
    return t->slot != 0;
}

int mi_defer(void (*fn)(void *arg), void *arg)
{
    if (ndeferred == sizeof(deferred) / sizeof(deferred[0]))
        return -ENOMEM;
    deferred[ndeferred].fn = fn;
    deferred[ndeferred].arg = arg;
    ndeferred++;
    return 0;
}

/* ---- logging ---- */
static int log_to_stderr = -1;

void mi_log_set_level(enum mi_log_level level)
{
    (void)level;
}

enum mi_log_level mi_log_get_level(void)
{
    return MI_LOG_DEBUG;
}

void mi_log(enum mi_log_level level, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (log_to_stderr < 0)
        log_to_stderr = getenv("NET_TEST_LOG") != NULL;
    if (log_to_stderr)
        fprintf(stderr, "[%10.6f] %d: %s\n", (double)fake_now / 1e9, (int)level, line);
}

/* ---- the wire ---- */
#define MAX_NODES 16
struct node {
    uint8_t mac[6];
    struct net_stack *s; /* a stack, or */
    struct fake_tap *tap;
    uint64_t busy_until; /* its link is sending until then (the bottleneck) */
};
static struct node nodes[MAX_NODES];
static size_t nnodes;

struct frame {
    struct frame *next;
    uint64_t at, seq;
    size_t to; /* node index */
    size_t len;
    uint8_t data[];
};
static struct frame *wire;
static uint64_t frame_seq;
static struct fake_impair impair;

size_t fake_wire_pending(void)
{
    size_t n = 0;
    for (struct frame *f = wire; f != NULL; f = f->next)
        n++;
    return n;
}

static void enqueue(size_t to, const uint8_t *data, size_t len, uint64_t at)
{
    struct frame *f = malloc(sizeof(*f) + len);
    if (f == NULL)
        abort();
    f->at = at;
    f->seq = frame_seq++;
    f->to = to;
    f->len = len;
    memcpy(f->data, data, len);
    struct frame **p = &wire;
    while (*p != NULL && ((*p)->at < at || ((*p)->at == at && (*p)->seq < f->seq)))
        p = &(*p)->next;
    f->next = *p;
    *p = f;
}

/* A frame from node `from` reaches every other node, impaired. */
static void transmit(size_t from, const uint8_t *data, size_t len)
{
    fake_frames_sent++;
    uint64_t depart = fake_now;
    if (impair.rate_Bps != 0) {
        struct node *n = &nodes[from];
        if (n->busy_until < fake_now)
            n->busy_until = fake_now;
        uint64_t queued = (n->busy_until - fake_now) * impair.rate_Bps / SEC(1);
        if (impair.queue_bytes != 0 && queued + len > impair.queue_bytes) {
            fake_queue_drops++;
            return;
        }
        n->busy_until += len * SEC(1) / impair.rate_Bps;
        depart = n->busy_until;
    }
    for (size_t to = 0; to < nnodes; to++) {
        if (to == from)
            continue;
        if (impair.loss_pct && pct() < impair.loss_pct)
            continue;
        int copies = impair.dup_pct && pct() < impair.dup_pct ? 2 : 1;
        for (int c = 0; c < copies; c++) {
            uint64_t at = depart + impair.delay_ns;
            if (impair.reorder_pct && pct() < impair.reorder_pct)
                at += impair.jitter_ns ? rng() % impair.jitter_ns : MS(1);
            if (impair.corrupt_pct && pct() < impair.corrupt_pct && len > 0) {
                uint8_t copy[2048];
                size_t n = len < sizeof(copy) ? len : sizeof(copy);
                memcpy(copy, data, n);
                /* Never the destination MAC, so the frame still arrives
                 * and the damage must be caught by a checksum. */
                size_t at_byte = n > 6 ? 6 + rng() % (n - 6) : 0;
                copy[at_byte] ^= (uint8_t)(1u << (rng() % 8));
                enqueue(to, copy, n, at);
            } else {
                enqueue(to, data, len, at);
            }
        }
    }
}

static size_t sender(const uint8_t *f)
{
    for (size_t i = 0; i < nnodes; i++)
        if (nodes[i].s != NULL && memcmp(nodes[i].mac, f + 6, 6) == 0)
            return i;
    abort(); /* a frame from nobody */
}

int plat_net_write(const void *frame, size_t len)
{
    const uint8_t *f = frame;
    size_t from = sender(f);
    if (len > (size_t)ETH_HLEN + nodes[from].s->mtu)
        abort(); /* larger than the link takes */
    transmit(from, f, len);
    return 0;
}

/* ---- the offloading device ---- */
uint64_t fake_offload_sends, fake_tso_sends;
fake_send_fn fake_send_observer;
void *fake_send_observer_arg;

/* Ones' complement sum of 16-bit words, folded. */
static uint16_t fold(uint64_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

/* What a device does with a partial checksum (virtio 1.2 5.1.6.2): the
 * sum from csum_start to the end, the field included, complemented. */
static void complete_csum(uint8_t *f, size_t len, const struct plat_net_tx *tx)
{
    struct cksum c;
    cksum_init(&c);
    cksum_add(&c, f + tx->csum_start, len - tx->csum_start);
    put16(f + tx->csum_start + tx->csum_offset, cksum_finish(&c));
}

/* Cut a TSO frame as Linux's GSO (tcp_gso_segment) does, and send the
 * segments: headers copied, IP total length, ID and checksum, TCP
 * sequence number, PSH and FIN on the last only, and the pseudo-header
 * sum in the checksum field moved from the whole length to the
 * segment's before the checksum is completed. */
static void tso_cut(size_t from, const uint8_t *f, size_t len, const struct plat_net_tx *tx)
{
    size_t hl = tx->hdr_len, ts = tx->csum_start;
    uint16_t id = get16(f + ETH_HLEN + 4);
    uint32_t seq = get32(f + ts + 4);
    uint16_t whole = (uint16_t)(len - ts);
    uint16_t pseudo = get16(f + ts + 16);
    for (size_t off = hl, i = 0; off < len; off += tx->tso_mss, i++) {
        size_t n = len - off < tx->tso_mss ? len - off : tx->tso_mss;
        uint8_t seg[NET_FRAME_MAX];
        if (hl + n > sizeof(seg))
            abort();
        memcpy(seg, f, hl);
        memcpy(seg + hl, f + off, n);
        uint8_t *ip = seg + ETH_HLEN, *tcp = seg + ts;
        put16(ip + 2, (uint16_t)(hl - ETH_HLEN + n));
        put16(ip + 4, (uint16_t)(id + i));
        put16(ip + 10, 0);
        put16(ip + 10, cksum_buf(ip, (size_t)(ip[0] & 15) * 4));
        put32(tcp + 4, seq + (uint32_t)(off - hl));
        if (off + n < len)
            tcp[13] &= (uint8_t) ~(TCP_PSH | TCP_FIN);
        uint16_t seglen = (uint16_t)(hl - ts + n);
        put16(tcp + 16, fold((uint64_t)pseudo + (uint16_t)~whole + seglen));
        complete_csum(seg, hl + n, tx);
        transmit(from, seg, hl + n);
    }
}

int plat_net_send(const struct plat_net_frag *frag, int n, const struct plat_net_tx *tx)
{
    static uint8_t f[PLAT_NET_FRAME_GSO];
    size_t len = 0;
    if (n < 1 || n > PLAT_NET_SEND_FRAGS)
        abort();
    for (int i = 0; i < n; i++) {
        if (frag[i].len > sizeof(f) - len)
            abort();
        memcpy(f + len, frag[i].base, frag[i].len);
        len += frag[i].len;
    }
    size_t from = sender(f);
    const struct net_stack *s = nodes[from].s;
    bool csum = tx != NULL && tx->csum_start != 0, tso = tx != NULL && tx->tso_mss != 0;
    /* What the stack may ask of the device it was told about. */
    if ((csum && !(s->offloads & PLAT_NET_TX_CSUM)) ||
        (tso && (!(s->offloads & PLAT_NET_TX_TSO4) || !csum || frag[0].len < tx->hdr_len)) ||
        (!tso && len > (size_t)ETH_HLEN + s->mtu))
        abort();
    if (fake_send_observer != NULL)
        fake_send_observer(f, len, tx, fake_send_observer_arg);
    if (csum)
        fake_offload_sends++;
    if (tso) {
        fake_tso_sends++;
        tso_cut(from, f, len, tx);
        return 0;
    }
    if (csum)
        complete_csum(f, len, tx);
    transmit(from, f, len);
    return 0;
}

void fake_impair(const struct fake_impair *imp)
{
    if (imp != NULL)
        impair = *imp;
    else
        memset(&impair, 0, sizeof(impair));
}

static void free_tap(struct fake_tap *tap)
{
    fake_tap_clear(tap);
    free(tap->frames);
    free(tap->lens);
    free(tap);
}

void fake_reset(uint64_t seed)
{
    while (wire != NULL) {
        struct frame *f = wire;
        wire = f->next;
        free(f);
    }
    for (size_t i = 0; i < nnodes; i++)
        if (nodes[i].tap != NULL)
            free_tap(nodes[i].tap);
    nnodes = 0;
    ntimers = 0;
    ndeferred = 0;
    fake_now = SEC(1);
    fake_frames_sent = 0;
    fake_queue_drops = 0;
    fake_offload_sends = fake_tso_sends = 0;
    fake_send_observer = NULL;
    rng_state = seed;
    memset(&impair, 0, sizeof(impair));
    net_current = NULL;
}

static size_t add_node(const uint8_t mac[6])
{
    if (nnodes == MAX_NODES)
        abort();
    memset(&nodes[nnodes], 0, sizeof(nodes[0]));
    memcpy(nodes[nnodes].mac, mac, 6);
    return nnodes++;
}

struct net_stack *fake_stack_new(uint8_t id, mi_ipv4 addr, mi_ipv4 mask, mi_ipv4 gw)
{
    uint8_t mac[6] = {0x02, 0, 0, 0, 0, id};
    struct net_stack *s = malloc(sizeof(*s));
    if (s == NULL)
        abort();
    /* A fixed key per node: the runs are reproducible. */
    uint8_t key[NET_KEY_LEN];
    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (uint8_t)(0x5e + 31 * i + 7 * id);
    net_stack_init(s, mac, 1500, key);
    if (addr != 0)
        net_stack_configure(s, addr, mask, gw);
    nodes[add_node(mac)].s = s;
    return s;
}

void fake_stack_free(struct net_stack *s)
{
    net_stack_destroy(s);
    for (size_t i = 0; i < nnodes; i++)
        if (nodes[i].s == s)
            nodes[i].s = NULL; /* frames to it are dropped from now on */
    /* Deferred calls for it must not run any more. */
    for (size_t i = 0; i < ndeferred; i++)
        if (deferred[i].arg == s)
            deferred[i].fn = NULL;
    free(s);
}

void fake_use(struct net_stack *s)
{
    net_current = s;
}

struct fake_tap *fake_tap_new(uint8_t id, mi_ipv4 ip, fake_tap_fn fn, void *arg)
{
    struct fake_tap *tap = calloc(1, sizeof(*tap));
    if (tap == NULL)
        abort();
    uint8_t mac[6] = {0x02, 0, 0, 0, 0, id};
    memcpy(tap->mac, mac, 6);
    tap->ip = ip;
    tap->fn = fn;
    tap->arg = arg;
    nodes[add_node(mac)].tap = tap;
    return tap;
}

void fake_tap_clear(struct fake_tap *tap)
{
    for (size_t i = 0; i < tap->n; i++)
        free(tap->frames[i]);
    tap->n = 0;
}

void fake_tap_send(struct fake_tap *tap, const void *frame, size_t len)
{
    for (size_t i = 0; i < nnodes; i++)
        if (nodes[i].tap == tap) {
            transmit(i, frame, len);
            return;
        }
    abort();
}

static void tap_answer_arp(struct fake_tap *tap, const uint8_t *f, size_t len)
{
    if (tap->ip == 0 || len < 42 || get16(f + 12) != ETH_P_ARP || get16(f + 20) != 1 ||
        get32(f + 38) != tap->ip)
        return;
    uint8_t r[60] = {0};
    memcpy(r, f + 6, 6);
    memcpy(r + 6, tap->mac, 6);
    put16(r + 12, ETH_P_ARP);
    put16(r + 14, 1);
    put16(r + 16, ETH_P_IPV4);
    r[18] = 6;
    r[19] = 4;
    put16(r + 20, 2);
    memcpy(r + 22, tap->mac, 6);
    put32(r + 28, tap->ip);
    memcpy(r + 32, f + 22, 6);
    memcpy(r + 38, f + 28, 4);
    fake_tap_send(tap, r, sizeof(r));
}

static void deliver(struct frame *f)
{
    struct node *n = &nodes[f->to];
    if (n->s != NULL) {
        net_stack_input(n->s, f->data, f->len, 0);
    } else if (n->tap != NULL) {
        struct fake_tap *tap = n->tap;
        tap->frames = realloc(tap->frames, (tap->n + 1) * sizeof(*tap->frames));
        tap->lens = realloc(tap->lens, (tap->n + 1) * sizeof(*tap->lens));
        tap->frames[tap->n] = malloc(f->len);
        memcpy(tap->frames[tap->n], f->data, f->len);
        tap->lens[tap->n] = f->len;
        tap->n++;
        tap_answer_arp(tap, f->data, f->len);
        if (tap->fn != NULL)
            tap->fn(f->data, f->len, tap->arg);
    }
}

bool fake_step(uint64_t limit)
{
    if (ndeferred > 0) {
        struct deferred d = deferred[0];
        memmove(&deferred[0], &deferred[1], (ndeferred - 1) * sizeof(deferred[0]));
        ndeferred--;
        if (d.fn != NULL)
            d.fn(d.arg);
        return true;
    }
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < ntimers; i++)
        if (best == SIZE_MAX || timers[i]->deadline < timers[best]->deadline ||
            (timers[i]->deadline == timers[best]->deadline && timer_order[i] < timer_order[best]))
            best = i;
    uint64_t t_timer = best == SIZE_MAX ? UINT64_MAX : timers[best]->deadline;
    uint64_t t_frame = wire != NULL ? wire->at : UINT64_MAX;
    uint64_t t = t_timer < t_frame ? t_timer : t_frame;
    if (t == UINT64_MAX || t > limit)
        return false;
    if (t > fake_now)
        fake_now = t;
    if (t_frame <= t_timer) {
        struct frame *f = wire;
        wire = f->next;
        deliver(f);
        free(f);
    } else {
        mi_timer *tm = timers[best];
        mi_timer_stop(tm);
        tm->fn(tm, tm->arg);
    }
    return true;
}

void fake_run_for(uint64_t ns)
{
    uint64_t end = fake_now + ns;
    while (fake_step(end))
        ;
    if (fake_now < end)
        fake_now = end;
}

bool fake_run_until(bool (*cond)(void *arg), void *arg, uint64_t max_ns)
{
    uint64_t end = fake_now + max_ns;
    while (!cond(arg)) {
        if (!fake_step(end)) {
            if (fake_now < end)
                fake_now = end;
            return cond(arg);
        }
    }
    return true;
}

/* ---- the platform, for backend.c (not driven by the unit tests) ---- */
uint64_t plat_monotonic_ns(void)
{
    return fake_now;
}

uint64_t plat_wall_ns(void)
{
    return mi_wall();
}

bool plat_yield(uint64_t deadline_ns)
{
    if (deadline_ns != UINT64_MAX && deadline_ns > fake_now)
        fake_now = deadline_ns;
    return false;
}

int plat_net_info(struct plat_net_info *info)
{
    static const uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0xee};
    memcpy(info->mac, mac, 6);
    info->mtu = 1500;
    return 0;
}

int plat_net_read(void *buf, size_t cap, size_t *len)
{
    (void)buf;
    (void)cap;
    (void)len;
    return -EAGAIN;
}

int plat_net_recv(void *buf, size_t cap, size_t *len, unsigned *flags)
{
    *flags = 0;
    return plat_net_read(buf, cap, len);
}

/* ---- frames ---- */
uint8_t fake_mac_byte(const uint8_t *frame)
{
    return frame[11];
}

size_t fake_build_ip(uint8_t *f, const uint8_t dst_mac[6], const uint8_t src_mac[6],
                     const struct fake_ip *ip, const void *payload, size_t len)
{
    memcpy(f, dst_mac, 6);
    memcpy(f + 6, src_mac, 6);
    put16(f + 12, ETH_P_IPV4);
    uint8_t *h = f + 14;
    size_t ihl = ip->ihl ? ip->ihl : 5;
    size_t hlen = ihl * 4 < 20 ? 20 : ihl * 4; /* a lying IHL still gets 20 bytes */
    memset(h, 0, hlen);
    h[0] = (uint8_t)(0x40 | (ihl & 15));
    put16(h + 2, (uint16_t)(hlen + len + ip->total_delta));
    put16(h + 4, ip->id);
    put16(h + 6, ip->frag);
    h[8] = ip->ttl ? ip->ttl : 64;
    h[9] = ip->proto;
    put32(h + 12, ip->src);
    put32(h + 16, ip->dst);
    put16(h + 10, cksum_buf(h, hlen));
    if (ip->bad_checksum)
        h[10] ^= 0x55;
    if (len > 0)
        memcpy(h + hlen, payload, len);
    return 14 + hlen + len;
}

size_t fake_build_tcp(uint8_t *frame, const uint8_t dst_mac[6], const uint8_t src_mac[6],
                      mi_ipv4 src, mi_ipv4 dst, const struct fake_tcp *t, const void *data,
                      size_t len)
{
    uint8_t seg[2048];
    size_t hlen = 20 + ((t->optlen + 3) & ~(size_t)3);
    memset(seg, 0, hlen);
    put16(seg, t->sport);
    put16(seg + 2, t->dport);
    put32(seg + 4, t->seq);
    put32(seg + 8, t->ack);
    seg[12] = (uint8_t)((hlen / 4) << 4);
    seg[13] = t->flags;
    put16(seg + 14, t->wnd);
    if (t->optlen)
        memcpy(seg + 20, t->opt, t->optlen);
    if (len > 0)
        memcpy(seg + hlen, data, len);
    struct cksum c;
    cksum_init(&c);
    cksum_add_pseudo(&c, src, dst, IP_PROTO_TCP, (uint16_t)(hlen + len));
    cksum_add(&c, seg, hlen + len);
    put16(seg + 16, cksum_finish(&c));
    struct fake_ip ip = {.src = src, .dst = dst, .proto = IP_PROTO_TCP, .id = 1};
    return fake_build_ip(frame, dst_mac, src_mac, &ip, seg, hlen + len);
}

size_t fake_build_udp(uint8_t *frame, const uint8_t dst_mac[6], const uint8_t src_mac[6],
                      mi_ipv4 src, mi_ipv4 dst, uint16_t sport, uint16_t dport, const void *data,
                      size_t len)
{
    uint8_t d[2048];
    put16(d, sport);
    put16(d + 2, dport);
    put16(d + 4, (uint16_t)(8 + len));
    put16(d + 6, 0);
    if (len > 0)
        memcpy(d + 8, data, len);
    struct cksum c;
    cksum_init(&c);
    cksum_add_pseudo(&c, src, dst, IP_PROTO_UDP, (uint16_t)(8 + len));
    cksum_add(&c, d, 8 + len);
    uint16_t sum = cksum_finish(&c);
    put16(d + 6, sum ? sum : 0xffff);
    struct fake_ip ip = {.src = src, .dst = dst, .proto = IP_PROTO_UDP, .id = 2};
    return fake_build_ip(frame, dst_mac, src_mac, &ip, d, 8 + len);
}

bool fake_parse(const uint8_t *f, size_t len, struct fake_parsed *p)
{
    memset(p, 0, sizeof(*p));
    if (len < 34 || get16(f + 12) != ETH_P_IPV4)
        return false;
    const uint8_t *h = f + 14;
    size_t hlen = (size_t)(h[0] & 15) * 4;
    size_t total = get16(h + 2);
    if (total > len - 14 || hlen < 20 || hlen > total)
        return false;
    p->src = get32(h + 12);
    p->dst = get32(h + 16);
    p->proto = h[9];
    p->id = get16(h + 4);
    p->frag = get16(h + 6);
    p->l4 = h + hlen;
    p->l4len = total - hlen;
    if (p->proto == IP_PROTO_TCP && p->l4len >= 20 && (p->frag & 0x3fff) == 0) {
        const uint8_t *t = p->l4;
        size_t off = (size_t)(t[12] >> 4) * 4;
        p->tcp.sport = get16(t);
        p->tcp.dport = get16(t + 2);
        p->tcp.seq = get32(t + 4);
        p->tcp.ack = get32(t + 8);
        p->tcp.flags = t[13];
        p->tcp.wnd = get16(t + 14);
        p->tcp.opt = t + 20;
        p->tcp.optlen = off - 20;
        p->data = t + off;
        p->len = p->l4len - off;
    }
    return true;
}
