/* SPDX-License-Identifier: ISC */
/* Congestion control and round-trip time.
 *
 * RFC 5681: slow start and congestion avoidance, initial window of RFC 5681
 * 3.1 (min(4 MSS, max(2 MSS, 4380))), loss window of one MSS after a
 * timeout. Fast retransmit on the third duplicate ACK (or
 * when SACK shows the loss, tcp_sack.c); recovery by the pipe with SACK
 * (RFC 6675, tcp_output.c) and a cwnd that Proportional Rate Reduction
 * (RFC 6937) sets on every ACK, else NewReno's (RFC 6582): one segment
 * per partial ACK. Either ends with the ACK covering `recover`.
 *
 * That is NewReno's window (mi_tcp_congestion "newreno", and any peer
 * without SACK). With BBR (tcp_bbr.c, the default) the window is the
 * model's: the rules here still decide when recovery begins and ends and
 * what is sent again, but leave ssthresh alone, and tcp_bbr.c sets cwnd.
 *
 * RFC 6298: SRTT/RTTVAR from one timed segment at a time (Karn's rule:
 * never from a retransmitted one, see tcp_timer.c) or, with timestamps,
 * from every ACK of new data (RFC 7323 4, tcp_input.c), RTO = SRTT +
 * max(G, 4 RTTVAR) with G = 1 ms, at most 60 s. The lower bound is 200 ms
 * rather than the 1 s RFC 6298 2.4 recommends (a SHOULD): as in Linux,
 * because 1 s makes every loss on a LAN cost a second and the spurious
 * timeouts the bound guards against are cheap on the links a unikernel
 * lives on. */
#include <errno.h>
#include <string.h>

#include "stack.h"

#define CWND_MAX (1u << 30)

uint32_t tcp_flight(const struct mi_tcp *t)
{
    return t->snd_max - t->snd_una;
}

void tcp_cc_init(struct mi_tcp *t)
{
    uint32_t mss = t->snd_mss;
    uint32_t iw = 4 * mss;
    uint32_t alt = 2 * mss > 4380 ? 2 * mss : 4380;
    t->cwnd = iw < alt ? iw : alt;
    t->ssthresh = CWND_MAX; /* "arbitrarily high" (RFC 5681 3.1) */
    t->recover = t->iss;
    t->dupacks = 0;
    t->in_recovery = false;
    tcp_bbr_init(t);
}

void tcp_rtt_sample(struct mi_tcp *t, uint64_t rtt_ns, bool precise)
{
    if (precise)
        tcp_bbr_rtt(t, rtt_ns);
    uint32_t r = (uint32_t)(rtt_ns / 1000);
    if (r == 0)
        r = 1;
    if (t->min_rtt_us == 0 || r < t->min_rtt_us)
        t->min_rtt_us = r;
    if (t->srtt_us == 0) { /* RFC 6298 2.2 */
        t->srtt_us = r;
        t->rttvar_us = r / 2;
    } else { /* RFC 6298 2.3, alpha 1/8, beta 1/4 */
        uint32_t diff = t->srtt_us > r ? t->srtt_us - r : r - t->srtt_us;
        t->rttvar_us = (3 * t->rttvar_us + diff) / 4;
        t->srtt_us = (7 * t->srtt_us + r) / 8;
    }
    uint32_t var4 = 4 * t->rttvar_us;
    uint32_t rto_us = t->srtt_us + (var4 > 1000 ? var4 : 1000);
    uint32_t rto_ms = rto_us / 1000;
    if (rto_ms < TCP_RTO_MIN_MS)
        rto_ms = TCP_RTO_MIN_MS;
    if (rto_ms > TCP_RTO_MAX_MS)
        rto_ms = TCP_RTO_MAX_MS;
    t->rto_ms = rto_ms;
}

static uint32_t half_flight(const struct mi_tcp *t)
{
    /* RFC 5681 eq. (4): ssthresh = max(FlightSize / 2, 2 * SMSS) */
    uint32_t h = tcp_flight(t) / 2;
    return h > 2u * t->snd_mss ? h : 2u * t->snd_mss;
}

void tcp_cc_new_ack(struct mi_tcp *t, uint32_t acked)
{
    uint32_t mss = t->snd_mss;
    /* BBR sets cwnd from what each ACK delivered (tcp_cc_delivered): of
     * what follows it shares when recovery ends and what goes again. */
    bool bbr = tcp_cc_bbr(t);
    if (t->in_recovery) {
        if (seq_ge(t->snd_una, t->recover)) {
            /* Full acknowledgment (RFC 6582 3.2 step 3, option 1). */
            uint32_t w = tcp_flight(t) + mss;
            if (bbr)
                tcp_bbr_recovered(t);
            else
                t->cwnd = t->ssthresh < w ? t->ssthresh : w;
            t->in_recovery = false;
            t->dupacks = 0;
        } else if (t->sack_ok) {
            /* RFC 6675: tcp_output sends by the pipe. With nothing SACKed
             * above it, the first unacknowledged segment is the hole
             * (RFC 6582 3.2 step 4). */
            if (t->sacked.n == 0 && !seq_gt(t->rexmit_hi, t->snd_una)) {
                t->rexmit_hi = t->snd_una + tcp_retransmit_first(t);
                t->s->stats.tcp_fast_retransmit++;
            }
        } else {
            /* Partial acknowledgment (step 4): retransmit the next hole,
             * deflate by what was acknowledged, add back one MSS. */
            t->rexmit_hi = t->snd_una + tcp_retransmit_first(t);
            t->s->stats.tcp_fast_retransmit++;
            t->cwnd = t->cwnd > acked ? t->cwnd - acked : 0;
            if (acked >= mss)
                t->cwnd += mss;
            if (t->cwnd < mss)
                t->cwnd = mss;
        }
        return;
    }
    t->dupacks = 0;
    if (bbr) {
        /* The end of a timeout's aftermath. */
        if (t->bbr.restore && seq_ge(t->snd_una, t->recover))
            tcp_bbr_recovered(t);
        return;
    }
    /* Appropriate Byte Counting (RFC 3465): the window grows by what was
     * acknowledged, not by ACKs. One ACK may cover many segments: a
     * receiver that coalesces them (GRO, or a host behind a tap taking
     * our TSO frames whole) sends one ACK per frame, and counting ACKs
     * would grow the window by one MSS per 64 KiB. In slow start all of
     * it counts up to ssthresh (RFC 3465's limit L of 2 MSS per ACK is
     * left out, as Linux does, since coalescing receivers ACK that way;
     * after a timeout ssthresh is what bounds the jump one large ACK
     * makes), the rest in congestion avoidance: one MSS per window's
     * worth (RFC 3465 2.1).
     *
     * Only a window that was used grows (RFC 7661 4.1, and Linux's
     * tcp_is_cwnd_limited): in slow start while it is less than twice
     * the most that was in flight in the last window, later while the
     * sender was held back by it (tcp_cwnd_used). A sender limited by
     * the application or its send buffer would otherwise grow cwnd
     * without bound, byte counting faster still, and then send it in one
     * burst. */
    if (t->cwnd < t->ssthresh ? t->cwnd >= 2 * t->max_flight : !t->cwnd_limited)
        return;
    if (t->cwnd < t->ssthresh) {
        uint32_t room = t->ssthresh - t->cwnd;
        t->cwnd += acked < room ? acked : room; /* RFC 5681 eq. (2), bytes */
        t->bytes_acked = 0;
        acked = acked > room ? acked - room : 0;
    }
    if (t->cwnd >= t->ssthresh && acked > 0) {
        t->bytes_acked += acked;
        if (t->bytes_acked >= t->cwnd) {
            t->bytes_acked -= t->cwnd;
            t->cwnd += mss;
        }
    }
    if (t->cwnd > CWND_MAX)
        t->cwnd = CWND_MAX;
}

void tcp_cwnd_used(struct mi_tcp *t, bool limited)
{
    /* As Linux's tcp_cwnd_validate: the largest flight of each window of
     * data, and whether cwnd held the sender back then. A new window
     * starts when everything sent at the start of the last one is
     * acknowledged; within one, being limited once is remembered. */
    uint32_t flight = tcp_flight(t);
    if (!seq_lt(t->snd_una, t->cwnd_usage_seq) || limited ||
        (!t->cwnd_limited && flight > t->max_flight)) {
        t->cwnd_limited = limited;
        t->max_flight = flight;
        t->cwnd_usage_seq = t->snd_nxt;
    }
}

void tcp_cc_dupack(struct mi_tcp *t)
{
    uint32_t mss = t->snd_mss;
    if (t->dupacks < 255)
        t->dupacks++;
    if (t->in_recovery) {
        /* A segment left the network: with SACK the pipe shows it and
         * tcp_output fills the room; else inflate (RFC 6582 3.2 step 3). */
        if (!t->sack_ok)
            t->cwnd += mss;
        return;
    }
    /* RFC 6582 3.2 step 2: not again for data sent before the last
     * recovery or timeout ended. */
    if ((t->dupacks < 3 && !tcp_sack_lost(t)) || seq_lt(t->snd_una, t->recover))
        return;
    t->recover = t->snd_max;
    if (!tcp_cc_bbr(t))
        t->ssthresh = half_flight(t);
    t->prr_delivered = 0;
    t->prr_out = 0;
    t->recover_fs = tcp_flight(t);
    /* In recovery before the fast retransmit, which PRR counts as sent. */
    t->in_recovery = true;
    t->rexmit_hi = t->snd_una + tcp_retransmit_first(t);
    t->rexmit_mark = t->snd_max;
    t->s->stats.tcp_fast_retransmit++;
    t->s->stats.tcp_recovery++;
    /* With SACK, PRR sets cwnd on each ACK from here (tcp_cc_prr), the
     * first being this one; NewReno inflates by the three segments that
     * left (RFC 6582 3.2 step 2). */
    if (tcp_cc_bbr(t))
        tcp_bbr_enter_recovery(t);
    else
        t->cwnd = t->ssthresh + (t->sack_ok ? 0 : 3 * mss);
    /* A loss probe armed before is not for recovery (RFC 8985 7.2: no
     * TLP in fast recovery): the retransmission timer runs instead. */
    if (t->tlp_armed)
        tcp_rexmt_arm(t);
    /* The retransmission is not timed (Karn). */
    t->rtt_timing = false;
}

void tcp_cc_prr(struct mi_tcp *t, uint32_t delivered)
{
    if (!t->in_recovery || !t->sack_ok)
        return;
    uint32_t mss = t->snd_mss;
    t->prr_delivered += delivered;
    uint32_t pipe = tcp_sack_pipe(t);
    uint64_t sndcnt;
    if (pipe > t->ssthresh) {
        /* RFC 6937 3: send ssthresh/RecoverFS of what was delivered, so
         * the flight comes down to ssthresh over one round trip instead
         * of sending nothing for half of it (RFC 6675's cwnd = ssthresh). */
        uint64_t fs = t->recover_fs > 0 ? t->recover_fs : 1;
        uint64_t due = ((uint64_t)t->prr_delivered * t->ssthresh + fs - 1) / fs;
        sndcnt = due > t->prr_out ? due - t->prr_out : 0;
    } else {
        /* Below ssthresh after heavy losses: grow back no faster than
         * slow start would (the Slow Start Reduction Bound). */
        uint32_t owed = t->prr_delivered > t->prr_out ? t->prr_delivered - t->prr_out : 0;
        uint64_t limit = (uint64_t)(owed > delivered ? owed : delivered) + mss;
        uint32_t gap = t->ssthresh - pipe;
        sndcnt = gap < limit ? gap : limit;
    }
    /* The fast retransmit goes at once (RFC 6937 3, as Linux). */
    if (t->prr_out == 0 && sndcnt < mss)
        sndcnt = mss;
    uint64_t w = pipe + sndcnt;
    t->cwnd = w < CWND_MAX ? (uint32_t)w : CWND_MAX;
}

int tcp_cc_by_name(const char *name, enum tcp_cc_algo *out)
{
    if (name != NULL && strcmp(name, "bbr") == 0)
        *out = TCP_CC_BBR;
    else if (name != NULL && strcmp(name, "newreno") == 0)
        *out = TCP_CC_NEWRENO;
    else
        return -EINVAL;
    return 0;
}

void tcp_cc_delivered(struct mi_tcp *t, uint32_t delivered)
{
    if (tcp_cc_bbr(t))
        tcp_bbr_ack(t, delivered);
    else
        tcp_cc_prr(t, delivered);
}

void tcp_cc_timeout(struct mi_tcp *t)
{
    /* RFC 5681 3.1: ssthresh only on the first timeout of a segment,
     * so repeated timeouts do not collapse it. */
    if (tcp_cc_bbr(t))
        tcp_bbr_timeout(t);
    else if (t->backoff == 0)
        t->ssthresh = half_flight(t);
    t->cwnd = t->snd_mss;
    t->in_recovery = false;
    t->dupacks = 0;
    t->recover = t->snd_max; /* RFC 6582 4: no fast retransmit for these */
    /* The scoreboard lets what is sent again skip what the peer holds;
     * a second timeout in a row forgets it (the peer may have reneged,
     * RFC 2018 8). tcp_cc_timeout runs before the backoff counts this
     * one. */
    if (t->backoff > 0)
        tcp_sack_prune(t, true);
    t->rexmit_hi = t->snd_una;
}
