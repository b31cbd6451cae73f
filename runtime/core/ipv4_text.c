/* SPDX-License-Identifier: ISC */
/* Dotted-quad IPv4 addresses, strict in both directions: the tool checks
 * app.conf with the same parser the runtime uses for boot arguments, so a
 * value the tool accepted can never be refused at boot. */
#include <mirari/net.h>

int mi_ipv4_parse(const char *s, mi_ipv4 *out)
{
    uint32_t addr = 0;
    for (int part = 0; part < 4; part++) {
        if (part > 0 && *s++ != '.')
            return -1;
        if (*s < '0' || *s > '9')
            return -1;
        /* "0" alone is fine; "01" is not: some parsers (inet_aton) read a
         * leading zero as octal, so the form is ambiguous and refused. */
        if (s[0] == '0' && s[1] >= '0' && s[1] <= '9')
            return -1;
        unsigned v = 0;
        int digits = 0;
        while (*s >= '0' && *s <= '9') {
            v = v * 10 + (unsigned)(*s++ - '0');
            if (++digits > 3 || v > 255)
                return -1;
        }
        addr = addr << 8 | v;
    }
    if (*s != '\0')
        return -1;
    *out = addr;
    return 0;
}

/* Writes one decimal byte without a leading zero; returns the end. */
static char *put_byte(char *p, unsigned v)
{
    if (v >= 100)
        *p++ = (char)('0' + v / 100);
    if (v >= 10)
        *p++ = (char)('0' + v / 10 % 10);
    *p++ = (char)('0' + v % 10);
    return p;
}

char *mi_ipv4_format(mi_ipv4 a, char buf[MI_IPV4_STRLEN])
{
    char *p = buf;
    for (int shift = 24; shift >= 0; shift -= 8) {
        p = put_byte(p, (a >> shift) & 0xff);
        if (shift > 0)
            *p++ = '.';
    }
    *p = '\0';
    return buf;
}
