/* SPDX-License-Identifier: ISC */
/* The Internet checksum, RFC 1071. The sum is kept in 64 bits so that
 * carries are folded only once, at the end (RFC 1071 section 2, "deferred
 * carries"). Bytes are added as big-endian 16-bit words; when a piece has
 * an odd length, the first byte of the next piece is the low half of the
 * word the previous one started. */
#include "checksum.h"

void cksum_add(struct cksum *c, const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t sum = c->sum;

    if (len == 0)
        return;
    if (c->odd) {
        sum += p[0];
        p++;
        len--;
        c->odd = false;
    }
    /* Four bytes at a time: two words per step, no alignment assumed. */
    while (len >= 4) {
        sum += (uint32_t)(p[0] << 8 | p[1]) + (uint32_t)(p[2] << 8 | p[3]);
        p += 4;
        len -= 4;
    }
    if (len >= 2) {
        sum += (uint32_t)(p[0] << 8 | p[1]);
        p += 2;
        len -= 2;
    }
    if (len == 1) {
        sum += (uint32_t)p[0] << 8;
        c->odd = true;
    }
    c->sum = sum;
}

void cksum_add_pseudo(struct cksum *c, mi_ipv4 src, mi_ipv4 dst, uint8_t proto, uint16_t len)
{
    /* The pseudo-header is 12 bytes, always added first, so the sum is
     * even-aligned before and after. */
    c->sum += (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + len;
}

uint16_t cksum_finish(const struct cksum *c)
{
    uint64_t sum = c->sum;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

uint16_t cksum_buf(const void *data, size_t len)
{
    struct cksum c;
    cksum_init(&c);
    cksum_add(&c, data, len);
    return cksum_finish(&c);
}
