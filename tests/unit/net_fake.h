/* SPDX-License-Identifier: ISC */
/* A fake world for unit tests (and the fuzzer) of mirari's TCP/IP stack:
 *
 *  - a fake clock that only moves when the test runs the world;
 *  - a minimal event loop (timers, deferred calls) behind
 *    include/mirari/loop.h, deterministic: equal deadlines fire in arming
 *    order;
 *  - the platform's frame output as a hub ("the wire") joining stack
 *    instances and scripted peers ("taps"), with deterministic impairment
 *    (loss, duplication, reordering, corruption, delay) from a seed;
 *  - helpers to build and parse the frames scripted peers exchange.
 *
 * Frames are never delivered synchronously from a send: they wait on the
 * wire until the test runs it, as on a real link. */
#ifndef MIRARI_TESTS_NET_FAKE_H
#define MIRARI_TESTS_NET_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/stack.h"

#define MS(x)  ((uint64_t)(x)*1000000ull)
#define SEC(x) ((uint64_t)(x)*1000000000ull)

extern uint64_t fake_now;

/* Forget timers, deferred calls, wire and nodes; clock at 1 s; no impairment. */
void fake_reset(uint64_t seed);

struct fake_impair {
    unsigned loss_pct, dup_pct, reorder_pct, corrupt_pct;
    uint64_t delay_ns;  /* one-way latency of every frame */
    uint64_t jitter_ns; /* extra delay of a reordered frame: up to this */
    /* A bottleneck: each node sends at rate_Bps bytes per second (0:
     * at once), queueing up to queue_bytes (0: no limit); a frame that
     * does not fit is dropped (fake_queue_drops). */
    uint64_t rate_Bps, queue_bytes;
};
void fake_impair(const struct fake_impair *imp);

/* A stack instance with MAC 02:00:00:00:00:id, on the wire, configured
 * with addr/mask/gw unless addr is 0. Free with fake_stack_free. */
struct net_stack *fake_stack_new(uint8_t id, mi_ipv4 addr, mi_ipv4 mask, mi_ipv4 gw);
void fake_stack_free(struct net_stack *s);
/* Make s the stack the net.h functions (mi_tcp_listen...) act on. */
void fake_use(struct net_stack *s);

/* A scripted peer: receives every frame on the wire (it filters), and can
 * put frames on it. With an address, it answers ARP requests for it. */
typedef void (*fake_tap_fn)(const uint8_t *frame, size_t len, void *arg);
struct fake_tap {
    uint8_t mac[6];
    mi_ipv4 ip;
    fake_tap_fn fn;
    void *arg;
    /* Every frame it received, for tests that inspect after the fact. */
    uint8_t **frames;
    size_t *lens;
    size_t n;
};
struct fake_tap *fake_tap_new(uint8_t id, mi_ipv4 ip, fake_tap_fn fn, void *arg);
void fake_tap_send(struct fake_tap *tap, const void *frame, size_t len);
void fake_tap_clear(struct fake_tap *tap);

/* Run the world: one event (a deferred call, a timer, a frame delivery)
 * due no later than `limit`. false when there is none. */
bool fake_step(uint64_t limit);
/* Run everything due in the next ns nanoseconds; the clock ends there. */
void fake_run_for(uint64_t ns);
/* Run until cond(arg) holds (true) or max_ns pass (false). */
bool fake_run_until(bool (*cond)(void *arg), void *arg, uint64_t max_ns);
/* Frames sent so far by everyone, and frames waiting on the wire. */
extern uint64_t fake_frames_sent;
extern uint64_t fake_queue_drops;
size_t fake_wire_pending(void);
/* The device behind plat_net_send completes partial checksums and cuts
 * TSO frames as Linux's GSO does (and aborts when a stack asks for an
 * offload its net_stack.offloads does not have, or sends a frame beyond
 * the MTU without TSO). These count the frames given with a partial
 * checksum and those given for TSO; the observer, when set, sees each
 * frame as the stack gave it, before the device touches it. */
struct plat_net_tx;
extern uint64_t fake_offload_sends, fake_tso_sends;
typedef void (*fake_send_fn)(const uint8_t *frame, size_t len, const struct plat_net_tx *tx,
                             void *arg);
extern fake_send_fn fake_send_observer;
extern void *fake_send_observer_arg;
/* Log lines of the stack go to stderr when NET_TEST_LOG is set; they are
 * always formatted, so bad format arguments show up under the sanitizers. */

/* ---- building frames ---- */
/* Ethernet + IPv4 header around payload; returns the frame length. The IP
 * header fields come from the arguments; checksum computed. */
struct fake_ip {
    mi_ipv4 src, dst;
    uint8_t proto, ttl, ihl; /* ihl 0 = 5 */
    uint16_t id, frag;       /* frag: flags and offset field as sent */
    int16_t total_delta;     /* added to the correct total length */
    bool bad_checksum;
};
size_t fake_build_ip(uint8_t *frame, const uint8_t dst_mac[6], const uint8_t src_mac[6],
                     const struct fake_ip *ip, const void *payload, size_t len);

struct fake_tcp {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t wnd;
    const uint8_t *opt;
    size_t optlen;
};
/* TCP segment in IPv4 in Ethernet, correct checksums. */
size_t fake_build_tcp(uint8_t *frame, const uint8_t dst_mac[6], const uint8_t src_mac[6],
                      mi_ipv4 src, mi_ipv4 dst, const struct fake_tcp *h, const void *data,
                      size_t len);
size_t fake_build_udp(uint8_t *frame, const uint8_t dst_mac[6], const uint8_t src_mac[6],
                      mi_ipv4 src, mi_ipv4 dst, uint16_t sport, uint16_t dport, const void *data,
                      size_t len);

/* Parsed view of a captured IPv4 frame; false when it is not one. */
struct fake_parsed {
    mi_ipv4 src, dst;
    uint8_t proto;
    uint16_t id, frag;
    const uint8_t *l4;
    size_t l4len;
    /* TCP */
    struct fake_tcp tcp;
    const uint8_t *data;
    size_t len;
};
bool fake_parse(const uint8_t *frame, size_t len, struct fake_parsed *p);

uint8_t fake_mac_byte(const uint8_t *frame); /* last byte of the source MAC */

#endif
