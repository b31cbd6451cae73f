/* SPDX-License-Identifier: ISC */
/* The serial console: a 16550 UART at COM1 (I/O port 0x3f8), which QEMU
 * (pc, q35, microvm) and Firecracker emulate. Polled: the transmitter
 * holding register is written only when the line status register says it
 * is empty (bit 5), so nothing is lost however fast we write. */
#include <stdarg.h>

#include "kernel.h"
#include "kfmt.h"
#include "x86.h"

#define COM1     0x3f8
#define UART_THR 0 /* transmit holding register */
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_THRE 0x20

void console_init(void)
{
    outb(COM1 + UART_IER, 0x00);
    outb(COM1 + UART_LCR, 0x80); /* divisor latch: 115200 baud */
    outb(COM1 + 0, 0x01);
    outb(COM1 + 1, 0x00);
    outb(COM1 + UART_LCR, 0x03); /* 8 data bits, no parity, 1 stop bit */
    outb(COM1 + UART_FCR, 0x07); /* FIFOs on and cleared */
    outb(COM1 + UART_MCR, 0x03); /* DTR, RTS */
}

static void putc_raw(char c)
{
    /* An absent UART reads as 0xff, so this cannot hang. */
    while (!(inb(COM1 + UART_LSR) & LSR_THRE))
        cpu_relax();
    outb(COM1 + UART_THR, (uint8_t)c);
}

void com1_write(const char *buf, size_t len)
{
    /* Bytes go out as they are, "\n" without "\r": QEMU's stdio
     * backend leaves the host terminal's output processing (ONLCR) on, and
     * a captured console then reads like a process's stdout. */
    for (size_t i = 0; i < len; i++)
        putc_raw(buf[i]);
}

void port_log(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    size_t n = kfmt(buf, sizeof buf, fmt, ap);
    va_end(ap);
    console_write(buf, n < sizeof buf ? n : sizeof buf - 1);
}
