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
#include <string.h>

#include "stack.h"

static uint32_t sacked_bytes(const struct mi_tcp *t)
{
    uint32_t n = 0;
    for (unsigned i = 0; i < t->n_sacked; i++)
        n += t->sacked[i].end - t->sacked[i].start;
    return n;
}

/* Add [start, end) to the sorted, disjoint scoreboard; merges neighbours.
 * When it is full, a block that touches nothing is ignored. */
static void add_range(struct mi_tcp *t, uint32_t start, uint32_t end)
{
    unsigned i = 0;
    while (i < t->n_sacked && seq_lt(t->sacked[i].end, start))
        i++;
    unsigned j = i;
    while (j < t->n_sacked && seq_le(t->sacked[j].start, end)) {
        if (seq_lt(t->sacked[j].start, start))
            start = t->sacked[j].start;
        if (seq_gt(t->sacked[j].end, end))
            end = t->sacked[j].end;
        j++;
    }
    unsigned merged = j - i;
    if (merged == 0) {
        if (t->n_sacked == MI_NET_TCP_OOO_RANGES)
            return;
        memmove(&t->sacked[i + 1], &t->sacked[i], (t->n_sacked - i) * sizeof(t->sacked[0]));
        t->n_sacked++;
    } else if (merged > 1) {
        memmove(&t->sacked[i + 1], &t->sacked[j], (t->n_sacked - j) * sizeof(t->sacked[0]));
        t->n_sacked -= merged - 1;
    }
    t->sacked[i].start = start;
    t->sacked[i].end = end;
}

bool tcp_sack_update(struct mi_tcp *t, const struct tcp_sack_blocks *sb)
{
    uint32_t before = sacked_bytes(t);
    for (unsigned k = 0; k < sb->n; k++) {
        uint32_t start = sb->b[k].start, end = sb->b[k].end;
        /* Only blocks of data we sent and that is not acknowledged yet;
         * a block at or below SND.UNA is a D-SACK (RFC 2883), ignored. */
        if (!seq_lt(start, end) || seq_le(end, t->snd_una) || seq_gt(end, t->snd_max))
            continue;
        if (seq_lt(start, t->snd_una))
            start = t->snd_una;
        add_range(t, start, end);
    }
    return sacked_bytes(t) > before;
}

void tcp_sack_prune(struct mi_tcp *t, bool all)
{
    if (all) {
        t->n_sacked = 0;
        return;
    }
    unsigned keep = 0;
    for (unsigned i = 0; i < t->n_sacked; i++) {
        if (seq_le(t->sacked[i].end, t->snd_una))
            continue;
        t->sacked[keep] = t->sacked[i];
        if (seq_lt(t->sacked[keep].start, t->snd_una))
            t->sacked[keep].start = t->snd_una;
        keep++;
    }
    t->n_sacked = (uint8_t)keep;
}

bool tcp_sack_lost(const struct mi_tcp *t)
{
    /* RFC 6675 4 (IsLost): more than DupThresh - 1 segments' worth
     * SACKed above the first unacknowledged byte. */
    return t->sack_ok && sacked_bytes(t) > 2u * t->snd_mss;
}

bool tcp_retransmit_hole(struct mi_tcp *t)
{
    if (!t->sack_ok || t->n_sacked == 0)
        return false;
    uint32_t from = seq_gt(t->rexmit_hi, t->snd_una) ? t->rexmit_hi : t->snd_una;
    for (unsigned i = 0; i < t->n_sacked; i++) {
        if (seq_le(t->sacked[i].end, from))
            continue;
        if (seq_lt(from, t->sacked[i].start)) {
            uint32_t len = t->sacked[i].start - from;
            uint32_t max = tcp_seg_max(t);
            if (len > max)
                len = max;
            /* A hole lies below SACKed data, so it holds data, never the FIN. */
            tcp_send_data(t, from, len, false);
            t->rexmit_hi = from + len;
            t->s->stats.tcp_fast_retransmit++;
            return true;
        }
        from = t->sacked[i].end;
    }
    return false;
}
