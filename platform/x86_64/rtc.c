/* SPDX-License-Identifier: ISC */
/* The CMOS real-time clock (MC146818 at ports 0x70/0x71): the wall clock
 * at boot, to one second. */
#include "kernel.h"
#include "rtcdate.h"
#include "x86.h"

#define CMOS_ADDR 0x70
#define CMOS_DATA 0x71
#define NMI_OFF   0x80 /* keep NMIs masked while selecting a register */

uint8_t cmos_read(uint8_t reg)
{
    outb(CMOS_ADDR, NMI_OFF | reg);
    return inb(CMOS_DATA);
}

static void read_regs(struct rtc_regs *r)
{
    r->sec = cmos_read(0x00);
    r->min = cmos_read(0x02);
    r->hour = cmos_read(0x04);
    r->mday = cmos_read(0x07);
    r->mon = cmos_read(0x08);
    r->year = cmos_read(0x09);
    r->century = cmos_read(0x32); /* QEMU keeps the century here */
    r->status_b = cmos_read(0x0b);
}

int64_t rtc_read(void)
{
    /* Register A bit 7: an update is in progress and the registers may be
     * inconsistent. Read until two reads in a row agree. */
    struct rtc_regs a, b;
    for (int tries = 0; tries < 1000; tries++) {
        while (cmos_read(0x0a) & 0x80)
            cpu_relax();
        read_regs(&a);
        read_regs(&b);
        if (a.sec == b.sec && a.min == b.min && a.hour == b.hour && a.mday == b.mday &&
            a.mon == b.mon && a.year == b.year && a.century == b.century)
            return rtc_to_epoch(&a);
    }
    return -1;
}
