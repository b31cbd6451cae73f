/* SPDX-License-Identifier: ISC */
/* A model-based sender after BBR (Cardwell et al., "BBR: Congestion-Based
 * Congestion Control", ACM Queue 2016; draft-cardwell-iccrg-bbr-congestion-
 * control; Linux's tcp_bbr.c is the reference the comparison in
 * bench/loss.py runs against).
 *
 * Why: a loss-based sender (tcp_cc.c) halves its window for every loss.
 * Under random loss that is not congestion (20% both ways in issue 12),
 * the window sinks to 2-4 segments, and a flight that small often has
 * every segment or ACK lost, so the transfer waits for timeouts that
 * double: 1 MB took 3-20 s where Linux with BBR took 10 ms, keeping 50
 * segments and more in flight and finding each loss by SACK. This sender
 * sets cwnd from what it measures of the path instead:
 *
 *   bw       the bottleneck bandwidth: the best delivery rate of the
 *            last TCP_BBR_BW_ROUNDS round trips. A round's rate is what
 *            the peer got (ACKed or SACKed, so losses do not lower it)
 *            over the round's time. A round in which the sender ran out
 *            of data measures the application: it may raise the
 *            estimate, never lower it, nor end startup.
 *   min_rtt  the round-trip propagation time: the smallest RTT sampled
 *            to the microsecond in the last 10 s (the millisecond
 *            timestamp echoes are too coarse for a LAN).
 *   cwnd     gain x bw x min_rtt + 3 send quanta, at least 4 segments.
 *            The quantum (bw for 1 ms, 2 segments to 64 KiB, as Linux's
 *            TSO goal) allows for ACKs that come in bursts: receivers that
 *            coalesce, and this stack's own batches of frames.
 *
 * Startup grows cwnd as slow start does (by what is delivered, while it
 * is used), with gain 2/ln 2, until three rounds in a row bring less than
 * 25% more bandwidth; then the gain is 2 and cwnd moves to its target at
 * once (down) or by what is delivered (up). Loss does not change the
 * target. A fast recovery conserves packets for its first round (cwnd =
 * what is in the network + what was just delivered), then grows back;
 * a timeout sends one segment, then grows by what is delivered; when
 * either ends cwnd is at least what it was before.
 *
 * When min_rtt is 10 s old and the sender is using its window, cwnd
 * drops to 4 segments for 200 ms and a round trip (BBR's PROBE_RTT): the
 * window keeps up to a round trip's worth queued at the bottleneck, and
 * an RTT sampled through that queue, taken as the new minimum, would
 * double the window, and the queue, every 10 s.
 *
 * Left out, from BBR: pacing (this stack sends a window at once; the
 * quantum and the 2x gain bound the burst), the probing cycle (without
 * pacing its gains have nothing to act on), the long-term policer model,
 * and BBRv2/v3's bounds from loss and ECN. Lost segments go again by the usual SACK
 * recovery (RFC 6675, RACK); only how much may be in flight differs. */
#include <string.h>

#include "stack.h"

#define BBR_HIGH_GAIN_X1000 2885 /* 2 / ln 2: doubles the delivery rate every round */
#define BBR_CWND_GAIN_X1000 2000
#define BBR_FULL_BW_X100    125 /* startup lasts while a round brings 25% more */
#define BBR_FULL_BW_COUNT   3
#define BBR_MIN_RTT_WIN     (10 * MI_NSEC_PER_SEC)
#define BBR_MIN_CWND_SEGS   4
#define BBR_PROBE_RTT_TIME  (200 * MI_NSEC_PER_MSEC)
#define BBR_QUANTUM_MAX     65536
#define CWND_MAX            (1u << 30)

void tcp_bbr_init(struct mi_tcp *t)
{
    memset(&t->bbr, 0, sizeof(t->bbr));
}

void tcp_bbr_rtt(struct mi_tcp *t, uint64_t rtt_ns)
{
    struct tcp_bbr *b = &t->bbr;
    uint64_t us = rtt_ns / 1000;
    if (us == 0)
        us = 1;
    if (us > UINT32_MAX)
        us = UINT32_MAX;
    uint64_t now = mi_now();
    if (b->min_rtt_us == 0 || us <= b->min_rtt_us || now - b->min_rtt_at > BBR_MIN_RTT_WIN) {
        b->min_rtt_us = (uint32_t)us;
        b->min_rtt_at = now;
    }
}

static uint64_t max_bw(const struct tcp_bbr *b)
{
    uint64_t m = 0;
    for (int i = 0; i < TCP_BBR_BW_ROUNDS; i++)
        if (b->bw[i] > m)
            m = b->bw[i];
    return m;
}

/* The cwnd BBR aims at with the given gain (x1000); 0 while the model
 * has no bandwidth or no RTT yet. */
static uint32_t target_cwnd(const struct mi_tcp *t, uint32_t gain)
{
    const struct tcp_bbr *b = &t->bbr;
    uint64_t bw = max_bw(b);
    uint32_t mss = t->snd_mss;
    if (bw == 0 || b->min_rtt_us == 0)
        return 0;
    uint64_t bdp = bw * b->min_rtt_us / 1000000;
    uint64_t quantum = bw / 1000;
    if (quantum < 2u * mss)
        quantum = 2u * mss;
    if (quantum > BBR_QUANTUM_MAX)
        quantum = BBR_QUANTUM_MAX;
    uint64_t w = bdp * gain / 1000 + 3 * quantum;
    if (w < (uint64_t)BBR_MIN_CWND_SEGS * mss)
        w = (uint64_t)BBR_MIN_CWND_SEGS * mss;
    return w < CWND_MAX ? (uint32_t)w : CWND_MAX;
}

/* The highest byte the peer is known to hold, + 1. */
static uint32_t delivered_edge(const struct mi_tcp *t)
{
    uint32_t e = t->snd_una;
    if (t->sacked.n > 0 && seq_gt(t->sacked.r[t->sacked.n - 1].end, e))
        e = t->sacked.r[t->sacked.n - 1].end;
    return e;
}

static void round_start(struct mi_tcp *t, uint64_t now)
{
    struct tcp_bbr *b = &t->bbr;
    b->round_delivered = b->delivered;
    b->round_at = now;
    b->round_end = t->snd_max;
    b->round_app_limited = false;
}

/* The round in progress ended: its delivery rate, and whether startup is
 * over (draft-cardwell-iccrg-bbr 4.3.1.2: three rounds without 25% more). */
static void round_done(struct mi_tcp *t, uint64_t now)
{
    struct tcp_bbr *b = &t->bbr;
    uint64_t elapsed = now - b->round_at;
    uint64_t bytes = b->delivered - b->round_delivered;
    b->rounds++;
    uint64_t *slot = &b->bw[b->rounds % TCP_BBR_BW_ROUNDS];
    *slot = 0; /* the round TCP_BBR_BW_ROUNDS ago leaves the filter */
    uint64_t best = max_bw(b);
    if (elapsed > 0 && bytes > 0) {
        uint64_t rate = bytes * MI_NSEC_PER_SEC / elapsed;
        if (!b->round_app_limited || rate >= best)
            *slot = rate;
    }
    if (!b->full_bw_reached && !b->round_app_limited) {
        uint64_t bw = max_bw(b);
        if (bw * 100 >= b->full_bw * BBR_FULL_BW_X100) {
            b->full_bw = bw;
            b->full_bw_count = 0;
        } else if (++b->full_bw_count >= BBR_FULL_BW_COUNT) {
            b->full_bw_reached = true;
        }
    }
    round_start(t, now);
}

static void save_cwnd(struct mi_tcp *t);

/* PROBE_RTT (draft-cardwell-iccrg-bbr 4.3.4): whether it holds cwnd at
 * the minimum now. */
static bool probe_rtt(struct mi_tcp *t, uint64_t now)
{
    struct tcp_bbr *b = &t->bbr;
    uint32_t least = BBR_MIN_CWND_SEGS * (uint32_t)t->snd_mss;
    if (!b->probe_rtt) {
        /* Only a sender that fills its window queues: one that runs out
         * of data takes the next sample as the new minimum instead. */
        if (b->min_rtt_us == 0 || now - b->min_rtt_at <= BBR_MIN_RTT_WIN || !t->cwnd_limited)
            return false;
        save_cwnd(t);
        b->probe_rtt = true;
        b->probe_rtt_end = 0;
        t->s->stats.tcp_bbr_probe_rtt++;
    }
    t->cwnd = least;
    if (b->probe_rtt_end == 0) {
        if (tcp_flight(t) <= least) {
            b->probe_rtt_end = now + BBR_PROBE_RTT_TIME;
            b->probe_rtt_round = b->rounds + 1;
        }
        return true;
    }
    if (now < b->probe_rtt_end || b->rounds < b->probe_rtt_round)
        return true;
    /* Done: the samples of the last 200 ms set min_rtt (tcp_bbr_rtt took
     * the first after it expired, then every lower one). */
    b->probe_rtt = false;
    b->min_rtt_at = now;
    if (b->prior_cwnd > t->cwnd)
        t->cwnd = b->prior_cwnd;
    b->prior_cwnd = 0;
    return false;
}

void tcp_bbr_ack(struct mi_tcp *t, uint32_t delivered)
{
    struct tcp_bbr *b = &t->bbr;
    uint32_t mss = t->snd_mss;
    uint64_t now = mi_now();
    b->delivered += delivered;
    if (b->round_at == 0)
        round_start(t, now);
    else if (seq_gt(delivered_edge(t), b->round_end))
        round_done(t, now);
    /* Conservation lasts until data sent after the recovery began
     * arrives: one round trip. */
    if (b->conserving && seq_gt(delivered_edge(t), b->conserve_end))
        b->conserving = false;

    if (probe_rtt(t, now))
        return;

    uint64_t w = t->cwnd;
    if (b->conserving) {
        /* The first round of a recovery: no more out than came back. */
        uint64_t c = (uint64_t)tcp_sack_pipe(t) + delivered;
        if (c > w)
            w = c;
    } else if (b->full_bw_reached) {
        uint32_t target = target_cwnd(t, BBR_CWND_GAIN_X1000);
        w += delivered;
        if (target != 0 && w > target)
            w = target;
    } else {
        /* Startup: slow start while cwnd is used (RFC 7661, as tcp_cc.c),
         * up to the high-gain target once there is one. */
        uint32_t target = target_cwnd(t, BBR_HIGH_GAIN_X1000);
        if ((target == 0 || w < target) && w < 2 * (uint64_t)t->max_flight)
            w += delivered;
    }
    if (w < (uint64_t)BBR_MIN_CWND_SEGS * mss)
        w = (uint64_t)BBR_MIN_CWND_SEGS * mss;
    t->cwnd = w < CWND_MAX ? (uint32_t)w : CWND_MAX;
}

static void save_cwnd(struct mi_tcp *t)
{
    struct tcp_bbr *b = &t->bbr;
    if (t->cwnd > b->prior_cwnd)
        b->prior_cwnd = t->cwnd;
}

void tcp_bbr_enter_recovery(struct mi_tcp *t)
{
    struct tcp_bbr *b = &t->bbr;
    save_cwnd(t);
    b->conserving = true;
    b->conserve_end = t->snd_max;
    /* What is in the network, and room for the fast retransmit;
     * tcp_bbr_ack adds what this ACK delivered. */
    t->cwnd = tcp_sack_pipe(t) + t->snd_mss;
}

void tcp_bbr_timeout(struct mi_tcp *t)
{
    struct tcp_bbr *b = &t->bbr;
    if (t->backoff == 0)
        save_cwnd(t);
    b->conserving = false;
    b->restore = true; /* tcp_cc_timeout makes cwnd one segment */
}

void tcp_bbr_recovered(struct mi_tcp *t)
{
    struct tcp_bbr *b = &t->bbr;
    b->conserving = false;
    b->restore = false;
    if (b->probe_rtt)
        return; /* the probe's end brings prior_cwnd back */
    if (b->prior_cwnd > t->cwnd)
        t->cwnd = b->prior_cwnd;
    b->prior_cwnd = 0;
}

void tcp_bbr_send_start(struct mi_tcp *t)
{
    /* Nothing in flight: what was idle is not part of any rate. */
    if (t->snd_una == t->snd_max)
        round_start(t, mi_now());
}

void tcp_bbr_send_done(struct mi_tcp *t, bool app_limited)
{
    if (app_limited)
        t->bbr.round_app_limited = true;
}
