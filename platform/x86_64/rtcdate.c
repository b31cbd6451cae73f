/* SPDX-License-Identifier: ISC */
/* CMOS date -> Unix time. */
#include "rtcdate.h"

#include <stdbool.h>

static bool decode(uint8_t v, bool bcd, unsigned *out)
{
    if (bcd) {
        if ((v & 0x0f) > 9 || (v >> 4) > 9)
            return false;
        *out = (v >> 4) * 10u + (v & 0x0f);
    } else {
        *out = v;
    }
    return true;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (the shifted-year method: March is month 0, so February's leap day is
 * the last day of the year). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int64_t rtc_to_epoch(const struct rtc_regs *r)
{
    bool bcd = !(r->status_b & RTC_B_BINARY);
    unsigned sec, min, hour, mday, mon, year, century = 0;
    bool pm = !(r->status_b & RTC_B_24H) && (r->hour & 0x80);
    if (!decode(r->sec, bcd, &sec) || !decode(r->min, bcd, &min) ||
        !decode(r->hour & 0x7f, bcd, &hour) || !decode(r->mday, bcd, &mday) ||
        !decode(r->mon, bcd, &mon) || !decode(r->year, bcd, &year) ||
        (r->century && !decode(r->century, bcd, &century)))
        return -1;
    if (!(r->status_b & RTC_B_24H)) {
        /* 12-hour mode: 12 AM is 0:00, 12 PM is 12:00. */
        if (hour < 1 || hour > 12)
            return -1;
        hour = hour % 12 + (pm ? 12 : 0);
    }
    if (sec > 59 || min > 59 || hour > 23 || mday < 1 || mday > 31 || mon < 1 || mon > 12 ||
        year > 99)
        return -1;
    unsigned full = century ? century * 100 + year : (year < 70 ? 2000 + year : 1900 + year);
    return days_from_civil(full, mon, mday) * 86400 + hour * 3600 + min * 60 + sec;
}
