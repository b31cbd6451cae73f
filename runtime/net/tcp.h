/* SPDX-License-Identifier: ISC */
/* TCP (RFC 9293) for mirari's stack: the connection block and what the
 * tcp_*.c files share.
 *
 *   tcp_conn.c     connection table, allocation, ISNs (RFC 6528), ports
 *                  (RFC 6056), lifetime (user reference + protocol state)
 *   tcp_input.c    SEGMENT ARRIVES (RFC 9293 3.10.7), RFC 5961 checks
 *   tcp_output.c   segment construction and the send policy
 *   tcp_timer.c    retransmission (RFC 6298), persist, delayed ACK,
 *                  keepalive, TIME-WAIT
 *   tcp_cc.c       congestion control: RFC 5681 + NewReno (RFC 6582), RTT
 *   tcp_options.c  options: MSS, window scale (RFC 7323), SACK (RFC 2018)
 *   tcp_buf.c      send and receive rings, out-of-order data
 *   tcp_syncookie.c  SYN cookies when the SYN queue is full
 *   tcp_sack.c     SACK scoreboard and hole retransmission (RFC 2018, 6675)
 *   tcp_rack.c     time-based loss detection, RACK (RFC 8985)
 *   seqset.c       the range sets of tcp_buf.c and tcp_sack.c (seqset.h)
 *
 * Names follow the RFC: SND.UNA is snd_una, RCV.NXT is rcv_nxt, and so on.
 * One addition from BSD: SND.MAX (snd_max), the highest sequence number
 * ever sent; SND.NXT is pulled back to SND.UNA to retransmit after a
 * timeout, and ACKs up to SND.MAX stay acceptable. */
#ifndef MIRARI_NET_TCP_H
#define MIRARI_NET_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mirari/loop.h>
#include <mirari/net.h>
#include <mirari/netstats.h>

#include "ipv4.h"
#include "seqset.h" /* and the sequence number comparisons, seq_lt() ... */
#include "util.h"

#define TCP_HLEN 20

/* Flags of the header's byte 13. */
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20

/* Times, in nanoseconds unless the name says otherwise. */
#define TCP_RTO_INITIAL_MS  1000  /* RFC 6298 2.1 */
#define TCP_RTO_MIN_MS      200   /* RFC 6298 2.4 says SHOULD 1 s; 200 ms as Linux, see tcp_cc.c */
#define TCP_RTO_MAX_MS      60000 /* RFC 6298 2.5: at least 60 s */
#define TCP_DELACK_MS       40    /* RFC 1122 4.2.3.2: well under 500 ms */
#define TCP_MSL_S           30    /* TIME-WAIT lasts 2 MSL */
#define TCP_FIN_WAIT_2_S    60    /* an orphaned connection's wait for the peer's FIN */
#define TCP_SYN_RETRIES     6     /* SYN-SENT: about 2 minutes with backoff */
#define TCP_SYNACK_RETRIES  5     /* SYN-RECEIVED */
#define TCP_DATA_RETRIES    15    /* RFC 1122 4.2.3.5 R2 (>= 100 s); Linux tcp_retries2 */
#define TCP_PERSIST_MAX_MS  60000
#define TCP_DEFAULT_MSS     536 /* RFC 9293 3.7.1 when the peer sends no MSS option */
#define TCP_MAX_WSCALE      14  /* RFC 7323 2.3 */
#define TCP_CHALLENGE_BURST 10  /* RFC 5961 7: challenge ACKs, per second */

enum tcp_state {
    TCP_CLOSED = 0,
    TCP_LISTEN,
    TCP_SYN_SENT,
    TCP_SYN_RECEIVED,
    TCP_ESTABLISHED,
    TCP_FIN_WAIT_1,
    TCP_FIN_WAIT_2,
    TCP_CLOSE_WAIT,
    TCP_CLOSING,
    TCP_LAST_ACK,
    TCP_TIME_WAIT,
};

/* Congestion control, per connection (mi_tcp_congestion). */
enum tcp_cc_algo {
    TCP_CC_BBR = 0, /* the default: model-based (tcp_bbr.c), with SACK */
    TCP_CC_NEWRENO, /* loss-based: RFC 5681, 6582, 6675, 6937 (tcp_cc.c) */
};

#define TCP_BBR_BW_ROUNDS 10 /* the bandwidth filter's window, round trips */

/* The model tcp_bbr.c keeps of the path: its bottleneck bandwidth (the
 * best delivery rate of the last TCP_BBR_BW_ROUNDS round trips) and its
 * round-trip propagation time (the smallest RTT of the last 10 s). */
struct tcp_bbr {
    uint64_t delivered;             /* bytes the peer got (ACKed or SACKed) since the start */
    uint64_t round_delivered;       /* `delivered` when the round in progress began */
    uint64_t round_at;              /* and when */
    uint32_t round_end;             /* the round ends when a byte past this is delivered */
    uint32_t rounds;                /* round trips so far */
    bool round_app_limited;         /* the sender ran out of data in this round */
    bool full_bw_reached;           /* startup is over */
    bool conserving;                /* packet conservation: the first round of a recovery */
    bool restore;                   /* after a timeout: prior_cwnd comes back at its end */
    bool probe_rtt;                 /* cwnd at its least, to see the path's RTT without our queue */
    uint64_t probe_rtt_end;         /* ... until then (0: until the flight is down to it) */
    uint32_t probe_rtt_round;       /* ... and a round after it got there */
    uint8_t full_bw_count;          /* rounds without 25% more bandwidth */
    uint64_t full_bw;               /* bytes/s: the bandwidth those rounds are measured against */
    uint64_t bw[TCP_BBR_BW_ROUNDS]; /* bytes/s: the best sample of each recent round */
    uint32_t min_rtt_us;            /* 0: no sample yet */
    uint64_t min_rtt_at;
    uint32_t prior_cwnd;   /* cwnd before the recovery or timeout in progress (0: none) */
    uint32_t conserve_end; /* conservation ends when a byte past this is delivered */
};

/* A piece of the send queue (tcp_sndq.c): the next `len` bytes of the
 * send ring (ref NULL), or bytes the application lent (mi_tcp_write_ref). */
#define TCP_SND_PIECES 8
#define TCP_SND_IOV    4 /* pieces of one segment, as eth_output_frags takes them */
struct tcp_snd_piece {
    const uint8_t *ref;
    uint32_t len;
};

/* One transmission, for RACK (tcp_rack.c): the sequence space a segment
 * covered and when it left. */
#define TCP_RACK_LOG 32
struct tcp_rack_ent {
    uint32_t start, end;
    uint64_t at;
    bool rexmit; /* it went before: a retransmission */
};

/* A byte ring. */
struct tcp_ring {
    uint8_t *buf;
    uint32_t cap, head, len;
};

/* Events for the application, delivered after a segment or timer has been
 * processed completely (tcp_notify), never from the middle of it. */
#define TCP_EV_CONNECT  1u
#define TCP_EV_READABLE 2u
#define TCP_EV_WRITABLE 4u
#define TCP_EV_ACCEPT   8u

struct mi_tcp {
    struct net_stack *s;
    enum tcp_state state;
    struct net_list hash_link; /* connection table bucket, or the listener list */
    struct net_list list_link; /* TIME-WAIT FIFO, or the reap list */
    struct net_list out_link;  /* connections with output to flush */
    mi_ipv4 laddr, raddr;
    uint16_t lport, rport;
    struct mi_tcp *listener; /* passive SYN-RECEIVED: the listener it came from */

    struct mi_tcp_callbacks cb;
    void *arg;
    unsigned events; /* TCP_EV_* waiting for tcp_notify */

    bool user;          /* the application holds it (until mi_tcp_close) */
    bool user_closed;   /* the application closed it (so nobody reads any more) */
    bool passive;       /* created by a listener */
    bool has_bufs;      /* counted in n_conns */
    bool embryonic;     /* counted in n_synq */
    bool fin_queued;    /* the application shut down writing */
    bool fin_rcvd;      /* the peer's FIN was consumed (EOF for reads) */
    bool ack_now;       /* send an ACK at the next output */
    bool want_writable; /* a write was short: on_writable when room */
    bool persist;       /* the retransmission timer is the persist timer */
    bool tlp_armed;     /* the retransmission timer is the loss probe timeout (RFC 8985 7) */
    bool tlp_sent;      /* a loss probe went out since the last ACK of new data */
    bool rack_armed;    /* the retransmission timer is RACK's reordering timer (RFC 8985 6.3) */
    bool in_recovery;   /* NewReno fast recovery (RFC 6582) */
    bool rtt_timing;    /* rtt_seq is being timed (Karn: never a retransmission) */
    bool ws_ok;         /* both sides sent window scale */
    bool syn_acked;     /* our SYN is acknowledged: SND.UNA is a data sequence number */
    bool sack_ok;       /* both sides sent SACK-permitted (RFC 2018) */
    bool ts_ok;         /* both sides sent timestamps (RFC 7323 3): every segment has them */
    bool cookie;        /* established from a SYN cookie */
    bool reaped;
    int err; /* -ECONNRESET, -ETIMEDOUT, ... once the connection failed */

    /* Send sequence space (RFC 9293 3.3.1). */
    uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1, snd_wl2;
    uint32_t max_snd_wnd; /* largest window the peer offered (RFC 5961 5.2) */
    uint8_t snd_wscale;   /* shift of the windows the peer sends us */
    uint16_t snd_mss;     /* largest segment payload we send */
    /* Receive sequence space. */
    uint32_t irs, rcv_nxt;
    uint32_t rcv_adv; /* right edge of the window last advertised: RCV.NXT + RCV.WND */
    uint8_t rcv_wscale;
    uint16_t rcv_mss;     /* what we announced */
    uint8_t segs_unacked; /* full segments received since our last ACK */
    /* Timestamps (RFC 7323 4.3): TS.Recent, the TSval to echo, and
     * Last.ACK.sent, the acknowledgment field of our last segment. */
    uint32_t ts_recent, last_ack_sent;
    uint32_t ts_rexmit; /* our TSval of the latest retransmission */

    /* Congestion control: BBR's model (tcp_bbr.c), or RFC 5681/6582's. */
    enum tcp_cc_algo cc;
    struct tcp_bbr bbr;
    uint32_t cwnd, ssthresh, recover;
    uint32_t bytes_acked; /* in congestion avoidance, towards the next MSS (RFC 3465) */
    /* The use of cwnd (tcp_cwnd_used): the largest flight in the window
     * that ends at cwnd_usage_seq, and whether cwnd limited it. */
    uint32_t max_flight, cwnd_usage_seq;
    bool cwnd_limited;
    uint8_t dupacks;
    /* Proportional Rate Reduction (RFC 6937) in SACK recovery: bytes the
     * peer got and bytes we sent since it began, and the flight then. */
    uint32_t prr_delivered, prr_out, recover_fs;

    /* RTT estimation (RFC 6298), microseconds. */
    uint32_t srtt_us, rttvar_us, rto_ms;
    uint32_t rtt_seq;
    uint64_t rtt_start;
    uint8_t backoff;     /* consecutive timeouts: the timer runs rto_ms << backoff */
    uint32_t min_rtt_us; /* the smallest sample: RACK's reordering window (RFC 8985 6.2) */

    /* RACK (RFC 8985): the latest transmissions in the order they left
     * (a ring, rack_sent counts them all), and of those the one sent
     * last that the peer is known to have: its number + 1 (0: none), its
     * send time and the round trip it took (RACK.xmit_ts, RACK.rtt). */
    struct tcp_rack_ent rack_log[TCP_RACK_LOG];
    uint32_t rack_sent, rack_order;
    uint64_t rack_at, rack_rtt;

    /* One loop timer, armed at the earliest of these deadlines (0 = off). */
    mi_timer timer;
    uint64_t rexmt_at;  /* retransmission, or persist when `persist` */
    uint64_t delack_at; /* delayed ACK */
    uint64_t close_at;  /* TIME-WAIT end, FIN-WAIT-2 timeout */
    uint64_t keep_at;   /* next keepalive check */
    uint64_t last_input;
    uint32_t keep_idle_s, keep_intvl_s;
    uint8_t keep_count, keep_sent;

    struct tcp_ring snd, rcv;
    /* The send queue: snd_len bytes from SND.UNA (the FIN aside), in the
     * ring alone while snd_npieces is 0, else as these pieces say. */
    uint32_t snd_len;
    uint8_t snd_npieces;
    struct tcp_snd_piece snd_pieces[TCP_SND_PIECES];
    /* Out-of-order data already in rcv's free space at its offset:
     * sequence ranges beyond RCV.NXT. */
    struct seqset ooo;
    bool ooo_fin; /* a FIN was seen at ooo_fin_seq beyond a hole */
    uint32_t ooo_fin_seq;
    uint32_t sack_recent; /* a byte of the latest out-of-order segment: its block goes first */
    /* Receive buffer tuning (tcp_rcv_tune): since when, and from which
     * byte of the stream, the application's reading is being measured. */
    uint64_t rcv_space_at;
    uint32_t rcv_space_seq;
    /* A duplicate segment to report in the next ACK (D-SACK, RFC 2883). */
    bool dsack;
    uint32_t dsack_start, dsack_end;

    /* The sender's SACK scoreboard: the ranges above SND.UNA the peer
     * has (RFC 2018), and in recovery how far holes have been
     * retransmitted. */
    struct seqset sacked;
    uint32_t rexmit_hi;
    uint32_t rexmit_mark; /* SND.MAX when the holes were last sent again from SND.UNA */

    /* Listener only. */
    uint16_t synq; /* half-open connections it owns */
};

#define TCP_HASH_SIZE 256

struct tcp_table {
    struct net_list hash[TCP_HASH_SIZE];
    struct net_list listeners;
    struct net_list timewait; /* FIFO, oldest first */
    struct net_list reap;     /* released, freed at the next entry into the stack */
    struct net_list output;   /* written to since the last flush */
    bool flush_scheduled, reap_scheduled;
    size_t n_conns, n_synq, n_timewait, n_listeners, n_user;
    uint32_t port_counter;
    uint32_t challenge_tokens;
    uint64_t challenge_refilled;
};

/* A parsed incoming segment. */
struct tcp_seg {
    const struct ip_info *ip;
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint32_t wnd; /* raw header field; scaled by the receiver */
    const uint8_t *opt;
    size_t optlen;
    const uint8_t *data;
    uint32_t len; /* data bytes */
};

/* Options found in a SYN. */
struct tcp_syn_opts {
    uint16_t mss; /* 0 when absent */
    int wscale;   /* -1 when absent */
    bool sack_ok; /* SACK-permitted (RFC 2018) */
    bool ts;      /* timestamps (RFC 7323), TSval in tsval */
    uint32_t tsval;
};

/* The timestamps option of a segment (RFC 7323 3). */
struct tcp_ts {
    bool ok; /* present */
    uint32_t val, ecr;
};

/* SACK blocks (RFC 2018) found in a segment: at most 4 fit. */
struct tcp_sack_blocks {
    uint8_t n;
    struct {
        uint32_t start, end;
    } b[4];
};

struct net_stack;

/* tcp_conn.c */
void tcp_init(struct net_stack *s);
void tcp_destroy(struct net_stack *s);
struct mi_tcp *tcp_alloc(struct net_stack *s);
int tcp_alloc_bufs(struct mi_tcp *t);
void tcp_free_bufs(struct mi_tcp *t);
void tcp_hash_insert(struct mi_tcp *t);
struct mi_tcp *tcp_lookup(struct net_stack *s, mi_ipv4 laddr, uint16_t lport, mi_ipv4 raddr,
                          uint16_t rport);
struct mi_tcp *tcp_lookup_listener(struct net_stack *s, mi_ipv4 laddr, uint16_t lport);
uint32_t tcp_isn(struct net_stack *s, mi_ipv4 laddr, uint16_t lport, mi_ipv4 raddr, uint16_t rport);
int tcp_pick_port(struct net_stack *s, mi_ipv4 laddr, mi_ipv4 raddr, uint16_t rport,
                  uint16_t *port);
void tcp_set_state(struct mi_tcp *t, enum tcp_state st);
/* The protocol is done with t: it leaves the tables; it is freed once the
 * application has closed it too. err is reported to the application. */
void tcp_drop(struct mi_tcp *t, int err);
/* Free released connections; called where no connection pointer is held. */
void tcp_reap(struct net_stack *s);
void tcp_notify(struct mi_tcp *t);
void tcp_enter_time_wait(struct mi_tcp *t);
/* Close a listener's half-open connections (it is going away). */
void tcp_listener_closed(struct mi_tcp *l);

/* Active open from a given local port (0: pick one). */
struct mi_tcp *tcp_open(struct net_stack *s, uint16_t lport, mi_ipv4 raddr, uint16_t rport,
                        const struct mi_tcp_callbacks *cb, void *arg, int *err);
struct mi_tcp *tcp_listen(struct net_stack *s, mi_ipv4 addr, uint16_t port,
                          const struct mi_tcp_callbacks *cb, void *arg, int *err);
/* Conclude the passive or simultaneous open of t (SYN-RECEIVED -> ESTABLISHED). */
int tcp_established(struct mi_tcp *t);
/* The application's close (mi_tcp_close) and shutdown. */
void tcp_close(struct mi_tcp *t, bool abort);
int tcp_shutdown(struct mi_tcp *t);

/* tcp_input.c */
void tcp_input(struct net_stack *s, const struct ip_info *ip, const uint8_t *p, size_t len);

/* tcp_output.c */
void tcp_output(struct mi_tcp *t);
/* Output later from the loop (after the application's callback returns). */
void tcp_output_soon(struct mi_tcp *t);
/* Output at the next tcp_flush (the end of a batch of frames), and the
 * flush: tcp_output for every connection waiting for it. */
void tcp_output_later(struct mi_tcp *t);
void tcp_flush(struct net_stack *s);
void tcp_send_syn(struct mi_tcp *t);
/* Send the first SYN (or SYN-ACK) of an opening connection: time it for
 * the first RTT sample and arm the retransmission timer (RFC 6298 2.1). */
void tcp_open_syn(struct mi_tcp *t);
void tcp_send_ack(struct mi_tcp *t);
/* Send len bytes of the send queue starting at sequence seq (a
 * retransmission or a probe) without moving SND.NXT. */
void tcp_send_data(struct mi_tcp *t, uint32_t seq, uint32_t len, bool fin);
/* Send again the first unacknowledged segment (data and/or FIN, never
 * beyond SND.MAX); returns the sequence space it covered. */
uint32_t tcp_retransmit_first(struct mi_tcp *t);
void tcp_send_rst(struct net_stack *s, mi_ipv4 laddr, uint16_t lport, mi_ipv4 raddr, uint16_t rport,
                  uint32_t seq, uint32_t ack, bool with_ack);
/* The RST answering a segment that belongs to no connection
 * (RFC 9293 3.10.7.1). */
void tcp_reset_reply(struct net_stack *s, const struct tcp_seg *seg);
/* The window to advertise, with receiver-side SWS avoidance, in bytes. */
uint32_t tcp_rcv_window(struct mi_tcp *t);
/* Data sequence number of the first byte in the send ring. */
uint32_t tcp_snd_data_start(const struct mi_tcp *t);
/* Our timestamp clock (RFC 7323 5.4): milliseconds, offset per
 * connection. */
uint32_t tcp_ts_now(const struct mi_tcp *t);
/* Largest payload of the next segment: the MSS less the options it will
 * carry (RFC 9293 3.7.1: the MSS counts data only). */
uint32_t tcp_seg_max(const struct mi_tcp *t);
/* Largest payload of one segment given to the device: a multiple of
 * seg_max (the payload per segment) when it cuts segments (TSO) and can
 * send to the peer now, else seg_max. */
uint32_t tcp_tso_max(struct mi_tcp *t, uint32_t seg_max);

/* tcp_sack.c */
/* In recovery with SACK: send again the next hole (unSACKed data below
 * the highest SACKed byte) from RETRANSMIT.HI on; false when none is left. */
bool tcp_retransmit_hole(struct mi_tcp *t);
/* The SACK information of an acceptable ACK: update the scoreboard.
 * Returns true when it SACKed data not SACKed before (RFC 6675's
 * definition of a duplicate acknowledgment). */
bool tcp_sack_update(struct mi_tcp *t, const struct tcp_sack_blocks *sb);
/* Forget scoreboard ranges at or below SND.UNA (or all of it). */
void tcp_sack_prune(struct mi_tcp *t, bool all);
/* The scoreboard says the first unacknowledged segment is lost. */
bool tcp_sack_lost(const struct mi_tcp *t);
/* In SACK recovery, after the scoreboard grew: when the peer SACKs data
 * sent after the first hole went again, and that hole is still missing,
 * the retransmission was lost: the holes go again. */
void tcp_sack_lost_rexmit(struct mi_tcp *t);
/* In SACK recovery: the bytes estimated in the network (RFC 6675 pipe). */
uint32_t tcp_sack_pipe(const struct mi_tcp *t);
/* SACKed bytes below seq. */
uint32_t tcp_sack_below(const struct mi_tcp *t, uint32_t seq);
/* The first sequence number from seq on that the peer has not SACKed;
 * *room is how many follow it before the next SACKed range. */
uint32_t tcp_sack_skip(const struct mi_tcp *t, uint32_t seq, uint32_t *room);

/* tcp_rack.c */
/* A transmission of len sequence numbers at seq leaves now. */
void tcp_rack_sent(struct mi_tcp *t, uint32_t seq, uint32_t len, bool rexmit);
/* After an ACK updated SND.UNA and the scoreboard: which transmission
 * sent last is now known delivered (RFC 8985 6.2 steps 1-3), then what
 * it shows lost (6.2 step 5): a lost retransmission goes again; one not
 * lost yet only by the reordering window arms the reordering timer. */
void tcp_rack_ack(struct mi_tcp *t);
/* The reordering timer expired (RFC 8985 6.3). */
void tcp_rack_timeout(struct mi_tcp *t);

/* tcp_timer.c */
void tcp_timer_fn(mi_timer *timer, void *arg);
void tcp_timer_update(struct mi_tcp *t);
void tcp_rexmt_arm(struct mi_tcp *t);
void tcp_rexmt_stop(struct mi_tcp *t);
void tcp_delack(struct mi_tcp *t);
void tcp_keep_touch(struct mi_tcp *t);

/* tcp_cc.c */
void tcp_cc_init(struct mi_tcp *t);
/* An RTT sample; precise: timed to the nanosecond on one segment, not a
 * millisecond timestamp echo (only those feed BBR's min_rtt). */
void tcp_rtt_sample(struct mi_tcp *t, uint64_t rtt_ns, bool precise);
void tcp_cc_new_ack(struct mi_tcp *t, uint32_t acked);
/* After sending: how much is in flight, and whether cwnd stopped the
 * sender (RFC 7661): only a window that was used grows. */
void tcp_cwnd_used(struct mi_tcp *t, bool limited);
/* After each ACK in SACK recovery: `delivered` bytes newly acknowledged
 * or SACKed; sets cwnd so that the flight shrinks to ssthresh in step
 * with what arrives (RFC 6937). */
void tcp_cc_prr(struct mi_tcp *t, uint32_t delivered);
/* Each ACK that delivered data (RFC 6937's DeliveredData): BBR's model and
 * cwnd, or PRR's. */
void tcp_cc_delivered(struct mi_tcp *t, uint32_t delivered);
/* "bbr" or "newreno" (mi_tcp_congestion, tcp-congestion): 0 or -EINVAL. */
int tcp_cc_by_name(const char *name, enum tcp_cc_algo *out);
/* Whether the connection's sender is BBR's (it needs SACK to tell
 * delivered from lost; without it, NewReno's). */
static inline bool tcp_cc_bbr(const struct mi_tcp *t)
{
    return t->cc == TCP_CC_BBR && t->sack_ok;
}
void tcp_cc_dupack(struct mi_tcp *t);
void tcp_cc_timeout(struct mi_tcp *t);
uint32_t tcp_flight(const struct mi_tcp *t);

/* tcp_bbr.c: the model-based sender (see there). */
void tcp_bbr_init(struct mi_tcp *t);
/* A round-trip sample timed to the microsecond (not a millisecond
 * timestamp echo). */
void tcp_bbr_rtt(struct mi_tcp *t, uint64_t rtt_ns);
/* An ACK delivered `delivered` bytes: the model, then cwnd. */
void tcp_bbr_ack(struct mi_tcp *t, uint32_t delivered);
/* Fast recovery began, a timeout fired, or either ended. */
void tcp_bbr_enter_recovery(struct mi_tcp *t);
void tcp_bbr_timeout(struct mi_tcp *t);
void tcp_bbr_recovered(struct mi_tcp *t);
/* tcp_output: before sending with nothing in flight (a new round from
 * now), and after, whether the sender ran out of data (or peer window)
 * rather than cwnd. */
void tcp_bbr_send_start(struct mi_tcp *t);
void tcp_bbr_send_done(struct mi_tcp *t, bool app_limited);

/* tcp_options.c */
void tcp_parse_syn_options(const uint8_t *opt, size_t len, struct tcp_syn_opts *out);
/* Writes the SYN options (MSS, window scale unless wscale < 0,
 * SACK-permitted if sack) into out (at most 12 bytes); returns their
 * length, a multiple of 4. */
size_t tcp_build_syn_options(uint8_t *out, uint16_t mss, int wscale, bool sack);
/* The SACK blocks of any segment's options. */
void tcp_parse_sack(const uint8_t *opt, size_t len, struct tcp_sack_blocks *out);
/* The timestamps of any segment's options. */
void tcp_parse_ts(const uint8_t *opt, size_t len, struct tcp_ts *out);
/* false when the option list is malformed (RFC 9293 3.1): an option that
 * does not fit or has a length its kind cannot have; such a segment is
 * dropped. */
bool tcp_options_valid(const uint8_t *opt, size_t len);
/* A timestamps option (RFC 7323 3), 12 bytes with its padding, into out. */
size_t tcp_build_ts(uint8_t *out, uint32_t tsval, uint32_t tsecr);
/* The SACK option to send now (receiver side), into out (at most 36
 * bytes): the out-of-order ranges, the most recent first, as many as fit
 * beside the timestamps. 0 if none. */
size_t tcp_build_sack(const struct mi_tcp *t, uint8_t *out);
/* The receive window shift that lets MI_NET_TCP_RCVBUF_MAX be advertised. */
uint8_t tcp_our_wscale(void);

/* tcp_buf.c */
int tcp_ring_alloc(struct tcp_ring *r, uint32_t cap);
void tcp_ring_free(struct tcp_ring *r);
/* A larger buffer for a ring, its data at the same offsets from the head
 * (with `all`, what lies in the free space too): 0, or -1 when there is
 * no memory (the ring is unchanged). */
int tcp_ring_grow(struct tcp_ring *r, uint32_t cap, bool all);
/* Grow the send ring when the connection's windows would carry more than
 * it holds (see netstats.h); true when it grew. */
bool tcp_snd_grow(struct mi_tcp *t);
/* After the application read: grow the receive ring when it takes at
 * least half of it per round trip (see netstats.h). */
void tcp_rcv_tune(struct mi_tcp *t);
uint32_t tcp_ring_push(struct tcp_ring *r, const void *data, uint32_t len);
uint32_t tcp_ring_pop(struct tcp_ring *r, void *out, uint32_t len);
void tcp_ring_drop(struct tcp_ring *r, uint32_t len);
/* Up to two pieces of len bytes starting `off` bytes after the head. */
int tcp_ring_peek(const struct tcp_ring *r, uint32_t off, uint32_t len, struct net_iov iov[2]);

/* Write bytes into the free space, `off` bytes after the end of the data
 * (out-of-order data), without changing len. */
void tcp_ring_write_at(struct tcp_ring *r, uint32_t off, const void *data, uint32_t len);

/* tcp_sndq.c: the send queue. Writes take what fits (cap less what is
 * queued) and return it; a reference is refused (0) when no piece is
 * left to describe it. */
uint32_t tcp_sndq_write(struct mi_tcp *t, const void *data, uint32_t len);
uint32_t tcp_sndq_write_ref(struct mi_tcp *t, const void *data, uint32_t len);
/* The first len bytes were acknowledged. */
void tcp_sndq_drop(struct mi_tcp *t, uint32_t len);
void tcp_sndq_clear(struct mi_tcp *t);
/* Bytes [off, off + len) of the queue as at most TCP_SND_IOV pieces,
 * copied into one buffer when they are more (valid until the next call). */
int tcp_sndq_gather(const struct mi_tcp *t, uint32_t off, uint32_t len,
                    struct net_iov iov[TCP_SND_IOV]);
/* Take in-sequence or out-of-order data at seq; advances RCV.NXT and
 * returns the number of bytes that became readable. */
uint32_t tcp_rcv_data(struct mi_tcp *t, uint32_t seq, const uint8_t *data, uint32_t len);

/* tcp_syncookie.c */
uint32_t tcp_syncookie_make(struct net_stack *s, const struct tcp_seg *seg, uint16_t mss);
/* 0 and the MSS encoded in it when seg (an ACK) carries a valid cookie. */
int tcp_syncookie_check(struct net_stack *s, const struct tcp_seg *seg, uint16_t *mss);

#endif
