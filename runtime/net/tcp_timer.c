/* SPDX-License-Identifier: ISC */
/* TCP timers. Each connection has one loop timer armed at the earliest of
 * its deadlines:
 *
 *   rexmt_at   retransmission (RFC 6298), before it the tail loss probe
 *              (RFC 8985 7), or the persist timer when the
 *              peer's window is closed (RFC 9293 3.8.6.1, RFC 1122
 *              4.2.2.17: probes back off but never give up while the peer
 *              answers)
 *   delack_at  delayed ACK (RFC 1122 4.2.3.2, RFC 5681 4.2)
 *   close_at   end of TIME-WAIT (2 MSL, RFC 9293 3.4.2), or the FIN-WAIT-2
 *              limit of a connection the application has closed
 *   keep_at    keepalive (RFC 1122 4.2.3.6), off unless asked for */
#include <errno.h>

#include "stack.h"

#define MS(x) ((uint64_t)(x)*MI_NSEC_PER_MSEC)

static uint64_t earliest(uint64_t a, uint64_t b)
{
    if (a == 0)
        return b;
    if (b == 0)
        return a;
    return a < b ? a : b;
}

void tcp_timer_update(struct mi_tcp *t)
{
    if (t->reaped)
        return;
    uint64_t next =
        earliest(earliest(t->rexmt_at, t->delack_at), earliest(t->close_at, t->keep_at));
    if (next == 0)
        mi_timer_stop(&t->timer);
    else if (!mi_timer_armed(&t->timer) || t->timer.deadline != next)
        mi_timer_at(&t->timer, next);
}

void tcp_rexmt_arm(struct mi_tcp *t)
{
    /* rto_ms is what SRTT and RTTVAR give; each consecutive timeout
     * doubles it (RFC 6298 5.5) through `backoff`, which the next ACK of
     * new data resets, so the RTO is the computed one again at once (as
     * in Linux and BSD) instead of staying doubled until a new sample. The
     * persist interval backs off the same way. */
    uint64_t rto = MS(t->rto_ms) << (t->backoff < 10 ? t->backoff : 10);
    uint64_t max = MS(t->persist ? TCP_PERSIST_MAX_MS : TCP_RTO_MAX_MS);
    if (rto > max)
        rto = max;
    /* Tail loss probe (RFC 8985 7.2): with data in flight, outside
     * recovery and timeouts, probe after two round trips rather than
     * wait for the RTO (200 ms at least), so that a lost tail is found
     * by SACK recovery. One segment in flight may be waiting for the
     * peer's delayed ACK: allow for it (7.2's WCDelAckT; Linux and this
     * stack delay at most 40 ms). */
    t->tlp_armed = false;
    t->rack_armed = false;
    if (!t->persist && !t->tlp_sent && !t->in_recovery && t->backoff == 0 && t->syn_acked &&
        t->srtt_us != 0 && t->snd_una != t->snd_max) {
        uint64_t pto = 2 * (uint64_t)t->srtt_us * 1000;
        pto += tcp_flight(t) > t->snd_mss ? MS(2) : MS(TCP_DELACK_MS + 10);
        if (pto < rto) {
            rto = pto;
            t->tlp_armed = true;
        }
    }
    t->rexmt_at = mi_now() + rto;
    tcp_timer_update(t);
}

void tcp_rexmt_stop(struct mi_tcp *t)
{
    t->rexmt_at = 0;
    t->persist = false;
    t->rack_armed = false;
    tcp_timer_update(t);
}

void tcp_delack(struct mi_tcp *t)
{
    if (t->delack_at == 0) {
        t->delack_at = mi_now() + MS(TCP_DELACK_MS);
        tcp_timer_update(t);
    }
}

void tcp_keep_touch(struct mi_tcp *t)
{
    t->last_input = mi_now();
    t->keep_sent = 0;
    if (t->keep_idle_s != 0 && t->keep_at == 0) {
        t->keep_at = t->last_input + (uint64_t)t->keep_idle_s * MI_NSEC_PER_SEC;
        tcp_timer_update(t);
    }
}

static void back_off(struct mi_tcp *t)
{
    if (t->backoff < 255)
        t->backoff++;
}

/* The retransmission timer expired (RFC 6298 5.4-5.6). */
static void rexmt_timeout(struct mi_tcp *t)
{
    struct net_stack *s = t->s;
    switch (t->state) {
    case TCP_SYN_SENT:
    case TCP_SYN_RECEIVED: {
        unsigned limit = t->state == TCP_SYN_SENT ? TCP_SYN_RETRIES : TCP_SYNACK_RETRIES;
        if (t->backoff >= limit) {
            if (!t->passive)
                s->stats.tcp_timeout++;
            tcp_drop(t, -ETIMEDOUT);
            return;
        }
        back_off(t);
        t->rtt_timing = false; /* Karn */
        s->stats.tcp_retransmit++;
        tcp_send_syn(t);
        tcp_rexmt_arm(t);
        return;
    }
    case TCP_ESTABLISHED:
    case TCP_FIN_WAIT_1:
    case TCP_CLOSE_WAIT:
    case TCP_CLOSING:
    case TCP_LAST_ACK:
        break;
    default:
        return;
    }
    if (t->snd_una == t->snd_max)
        return; /* everything was acknowledged meanwhile */
    if (t->backoff >= TCP_DATA_RETRIES) {
        NET_DROP(s, tcp_timeout, "%u retransmissions to " IP4_FMT ":%u", t->backoff,
                 IP4_ARGS(t->raddr), t->rport);
        tcp_send_rst(s, t->laddr, t->lport, t->raddr, t->rport, t->snd_nxt, 0, false);
        tcp_drop(t, -ETIMEDOUT);
        return;
    }
    tcp_cc_timeout(t);
    back_off(t);
    t->rtt_timing = false; /* Karn: the retransmitted segment is never timed */
    s->stats.tcp_retransmit++;
    /* Go back to SND.UNA: one segment now (cwnd is one MSS), the rest as
     * ACKs open the window again. */
    t->snd_nxt = t->snd_una + tcp_retransmit_first(t);
    tcp_rexmt_arm(t);
}

/* The loss probe timeout (RFC 8985 7.3): one segment, new data if the
 * windows allow it, else the last one sent again; its ACK (or SACK)
 * shows what is missing. Then the RTO runs. */
static void tlp_timeout(struct mi_tcp *t)
{
    t->tlp_sent = true;
    if (t->snd_una == t->snd_max)
        return;
    t->s->stats.tcp_tlp++;
    uint32_t end = tcp_snd_data_start(t) + t->snd_len;
    uint32_t max = tcp_seg_max(t);
    uint32_t room = t->snd_una + t->snd_wnd - t->snd_max;
    if (seq_ge(t->snd_nxt, t->snd_max) && seq_lt(t->snd_max, end) &&
        seq_lt(t->snd_max, t->snd_una + t->snd_wnd)) {
        uint32_t len = end - t->snd_max;
        if (len > max)
            len = max;
        if (len > room)
            len = room;
        tcp_send_data(t, t->snd_max, len, false);
        t->snd_nxt = t->snd_max = t->snd_max + len;
    } else {
        uint32_t sent_end = seq_lt(t->snd_max, end) ? t->snd_max : end;
        bool fin = t->fin_queued && seq_gt(t->snd_max, end);
        uint32_t len = sent_end - t->snd_una;
        if (seq_gt(t->snd_una, sent_end))
            len = 0; /* only the FIN is outstanding */
        if (len > max)
            len = max;
        tcp_send_data(t, sent_end - len, len, fin);
    }
    tcp_rexmt_arm(t);
}

/* The persist timer expired: probe the closed window. */
static void persist_timeout(struct mi_tcp *t)
{
    uint32_t end = tcp_snd_data_start(t) + t->snd_len;
    t->persist = false;
    t->rexmt_at = 0;
    if (!seq_lt(t->snd_nxt, end))
        return;
    if (t->snd_wnd > 0) {
        /* A window too small to be worth using (SWS avoidance): the
         * override timeout sends what fits anyway (RFC 9293 3.8.6.2.1). */
        uint32_t len = end - t->snd_nxt;
        if (len > t->snd_wnd)
            len = t->snd_wnd;
        if (len > tcp_seg_max(t))
            len = tcp_seg_max(t);
        tcp_send_data(t, t->snd_nxt, len, false);
        t->snd_nxt += len;
        if (seq_gt(t->snd_nxt, t->snd_max))
            t->snd_max = t->snd_nxt;
        tcp_rexmt_arm(t);
        return;
    }
    /* One byte beyond the window: the receiver answers with its current
     * window whether it takes the byte or not. SND.NXT stays, so the byte
     * is sent again with the data once the window opens. */
    t->s->stats.tcp_zero_window_probe++;
    tcp_send_data(t, t->snd_nxt, 1, false);
    if (seq_gt(t->snd_nxt + 1, t->snd_max))
        t->snd_max = t->snd_nxt + 1;
    t->persist = true;
    if (t->backoff < 255)
        t->backoff++;
    tcp_rexmt_arm(t);
}

static void keepalive_timeout(struct mi_tcp *t, uint64_t now)
{
    struct net_stack *s = t->s;
    t->keep_at = 0;
    if (t->keep_idle_s == 0 ||
        (t->state != TCP_ESTABLISHED && t->state != TCP_CLOSE_WAIT && t->state != TCP_FIN_WAIT_2))
        return;
    uint64_t idle_ns = (uint64_t)t->keep_idle_s * MI_NSEC_PER_SEC;
    if (now - t->last_input < idle_ns) {
        t->keep_at = t->last_input + idle_ns;
        return;
    }
    if (t->keep_sent >= t->keep_count) {
        NET_DROP(s, tcp_timeout, "keepalive: " IP4_FMT ":%u silent", IP4_ARGS(t->raddr), t->rport);
        tcp_send_rst(s, t->laddr, t->lport, t->raddr, t->rport, t->snd_nxt, 0, false);
        tcp_drop(t, -ETIMEDOUT);
        return;
    }
    /* RFC 1122 4.2.3.6: SEG.SEQ = SND.NXT - 1 and no data, which the peer
     * must answer with an ACK. */
    s->stats.tcp_keepalive++;
    tcp_send_data(t, t->snd_una - 1, 0, false);
    t->keep_sent++;
    t->keep_at = now + (uint64_t)t->keep_intvl_s * MI_NSEC_PER_SEC;
}

void tcp_timer_fn(mi_timer *timer, void *arg)
{
    struct mi_tcp *t = arg;
    uint64_t now = mi_now();
    (void)timer;
    tcp_reap(t->s);

    if (t->close_at != 0 && now >= t->close_at) {
        /* End of TIME-WAIT, or an orphan stuck in FIN-WAIT-2. */
        t->close_at = 0;
        tcp_drop(t, 0);
        tcp_notify(t);
        return;
    }
    if (t->delack_at != 0 && now >= t->delack_at) {
        t->delack_at = 0;
        t->ack_now = true;
    }
    if (t->rexmt_at != 0 && now >= t->rexmt_at) {
        t->rexmt_at = 0;
        if (t->persist) {
            persist_timeout(t);
        } else if (t->rack_armed) {
            t->rack_armed = false;
            tcp_rack_timeout(t);
        } else if (t->tlp_armed) {
            tlp_timeout(t);
        } else {
            rexmt_timeout(t);
        }
    }
    if (t->state != TCP_CLOSED && t->keep_at != 0 && now >= t->keep_at)
        keepalive_timeout(t, now);
    if (t->state != TCP_CLOSED && !t->reaped) {
        tcp_output(t);
        tcp_timer_update(t);
    }
    tcp_notify(t);
}
