/* SPDX-License-Identifier: ISC */
/* mirari's own TCP/IP stack (runtime/net): its limits, its counters and
 * the few knobs that only it has. Applications built for unix-socket do
 * not have these functions (the host kernel keeps its own counters).
 *
 * Memory is bounded by the limits below, all fixed at compile time:
 *   TCP   MI_NET_TCP_MAX_CONNS x (MI_NET_TCP_SNDBUF_MAX + MI_NET_TCP_RCVBUF_MAX + ~0.7 KiB)
 *         + MI_NET_TCP_MAX_TIMEWAIT x ~0.7 KiB (TIME-WAIT keeps no buffers)
 *         + MI_NET_TCP_MAX_SYN_QUEUE x ~0.7 KiB (half-open connections)
 *   IPv4  MI_NET_REASS_MEM bytes of fragments being reassembled
 *   ARP   MI_NET_ARP_ENTRIES x MI_NET_ARP_QUEUE bytes of frames waiting for an answer
 *   UDP   MI_NET_UDP_MAX_SOCKETS sockets, no queue (datagrams are handed
 *         to the callback as they arrive)
 * A connection's buffers start at MI_NET_TCP_SNDBUF and MI_NET_TCP_RCVBUF
 * and grow (doubling) towards the _MAX sizes only when they are what
 * limits a bulk transfer, as Linux tunes its buffers: the send buffer
 * while the application fills it and the windows would carry more (it is
 * kept at twice the window), the receive buffer while the application
 * reads half of it or more per round trip (the window it allows may then
 * be what holds the peer back). With the defaults that is at most about
 * 130 MiB for 1024 connections with full buffers of the initial sizes
 * (about 1 GiB if every one of them grew both), and about 15 KiB (the
 * interface's tables) for an idle server. */
#ifndef MIRARI_NETSTATS_H
#define MIRARI_NETSTATS_H

#include <stddef.h>
#include <stdint.h>

#include <mirari/net.h>

/* ---- limits ---- */
#define MI_NET_MTU_MAX           1500         /* larger device MTUs are clamped */
#define MI_NET_ARP_ENTRIES       64           /* neighbours cached */
#define MI_NET_ARP_QUEUE         (80 * 1024)  /* bytes queued per unresolved neighbour */
#define MI_NET_ARP_TIMEOUT_S     60           /* a resolved entry is refreshed after this */
#define MI_NET_REASS_MAX         16           /* datagrams reassembled at once */
#define MI_NET_REASS_FRAGS       64           /* fragments per datagram */
#define MI_NET_REASS_MEM         (256 * 1024) /* bytes, all datagrams together */
#define MI_NET_REASS_TIMEOUT_S   30
#define MI_NET_UDP_MAX_SOCKETS   64
#define MI_NET_TCP_MAX_CONNS     1024         /* connections, listeners not counted */
#define MI_NET_TCP_MAX_TIMEWAIT  1024         /* the oldest is recycled beyond this */
#define MI_NET_TCP_MAX_SYN_QUEUE 256          /* half-open; SYN cookies beyond this */
#define MI_NET_TCP_SNDBUF        (64 * 1024)  /* initial */
#define MI_NET_TCP_SNDBUF_MAX    (512 * 1024) /* grown to, see above */
#define MI_NET_TCP_RCVBUF        (64 * 1024)  /* initial */
#define MI_NET_TCP_RCVBUF_MAX    (512 * 1024) /* grown to, see above */
#define MI_NET_TCP_OOO_RANGES    16 /* out-of-order ranges kept per connection (and SACKed ones) */

/* ---- counters ----
 * X(name, description). Drops are counted by reason; each drop is also
 * logged at debug level as it happens. */
#define MI_NET_STATS_FIELDS(X)                                                                     \
    X(eth_in, "frames received")                                                                   \
    X(eth_out, "frames sent")                                                                      \
    X(eth_out_err, "frames the device refused")                                                    \
    X(eth_drop_short, "frames dropped: shorter than an Ethernet header")                           \
    X(eth_drop_long, "frames dropped: larger than the receive buffer")                             \
    X(eth_drop_not_ours, "frames dropped: for another MAC address")                                \
    X(eth_drop_type, "frames dropped: EtherType not IPv4 or ARP")                                  \
    X(eth_drop_bad_offload,                                                                        \
      "frames dropped: the device's offload header was bad or not asked for")                      \
    X(eth_in_large, "frames received beyond the MTU: TCP segments the device coalesced")           \
    X(arp_in, "ARP packets received")                                                              \
    X(arp_out, "ARP packets sent")                                                                 \
    X(arp_drop_bad, "ARP packets dropped: malformed")                                              \
    X(arp_drop_queue_full, "frames dropped: ARP queue of the neighbour full")                      \
    X(arp_drop_unresolved, "frames dropped: neighbour did not answer ARP")                         \
    X(arp_drop_table_full, "frames dropped: ARP table full of unresolved neighbours")              \
    X(ip_in, "IPv4 datagrams received")                                                            \
    X(ip_out, "IPv4 datagrams sent")                                                               \
    X(ip_drop_bad_header, "IPv4 dropped: bad version, IHL or length")                              \
    X(ip_drop_bad_checksum, "IPv4 dropped: bad header checksum")                                   \
    X(ip_drop_bad_source, "IPv4 dropped: broadcast, multicast or own source address")              \
    X(ip_drop_not_ours, "IPv4 dropped: destination is not this host")                              \
    X(ip_drop_no_route, "IPv4 not sent: no route to the destination")                              \
    X(ip_frag_out, "IPv4 fragments sent")                                                          \
    X(ip_frag_in, "IPv4 fragments received")                                                       \
    X(ip_reass_ok, "IPv4 datagrams reassembled")                                                   \
    X(ip_reass_timeout, "IPv4 reassemblies dropped: timeout")                                      \
    X(ip_reass_overlap, "IPv4 reassemblies dropped: overlapping fragments")                        \
    X(ip_reass_dup, "IPv4 fragments dropped: exact duplicate")                                     \
    X(ip_reass_no_mem, "IPv4 fragments dropped: reassembly memory or slots exhausted")             \
    X(ip_reass_bad, "IPv4 fragments dropped: inconsistent or too long")                            \
    X(ip_drop_proto, "IPv4 dropped: unknown protocol")                                             \
    X(icmp_in, "ICMP messages received")                                                           \
    X(icmp_out, "ICMP messages sent")                                                              \
    X(icmp_echo_in, "ICMP echo requests answered")                                                 \
    X(icmp_drop_bad, "ICMP dropped: short or bad checksum")                                        \
    X(icmp_rate_limited, "ICMP errors not sent: rate limit")                                       \
    X(udp_in, "UDP datagrams received")                                                            \
    X(udp_out, "UDP datagrams sent")                                                               \
    X(udp_drop_bad, "UDP dropped: short or bad length")                                            \
    X(udp_drop_checksum, "UDP dropped: bad checksum")                                              \
    X(udp_drop_no_port, "UDP dropped: no socket on the port")                                      \
    X(tcp_in, "TCP segments received")                                                             \
    X(tcp_out, "TCP segments sent")                                                                \
    X(tcp_tso_out, "TCP segments sent beyond the MSS, for the device to cut (TSO)")                \
    X(tcp_drop_bad_header, "TCP dropped: short or bad data offset")                                \
    X(tcp_drop_checksum, "TCP dropped: bad checksum")                                              \
    X(tcp_drop_bad_options, "TCP dropped: malformed options")                                      \
    X(tcp_drop_bad_addr, "TCP dropped: broadcast or multicast address")                            \
    X(tcp_drop_no_listener, "TCP answered with RST: no connection or listener")                    \
    X(tcp_drop_out_of_window, "TCP segments outside the receive window (answered with ACK)")       \
    X(tcp_drop_bad_ack, "TCP dropped: ACK of unsent data or too old (RFC 5961 5.2)")               \
    X(tcp_drop_bad_flags, "TCP dropped: impossible flag combination")                              \
    X(tcp_drop_ooo_full, "TCP dropped: out-of-order queue full")                                   \
    X(tcp_syn_queue_full, "TCP SYNs answered with a SYN cookie: SYN queue full")                   \
    X(tcp_drop_conn_limit, "TCP SYNs dropped: connection limit reached")                           \
    X(tcp_syncookie_ok, "TCP connections established from a SYN cookie")                           \
    X(tcp_syncookie_bad, "TCP ACKs to a listener with an invalid SYN cookie")                      \
    X(tcp_challenge_ack, "TCP challenge ACKs sent (RFC 5961)")                                     \
    X(tcp_challenge_limited, "TCP challenge ACKs not sent: rate limit")                            \
    X(tcp_rst_in, "TCP connections reset by the peer")                                             \
    X(tcp_rst_out, "TCP RSTs sent")                                                                \
    X(tcp_retransmit, "TCP segments retransmitted on timeout")                                     \
    X(tcp_fast_retransmit, "TCP segments retransmitted by fast retransmit/recovery")               \
    X(tcp_sack_retransmit, "TCP segments retransmitted: holes of the SACK scoreboard")             \
    X(tcp_recovery, "TCP fast recoveries entered (NewReno or SACK)")                               \
    X(tcp_bbr_probe_rtt, "TCP windows drained to re-measure the round trip (BBR's PROBE_RTT)")     \
    X(tcp_tlp, "TCP tail loss probes sent (RFC 8985)")                                             \
    X(tcp_lost_retransmit, "TCP retransmissions found lost by SACKs of later data")                \
    X(tcp_rack_lost_rexmit, "TCP retransmissions RACK found lost by send time (RFC 8985)")         \
    X(tcp_rack_timer, "TCP RACK reordering timer expirations (RFC 8985 6.3)")                      \
    X(tcp_timeout, "TCP connections dropped: retransmission or keepalive timeout")                 \
    X(tcp_zero_window_probe, "TCP zero-window probes sent")                                        \
    X(tcp_keepalive, "TCP keepalive probes sent")                                                  \
    X(tcp_ooo_in, "TCP segments received out of order")                                            \
    X(tcp_dup_in, "TCP segments received that carried only old data")                              \
    X(tcp_data_after_close, "TCP connections reset: data arrived after close")                     \
    X(tcp_timewait_recycled, "TCP TIME-WAIT entries recycled early")                               \
    X(dhcp_out, "DHCP messages sent")                                                              \
    X(dhcp_in, "DHCP messages accepted")                                                           \
    X(dhcp_drop, "DHCP messages ignored: malformed or not for us")                                 \
    X(dhcp_lease, "DHCP leases obtained or renewed")                                               \
    X(dhcp_nak, "DHCP NAKs received")                                                              \
    X(dhcp_expired, "DHCP leases expired")

struct mi_net_stats {
#define MI_NET_STATS_MEMBER(name, desc) uint64_t name;
    MI_NET_STATS_FIELDS(MI_NET_STATS_MEMBER)
#undef MI_NET_STATS_MEMBER
};

/* A copy of the counters. Returns 0, or -ENODEV before the network exists. */
int mi_net_stats_get(struct mi_net_stats *out);
/* The non-zero counters as "name value\n" lines into buf (NUL-terminated,
 * truncated to cap). Returns the length it would have had, like snprintf. */
size_t mi_net_stats_format(char *buf, size_t cap);
/* Log every non-zero counter at debug level. */
void mi_net_stats_log(void);

/* TCP keepalive (RFC 1122 4.2.3.6), off by default: after `idle_s` seconds
 * without input, probe every `interval_s` seconds and reset the connection
 * after `count` unanswered probes. idle_s == 0 turns it off. 0 or -EINVAL. */
int mi_tcp_keepalive(mi_tcp *t, unsigned idle_s, unsigned interval_s, unsigned count);

/* The congestion control of a connection; a listener passes its own to
 * the connections it accepts. "bbr" (the default) sets the window from
 * the bandwidth and round-trip time it measures and does not slow down
 * for losses that are not congestion; "newreno" halves the window on
 * every loss (RFC 5681, 6582, with SACK 6675 and 6937). A peer without
 * SACK always gets "newreno". 0, or -EINVAL for another name. */
int mi_tcp_congestion(mi_tcp *t, const char *name);

#endif
