/* SPDX-License-Identifier: ISC */
/* The sending side of SACK (RFC 2018): a scoreboard of what the peer
 * holds beyond SND.UNA, the duplicate-ACK definition of RFC 6675 (an ACK
 * that SACKs new data counts, whether or not it carries data or a new
 * window: in a transfer both ways nearly every ACK carries data, and
 * RFC 5681's definition would leave only timeouts), and loss recovery
 * driven by it (RFC 6675): in recovery, tcp_output sends while cwnd
 * exceeds the pipe (tcp_sack_pipe), lost holes first, then new data.
 *
 * What is lost: RFC 6675's IsLost waits for DupThresh segments SACKed
 * above a hole; once in recovery, this stack takes every hole below
 * SACKed data as lost, as RACK (RFC 8985) does on a path whose
 * reordering window is below the time between ACKs: the links a
 * unikernel lives on reorder little, and under heavy loss waiting for
 * three segments above each hole sends most of them to the timeout.
 * Entering recovery keeps DupThresh, lowered for small flights as early
 * retransmit (RFC 5827) does.
 *
 * A hole is sent again once per round (RETRANSMIT.HI, rexmit_hi). A lost
 * retransmission shows when the peer SACKs data sent after it while the
 * hole stays (as Linux did before RACK, and RACK does with send times):
 * the holes are sent again from SND.UNA; else RACK may, by send time
 * (tcp_rack.c); else the timeout finds it. The scoreboard
 * survives one timeout, so that the data sent again after it skips what
 * the peer holds; it is forgotten on a second one in a row, in case the
 * receiver reneged (RFC 2018 section 8). */
#include "stack.h"

bool tcp_sack_update(struct mi_tcp *t, const struct tcp_sack_blocks *sb)
{
    uint32_t before = seqset_bytes(&t->sacked);
    for (unsigned k = 0; k < sb->n; k++) {
        uint32_t start = sb->b[k].start, end = sb->b[k].end;
        /* Only blocks of data we sent and that is not acknowledged yet;
         * a block at or below SND.UNA is a D-SACK (RFC 2883), ignored. */
        if (!seq_lt(start, end) || seq_le(end, t->snd_una) || seq_gt(end, t->snd_max))
            continue;
        if (seq_lt(start, t->snd_una))
            start = t->snd_una;
        /* When the scoreboard is full, a block that touches none of its
         * ranges is ignored: that data looks missing, and may be sent
         * again for nothing. */
        seqset_add(&t->sacked, start, end);
    }
    return seqset_bytes(&t->sacked) > before;
}

void tcp_sack_prune(struct mi_tcp *t, bool all)
{
    if (all)
        seqset_clear(&t->sacked);
    else
        seqset_remove_below(&t->sacked, t->snd_una);
}

bool tcp_sack_lost(const struct mi_tcp *t)
{
    /* RFC 6675 4 (IsLost): more than DupThresh - 1 segments' worth
     * SACKed above the first unacknowledged byte; or, in a flight too
     * small to produce that, everything but one segment (RFC 5827). */
    uint32_t sacked = seqset_bytes(&t->sacked);
    return t->sack_ok && sacked > 0 &&
           (sacked > 2u * t->snd_mss || sacked + t->snd_mss >= tcp_flight(t));
}

void tcp_sack_lost_rexmit(struct mi_tcp *t)
{
    if (t->sacked.n == 0 || !seq_gt(t->rexmit_hi, t->snd_una))
        return;
    if (!seq_gt(t->sacked.r[t->sacked.n - 1].end, t->rexmit_mark))
        return;
    t->rexmit_hi = t->snd_una;
    t->rexmit_mark = t->snd_max;
    t->s->stats.tcp_lost_retransmit++;
}

uint32_t tcp_sack_below(const struct mi_tcp *t, uint32_t seq)
{
    uint32_t n = 0;
    for (unsigned i = 0; i < t->sacked.n && seq_lt(t->sacked.r[i].start, seq); i++)
        n += (seq_lt(t->sacked.r[i].end, seq) ? t->sacked.r[i].end : seq) - t->sacked.r[i].start;
    return n;
}

uint32_t tcp_sack_pipe(const struct mi_tcp *t)
{
    /* RFC 6675 4 (SetPipe), with the loss rule above: what was sent,
     * less what the peer holds, less the holes not sent again since
     * they were lost. A hole sent again counts once. */
    uint32_t out = tcp_flight(t) - seqset_bytes(&t->sacked);
    uint32_t from = t->snd_una;
    for (unsigned i = 0; i < t->sacked.n; i++) {
        uint32_t start = seq_gt(t->rexmit_hi, from) ? t->rexmit_hi : from;
        if (seq_lt(start, t->sacked.r[i].start))
            out -= t->sacked.r[i].start - start;
        from = t->sacked.r[i].end;
    }
    return out;
}

uint32_t tcp_sack_skip(const struct mi_tcp *t, uint32_t seq, uint32_t *room)
{
    for (unsigned i = 0; i < t->sacked.n; i++) {
        if (seq_le(t->sacked.r[i].end, seq))
            continue;
        if (seq_le(t->sacked.r[i].start, seq)) {
            seq = t->sacked.r[i].end;
            continue;
        }
        *room = t->sacked.r[i].start - seq;
        return seq;
    }
    *room = UINT32_MAX;
    return seq;
}

bool tcp_retransmit_hole(struct mi_tcp *t)
{
    if (!t->sack_ok || t->sacked.n == 0)
        return false;
    uint32_t from = seq_gt(t->rexmit_hi, t->snd_una) ? t->rexmit_hi : t->snd_una;
    for (unsigned i = 0; i < t->sacked.n; i++) {
        if (seq_le(t->sacked.r[i].end, from))
            continue;
        if (seq_lt(from, t->sacked.r[i].start)) {
            uint32_t len = t->sacked.r[i].start - from;
            uint32_t max = tcp_seg_max(t);
            if (len > max)
                len = max;
            /* A hole lies below SACKed data, so it holds data, never the FIN. */
            tcp_send_data(t, from, len, false);
            t->rexmit_hi = from + len;
            t->s->stats.tcp_fast_retransmit++;
            t->s->stats.tcp_sack_retransmit++;
            return true;
        }
        from = t->sacked.r[i].end;
    }
    return false;
}
