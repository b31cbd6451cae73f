/* SPDX-License-Identifier: ISC */
/* RACK (RFC 8985): loss detection by send time. A segment is lost when
 * one sent after it has been delivered (ACKed or SACKed) and more than a
 * round trip plus the reordering window has passed since it was sent:
 *
 *   lost if  xmit_ts(seg) + RACK.rtt + reo_wnd <= now,  seg sent before
 *            the newest delivered transmission (RACK.xmit_ts)
 *
 * Counting SACKed segments (DupThresh, tcp_sack.c) misses losses when few
 * segments are in flight, and cannot tell that a retransmission was lost:
 * both are left to the retransmission timeout, whose backoff costs most
 * of the time of a transfer under heavy loss (issue 12). By send time,
 * a retransmission is lost like any other segment once data sent after
 * it is SACKed (RFC 8985 2.2), without waiting for the timer.
 *
 * The send times are kept for the latest TCP_RACK_LOG transmissions only
 * (a ring): a segment older than all of them was sent before the oldest
 * one, which bounds its send time. What this stack does with a loss
 * (tcp_sack.c's model): a lost retransmission in recovery sends the
 * holes again from SND.UNA (RETRANSMIT.HI goes back), also when no new
 * data went after it (the sequence rule of tcp_sack_lost_rexmit needs
 * that); after a timeout, a lost retransmission of SND.UNA goes again at
 * once rather than at the next, doubled, timeout (as Linux, which does
 * not back off for a loss RACK found).
 *
 * Entering recovery stays with tcp_sack.c's rule (DupThresh, early
 * retransmit), not RACK's: measured at 20% random loss both ways
 * (bench/loss.py), starting recovery on every RACK loss halved the window
 * once per round trip, down to 2 segments (median flight 2 against 3-4),
 * and a window that small more often had every segment or ACK lost, so
 * that the timeouts doubled (21-38 stalls of 200 ms or more per 1 MB
 * transfer against 8-16). That was NewReno's window; BBR's (tcp_bbr.c,
 * now the default) does not shrink in recovery, so the rule matters
 * less there, and was left as it is.
 *
 * The reordering window (6.2 step 4): a quarter of the smallest RTT, or
 * none in recovery or once DupThresh segments are SACKed; this stack
 * does not grow it on D-SACKs (links a unikernel lives on reorder
 * little). A segment that is not lost yet only because of the window
 * arms the reordering timer (6.3), on the retransmission timer. */
#include "stack.h"

#define DUPTHRESH 3

void tcp_rack_sent(struct mi_tcp *t, uint32_t seq, uint32_t len, bool rexmit)
{
    struct tcp_rack_ent *e = &t->rack_log[t->rack_sent % TCP_RACK_LOG];
    e->start = seq;
    e->end = seq + len;
    e->at = mi_now();
    e->rexmit = rexmit;
    t->rack_sent++;
}

/* The number of the oldest transmission still in the ring. */
static uint32_t oldest(const struct mi_tcp *t)
{
    return t->rack_sent > TCP_RACK_LOG ? t->rack_sent - TCP_RACK_LOG : 0;
}

static bool delivered(const struct mi_tcp *t, const struct tcp_rack_ent *e)
{
    if (seq_le(e->end, t->snd_una))
        return true;
    uint32_t room;
    uint32_t from = seq_lt(e->start, t->snd_una) ? t->snd_una : e->start;
    return seq_ge(tcp_sack_skip(t, from, &room), e->end);
}

/* RFC 8985 6.2 steps 1-3: the transmission sent last among those now
 * delivered. A retransmission that seems delivered sooner than the
 * smallest RTT allows was the original's ACK (step 2): skipped. */
static void update_newest(struct mi_tcp *t, uint64_t now)
{
    for (uint32_t k = t->rack_sent; k-- > oldest(t) && k + 1 > t->rack_order;) {
        const struct tcp_rack_ent *e = &t->rack_log[k % TCP_RACK_LOG];
        if (!delivered(t, e))
            continue;
        if (e->rexmit && now - e->at < (uint64_t)t->min_rtt_us * 1000)
            continue;
        t->rack_order = k + 1;
        t->rack_at = e->at;
        t->rack_rtt = now - e->at;
        return;
    }
}

/* Whether a later transmission than k covers seq (k is then not the
 * latest send time of seq). */
static bool sent_again(const struct mi_tcp *t, uint32_t k, uint32_t seq)
{
    for (uint32_t j = k + 1; j < t->rack_sent; j++) {
        const struct tcp_rack_ent *e = &t->rack_log[j % TCP_RACK_LOG];
        if (seq_le(e->start, seq) && seq_lt(seq, e->end))
            return true;
    }
    return false;
}

struct verdict {
    bool una_lost;    /* SND.UNA's latest transmission is lost */
    bool rexmit_lost; /* some retransmission is lost */
    uint64_t wait;    /* else the earliest time one will be (0: none) */
};

/* RFC 8985 6.2 step 5 (RACK_detect_loss) over the ring. */
static struct verdict detect(const struct mi_tcp *t, uint64_t now)
{
    struct verdict v = {0};
    if (t->rack_order == 0 || t->sacked.n == 0)
        return v; /* nothing delivered out of order: nothing lost */
    uint64_t reo = 0;
    if (!t->in_recovery && seqset_bytes(&t->sacked) < DUPTHRESH * (uint32_t)t->snd_mss) {
        reo = (uint64_t)t->min_rtt_us * 1000 / 4;
        uint64_t srtt = (uint64_t)t->srtt_us * 1000;
        if (reo > srtt)
            reo = srtt;
    }
    bool una_seen = false;
    for (uint32_t k = oldest(t); k + 1 < t->rack_order; k++) {
        const struct tcp_rack_ent *e = &t->rack_log[k % TCP_RACK_LOG];
        if (delivered(t, e))
            continue;
        uint32_t first = seq_lt(e->start, t->snd_una) ? t->snd_una : e->start;
        if (sent_again(t, k, first))
            continue;
        bool una = first == t->snd_una;
        una_seen |= una;
        uint64_t due = e->at + t->rack_rtt + reo;
        if (due <= now) {
            v.una_lost |= una;
            v.rexmit_lost |= e->rexmit;
        } else if (v.wait == 0 || due < v.wait) {
            v.wait = due;
        }
    }
    /* SND.UNA went before every transmission in the ring. */
    if (!una_seen && t->rack_sent > TCP_RACK_LOG && t->rack_order > oldest(t)) {
        const struct tcp_rack_ent *e = &t->rack_log[oldest(t) % TCP_RACK_LOG];
        if (e->at + t->rack_rtt + reo <= now)
            v.una_lost = true;
    }
    return v;
}

static void act(struct mi_tcp *t, uint64_t now)
{
    struct net_stack *s = t->s;
    struct verdict v = detect(t, now);
    if (v.rexmit_lost && t->in_recovery && seq_gt(t->rexmit_hi, t->snd_una)) {
        /* A hole sent again is lost again: the holes go once more. */
        t->rexmit_hi = t->snd_una;
        t->rexmit_mark = t->snd_max;
        s->stats.tcp_rack_lost_rexmit++;
        mi_debug("net: tcp_rack_lost_rexmit: in recovery, below %u", t->rexmit_mark);
    } else if (v.una_lost && !t->in_recovery && seq_lt(t->snd_una, t->recover)) {
        /* Sent again after a timeout, and lost again: send it now
         * rather than at the next timeout, with its backoff. The window
         * was reduced for this loss already (RFC 6582 4). */
        tcp_retransmit_first(t);
        s->stats.tcp_rack_lost_rexmit++;
        mi_debug("net: tcp_rack_lost_rexmit: after a timeout, at %u", t->snd_una);
    } else if (v.wait != 0 && !v.una_lost && !t->in_recovery && seq_lt(t->snd_una, t->recover)) {
        /* RFC 8985 6.3: look again when the window has passed (in
         * recovery the window is 0; outside it and a timeout's aftermath
         * this stack takes no action on a RACK loss, see above). */
        if (t->rexmt_at == 0 || v.wait < t->rexmt_at) {
            t->rexmt_at = v.wait;
            t->rack_armed = true;
            tcp_timer_update(t);
        }
    }
}

void tcp_rack_ack(struct mi_tcp *t)
{
    /* Nothing SACKed: no hole, nothing to find lost. The newest
     * delivered transmission is looked for once the first SACK comes,
     * from the newest down, so skipping here loses nothing and keeps
     * the ACKs of a transfer without loss cheap. */
    if (!t->sack_ok || t->persist || t->sacked.n == 0)
        return;
    uint64_t now = mi_now();
    update_newest(t, now);
    if (t->snd_una != t->snd_max)
        act(t, now);
}

void tcp_rack_timeout(struct mi_tcp *t)
{
    t->s->stats.tcp_rack_timer++;
    if (t->snd_una != t->snd_max)
        act(t, mi_now());
    if (t->rexmt_at == 0 && t->snd_una != t->snd_max)
        tcp_rexmt_arm(t);
}
