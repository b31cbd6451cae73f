/* TCP options in SYN segments: Maximum Segment Size (RFC 9293 3.7.1) and
 * Window Scale (RFC 7323 section 2). Others (timestamps, SACK-permitted)
 * are skipped; since we never send them back, the peer does not use them.
 * A malformed option list ends parsing where it becomes malformed
 * (RFC 9293 3.1: "MUST be prepared to handle an illegal option length"). */
#include "stack.h"

void tcp_parse_syn_options(const uint8_t *opt, size_t len, struct tcp_syn_opts *out)
{
    out->mss = 0;
    out->wscale = -1;
    size_t i = 0;
    while (i < len) {
        uint8_t kind = opt[i];
        if (kind == 0) /* end of option list */
            break;
        if (kind == 1) { /* no-operation */
            i++;
            continue;
        }
        if (i + 1 >= len)
            break;
        uint8_t olen = opt[i + 1];
        if (olen < 2 || i + olen > len)
            break;
        if (kind == 2 && olen == 4) {
            out->mss = get16(opt + i + 2);
        } else if (kind == 3 && olen == 3) {
            /* RFC 7323 2.3: a shift above 14 is used as 14. */
            out->wscale = opt[i + 2] > TCP_MAX_WSCALE ? TCP_MAX_WSCALE : opt[i + 2];
        }
        i += olen;
    }
}

size_t tcp_build_syn_options(uint8_t *out, uint16_t mss, int wscale)
{
    out[0] = 2;
    out[1] = 4;
    put16(out + 2, mss);
    if (wscale < 0)
        return 4;
    out[4] = 1; /* NOP, so the option ends on a 4-byte boundary */
    out[5] = 3;
    out[6] = 3;
    out[7] = (uint8_t)wscale;
    return 8;
}

uint8_t tcp_our_wscale(void)
{
    uint8_t shift = 0;
    while (shift < TCP_MAX_WSCALE && ((uint32_t)MI_NET_TCP_RCVBUF >> shift) > 65535)
        shift++;
    return shift;
}
