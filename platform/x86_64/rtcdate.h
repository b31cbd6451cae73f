/* SPDX-License-Identifier: ISC */
/* Converting the CMOS clock's registers to seconds since the epoch. Pure,
 * tested on the host (tests/unit/test_x86_text.c). */
#ifndef MIRARI_X86_RTCDATE_H
#define MIRARI_X86_RTCDATE_H

#include <stdint.h>

/* The raw registers of the MC146818 (as read, maybe BCD, maybe 12-hour). */
struct rtc_regs {
    uint8_t sec, min, hour, mday, mon, year, century; /* century 0: none */
    uint8_t status_b;                                 /* register B */
};

#define RTC_B_24H    0x02
#define RTC_B_BINARY 0x04

/* Seconds since 1970-01-01 00:00 UTC (the RTC is assumed to hold UTC, as
 * QEMU's does by default), or -1 for values no clock would hold. Without
 * a century register, years 00-69 are 20xx and 70-99 are 19xx. */
int64_t rtc_to_epoch(const struct rtc_regs *r);

#endif
