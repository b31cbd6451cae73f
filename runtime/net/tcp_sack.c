/* SPDX-License-Identifier: ISC */
/* The sending side of SACK (RFC 2018): a scoreboard of what the peer
 * holds beyond SND.UNA, the duplicate-ACK definition of RFC 6675 (an ACK
 * that SACKs new data counts, whether or not it carries data or a new
 * window: in a transfer both ways nearly every ACK carries data, and
 * RFC 5681's definition would leave only timeouts), and the choice of
 * what to retransmit during recovery: the holes, in order, one per ACK.
 *
 * Simpler than RFC 6675's pipe algorithm: recovery itself stays NewReno's
 * (RFC 6582, tcp_cc.c); SACK only says which segments are missing. A lost
 * retransmission is recovered by the timeout, after which the scoreboard
 * is forgotten (the receiver may renege, RFC 2018 section 8). */
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
     * SACKed above the first unacknowledged byte. */
    return t->sack_ok && seqset_bytes(&t->sacked) > 2u * t->snd_mss;
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
            return true;
        }
        from = t->sacked.r[i].end;
    }
    return false;
}
