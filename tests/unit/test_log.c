/* SPDX-License-Identifier: ISC */
/* Log lines (runtime/core/log.c): format, levels, truncation, one console
 * write per line. The console and the clock are fakes defined here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <mirari/log.h>
#include <platform.h>

#include "core/core.h"

static uint64_t fake_now;
static char out[4096];
static size_t out_len;
static int writes;

uint64_t plat_monotonic_ns(void)
{
    return fake_now;
}

void plat_console_write(const char *buf, size_t len)
{
    assert_true(out_len + len < sizeof(out));
    memcpy(out + out_len, buf, len);
    out_len += len;
    out[out_len] = '\0';
    writes++;
}

static int setup(void **state)
{
    fake_now = 5000000000ull;
    log_set_origin(fake_now);
    mi_log_set_level(MI_LOG_INFO);
    out_len = 0;
    out[0] = '\0';
    writes = 0;
    return 0;
}

static void line_format(void **state)
{
    fake_now += 1234567890; /* 1.234567890 s after the origin */
    mi_info("hello %d", 42);
    assert_string_equal(out, "[    1.234567] info: hello 42\n");
    assert_int_equal(writes, 1);
}

static void level_names(void **state)
{
    mi_log_set_level(MI_LOG_DEBUG);
    mi_error("e");
    mi_warn("w");
    mi_info("i");
    mi_debug("d");
    assert_string_equal(out, "[    0.000000] error: e\n"
                             "[    0.000000] warn: w\n"
                             "[    0.000000] info: i\n"
                             "[    0.000000] debug: d\n");
}

static int evaluated;
static int side_effect(void)
{
    return ++evaluated;
}

static void levels_filter(void **state)
{
    assert_int_equal(mi_log_get_level(), MI_LOG_INFO);
    evaluated = 0;
    mi_debug("not shown %d", side_effect());
    /* mi_debug costs a comparison only: its arguments are not evaluated. */
    assert_int_equal(evaluated, 0);
    assert_int_equal(writes, 0);
    mi_log_set_level(MI_LOG_ERROR);
    mi_warn("not shown");
    mi_info("not shown");
    assert_int_equal(writes, 0);
    mi_error("shown");
    assert_int_equal(writes, 1);
}

static void parse_level(void **state)
{
    assert_int_equal(mi_log_parse_level("error"), MI_LOG_ERROR);
    assert_int_equal(mi_log_parse_level("warn"), MI_LOG_WARN);
    assert_int_equal(mi_log_parse_level("info"), MI_LOG_INFO);
    assert_int_equal(mi_log_parse_level("debug"), MI_LOG_DEBUG);
    assert_int_equal(mi_log_parse_level("Info"), -1);
    assert_int_equal(mi_log_parse_level("warning"), -1);
    assert_int_equal(mi_log_parse_level(""), -1);
}

static void long_lines_are_truncated(void **state)
{
    static char big[3000];
    memset(big, 'x', sizeof(big) - 1);
    mi_info("%s", big);
    assert_int_equal(writes, 1);
    assert_int_equal(out_len, 1024);
    assert_memory_equal(out + out_len - 4, "...\n", 4);
    assert_memory_equal(out, "[    0.000000] info: xxx", 24);
}

static void a_line_that_just_fits(void **state)
{
    /* 1023 bytes of text and head, then the newline: no "...". */
    static char fit[1024];
    const size_t head = strlen("[    0.000000] info: ");
    memset(fit, 'y', 1023 - head);
    fit[1023 - head] = '\0';
    mi_info("%s", fit);
    assert_int_equal(out_len, 1024);
    assert_memory_equal(out + out_len - 4, "yyy\n", 4);
}

static void trailing_newline_not_doubled(void **state)
{
    mi_info("done\n");
    assert_string_equal(out, "[    0.000000] info: done\n");
}

static void empty_message(void **state)
{
    mi_warn("%s", "");
    assert_string_equal(out, "[    0.000000] warn: \n");
}

static void long_uptime(void **state)
{
    fake_now += 123456ull * 1000000000ull + 7000;
    mi_info("late");
    assert_string_equal(out, "[123456.000007] info: late\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(line_format, setup),
        cmocka_unit_test_setup(level_names, setup),
        cmocka_unit_test_setup(levels_filter, setup),
        cmocka_unit_test_setup(parse_level, setup),
        cmocka_unit_test_setup(long_lines_are_truncated, setup),
        cmocka_unit_test_setup(a_line_that_just_fits, setup),
        cmocka_unit_test_setup(trailing_newline_not_doubled, setup),
        cmocka_unit_test_setup(empty_message, setup),
        cmocka_unit_test_setup(long_uptime, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
