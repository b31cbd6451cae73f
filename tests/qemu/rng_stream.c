/* SPDX-License-Identifier: ISC */
/* The test mode of the kernel's random numbers: says whether the kernel
 * found an entropy source (entropy_is_weak), then writes N bytes of
 * getrandom() output (the kernel's DRBG) to the console in hex, 32 bytes
 * a line, for tests/system/test_entropy.py to decode and hand to rngtest.
 * N is the first boot argument (default 0). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

#include <rng.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 0;
    printf("rng: weak=%d\n", entropy_is_weak() ? 1 : 0);
    unsigned char buf[4096];
    static const char hex[] = "0123456789abcdef";
    char line[2 * 32 + 2];
    while (n > 0) {
        size_t want = n < (long)sizeof buf ? (size_t)n : sizeof buf;
        if (getrandom(buf, want, 0) != (ssize_t)want) {
            printf("rng: getrandom failed\n");
            return 1;
        }
        for (size_t i = 0; i < want; i += 32) {
            size_t k = want - i < 32 ? want - i : 32, j;
            for (j = 0; j < k; j++) {
                line[2 * j] = hex[buf[i + j] >> 4];
                line[2 * j + 1] = hex[buf[i + j] & 15];
            }
            line[2 * j] = '\n';
            fwrite(line, 1, 2 * j + 1, stdout);
        }
        n -= (long)want;
    }
    printf("rng: end\n");
    return 0;
}
