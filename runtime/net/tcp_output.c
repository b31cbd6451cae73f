/* SPDX-License-Identifier: ISC */
/* TCP output: building segments, and deciding what to send.
 *
 * The send policy (tcp_output): send new data while the usable window
 * min(SND.WND, cwnd) - in flight allows, in segments of at most the
 * peer's MSS, or, when the device cuts segments itself (TSO, platform.h),
 * in frames of up to 64 KiB that it cuts into such segments: the window
 * is the same, there are just fewer, larger frames to build (and no
 * checksum to compute: the device completes it). A segment smaller than
 * the MSS goes out only when it carries everything queued, or when it is
 * at least half the largest window the peer ever offered (sender-side
 * silly window avoidance, RFC 9293 3.8.6.2.1). There is no Nagle delay
 * (RFC 9293 3.7.4 makes it a SHOULD with an opt-out): writes made during
 * one callback are coalesced by flushing once, from the loop, after the
 * callback (tcp_output_soon).
 * When the peer's window is closed and nothing is in flight, the persist
 * timer takes over (tcp_timer.c). */
#include <errno.h>
#include <string.h>

#include <platform.h>

#include "checksum.h"
#include "stack.h"

uint32_t tcp_snd_data_start(const struct mi_tcp *t)
{
    return t->snd_una + (t->syn_acked ? 0 : 1);
}

uint32_t tcp_ts_now(const struct mi_tcp *t)
{
    /* The offset (the ISS, random per connection, RFC 7323 5.4 and 7.1)
     * keeps the clock from telling the host's uptime. */
    return (uint32_t)(mi_now() / MI_NSEC_PER_MSEC) + t->iss;
}

/* The options of a segment we send now: timestamps, SACK blocks. */
static size_t build_options(struct mi_tcp *t, uint8_t *out)
{
    size_t n = t->ts_ok ? tcp_build_ts(out, tcp_ts_now(t), t->ts_recent) : 0;
    return n + tcp_build_sack(t, out + n);
}

uint32_t tcp_seg_max(const struct mi_tcp *t)
{
    uint8_t opt[40];
    size_t n = (t->ts_ok ? 12 : 0) + tcp_build_sack(t, opt);
    return t->snd_mss - (uint32_t)n;
}

uint32_t tcp_tso_max(struct mi_tcp *t, uint32_t seg_max)
{
    if (!(t->s->offloads & PLAT_NET_TX_TSO4) || seg_max == 0 ||
        ipv4_offload_mac(t->s, t->raddr) == NULL)
        return seg_max;
    /* Whole segments, in one IPv4 datagram with the longest header. */
    return (IP_MAXPACKET - IP_HLEN - TCP_HLEN - 40) / seg_max * seg_max;
}

uint32_t tcp_rcv_window(struct mi_tcp *t)
{
    uint32_t cap = t->has_bufs ? t->rcv.cap : MI_NET_TCP_RCVBUF;
    uint32_t avail = t->has_bufs ? cap - t->rcv.len : cap;
    uint32_t max = 65535u << (t->ws_ok ? t->rcv_wscale : 0);
    if (avail > max)
        avail = max;
    uint32_t cur = seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
    /* Receiver-side silly window avoidance (RFC 9293 3.8.6.2.2): move the
     * right edge only by at least min(half the buffer, one MSS). */
    uint32_t step = cap / 2 < t->rcv_mss ? cap / 2 : t->rcv_mss;
    if (avail > cur && avail - cur < step)
        return cur;
    /* Never shrink the window (RFC 9293 3.8.6). */
    return avail > cur ? avail : cur;
}

/* The window field of a non-SYN segment; remembers the right edge. */
static uint16_t window_field(struct mi_tcp *t)
{
    uint32_t wnd = tcp_rcv_window(t);
    uint8_t shift = t->ws_ok ? t->rcv_wscale : 0;
    uint32_t field = wnd >> shift;
    if (field > 65535)
        field = 65535;
    uint32_t edge = t->rcv_nxt + (field << shift);
    if (seq_gt(edge, t->rcv_adv))
        t->rcv_adv = edge;
    return (uint16_t)field;
}

/* Build and send one segment. tso_mss > 0: data may be larger than one
 * segment, and the device cuts it into pieces of tso_mss bytes (only when
 * tcp_tso_max said it could). */
static int send_segment(struct net_stack *s, mi_ipv4 laddr, uint16_t lport, mi_ipv4 raddr,
                        uint16_t rport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
                        const uint8_t *opt, size_t optlen, const struct net_iov *data, int ndata,
                        uint16_t tso_mss)
{
    uint8_t h[TCP_HLEN + 40];
    size_t hlen = TCP_HLEN + optlen;
    size_t dlen = 0;
    for (int i = 0; i < ndata; i++)
        dlen += data[i].len;
    put16(h, lport);
    put16(h + 2, rport);
    put32(h + 4, seq);
    put32(h + 8, ack);
    h[12] = (uint8_t)((hlen / 4) << 4);
    h[13] = flags;
    put16(h + 14, wnd);
    put16(h + 16, 0);
    put16(h + 18, 0); /* urgent pointer: never sent */
    if (optlen > 0)
        memcpy(h + TCP_HLEN, opt, optlen);

    struct cksum c;
    cksum_init(&c);
    cksum_add_pseudo(&c, laddr, raddr, IP_PROTO_TCP, (uint16_t)(hlen + dlen));
    s->stats.tcp_out++;
    if (tso_mss != 0)
        s->stats.tcp_tso_out++;
    if (flags & TCP_RST)
        s->stats.tcp_rst_out++;
    const uint8_t *mac = ipv4_offload_mac(s, raddr);
    if (mac != NULL) {
        /* The device completes the checksum from the pseudo-header's sum
         * (folded, not complemented: platform.h), over the data it reads
         * from the send queue itself (the ring, or a store image lent by
         * mi_tcp_write_ref): no copy here. */
        put16(h + 16, (uint16_t)~cksum_finish(&c));
        return ipv4_output_tcp_offload(s, mac, laddr, raddr, h, hlen, data, ndata, tso_mss);
    }
    cksum_add(&c, h, hlen);
    for (int i = 0; i < ndata; i++)
        cksum_add(&c, data[i].base, data[i].len);
    put16(h + 16, cksum_finish(&c));

    struct net_iov iov[1 + TCP_SND_IOV] = {{h, hlen}};
    for (int i = 0; i < ndata; i++)
        iov[1 + i] = data[i];
    /* TCP never relies on fragmentation: segments fit the MSS, and DF is
     * set as RFC 1191 hosts do. */
    return ipv4_output(s, laddr, raddr, IP_PROTO_TCP, iov, 1 + ndata, IPV4_DF);
}

void tcp_send_data(struct mi_tcp *t, uint32_t seq, uint32_t len, bool fin)
{
    uint32_t start = tcp_snd_data_start(t);
    struct net_iov data[TCP_SND_IOV];
    int n = 0;
    uint8_t flags = TCP_ACK;
    if (len > 0) {
        n = tcp_sndq_gather(t, seq - start, len, data);
        if (seq + len == start + t->snd_len)
            flags |= TCP_PSH;
    }
    if (fin)
        flags |= TCP_FIN;
    uint8_t opt[40];
    size_t optlen = build_options(t, opt);
    t->dsack = false; /* reported once */
    if (len > 0 && seq_lt(seq, t->snd_max))
        t->ts_rexmit = tcp_ts_now(t);
    if (len > 0 || fin)
        tcp_rack_sent(t, seq, len + (fin ? 1 : 0), seq_lt(seq, t->snd_max));
    if (t->in_recovery)
        t->prr_out += len; /* RFC 6937: prr_out counts all data sent */
    /* Callers size data with tcp_seg_max, or beyond it with tcp_tso_max:
     * such a segment goes to the device to be cut into segments that
     * carry these options and the rest of the MSS each. Otherwise never
     * exceed the MSS: SACK blocks that appeared since make way. */
    uint16_t tso_mss = 0;
    if (len + optlen > t->snd_mss) {
        if (tcp_tso_max(t, t->snd_mss - (uint32_t)optlen) > t->snd_mss - optlen)
            tso_mss = (uint16_t)(t->snd_mss - optlen);
        else
            optlen = t->ts_ok ? 12 : 0;
    }
    uint16_t wnd = window_field(t);
    t->last_ack_sent = t->rcv_nxt;
    send_segment(t->s, t->laddr, t->lport, t->raddr, t->rport, seq, t->rcv_nxt, flags, wnd, opt,
                 optlen, data, n, tso_mss);
    /* Every segment carries the ACK: nothing is owed any more. */
    t->ack_now = false;
    t->delack_at = 0;
    t->segs_unacked = 0;
}

void tcp_send_ack(struct mi_tcp *t)
{
    /* SND.MAX, not SND.NXT: after a timeout SND.NXT is pulled back, and a
     * bare ACK with a sequence number below the peer's RCV.NXT would be
     * unacceptable to it (RFC 9293 3.10.7.4) and its acknowledgment lost;
     * when both ends are retransmitting that is a deadlock. BSD does the
     * same. */
    tcp_send_data(t, t->snd_max, 0, false);
}

uint32_t tcp_retransmit_first(struct mi_tcp *t)
{
    uint32_t start = tcp_snd_data_start(t);
    uint32_t end = start + t->snd_len;
    /* Only what was sent before: bytes beyond SND.MAX would be new data
     * the rest of the sender does not know went out. */
    uint32_t sent_end = seq_lt(t->snd_max, end) ? t->snd_max : end;
    uint32_t seq = t->snd_una;
    uint32_t avail = seq_lt(seq, sent_end) ? sent_end - seq : 0;
    uint32_t max = tcp_seg_max(t);
    uint32_t len = avail < max ? avail : max;
    /* The FIN was sent if SND.MAX went past the end of the data. */
    bool fin = t->fin_queued && seq_gt(t->snd_max, end) && seq + len == end;
    if (len == 0 && !fin)
        return 0;
    tcp_send_data(t, seq, len, fin);
    return len + (fin ? 1 : 0);
}

void tcp_open_syn(struct mi_tcp *t)
{
    t->ts_rexmit = tcp_ts_now(t); /* no echo can be older than the SYN */
    t->rtt_timing = true;
    t->rtt_seq = t->iss;
    t->rtt_start = mi_now();
    tcp_send_syn(t);
    tcp_rexmt_arm(t);
}

void tcp_send_syn(struct mi_tcp *t)
{
    uint8_t opt[24];
    size_t optlen;
    uint8_t flags = TCP_SYN;
    uint32_t ack = 0;
    if (t->state == TCP_SYN_SENT) {
        optlen = tcp_build_syn_options(opt, t->rcv_mss, t->rcv_wscale, true);
        optlen += tcp_build_ts(opt + optlen, tcp_ts_now(t), 0); /* TSecr 0 (RFC 7323 3.2) */
    } else {
        /* RFC 7323 2.2, RFC 2018 2: the scale and SACK-permitted options
         * go in a SYN-ACK only if the SYN had them. */
        optlen = tcp_build_syn_options(opt, t->rcv_mss, t->ws_ok ? t->rcv_wscale : -1, t->sack_ok);
        if (t->ts_ok)
            optlen += tcp_build_ts(opt + optlen, tcp_ts_now(t), t->ts_recent);
        flags |= TCP_ACK;
        t->last_ack_sent = t->rcv_nxt;
        ack = t->rcv_nxt;
    }
    /* The window of a SYN is never scaled (RFC 7323 2.2). */
    uint32_t wnd = tcp_rcv_window(t);
    if (wnd > 65535)
        wnd = 65535;
    if (flags & TCP_ACK)
        t->rcv_adv = t->rcv_nxt + wnd;
    send_segment(t->s, t->laddr, t->lport, t->raddr, t->rport, t->iss, ack, flags, (uint16_t)wnd,
                 opt, optlen, NULL, 0, 0);
}

void tcp_send_rst(struct net_stack *s, mi_ipv4 laddr, uint16_t lport, mi_ipv4 raddr, uint16_t rport,
                  uint32_t seq, uint32_t ack, bool with_ack)
{
    send_segment(s, laddr, lport, raddr, rport, seq, with_ack ? ack : 0,
                 TCP_RST | (with_ack ? TCP_ACK : 0), 0, NULL, 0, NULL, 0, 0);
}

void tcp_reset_reply(struct net_stack *s, const struct tcp_seg *seg)
{
    /* RFC 9293 3.10.7.1: never answer a RST; if the segment has an ACK
     * the reset takes its sequence number from it, otherwise it has
     * sequence 0 and acknowledges everything the segment occupied. */
    if (seg->flags & TCP_RST)
        return;
    if (seg->flags & TCP_ACK) {
        tcp_send_rst(s, seg->ip->dst, seg->dport, seg->ip->src, seg->sport, seg->ack, 0, false);
    } else {
        uint32_t len = seg->len + !!(seg->flags & TCP_SYN) + !!(seg->flags & TCP_FIN);
        tcp_send_rst(s, seg->ip->dst, seg->dport, seg->ip->src, seg->sport, 0, seg->seq + len,
                     true);
    }
}

/* Whether the state lets data go; in those that do not, the ACK owed. */
static bool may_send_data(struct mi_tcp *t)
{
    switch (t->state) {
    case TCP_ESTABLISHED:
    case TCP_CLOSE_WAIT:
    case TCP_FIN_WAIT_1:
    case TCP_CLOSING:
    case TCP_LAST_ACK:
        if (t->has_bufs)
            return true;
        break;
    case TCP_FIN_WAIT_2:
    case TCP_TIME_WAIT:
        break;
    default:
        return false;
    }
    if (t->ack_now)
        tcp_send_ack(t);
    return false;
}

void tcp_output(struct mi_tcp *t)
{
    net_list_del(&t->out_link);
    if (!may_send_data(t))
        return;
    uint32_t start = tcp_snd_data_start(t);
    uint32_t end = start + t->snd_len;
    uint32_t seg_max = tcp_seg_max(t);
    uint32_t burst_max = tcp_tso_max(t, seg_max);
    bool cwnd_limited = false;
    bool sent = false;
    if (tcp_cc_bbr(t))
        tcp_bbr_send_start(t);
    while (!t->persist) {
        /* Limited Transmit (RFC 3042): the first two duplicate ACKs each
         * let one new segment go beyond cwnd, so that a small window still
         * produces the three duplicates fast retransmit needs. */
        uint32_t cwnd = t->cwnd;
        if (!t->in_recovery && t->dupacks > 0)
            cwnd += (t->dupacks < 2 ? t->dupacks : 2) * (uint32_t)t->snd_mss;
        /* What counts against cwnd: in SACK recovery the pipe (RFC 6675),
         * which first lets lost holes go again (its NextSeg rule 1);
         * otherwise SND.UNA to SND.NXT less what the peer SACKed. */
        bool sack_recovery = t->in_recovery && t->sack_ok;
        uint32_t flight = t->snd_nxt - t->snd_una;
        uint32_t in_net = sack_recovery ? tcp_sack_pipe(t) : flight - tcp_sack_below(t, t->snd_nxt);
        if (sack_recovery && in_net + seg_max <= cwnd && tcp_retransmit_hole(t))
            continue;
        /* Data sent again after a timeout skips what the peer holds, and
         * stops short of the next range it holds. */
        uint32_t room;
        uint32_t nxt = tcp_sack_skip(t, t->snd_nxt, &room);
        if (nxt != t->snd_nxt) {
            t->snd_nxt = nxt;
            continue;
        }
        uint32_t usable = cwnd > in_net ? cwnd - in_net : 0;
        uint32_t rwnd = t->snd_wnd > flight ? t->snd_wnd - flight : 0;
        uint32_t unsent = seq_lt(t->snd_nxt, end) ? end - t->snd_nxt : 0;
        cwnd_limited = usable <= rwnd && usable < unsent; /* not the peer, not the data */
        if (usable > rwnd)
            usable = rwnd;
        uint32_t len = unsent < usable ? unsent : usable;
        if (len > burst_max)
            len = burst_max;
        if (len > room)
            len = room;
        /* Beyond one segment (TSO), whole segments only, unless this is
         * the end of what waits: the rest waits for more window, as a
         * lone short segment would (and as Linux splits TSO frames). */
        if (len > seg_max && len < unsent && len < room)
            len -= len % seg_max;
        /* The FIN follows the last byte; it is not limited by the window
         * (a receiver takes it with a zero window when it is in order). */
        bool fin = t->fin_queued && seq_le(t->snd_nxt, end) && t->snd_nxt + len == end;
        if (len == 0 && !fin)
            break;
        if (len < seg_max && len < unsent && len < room && len < t->max_snd_wnd / 2)
            break;
        if (len > 0 && !t->rtt_timing && seq_ge(t->snd_nxt, t->snd_max)) {
            /* Time one segment of new data per round trip (RFC 6298 3). */
            t->rtt_timing = true;
            t->rtt_seq = t->snd_nxt;
            t->rtt_start = mi_now();
        }
        tcp_send_data(t, t->snd_nxt, len, fin);
        sent = true;
        t->snd_nxt += len + (fin ? 1 : 0);
        if (seq_gt(t->snd_nxt, t->snd_max))
            t->snd_max = t->snd_nxt;
        if (t->rexmt_at == 0)
            tcp_rexmt_arm(t);
        if (fin)
            break;
    }
    tcp_cwnd_used(t, cwnd_limited);
    if (sent && tcp_cc_bbr(t)) {
        /* Application-limited as Linux's tcp_rate_check_app_limited:
         * neither cwnd nor a segment's worth of waiting data held it
         * back (the peer's window is a limit of the path, not the app). */
        bool waiting = seq_lt(t->snd_nxt, end) && end - t->snd_nxt >= t->snd_mss;
        tcp_bbr_send_done(t, !cwnd_limited && !waiting);
    }
    /* Data waits, nothing is in flight, and the window does not let it
     * go: only the persist timer will find out when it opens. */
    if (!t->persist && t->snd_max == t->snd_una && seq_lt(t->snd_nxt, end)) {
        t->persist = true;
        t->backoff = 0;
        tcp_rexmt_arm(t);
    }
    if (t->ack_now)
        tcp_send_ack(t);
    tcp_timer_update(t);
}

void tcp_flush(struct net_stack *s)
{
    tcp_reap(s);
    while (!net_list_empty(&s->tcp.output)) {
        struct mi_tcp *t = net_container_of(s->tcp.output.next, struct mi_tcp, out_link);
        tcp_output(t); /* takes t off the list */
    }
}

static void flush_deferred(void *arg)
{
    struct net_stack *s = arg;
    s->tcp.flush_scheduled = false;
    tcp_flush(s);
}

void tcp_output_later(struct mi_tcp *t)
{
    if (!net_list_linked(&t->out_link))
        net_list_add_tail(&t->s->tcp.output, &t->out_link);
}

void tcp_output_soon(struct mi_tcp *t)
{
    struct net_stack *s = t->s;
    tcp_output_later(t);
    if (!s->tcp.flush_scheduled) {
        if (mi_defer(flush_deferred, s) == 0)
            s->tcp.flush_scheduled = true;
        else
            tcp_output(t);
    }
}
