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
    uint16_t mtu; /* payload MTU, 1500 for Ethernet */
};
/* 0 and the device's info, or -ENODEV when there is no network device
 * (or another negative errno when it could not be started). */
int plat_net_info(struct plat_net_info *info);
/* Send one Ethernet frame (without FCS). 0, -EAGAIN when the device
 * cannot take it now (the frame is dropped by the caller), or -EIO. */
int plat_net_write(const void *frame, size_t len);
/* Receive one frame into buf. 0 and *len, -EAGAIN when none is waiting,
 * -EMSGSIZE when the frame did not fit (it is dropped). */
int plat_net_read(void *buf, size_t cap, size_t *len);

/* ---- Entropy ----
 * Fill buf with n bytes of real entropy and return n, or return -ENODEV
 * when the platform has no source of it (another negative errno when the
 * source failed; buf's content is then undefined).
 * A Linux process: getrandom(2). The x86_64 kernel: the CPU's RDSEED,
 * else RDRAND, else a virtio-rng device (QEMU's -device virtio-rng-pci
 * or virtio-rng-device); as a Xen guest, the CPU's alone. It may be slow
 * (a device round trip): the runtime calls it only to seed and reseed
 * its DRBG (runtime/core/rng.h), and takes its random numbers there. A
 * kernel without a source says so once on its console when first asked,
 * at boot. */
int plat_entropy(void *buf, size_t n);

/* End the program (process exit / VM exit) with this status. */
_Noreturn void plat_exit(int status);

#endif
