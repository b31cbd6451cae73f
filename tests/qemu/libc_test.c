/* SPDX-License-Identifier: ISC */
/* Checks that Debian's static musl works unchanged inside the PVH kernel:
 * formatted output with floating point, the allocator with megabytes,
 * string conversions, sorting, time, sleeping, thread-local storage,
 * randomness and errno. Prints one line per check and exits 0 only if
 * every check passed (tests/system/test_qemu.py runs it under QEMU). */
#include <errno.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>
#include <time.h>

static int failures;

static void check(int ok, const char *what)
{
    printf("%s %s\n", ok ? "ok  " : "FAIL", what);
    if (!ok)
        failures++;
}

static __thread int tls_counter = 42;
static __thread char tls_zero[64];

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

static jmp_buf jb;

static void jump_back(void)
{
    longjmp(jb, 7);
}

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int main(void)
{
    char buf[128];

    snprintf(buf, sizeof buf, "%.3f %e %g", 3.14159265, 12345.678, 0.0001);
    check(strcmp(buf, "3.142 1.234568e+04 0.0001") == 0, "printf %f %e %g");
    snprintf(buf, sizeof buf, "%Lf", (long double)1.5);
    check(strcmp(buf, "1.500000") == 0, "printf %Lf (x87)");
    snprintf(buf, sizeof buf, "%5d|%-5s|%x|%lld", 42, "ab", 255u, -9000000000ll);
    check(strcmp(buf, "   42|ab   |ff|-9000000000") == 0, "snprintf integers and strings");

    volatile double a = 1.0, b = 3.0;
    check(a / b > 0.3333 && a / b < 0.3334, "SSE double arithmetic");

    char *end;
    double d = strtod("2.5e3xyz", &end);
    check(d == 2500.0 && strcmp(end, "xyz") == 0, "strtod");
    check(strtol("-0x1f", NULL, 16) == -31 && strtoul("777", NULL, 8) == 511, "strtol/strtoul");

    /* Several megabytes, in one block and in many small ones. */
    size_t big = 8u << 20;
    unsigned char *m = malloc(big);
    check(m != NULL, "malloc 8 MiB");
    if (m) {
        memset(m, 0xa5, big);
        check(m[0] == 0xa5 && m[big - 1] == 0xa5, "write all of 8 MiB");
        free(m);
    }
    void *small[1000];
    int small_ok = 1;
    for (int i = 0; i < 1000; i++) {
        small[i] = malloc((size_t)(16 + i * 7));
        if (!small[i])
            small_ok = 0;
        else
            memset(small[i], i & 0xff, (size_t)(16 + i * 7));
    }
    for (int i = 0; i < 1000; i++)
        if (small[i] && ((unsigned char *)small[i])[15] != (i & 0xff))
            small_ok = 0;
    for (int i = 0; i < 1000; i++)
        free(small[i]);
    check(small_ok, "1000 small allocations");
    unsigned char *z = calloc(1, 3u << 20);
    check(z && all_zero(z, 3u << 20), "calloc 3 MiB is zeroed");
    free(z);
    char *r = malloc(100);
    strcpy(r, "keep me");
    r = realloc(r, 5u << 20);
    check(r && strcmp(r, "keep me") == 0, "realloc to 5 MiB keeps the data");
    free(r);
    /* Freed memory is reused: allocating and freeing 64 MiB in total
     * must work in a guest with less than that. */
    int churn_ok = 1;
    for (int i = 0; i < 32; i++) {
        void *p = malloc(2u << 20);
        if (!p)
            churn_ok = 0;
        free(p);
    }
    check(churn_ok, "64 MiB allocated and freed in 2 MiB blocks");

    int v[] = {5, -3, 9, 0, 2, 2, 100, -50};
    qsort(v, 8, sizeof v[0], cmp_int);
    check(v[0] == -50 && v[1] == -3 && v[4] == 2 && v[7] == 100, "qsort");

    time_t now = time(NULL);
    check(now > 1600000000, "time() after 2020 (CMOS clock)");
    struct tm tm;
    gmtime_r(&now, &tm);
    check(tm.tm_year >= 120, "gmtime_r");

    uint64_t t0 = mono_ns(), t1 = mono_ns();
    check(t1 >= t0, "CLOCK_MONOTONIC does not go back");
    struct timespec ten_ms = {0, 10000000};
    t0 = mono_ns();
    nanosleep(&ten_ms, NULL);
    t1 = mono_ns();
    check(t1 - t0 >= 10000000, "nanosleep 10 ms sleeps at least 10 ms");

    check(tls_counter == 42 && all_zero((const unsigned char *)tls_zero, sizeof tls_zero),
          "__thread initial values");
    tls_counter++;
    check(tls_counter == 43, "__thread write");

    unsigned char rnd[32] = {0};
    check(getrandom(rnd, sizeof rnd, 0) == sizeof rnd && !all_zero(rnd, sizeof rnd), "getrandom");

    errno = 0;
    FILE *f = fopen("/etc/passwd", "r");
    check(f == NULL && errno != 0, "fopen fails cleanly (no files)");

    int jumped = setjmp(jb);
    if (!jumped)
        jump_back();
    check(jumped == 7, "setjmp/longjmp");

    check(getenv("HOME") == NULL, "empty environment");

    /* A system call the kernel does not know: -ENOSYS, reported on the
     * console once however often it is made. */
    errno = 0;
    long r1 = syscall(999);
    int e1 = errno;
    long r2 = syscall(999);
    check(r1 == -1 && e1 == ENOSYS && r2 == -1 && errno == ENOSYS, "unknown system call: ENOSYS");

    printf("%d checks failed\n", failures);
    return failures ? 1 : 0;
}
