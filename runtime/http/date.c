/* SPDX-License-Identifier: ISC */
/* HTTP dates: formatting and parsing without the C library's time zone
 * machinery, which a kernel target does not need to carry. Days from the
 * civil date and back use the proleptic Gregorian calendar counted in
 * 400-year eras (146097 days each), starting from 0000-03-01 so that the
 * leap day falls at the end of a year. */
#include <string.h>

#include <mirari/loop.h>

#include "http/date.h"

static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const long_days[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                         "Thursday", "Friday", "Saturday"};

#define MAX_SECS 253402300799ull /* 9999-12-31 23:59:59 */

/* Days since 1970-01-01 of y-m-d (m 1-12), for y >= 0. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = y / 400;
    unsigned yoe = (unsigned)(y - era * 400);                       /* [0, 399] */
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(uint64_t z, unsigned *y, unsigned *m, unsigned *d)
{
    z += 719468;
    uint64_t era = z / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (unsigned)(yoe + era * 400) + (*m <= 2);
}

static void put2(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
}

void http_date_format(uint64_t secs, char out[HTTP_DATE_LEN])
{
    if (secs > MAX_SECS)
        secs = MAX_SECS;
    uint64_t z = secs / 86400;
    unsigned sod = (unsigned)(secs % 86400), y, m, d;
    civil_from_days(z, &y, &m, &d);
    memcpy(out, days[(z + 4) % 7], 3); /* 1970-01-01 was a Thursday */
    memcpy(out + 3, ", ", 2);
    put2(out + 5, d);
    out[7] = ' ';
    memcpy(out + 8, months[m - 1], 3);
    out[11] = ' ';
    put2(out + 12, y / 100);
    put2(out + 14, y % 100);
    out[16] = ' ';
    put2(out + 17, sod / 3600);
    out[19] = ':';
    put2(out + 20, sod / 60 % 60);
    out[22] = ':';
    put2(out + 23, sod % 60);
    memcpy(out + 25, " GMT", 4);
}

const char *http_date_now(void)
{
    static char cached[HTTP_DATE_LEN];
    static uint64_t cached_sec = UINT64_MAX;
    uint64_t sec = mi_wall() / MI_NSEC_PER_SEC;
    if (sec != cached_sec) {
        http_date_format(sec, cached);
        cached_sec = sec;
    }
    return cached;
}

/* ---- parsing ---- */

struct cursor {
    const char *s, *end;
};

static int lit(struct cursor *c, const char *text)
{
    size_t n = strlen(text);
    if ((size_t)(c->end - c->s) < n || memcmp(c->s, text, n) != 0)
        return -1;
    c->s += n;
    return 0;
}

/* Exactly n digits. */
static int digits(struct cursor *c, unsigned n, unsigned *out)
{
    if ((size_t)(c->end - c->s) < n)
        return -1;
    unsigned v = 0;
    for (unsigned i = 0; i < n; i++) {
        if (c->s[i] < '0' || c->s[i] > '9')
            return -1;
        v = v * 10 + (unsigned)(c->s[i] - '0');
    }
    c->s += n;
    *out = v;
    return 0;
}

static int month(struct cursor *c, unsigned *m)
{
    for (unsigned i = 0; i < 12; i++)
        if (lit(c, months[i]) == 0) {
            *m = i + 1;
            return 0;
        }
    return -1;
}

static int hms(struct cursor *c, unsigned *h, unsigned *mi, unsigned *s)
{
    if (digits(c, 2, h) < 0 || lit(c, ":") < 0 || digits(c, 2, mi) < 0 || lit(c, ":") < 0 ||
        digits(c, 2, s) < 0)
        return -1;
    return *h < 24 && *mi < 60 && *s < 61 ? 0 : -1; /* 60: a leap second */
}

int http_date_parse(const char *str, size_t n, uint64_t *secs)
{
    struct cursor c = {str, str + n};
    unsigned y, m, d, h, mi, s;
    int wday = -1;
    for (int i = 0; i < 7 && wday < 0; i++) {
        struct cursor t = c;
        if (lit(&t, long_days[i]) == 0 && lit(&t, ", ") == 0) {
            /* RFC 850: Sunday, 06-Nov-94 08:49:37 GMT */
            c = t;
            if (digits(&c, 2, &d) < 0 || lit(&c, "-") < 0 || month(&c, &m) < 0 ||
                lit(&c, "-") < 0 || digits(&c, 2, &y) < 0 || lit(&c, " ") < 0 ||
                hms(&c, &h, &mi, &s) < 0 || lit(&c, " GMT") < 0)
                return -1;
            /* two-digit years: the RFC asks for the most recent past year
             * with those digits; 1970-2069 is that for any date this
             * server sees */
            y += y < 70 ? 2000 : 1900;
            wday = i;
        } else if (lit(&c, days[i]) == 0) {
            wday = i;
            if (lit(&c, ", ") == 0) {
                /* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
                if (digits(&c, 2, &d) < 0 || lit(&c, " ") < 0 || month(&c, &m) < 0 ||
                    lit(&c, " ") < 0 || digits(&c, 4, &y) < 0 || lit(&c, " ") < 0 ||
                    hms(&c, &h, &mi, &s) < 0 || lit(&c, " GMT") < 0)
                    return -1;
            } else {
                /* asctime: Sun Nov  6 08:49:37 1994 */
                if (lit(&c, " ") < 0 || month(&c, &m) < 0 || lit(&c, " ") < 0)
                    return -1;
                if (lit(&c, " ") == 0) {
                    if (digits(&c, 1, &d) < 0)
                        return -1;
                } else if (digits(&c, 2, &d) < 0) {
                    return -1;
                }
                if (lit(&c, " ") < 0 || hms(&c, &h, &mi, &s) < 0 || lit(&c, " ") < 0 ||
                    digits(&c, 4, &y) < 0)
                    return -1;
            }
        }
    }
    if (wday < 0 || c.s != c.end || d < 1 || d > 31 || y < 1970)
        return -1;
    int64_t z = days_from_civil(y, m, d);
    *secs = (uint64_t)z * 86400 + h * 3600u + mi * 60u + s;
    return 0;
}
