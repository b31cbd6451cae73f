/* SPDX-License-Identifier: ISC */
/* TCP options: Maximum Segment Size (RFC 9293 3.7.1), Window Scale
 * (RFC 7323 section 2) and SACK-permitted (RFC 2018) in SYNs, SACK blocks
 * in any segment. Others (timestamps) are skipped; since we never send
 * them back, the peer does not use them.
 * A malformed option list ends parsing where it becomes malformed
 * (RFC 9293 3.1: "MUST be prepared to handle an illegal option length"). */
#include "stack.h"

void tcp_parse_syn_options(const uint8_t *opt, size_t len, struct tcp_syn_opts *out)
{
    out->mss = 0;
    out->wscale = -1;
    out->sack_ok = false;
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
        } else if (kind == 4 && olen == 2) {
            out->sack_ok = true;
        }
        i += olen;
    }
}

size_t tcp_build_syn_options(uint8_t *out, uint16_t mss, int wscale, bool sack)
{
    size_t n = 0;
    out[n++] = 2;
    out[n++] = 4;
    put16(out + n, mss);
    n += 2;
    if (wscale >= 0) {
        out[n++] = 1; /* NOP, so the option ends on a 4-byte boundary */
        out[n++] = 3;
        out[n++] = 3;
        out[n++] = (uint8_t)wscale;
    }
    if (sack) {
        out[n++] = 1;
        out[n++] = 1;
        out[n++] = 4;
        out[n++] = 2;
    }
    return n;
}

void tcp_parse_sack(const uint8_t *opt, size_t len, struct tcp_sack_blocks *out)
{
    out->n = 0;
    for (size_t i = 0; i < len;) {
        uint8_t kind = opt[i];
        if (kind == 0)
            break;
        if (kind == 1) {
            i++;
            continue;
        }
        if (i + 1 >= len)
            break;
        uint8_t olen = opt[i + 1];
        if (olen < 2 || i + olen > len)
            break;
        if (kind == 5 && olen >= 10 && (olen - 2) % 8 == 0) {
            for (size_t k = i + 2; k + 8 <= i + olen && out->n < 4; k += 8) {
                out->b[out->n].start = get32(opt + k);
                out->b[out->n].end = get32(opt + k + 4);
                out->n++;
            }
        }
        i += olen;
    }
}

size_t tcp_build_sack(const struct mi_tcp *t, uint8_t *out)
{
    const struct seqset *ooo = &t->ooo;
    if (!t->sack_ok || ooo->n == 0)
        return 0;
    /* RFC 2018 4: the first block holds the segment that triggered this
     * ACK (the latest out-of-order one); then the others, up to four. */
    int first = seqset_find(ooo, t->sack_recent);
    if (first < 0)
        first = 0;
    size_t n = 0;
    out[0] = 1;
    out[1] = 1;
    out[2] = 5;
    uint8_t *p = out + 4;
    put32(p, ooo->r[first].start);
    put32(p + 4, ooo->r[first].end);
    p += 8;
    n++;
    for (int i = 0; i < ooo->n && n < 4; i++) {
        if (i == first)
            continue;
        put32(p, ooo->r[i].start);
        put32(p + 4, ooo->r[i].end);
        p += 8;
        n++;
    }
    out[3] = (uint8_t)(2 + 8 * n);
    return 4 + 8 * n;
}

uint8_t tcp_our_wscale(void)
{
    uint8_t shift = 0;
    while (shift < TCP_MAX_WSCALE && ((uint32_t)MI_NET_TCP_RCVBUF >> shift) > 65535)
        shift++;
    return shift;
}
