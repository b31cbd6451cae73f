/* SPDX-License-Identifier: ISC */
/* The platform interface: the narrow ABI between mirari's portable runtime
 * with its own TCP/IP stack (runtime/net) and what runs it: a Linux
 * process with a tap fd (platform/unix), or an x86_64 PVH kernel with
 * virtio or Xen devices (platform/x86_64 and a driver folder, put together
 * by platform/pvh). Modelled on solo5.h: a handful of functions, no
 * callbacks, no allocation.
 *
 * The unix-socket runtime uses only the console, clock and exit parts. */
#ifndef MIRARI_PLATFORM_H
#define MIRARI_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Called once from the runtime before anything else. The platform takes
 * its own boot arguments out of argv (e.g. --net-fd=N on unix); it may
 * leave probing its network device to the first plat_net_info() (the
 * x86_64 kernel does, so images without networking link no driver).
 * Returns 0 or a negative errno. */
int plat_init(int *argc, char **argv);

/* Console output, unbuffered, whole buffer. */
void plat_console_write(const char *buf, size_t len);

/* Monotonic nanoseconds since an arbitrary origin, and wall-clock
 * nanoseconds since the Unix epoch. */
uint64_t plat_monotonic_ns(void);
uint64_t plat_wall_ns(void);

/* Block until the monotonic clock reaches `deadline_ns` or a network frame
 * may be readable, whichever is first. Returns true when the network may
 * have input. Returns at once when the deadline has passed. */
bool plat_yield(uint64_t deadline_ns);

/* The network device. */
struct plat_net_info {
    uint8_t mac[6];
    uint16_t mtu;      /* payload MTU, 1500 for Ethernet */
    uint32_t offloads; /* PLAT_NET_TX_* and PLAT_NET_RX_* it does; 0 for none */
};
/* 0 and the device's info, or -ENODEV when there is no network device
 * (or another negative errno when it could not be started). */
int plat_net_info(struct plat_net_info *info);
/* Send one Ethernet frame (without FCS). 0, -EAGAIN when the device
 * cannot take it now (the frame is dropped by the caller), or -EIO. */
int plat_net_write(const void *frame, size_t len);
/* Receive one frame into buf. 0 and *len, -EAGAIN when none is waiting,
 * -EMSGSIZE when the frame did not fit (it is dropped). On a device with
 * PLAT_NET_RX_CSUM, also -EBADMSG for a frame whose checksum is only
 * partial (see plat_net_recv, which the stack uses). */
int plat_net_read(void *buf, size_t cap, size_t *len);

/* Offloads: work on TCP/IPv4 frames a device (or the host kernel behind
 * a tap) does for the stack, as virtio-net defines them (virtio 1.2
 * 5.1.6.2 and 5.1.6.4) and Linux does them for its own packets. A
 * device that reports none in plat_net_info.offloads gets only complete
 * frames of at most 14 + mtu bytes, and never gives the flags below.
 *
 *   PLAT_NET_TX_CSUM  plat_net_send completes a partial TCP checksum
 *                     (plat_net_tx.csum_start, csum_offset).
 *   PLAT_NET_TX_TSO4  plat_net_send takes a TCP/IPv4 frame of up to
 *                     PLAT_NET_FRAME_GSO bytes and cuts it into segments
 *                     of plat_net_tx.tso_mss payload bytes: each gets the
 *                     headers, its sequence number, IP total length, IP
 *                     ID (the first one's plus its index) and checksums;
 *                     PSH and FIN only on the last. Implies TX_CSUM.
 *   PLAT_NET_RX_CSUM  plat_net_recv may give PLAT_NET_RX_CSUM_OK.
 *   PLAT_NET_RX_GSO   plat_net_recv may give TCP/IPv4 frames of up to
 *                     PLAT_NET_FRAME_GSO bytes: several segments of one
 *                     connection coalesced (by the sender's TSO or the
 *                     receiver's GRO), one valid datagram. */
#define PLAT_NET_TX_CSUM   0x1u
#define PLAT_NET_TX_TSO4   0x2u
#define PLAT_NET_RX_CSUM   0x4u
#define PLAT_NET_RX_GSO    0x8u
#define PLAT_NET_FRAME_GSO (14 + 65535) /* Ethernet header + the largest IPv4 datagram */

/* One piece of a frame given to plat_net_send. */
struct plat_net_frag {
    const void *base;
    size_t len;
};
/* What plat_net_send does to a frame besides sending it. All zero: it is
 * complete, as for plat_net_write. */
struct plat_net_tx {
    /* With TX_CSUM: csum_start > 0 is the offset in the frame where the
     * TCP header starts; the 16-bit field csum_offset bytes after it
     * holds the sum of the pseudo-header (RFC 9293 3.1, folded, not
     * complemented) and gets the Internet checksum (RFC 1071) of the
     * bytes from csum_start to the end of the frame. */
    uint16_t csum_start, csum_offset;
    /* With TX_TSO4: the payload bytes per segment, 0 to send the frame as
     * one segment (then it fits 14 + mtu bytes). Needs csum_start, and
     * the pseudo-header sum then counts the length of the whole frame's
     * TCP segment, as Linux's GSO and virtio-net devices expect. */
    uint16_t tso_mss;
    /* With tso_mss: the bytes before the TCP payload (Ethernet, IP and
     * TCP headers with options), all in frag[0]. */
    uint16_t hdr_len;
};
/* Send one Ethernet frame, the concatenation of frag[0..n-1] (at most
 * PLAT_NET_SEND_FRAGS pieces), finished as tx says. A device without
 * offloads takes an all-zero tx, like plat_net_write. Returns as
 * plat_net_write, or -EINVAL when tx asks for an offload the device does
 * not have. */
#define PLAT_NET_SEND_FRAGS 8
int plat_net_send(const struct plat_net_frag *frag, int n, const struct plat_net_tx *tx);
/* Receive one frame into buf, as plat_net_read, with *flags:
 *   PLAT_NET_RX_CSUM_OK  the TCP or UDP checksum need not be checked: the
 *                        device has checked it, or the frame never
 *                        crossed a wire (a packet of the host's own whose
 *                        checksum field holds only the pseudo-header sum,
 *                        so it must not be checked).
 * Also -EBADMSG when the device described the frame in a way the stack
 * cannot take (an offload it did not ask for); the frame is dropped. */
#define PLAT_NET_RX_CSUM_OK 0x1u
int plat_net_recv(void *buf, size_t cap, size_t *len, unsigned *flags);

/* ---- Entropy ----
 * Fill buf with n bytes of real entropy and return n, or return -ENODEV
 * when the platform has no source of it (another negative errno when the
 * source failed; buf's content is then undefined).
 * A Linux process: getrandom(2). The x86_64 kernel: the CPU's RDSEED,
 * else RDRAND, else a virtio-rng device (QEMU's -device virtio-rng-pci
 * or virtio-rng-device); as a Xen guest, the CPU's alone. It may be slow
 * (a device round trip): the runtime calls it only to seed and reseed
 * its DRBG (platform/include/rng.h), and takes its random numbers there. A
 * kernel without a source says so once on its console when first asked,
 * at boot. */
int plat_entropy(void *buf, size_t n);

/* End the program (process exit / VM exit) with this status. */
_Noreturn void plat_exit(int status);

#endif
