/* SPDX-License-Identifier: ISC */
/* The image's DRBG (rng.h) on the platform's entropy and clock. */
#include <platform.h>
#include <rng.h>

#include "drbg.h"

static const struct drbg_source platform_source = {plat_entropy, plat_monotonic_ns};
static struct drbg rng;

void rng_bytes(void *buf, size_t n)
{
    if (rng.src == NULL)
        drbg_init(&rng, &platform_source);
    drbg_generate(&rng, buf, n);
}

bool entropy_is_weak(void)
{
    if (!rng.seeded)
        rng_bytes(NULL, 0);
    return rng.weak;
}
