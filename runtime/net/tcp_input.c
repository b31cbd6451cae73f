/* SPDX-License-Identifier: ISC */
/* TCP input: RFC 9293 section 3.10.7, "SEGMENT ARRIVES", step by step,
 * with the RST, SYN and ACK validation of RFC 5961 (sections 3-5) that
 * RFC 9293 incorporates. The comments name the RFC steps. */
#include <errno.h>

#include "checksum.h"
#include "stack.h"

/* RFC 5961 7: challenge ACKs are rate limited, so that an attacker
 * cannot use us to amplify, and so that the number of challenge ACKs
 * cannot leak how close a guess was. */
static void challenge_ack(struct mi_tcp *t)
{
    struct net_stack *s = t->s;
    if (!net_token_take(&s->tcp.challenge_tokens, &s->tcp.challenge_refilled, TCP_CHALLENGE_BURST,
                        TCP_CHALLENGE_BURST)) {
        s->stats.tcp_challenge_limited++;
        return;
    }
    s->stats.tcp_challenge_ack++;
    tcp_send_ack(t);
}

static void apply_syn_options(struct mi_tcp *t, const struct tcp_seg *seg)
{
    struct tcp_syn_opts o;
    tcp_parse_syn_options(seg->opt, seg->optlen, &o);
    uint16_t mss = o.mss != 0 ? o.mss : TCP_DEFAULT_MSS;
    if (mss > t->rcv_mss) /* our MTU bounds what we send, too */
        mss = t->rcv_mss;
    if (mss < 64) /* nonsense values would make segments of a few bytes */
        mss = 64;
    t->snd_mss = mss;
    t->sack_ok = o.sack_ok;
    /* RFC 7323 3.2: timestamps in every segment once both SYNs had them. */
    t->ts_ok = o.ts;
    t->ts_recent = o.ts ? o.tsval : 0;
    if (o.wscale >= 0) {
        t->ws_ok = true;
        t->snd_wscale = (uint8_t)o.wscale;
        t->rcv_wscale = tcp_our_wscale();
    } else {
        t->ws_ok = false;
        t->snd_wscale = 0;
        t->rcv_wscale = 0;
    }
}

static void conn_input(struct mi_tcp *t, const struct tcp_seg *seg);

/* ---- LISTEN (3.10.7.2) ---- */

/* A connection for a segment that reached listener l, from its peer. */
static struct mi_tcp *alloc_passive(struct mi_tcp *l, const struct tcp_seg *seg)
{
    struct mi_tcp *t = tcp_alloc(l->s);
    if (t == NULL)
        return NULL;
    t->laddr = seg->ip->dst;
    t->lport = seg->dport;
    t->raddr = seg->ip->src;
    t->rport = seg->sport;
    t->passive = true;
    t->listener = l;
    t->cc = l->cc;
    return t;
}

/* second: an ACK that completes a handshake answered with a SYN cookie
 * (mss is what the cookie encodes): the connection is established at
 * once, and the rest of the segment is processed as in ESTABLISHED. */
static void syncookie_established(struct mi_tcp *l, const struct tcp_seg *seg, uint16_t mss)
{
    struct net_stack *s = l->s;
    struct mi_tcp *t = alloc_passive(l, seg);
    if (t == NULL)
        return;
    t->cookie = true;
    t->iss = seg->ack - 1;
    t->irs = seg->seq - 1;
    t->rcv_nxt = seg->seq;
    t->rcv_adv = seg->seq + 65535; /* what the cookie's SYN-ACK offered */
    t->snd_mss = mss < t->rcv_mss ? mss : t->rcv_mss;
    tcp_cc_init(t);
    t->state = TCP_SYN_RECEIVED;
    if (tcp_established(t) != 0) {
        tcp_reset_reply(s, seg);
        tcp_drop(t, 0);
        return;
    }
    s->stats.tcp_syncookie_ok++;
    t->syn_acked = true;
    t->snd_una = t->snd_nxt = t->snd_max = seg->ack;
    t->snd_wnd = seg->wnd; /* no window scaling with cookies */
    t->max_snd_wnd = t->snd_wnd;
    t->snd_wl1 = seg->seq;
    t->snd_wl2 = seg->ack;
    tcp_hash_insert(t);
    conn_input(t, seg);
    tcp_notify(t);
    if (!t->reaped && t->state != TCP_CLOSED) {
        tcp_output(t);
        tcp_timer_update(t);
    }
}

/* third, with the SYN queue full (a flood, or a burst): answer
 * statelessly with a SYN cookie, so legitimate peers still get in. */
static void syncookie_reply(struct mi_tcp *l, const struct tcp_seg *seg)
{
    struct net_stack *s = l->s;
    const struct ip_info *ip = seg->ip;
    struct tcp_syn_opts o;
    tcp_parse_syn_options(seg->opt, seg->optlen, &o);
    uint16_t mss = o.mss != 0 ? o.mss : TCP_DEFAULT_MSS;
    uint16_t our = (uint16_t)(s->mtu - IP_HLEN - TCP_HLEN);
    NET_DROP(s, tcp_syn_queue_full, "SYN from " IP4_FMT ":%u, cookie sent", IP4_ARGS(ip->src),
             seg->sport);
    uint32_t cookie = tcp_syncookie_make(s, seg, mss < our ? mss : our);
    struct mi_tcp tmp = {.s = s,
                         .state = TCP_SYN_RECEIVED,
                         .laddr = ip->dst,
                         .lport = seg->dport,
                         .raddr = ip->src,
                         .rport = seg->sport,
                         .iss = cookie,
                         .rcv_nxt = seg->seq + 1,
                         .rcv_mss = our};
    tcp_send_syn(&tmp);
}

/* third: a SYN makes a half-open connection in SYN-RECEIVED, which
 * answers with a SYN-ACK. */
static void listen_syn(struct mi_tcp *l, const struct tcp_seg *seg)
{
    struct net_stack *s = l->s;
    struct mi_tcp *t = alloc_passive(l, seg);
    if (t == NULL)
        return;
    t->embryonic = true;
    l->synq++;
    s->tcp.n_synq++;
    apply_syn_options(t, seg);
    t->irs = seg->seq;
    t->rcv_nxt = seg->seq + 1;
    t->iss = tcp_isn(s, t->laddr, t->lport, t->raddr, t->rport);
    t->snd_una = t->iss;
    t->snd_nxt = t->snd_max = t->iss + 1;
    t->snd_wnd = seg->wnd; /* the window of a SYN is not scaled */
    t->max_snd_wnd = t->snd_wnd;
    t->snd_wl1 = seg->seq;
    t->snd_wl2 = t->iss;
    tcp_cc_init(t);
    tcp_set_state(t, TCP_SYN_RECEIVED);
    tcp_hash_insert(t);
    /* Data in the SYN is not kept: it is not acknowledged, so the peer
     * sends it again (RFC 9293 allows either). */
    tcp_open_syn(t);
}

static void listen_input(struct mi_tcp *l, const struct tcp_seg *seg)
{
    struct net_stack *s = l->s;
    const struct ip_info *ip = seg->ip;

    if (seg->flags & TCP_RST) /* first: an incoming RST is ignored */
        return;
    if (seg->flags & TCP_ACK) {
        /* second: an ACK to a listener is bad, unless it completes a
         * handshake answered with a SYN cookie. */
        uint16_t mss;
        if (!(seg->flags & TCP_SYN) && tcp_syncookie_check(s, seg, &mss) == 0) {
            syncookie_established(l, seg, mss);
            return;
        }
        if (!(seg->flags & TCP_SYN))
            s->stats.tcp_syncookie_bad += s->stats.tcp_syn_queue_full != 0;
        NET_DROP(s, tcp_drop_no_listener, "ACK to listener %u from " IP4_FMT ":%u", seg->dport,
                 IP4_ARGS(ip->src), seg->sport);
        tcp_reset_reply(s, seg);
        return;
    }
    if (!(seg->flags & TCP_SYN)) /* fourth: anything else is dropped */
        return;

    /* third: a SYN. */
    if (s->tcp.n_conns >= MI_NET_TCP_MAX_CONNS) {
        NET_DROP(s, tcp_drop_conn_limit, "%zu connections", s->tcp.n_conns);
        return;
    }
    if (s->tcp.n_synq >= MI_NET_TCP_MAX_SYN_QUEUE)
        syncookie_reply(l, seg);
    else
        listen_syn(l, seg);
}

/* ---- SYN-SENT (3.10.7.3) ---- */

static void syn_sent_input(struct mi_tcp *t, const struct tcp_seg *seg)
{
    struct net_stack *s = t->s;
    bool ack_ok = false;
    if (seg->flags & TCP_ACK) {
        /* first: the ACK must acknowledge our SYN and nothing more. */
        if (seq_le(seg->ack, t->iss) || seq_gt(seg->ack, t->snd_max)) {
            if (!(seg->flags & TCP_RST))
                tcp_send_rst(s, t->laddr, t->lport, t->raddr, t->rport, seg->ack, 0, false);
            NET_DROP(s, tcp_drop_bad_ack, "SYN-SENT: ack %u, iss %u", seg->ack, t->iss);
            return;
        }
        ack_ok = true;
    }
    if (seg->flags & TCP_RST) {
        /* second: a RST counts only with an acceptable ACK (RFC 5961 3.2
         * keeps this rule for SYN-SENT). */
        if (ack_ok) {
            s->stats.tcp_rst_in++;
            tcp_drop(t, -ECONNREFUSED);
        }
        return;
    }
    if (!(seg->flags & TCP_SYN)) /* fifth: neither SYN nor RST */
        return;

    /* fourth: a SYN. */
    apply_syn_options(t, seg);
    tcp_cc_init(t);
    t->irs = seg->seq;
    t->rcv_nxt = seg->seq + 1;
    t->rcv_adv = t->rcv_nxt;
    t->snd_wnd = seg->wnd; /* unscaled in a SYN */
    t->max_snd_wnd = t->snd_wnd;
    t->snd_wl1 = seg->seq;
    t->snd_wl2 = seg->ack;
    if (ack_ok) {
        t->snd_una = seg->ack;
        t->syn_acked = true;
        if (t->rtt_timing && seq_gt(seg->ack, t->rtt_seq)) {
            tcp_rtt_sample(t, mi_now() - t->rtt_start, true);
            t->rtt_timing = false;
        }
        t->backoff = 0;
        tcp_rexmt_stop(t);
        tcp_established(t);
        t->ack_now = true; /* the third segment of the handshake */
        return;
    }
    /* A SYN without ACK: simultaneous open (RFC 9293 figure 8). */
    tcp_set_state(t, TCP_SYN_RECEIVED);
    tcp_send_syn(t);
    tcp_rexmt_arm(t);
}

/* ---- the FIN and data steps (3.10.7.4, seventh and eighth) ---- */

static void fin_arrived(struct mi_tcp *t)
{
    t->rcv_nxt++;
    t->fin_rcvd = true;
    t->ooo_fin = false;
    t->ack_now = true;
    t->events |= TCP_EV_READABLE;
    switch (t->state) {
    case TCP_SYN_RECEIVED:
    case TCP_ESTABLISHED:
        tcp_set_state(t, TCP_CLOSE_WAIT);
        break;
    case TCP_FIN_WAIT_1:
        /* Our FIN not yet acknowledged: simultaneous close. */
        tcp_set_state(t, TCP_CLOSING);
        break;
    case TCP_FIN_WAIT_2:
        tcp_enter_time_wait(t);
        break;
    default:
        break;
    }
}

static void data_input(struct mi_tcp *t, uint32_t seq, const uint8_t *data, uint32_t len, bool fin)
{
    struct net_stack *s = t->s;
    if (len > 0) {
        if (t->state != TCP_ESTABLISHED && t->state != TCP_FIN_WAIT_1 &&
            t->state != TCP_FIN_WAIT_2) {
            /* CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: the peer sent its
             * FIN; data after it cannot happen and is ignored. */
            return;
        }
        if (t->user_closed) {
            /* Nobody will ever read it (RFC 9293 3.10.4 allows a RST
             * here, and Linux sends one): tell the peer. */
            NET_DROP(s, tcp_data_after_close, IP4_FMT ":%u", IP4_ARGS(t->raddr), t->rport);
            tcp_send_rst(s, t->laddr, t->lport, t->raddr, t->rport, t->snd_nxt, 0, false);
            tcp_drop(t, 0);
            return;
        }
        bool had_gap = t->ooo.n > 0;
        if (seq == t->rcv_nxt) {
            uint32_t n = tcp_rcv_data(t, seq, data, len);
            if (n > 0)
                t->events |= TCP_EV_READABLE;
            /* RFC 5681 4.2: ACK at once when a segment fills a hole, else
             * at least every second segment, else after a short delay. A
             * device that coalesces segments (platform.h) hands over
             * several at once: they count as what they were, or the
             * sender would wait for the delayed ACK with a window of
             * data in flight. */
            uint32_t segs = len > t->rcv_mss ? 2 : 1;
            t->segs_unacked =
                (uint8_t)(t->segs_unacked + segs > 255 ? 255 : t->segs_unacked + segs);
            if (had_gap || t->segs_unacked >= 2)
                t->ack_now = true;
            else
                tcp_delack(t);
        } else {
            s->stats.tcp_ooo_in++;
            t->sack_recent = seq;
            tcp_rcv_data(t, seq, data, len);
            t->ack_now = true; /* a duplicate ACK tells the sender at once */
        }
    }
    if (fin) {
        uint32_t fin_seq = seq + len;
        if (fin_seq == t->rcv_nxt) {
            fin_arrived(t);
        } else if (seq_gt(fin_seq, t->rcv_nxt)) {
            t->ooo_fin = true;
            t->ooo_fin_seq = fin_seq;
            t->ack_now = true;
        }
    }
    if (t->ooo_fin && t->ooo_fin_seq == t->rcv_nxt && !t->fin_rcvd)
        fin_arrived(t);
}

/* ---- the ACK step (3.10.7.4, fifth) ---- */

/* SYN-RECEIVED: an ACK of our SYN establishes the connection (its window
 * is the first scaled one); any other ACK is answered with a RST.
 * Returns false when the segment is to be dropped. */
static bool syn_received_ack(struct mi_tcp *t, const struct tcp_seg *seg)
{
    struct net_stack *s = t->s;
    uint32_t ack = seg->ack;
    if (!(seq_lt(t->snd_una, ack) && seq_le(ack, t->snd_max))) {
        tcp_send_rst(s, t->laddr, t->lport, t->raddr, t->rport, ack, 0, false);
        return false;
    }
    if (tcp_established(t) != 0) {
        tcp_send_rst(s, t->laddr, t->lport, t->raddr, t->rport, ack, 0, false);
        tcp_drop(t, 0);
        return false;
    }
    t->snd_wnd = seg->wnd << t->snd_wscale;
    t->max_snd_wnd = t->snd_wnd;
    t->snd_wl1 = seg->seq;
    t->snd_wl2 = ack;
    return true;
}

/* Our FIN is acknowledged: FIN-WAIT-1 goes on to FIN-WAIT-2, CLOSING to
 * TIME-WAIT, LAST-ACK to CLOSED. Returns false when the connection is
 * gone. */
static bool our_fin_acked(struct mi_tcp *t)
{
    switch (t->state) {
    case TCP_FIN_WAIT_1:
        tcp_set_state(t, TCP_FIN_WAIT_2);
        if (!t->user) {
            t->close_at = mi_now() + (uint64_t)TCP_FIN_WAIT_2_S * MI_NSEC_PER_SEC;
            tcp_timer_update(t);
        }
        return true;
    case TCP_CLOSING:
        tcp_enter_time_wait(t);
        return true;
    case TCP_LAST_ACK:
        tcp_drop(t, 0);
        return false;
    default:
        return true;
    }
}

/* SND.UNA < SEG.ACK: sent data (and maybe our SYN or FIN) is
 * acknowledged. Returns false when the connection is gone. */
static bool new_ack(struct mi_tcp *t, uint32_t ack, const struct tcp_ts *ts)
{
    uint32_t acked = ack - t->snd_una;
    uint32_t n = acked;
    if (!t->syn_acked) { /* the SYN's sequence number */
        t->syn_acked = true;
        n--;
    }
    uint32_t data = n < t->snd_len ? n : t->snd_len;
    if (t->has_bufs)
        tcp_sndq_drop(t, data);
    bool fin_acked = n > data;
    t->snd_una = ack;
    if (seq_lt(t->snd_nxt, t->snd_una))
        t->snd_nxt = t->snd_una;
    tcp_sack_prune(t, false);

    if (t->rtt_timing && seq_gt(ack, t->rtt_seq)) {
        tcp_rtt_sample(t, mi_now() - t->rtt_start, true);
        t->rtt_timing = false;
    } else if (ts->ok && ts->ecr != 0 && seq_ge(ts->ecr, t->ts_rexmit)) {
        /* RFC 7323 4: the echoed timestamp times every ACK of new data,
         * retransmissions included (the echo tells which copy arrived).
         * Not an echo older than our latest retransmission: the receiver
         * does not take TS.Recent from a duplicate (4.3), so when the
         * ACKs of data it had were lost, the ACK our retransmission draws
         * echoes the original's time, seconds ago under heavy loss, and
         * one such sample made the RTO 14 s (issue 12, relay seed 3). */
        uint32_t ms = tcp_ts_now(t) - ts->ecr;
        if (ms < 1u << 31)
            tcp_rtt_sample(t, (uint64_t)ms * MI_NSEC_PER_MSEC, false);
    }
    t->backoff = 0;
    t->tlp_sent = false;
    tcp_cc_new_ack(t, acked);
    /* RFC 6298 5.2/5.3: stop the timer when all is acknowledged,
     * restart it when new data is acknowledged. */
    if (!t->persist) {
        if (t->snd_una == t->snd_max)
            tcp_rexmt_stop(t);
        else
            tcp_rexmt_arm(t);
    }
    if (t->want_writable && t->has_bufs && t->snd.cap - t->snd_len >= t->snd.cap / 4) {
        t->want_writable = false;
        t->events |= TCP_EV_WRITABLE;
    }
    return fin_acked ? our_fin_acked(t) : true;
}

/* Window update (3.10.7.4): only from a segment newer than the one that
 * last set it, so reordered old segments cannot shrink it. */
static void window_update(struct mi_tcp *t, const struct tcp_seg *seg, uint32_t new_wnd)
{
    if (!(seq_lt(t->snd_wl1, seg->seq) || (t->snd_wl1 == seg->seq && seq_le(t->snd_wl2, seg->ack))))
        return;
    t->snd_wnd = new_wnd;
    t->snd_wl1 = seg->seq;
    t->snd_wl2 = seg->ack;
    if (new_wnd > t->max_snd_wnd)
        t->max_snd_wnd = new_wnd;
    if (t->persist && new_wnd > 0) {
        /* The window opened: leave persist, send normally. */
        t->persist = false;
        t->backoff = 0;
        t->rexmt_at = 0;
        if (t->snd_una != t->snd_max)
            tcp_rexmt_arm(t);
    }
}

/* Returns false when the segment is to be dropped (or the connection is
 * gone). */
static bool ack_input(struct mi_tcp *t, const struct tcp_seg *seg, bool probe)
{
    struct net_stack *s = t->s;
    uint32_t ack = seg->ack;

    /* On success, go on below: the ACK acknowledges our SYN. */
    if (t->state == TCP_SYN_RECEIVED && !syn_received_ack(t, seg))
        return false;

    /* RFC 5961 5.2: acceptable if SND.UNA - MAX.SND.WND <= SEG.ACK <=
     * SND.NXT (SND.MAX here); otherwise drop and send an ACK. */
    if (seq_gt(ack, t->snd_max) || seq_lt(ack, t->snd_una - t->max_snd_wnd)) {
        NET_DROP(s, tcp_drop_bad_ack, "ack %u outside [%u, %u]", ack, t->snd_una - t->max_snd_wnd,
                 t->snd_max);
        t->ack_now = true;
        return false;
    }

    /* RFC 6937's DeliveredData: the advance of SND.UNA plus the change in
     * SACKed bytes (bytes SACKed before and now acknowledged cancel out). */
    uint32_t una0 = t->snd_una;
    uint32_t sacked0 = seqset_bytes(&t->sacked);
    uint32_t new_wnd = seg->wnd << t->snd_wscale;
    struct tcp_ts ts = {0};
    if (t->ts_ok)
        tcp_parse_ts(seg->opt, seg->optlen, &ts);
    struct tcp_sack_blocks sb = {0};
    bool sack_new = false;
    if (t->sack_ok && seg->optlen > 0) {
        tcp_parse_sack(seg->opt, seg->optlen, &sb);
        if (sb.n > 0)
            sack_new = tcp_sack_update(t, &sb);
        if (sack_new && t->in_recovery)
            tcp_sack_lost_rexmit(t);
    }
    if (seq_gt(ack, t->snd_una)) {
        if (!new_ack(t, ack, &ts))
            return false;
    } else if (probe) {
        return true; /* neither a duplicate ACK nor a newer window */
    } else if (ack == t->snd_una && t->snd_max != t->snd_una && !t->persist &&
               (sack_new || (sb.n == 0 && seg->len == 0 && !(seg->flags & (TCP_SYN | TCP_FIN)) &&
                             new_wnd == t->snd_wnd))) {
        /* A duplicate ACK: one that SACKs new data (RFC 6675 2), or
         * without SACK blocks as RFC 5681 2 defines it. */
        tcp_cc_dupack(t);
    }
    tcp_rack_ack(t);
    int64_t delivered = (int64_t)(t->snd_una - una0) + seqset_bytes(&t->sacked) - sacked0;
    if (delivered > 0)
        tcp_cc_delivered(t, (uint32_t)delivered);
    window_update(t, seg, new_wnd);
    return true;
}

/* ---- the synchronized states (3.10.7.4) ---- */

/* What conn_input processes of a segment: once its sequence number is
 * checked, only the part inside the receive window. */
struct seg_part {
    uint32_t seq;
    const uint8_t *data;
    uint32_t len;
    bool syn, fin;
    bool probe; /* a keepalive or window probe: only its ACK counts */
};

/* SYN-RECEIVED, before the first step: a retransmitted SYN while our
 * SYN-ACK is in flight gets the SYN-ACK again. A SYN-ACK there
 * (simultaneous open) carries the ACK we wait for: its SYN is old, the
 * rest is processed (3.10.7.4 "only the new parts are processed").
 * Returns false when the segment has been dealt with. */
static bool syn_received_syn(struct mi_tcp *t, const struct tcp_seg *seg, struct seg_part *x)
{
    if (t->state != TCP_SYN_RECEIVED || !x->syn || x->seq != t->irs || (seg->flags & TCP_RST))
        return true;
    if (!(seg->flags & TCP_ACK)) {
        tcp_send_syn(t);
        return false;
    }
    x->syn = false;
    x->seq++;
    return true;
}

/* The acceptability test of 3.10.7.4 (its table of four cases): slen
 * sequence numbers at seq against the window [rcv_nxt, rcv_nxt + wnd). */
static bool seq_acceptable(uint32_t rcv_nxt, uint32_t wnd, uint32_t seq, uint32_t slen)
{
    if (slen == 0)
        return wnd == 0 ? seq == rcv_nxt : seq_le(rcv_nxt, seq) && seq_lt(seq, rcv_nxt + wnd);
    if (wnd == 0)
        return false;
    return (seq_le(rcv_nxt, seq) && seq_lt(seq, rcv_nxt + wnd)) ||
           (seq_le(rcv_nxt, seq + slen - 1) && seq_lt(seq + slen - 1, rcv_nxt + wnd));
}

/* first: check the sequence number (3.10.7.4). An unacceptable segment
 * is answered with an ACK (unless it is a RST) and dropped: false. An
 * acceptable one is trimmed to the part inside the window. */
static bool check_sequence(struct mi_tcp *t, const struct tcp_seg *seg, struct seg_part *x)
{
    struct net_stack *s = t->s;
    uint32_t wnd = seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
    uint32_t slen = x->len + x->syn + x->fin;
    bool ok = seq_acceptable(t->rcv_nxt, wnd, x->seq, slen);
    if (!ok && wnd == 0 && x->seq == t->rcv_nxt && !x->syn) {
        /* A zero window accepts no data, but the ACK, RST and window of a
         * segment at RCV.NXT (a window probe) still count (3.10.7.4). */
        ok = true;
        x->len = 0;
        x->fin = false;
    }
    if (!ok && x->seq == t->rcv_nxt - 1 && x->len <= 1 && !x->syn && !x->fin &&
        !(seg->flags & TCP_RST) && t->state != TCP_SYN_RECEIVED) {
        /* A keepalive (RFC 1122 4.2.3.6) or the window probe Linux sends
         * (SEG.SEQ = SND.UNA - 1): unacceptable, so answered with an ACK,
         * but its acknowledgment is processed ("special allowance should
         * be made to accept valid ACKs", 3.10.7.4). When our window is
         * closed these may be all the peer sends: ignoring them left our
         * retransmissions to be acknowledged only by the peer's replies
         * to them, each one backing off the timer when lost (issue 12). */
        s->stats.tcp_dup_in++;
        t->ack_now = true;
        x->probe = true;
        x->len = 0;
        return true;
    }
    if (!ok) {
        if (seg->flags & TCP_RST)
            return false; /* RFC 5961 3.2: out-of-window RSTs are dropped silently */
        if (t->state == TCP_TIME_WAIT && x->fin) {
            /* The peer did not get our ACK of its FIN: acknowledge it
             * again and restart the 2 MSL wait (3.10.7.4, eighth). */
            t->close_at = mi_now() + 2ull * TCP_MSL_S * MI_NSEC_PER_SEC;
        }
        if (seq_lt(x->seq + slen, t->rcv_nxt) || (slen > 0 && seq_le(x->seq + slen, t->rcv_nxt))) {
            s->stats.tcp_dup_in++;
            if (x->len > 0) {
                /* RFC 2883: tell the sender it sent this twice (its
                 * retransmission was spurious, or our ACK was lost). */
                t->dsack = true;
                t->dsack_start = x->seq;
                t->dsack_end = x->seq + x->len;
            }
        } else
            NET_DROP(s, tcp_drop_out_of_window, "seq %u len %u, window [%u, +%u)", x->seq, slen,
                     t->rcv_nxt, wnd);
        t->ack_now = true;
        return false;
    }
    /* Keep only the part inside the window. */
    if (seq_lt(x->seq, t->rcv_nxt)) {
        uint32_t d = t->rcv_nxt - x->seq;
        if (x->syn) {
            x->syn = false;
            d--;
            x->seq++;
        }
        if (d > x->len)
            d = x->len;
        x->data += d;
        x->len -= d;
        x->seq += d;
    }
    if (seq_gt(x->seq + x->len, t->rcv_nxt + wnd)) {
        x->len = t->rcv_nxt + wnd - x->seq;
        x->fin = false;
    }
    return true;
}

/* second: check the RST bit (3.10.7.4; RFC 5961 3.2: only an exact match
 * resets, anything else in the window gets a challenge ACK). */
static void rst_input(struct mi_tcp *t, const struct tcp_seg *seg)
{
    if (seg->seq != t->rcv_nxt) {
        challenge_ack(t);
        return;
    }
    t->s->stats.tcp_rst_in++;
    switch (t->state) {
    case TCP_SYN_RECEIVED:
        /* Passive: back to LISTEN, which for us means forgetting the
         * half-open connection. Active: refused. */
        tcp_drop(t, t->passive ? 0 : -ECONNREFUSED);
        return;
    case TCP_ESTABLISHED:
    case TCP_FIN_WAIT_1:
    case TCP_FIN_WAIT_2:
    case TCP_CLOSE_WAIT:
        tcp_drop(t, -ECONNRESET);
        return;
    default: /* CLOSING, LAST-ACK, TIME-WAIT */
        tcp_drop(t, 0);
        return;
    }
}

/* fourth: a SYN in a synchronized state (3.10.7.4; RFC 5961 4.2):
 * challenge ACK, whatever its sequence number. A passive connection
 * still in SYN-RECEIVED goes back to LISTEN: it is forgotten. */
static void syn_input(struct mi_tcp *t)
{
    if (t->state == TCP_SYN_RECEIVED && t->passive) {
        tcp_drop(t, 0);
        return;
    }
    challenge_ack(t);
}

/* The steps of 3.10.7.4 in order, for SYN-RECEIVED and the states after
 * it; each returns when it has dealt with the segment. */
static void conn_input(struct mi_tcp *t, const struct tcp_seg *seg)
{
    struct seg_part x = {
        .seq = seg->seq,
        .data = seg->data,
        .len = seg->len,
        .syn = seg->flags & TCP_SYN,
        .fin = seg->flags & TCP_FIN,
    };

    tcp_keep_touch(t);
    if (!syn_received_syn(t, seg, &x))
        return;
    if (!check_sequence(t, seg, &x)) /* first */
        return;
    if (t->ts_ok) {
        /* RFC 7323 4.3: TS.Recent follows the segments that reach the
         * left edge of the window, never backwards. PAWS (RFC 7323 5) is
         * not done: sequence numbers do not wrap within a segment's
         * lifetime at the rates this stack moves. */
        struct tcp_ts ts;
        tcp_parse_ts(seg->opt, seg->optlen, &ts);
        if (ts.ok && seq_le(seg->seq, t->last_ack_sent) && seq_ge(ts.val, t->ts_recent))
            t->ts_recent = ts.val;
    }
    if (seg->flags & TCP_RST) { /* second */
        rst_input(t, seg);
        return;
    }
    if (x.syn) { /* fourth */
        syn_input(t);
        return;
    }
    /* fifth: ACK. */
    if (!(seg->flags & TCP_ACK))
        return;
    if (!ack_input(t, seg, x.probe))
        return;
    if (t->state == TCP_CLOSED || x.probe)
        return;

    /* sixth (URG) is not implemented: urgent data is delivered inline,
     * the pointer ignored (RFC 6093 advises against new uses). */

    /* seventh and eighth: text and FIN. */
    data_input(t, x.seq, x.data, x.len, x.fin);
}

/* The checks of a segment before any connection is looked at: header
 * length and data offset, checksum, destination, flag combinations and
 * ports. Fills seg; false when the segment is dropped. */
static bool parse_segment(struct net_stack *s, const struct ip_info *ip, const uint8_t *p,
                          size_t len, struct tcp_seg *seg)
{
    if (len < TCP_HLEN) {
        NET_DROP(s, tcp_drop_bad_header, "%zu bytes", len);
        return false;
    }
    size_t off = (size_t)(p[12] >> 4) * 4;
    if (off < TCP_HLEN || off > len) {
        NET_DROP(s, tcp_drop_bad_header, "data offset %zu of %zu bytes", off, len);
        return false;
    }
    /* A checksum the device vouches for, or one that is only partial (a
     * packet of the host's own, platform.h), is not checked. */
    if (!ip->csum_ok) {
        struct cksum c;
        cksum_init(&c);
        cksum_add_pseudo(&c, ip->src, ip->dst, IP_PROTO_TCP, (uint16_t)len);
        cksum_add(&c, p, len);
        if (cksum_finish(&c) != 0) {
            NET_DROP(s, tcp_drop_checksum, "from " IP4_FMT ":%u", IP4_ARGS(ip->src), get16(p));
            return false;
        }
    }
    if (!tcp_options_valid(p + TCP_HLEN, off - TCP_HLEN)) {
        NET_DROP(s, tcp_drop_bad_options, "from " IP4_FMT ":%u", IP4_ARGS(ip->src), get16(p));
        return false;
    }
    if (ip->to_broadcast || !s->configured || ip->dst != s->nif.address) {
        /* RFC 9293 3.9.1: a SYN to a broadcast address is ignored; no
         * TCP segment can belong to a broadcast connection. */
        NET_DROP(s, tcp_drop_bad_addr, "to " IP4_FMT, IP4_ARGS(ip->dst));
        return false;
    }
    *seg = (struct tcp_seg){
        .ip = ip,
        .sport = get16(p),
        .dport = get16(p + 2),
        .seq = get32(p + 4),
        .ack = get32(p + 8),
        .flags = p[13] & 0x3f,
        .wnd = get16(p + 14),
        .opt = p + TCP_HLEN,
        .optlen = off - TCP_HLEN,
        .data = p + off,
        .len = (uint32_t)(len - off),
    };
    /* Combinations no TCP sends; they probe for fingerprints. */
    if ((seg->flags & TCP_SYN) && (seg->flags & (TCP_FIN | TCP_RST))) {
        NET_DROP(s, tcp_drop_bad_flags, "flags 0x%02x from " IP4_FMT, seg->flags,
                 IP4_ARGS(ip->src));
        return false;
    }
    if (seg->sport == 0 || seg->dport == 0) {
        NET_DROP(s, tcp_drop_bad_header, "port 0 from " IP4_FMT, IP4_ARGS(ip->src));
        return false;
    }
    return true;
}

void tcp_input(struct net_stack *s, const struct ip_info *ip, const uint8_t *p, size_t len)
{
    s->stats.tcp_in++;
    struct tcp_seg seg;
    if (!parse_segment(s, ip, p, len, &seg))
        return;

    struct mi_tcp *t = tcp_lookup(s, ip->dst, seg.dport, ip->src, seg.sport);
    if (t != NULL && t->state == TCP_TIME_WAIT && (seg.flags & TCP_SYN) && !(seg.flags & TCP_ACK) &&
        seq_gt(seg.seq, t->rcv_nxt) && tcp_lookup_listener(s, ip->dst, seg.dport) != NULL) {
        /* RFC 1122 4.2.2.13 (and RFC 6191): a new SYN with a higher
         * sequence number may reopen a connection in TIME-WAIT. */
        tcp_drop(t, 0);
        tcp_notify(t);
        t = NULL;
    }
    if (t == NULL) {
        struct mi_tcp *l = tcp_lookup_listener(s, ip->dst, seg.dport);
        if (l != NULL) {
            listen_input(l, &seg);
            return;
        }
        /* CLOSED (3.10.7.1). */
        if (!(seg.flags & TCP_RST))
            NET_DROP(s, tcp_drop_no_listener, "port %u from " IP4_FMT ":%u", seg.dport,
                     IP4_ARGS(ip->src), seg.sport);
        tcp_reset_reply(s, &seg);
        return;
    }

    if (t->state == TCP_SYN_SENT)
        syn_sent_input(t, &seg);
    else
        conn_input(t, &seg);

    /* The application hears about it last, when the segment has been
     * processed completely; then what it wrote, and the ACK, go out. In
     * a batch of frames (net_stack_batch_begin), the answer to data waits
     * for the end of the batch, so that the data segments of one batch
     * draw one ACK, as a receiver with GRO sends. A bare ACK is answered
     * at once: the data it lets go keeps the ACK clock running, and
     * during recovery, sent only after the whole batch, it would find
     * the flight drained and the window collapsed. */
    tcp_notify(t);
    if (!t->reaped && t->state != TCP_CLOSED) {
        if (s->batching && seg.len > 0)
            tcp_output_later(t);
        else
            tcp_output(t);
        tcp_timer_update(t);
    }
}
