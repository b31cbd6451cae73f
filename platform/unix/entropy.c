/* SPDX-License-Identifier: ISC */
/* Entropy of a Linux process: getrandom(2) from the kernel's pool, which
 * blocks only before the pool is first initialised at boot. Allowed under
 * unix-direct's seccomp filter (confine.c), since the DRBG reseeds from it
 * while the unikernel runs. */
#include <errno.h>
#include <sys/random.h>

#include <platform.h>

int plat_entropy(void *buf, size_t n)
{
    unsigned char *p = buf;
    size_t done = 0;
    while (done < n) {
        ssize_t r = getrandom(p + done, n - done, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return errno == ENOSYS ? -ENODEV : -errno;
        done += (size_t)r;
    }
    return (int)n;
}
