/* SPDX-License-Identifier: ISC */
/* The image's random numbers: one DRBG (drbg.h) seeded and reseeded
 * from the platform's entropy (plat_entropy in platform.h). It serves
 * the network stack's hash key (ISNs, SYN cookies, ephemeral ports, DHCP
 * xids), the kernel's getrandom() and AT_RANDOM (port_random_bytes), and
 * is the source for TLS keys. Internal: not for applications, which call
 * getrandom(). */
#ifndef MIRARI_CORE_RNG_H
#define MIRARI_CORE_RNG_H

#include <stdbool.h>
#include <stddef.h>

/* n bytes from the DRBG; seeds it on first use. */
void rng_bytes(void *buf, size_t n);

/* True when the platform gave no real entropy (a kernel on a CPU without
 * RDSEED/RDRAND and without a virtio-rng device): the numbers come from
 * clock readings and can be guessed. Whatever needs secret keys (an
 * HTTPS server) must refuse to start then; the rest may run. */
bool entropy_is_weak(void);

#endif
