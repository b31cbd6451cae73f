/* SPDX-License-Identifier: ISC */
/* The qemu kernel's small text helpers, on the host: its printf core
 * (kfmt.c), the command-line splitter (abi/cmdline.h) and the kernel's
 * own words (kernel_params.c), and the CMOS date conversion (rtcdate.c).
 * The virtio_mmio.device= parser is test_mmio_param.c's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <port.h>

#include "../../platform/x86_64/kernel_params.h"
#include "../../platform/x86_64/kfmt.h"
#include "../../platform/x86_64/rtcdate.h"

#define EXPECT_FMT(want, ...)                                                                      \
    do {                                                                                           \
        char b_[128];                                                                              \
        size_t n_ = port_snprintf(b_, sizeof b_, __VA_ARGS__);                                     \
        assert_string_equal(b_, want);                                                             \
        assert_int_equal(n_, strlen(want));                                                        \
    } while (0)

static void kfmt_conversions(void **state)
{
    (void)state;
    EXPECT_FMT("42 -7 0", "%d %i %u", 42, -7, 0u);
    EXPECT_FMT("ff FF 0x1000", "%x %X %p", 255u, 255u, (void *)0x1000);
    EXPECT_FMT("18446744073709551615 -9223372036854775808", "%lu %ld", UINT64_MAX, INT64_MIN);
    EXPECT_FMT("[  abc][abc  ][x]", "[%5s][%-5s][%c]", "abc", "abc", 'x');
    EXPECT_FMT("0000002a -00042 42   ", "%08x %06d %-5d", 42u, -42, 42);
    const char *volatile none = NULL; /* hidden from gcc's format checker */
    EXPECT_FMT("(null) 100%", "%s 100%%", none);
    EXPECT_FMT("3 sz", "%zu sz", (size_t)3);
}

static void kfmt_truncates_like_snprintf(void **state)
{
    (void)state;
    char b[8];
    size_t n = port_snprintf(b, sizeof b, "%s-%d", "abcdef", 12345);
    assert_int_equal(n, 12);
    assert_string_equal(b, "abcdef-");
    assert_int_equal(port_snprintf(b, 0, "xyz"), 3);
}

static void split(const char *line, const char **want, size_t nwant)
{
    char buf[256];
    char *words[8];
    snprintf(buf, sizeof buf, "%s", line);
    size_t n = cmdline_split(buf, words, 8);
    assert_int_equal(n, nwant);
    for (size_t i = 0; i < nwant && i < 8; i++)
        assert_string_equal(words[i], want[i]);
}

static void cmdline_words_and_quotes(void **state)
{
    (void)state;
    split("", NULL, 0);
    split("   \t ", NULL, 0);
    const char *w1[] = {"--ip-address=10.0.0.2", "--log-level=debug"};
    split("  --ip-address=10.0.0.2   --log-level=debug ", w1, 2);
    const char *w2[] = {"--msg=hello world", "x", ""};
    split("--msg=\"hello world\" x \"\"", w2, 3);
    const char *w3[] = {"a b", "c"};
    split("\"a b\"\tc", w3, 2);
    /* An unterminated quote runs to the end. */
    const char *w4[] = {"--x=a b"};
    split("--x=\"a b", w4, 1);
}

/* Every word survives encode then split, whatever it holds; and a line as
 * GRUB writes it (grub_create_loader_cmdline) splits into its words. */
static void cmdline_encode_round_trip(void **state)
{
    (void)state;
    const char *words[] = {"--app-x=plain", "",   "a b", "tab\there",         "it's", "say \"hi\"",
                           "back\\slash",   "\\", "\"",  "--app-y=\" \\ ' \n"};
    size_t n = sizeof words / sizeof *words;
    char line[512] = "";
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        char enc[64];
        assert_true(cmdline_encoded_len(words[i]) < sizeof enc);
        size_t k = cmdline_encode(words[i], enc);
        assert_int_equal(k, cmdline_encoded_len(words[i]));
        assert_int_equal(strlen(enc), k);
        len += (size_t)snprintf(line + len, sizeof line - len, "%s%s", i ? " " : "", enc);
    }
    char *got[16];
    assert_int_equal(cmdline_split(line, got, 16), n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(got[i], words[i]);

    const char *w[] = {"/boot/kernel", "--app-m=it's \"x\"", "a\\b"};
    split("/boot/kernel \"--app-m=it\\'s \\\"x\\\"\" a\\\\b ", w, 3);
    /* A backslash at the very end is kept. */
    const char *w5[] = {"x\\"};
    split("x\\", w5, 1);
}

static void cmdline_counts_words_beyond_max(void **state)
{
    (void)state;
    char buf[] = "1 2 3 4 5 6 7 8 9 10";
    char *words[4];
    assert_int_equal(cmdline_split(buf, words, 4), 10);
    assert_string_equal(words[3], "4");
}

static void cmdline_kernel_params(void **state)
{
    (void)state;
    assert_true(cmdline_is_kernel_param("virtio_mmio.device=512@0xfeb00e00:12"));
    assert_true(cmdline_is_kernel_param("tsc-khz=2400000"));
    assert_false(cmdline_is_kernel_param("--tsc-khz=1"));
    assert_false(cmdline_is_kernel_param("--ip-address=10.0.0.2"));
    assert_false(cmdline_is_kernel_param("virtio_mmio.device"));
}

static void rtc_binary_and_bcd(void **state)
{
    (void)state;
    /* 2024-02-29 23:59:58 UTC = 1709251198. */
    struct rtc_regs bcd = {0x58, 0x59, 0x23, 0x29, 0x02, 0x24, 0x20, RTC_B_24H};
    assert_int_equal(rtc_to_epoch(&bcd), 1709251198);
    struct rtc_regs bin = {58, 59, 23, 29, 2, 24, 20, RTC_B_24H | RTC_B_BINARY};
    assert_int_equal(rtc_to_epoch(&bin), 1709251198);
    /* No century register: 70-99 -> 19xx, 00-69 -> 20xx. */
    struct rtc_regs epoch = {0, 0, 0, 1, 1, 0x70, 0, RTC_B_24H};
    assert_int_equal(rtc_to_epoch(&epoch), 0);
    struct rtc_regs y2k = {0, 0, 0, 1, 1, 0x00, 0, RTC_B_24H};
    assert_int_equal(rtc_to_epoch(&y2k), 946684800);
}

static void rtc_twelve_hour(void **state)
{
    (void)state;
    /* 12 AM is midnight, 12 PM is noon; bit 7 of the hour is PM. */
    struct rtc_regs midnight = {0, 0, 0x12, 1, 1, 0x00, 0x20, 0};
    assert_int_equal(rtc_to_epoch(&midnight), 946684800);
    struct rtc_regs noon = {0, 0, 0x80 | 0x12, 1, 1, 0x00, 0x20, 0};
    assert_int_equal(rtc_to_epoch(&noon), 946684800 + 12 * 3600);
    struct rtc_regs pm1 = {0, 0, 0x80 | 0x01, 1, 1, 0x00, 0x20, 0};
    assert_int_equal(rtc_to_epoch(&pm1), 946684800 + 13 * 3600);
}

static void rtc_rejects_garbage(void **state)
{
    (void)state;
    struct rtc_regs bad_bcd = {0x5a, 0, 0, 1, 1, 0, 0x20, RTC_B_24H};
    assert_int_equal(rtc_to_epoch(&bad_bcd), -1);
    struct rtc_regs bad_month = {0, 0, 0, 1, 13, 0, 0, RTC_B_24H | RTC_B_BINARY};
    assert_int_equal(rtc_to_epoch(&bad_month), -1);
    struct rtc_regs bad_hour = {0, 0, 0x13, 1, 1, 0, 0x20, 0}; /* 13 in 12-hour mode */
    assert_int_equal(rtc_to_epoch(&bad_hour), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kfmt_conversions),
        cmocka_unit_test(kfmt_truncates_like_snprintf),
        cmocka_unit_test(cmdline_words_and_quotes),
        cmocka_unit_test(cmdline_encode_round_trip),
        cmocka_unit_test(cmdline_counts_words_beyond_max),
        cmocka_unit_test(cmdline_kernel_params),
        cmocka_unit_test(rtc_binary_and_bcd),
        cmocka_unit_test(rtc_twelve_hour),
        cmocka_unit_test(rtc_rejects_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
