/* SPDX-License-Identifier: ISC */
/* TCP options: Maximum Segment Size (RFC 9293 3.7.1), Window Scale
 * (RFC 7323 section 2), SACK-permitted (RFC 2018) and timestamps
 * (RFC 7323 section 3) in SYNs, SACK blocks and timestamps in any segment.
 * The parsers read the list through one iterator (next_option). */
#include "stack.h"

/* Option kinds (RFC 9293 3.1, RFC 7323, RFC 2018). */
#define OPT_EOL       0
#define OPT_NOP       1
#define OPT_MSS       2
#define OPT_WSCALE    3
#define OPT_SACK_PERM 4
#define OPT_SACK      5
#define OPT_TS        8
#define OPT_TS_LEN    10

/* One option of a list: its kind, and its bytes after kind and length. */
struct tcp_opt {
    uint8_t kind;
    uint8_t len; /* of body */
    const uint8_t *body;
};

/* The option at *pos or after it, skipping no-operations; *pos moves past
 * it. false at the end of the list: its last byte, End of Option List,
 * or an option that is malformed (RFC 9293 3.1: kinds 0 and 1 are one
 * byte, every other option has a length byte of at least 2 that keeps it
 * within the header; "MUST be prepared to handle an illegal option
 * length"). A malformed option ends parsing there: what came before it
 * still counts, nothing after it does. */
static bool next_option(const uint8_t *opt, size_t len, size_t *pos, struct tcp_opt *o)
{
    size_t i = *pos;
    while (i < len && opt[i] == OPT_NOP)
        i++;
    if (i >= len || opt[i] == OPT_EOL)
        return false;
    if (i + 1 >= len)
        return false;
    uint8_t olen = opt[i + 1];
    if (olen < 2 || i + olen > len)
        return false;
    o->kind = opt[i];
    o->len = (uint8_t)(olen - 2);
    o->body = opt + i + 2;
    *pos = i + olen;
    return true;
}

void tcp_parse_syn_options(const uint8_t *opt, size_t len, struct tcp_syn_opts *out)
{
    out->mss = 0;
    out->wscale = -1;
    out->sack_ok = false;
    out->ts = false;
    out->tsval = 0;
    struct tcp_opt o;
    for (size_t pos = 0; next_option(opt, len, &pos, &o);) {
        if (o.kind == OPT_MSS && o.len == 2) {
            out->mss = get16(o.body);
        } else if (o.kind == OPT_WSCALE && o.len == 1) {
            /* RFC 7323 2.3: a shift above 14 is used as 14. */
            out->wscale = o.body[0] > TCP_MAX_WSCALE ? TCP_MAX_WSCALE : o.body[0];
        } else if (o.kind == OPT_SACK_PERM && o.len == 0) {
            out->sack_ok = true;
        } else if (o.kind == OPT_TS && o.len == OPT_TS_LEN - 2) {
            out->ts = true;
            out->tsval = get32(o.body);
        }
    }
}

size_t tcp_build_syn_options(uint8_t *out, uint16_t mss, int wscale, bool sack)
{
    size_t n = 0;
    out[n++] = OPT_MSS;
    out[n++] = 4;
    put16(out + n, mss);
    n += 2;
    if (wscale >= 0) {
        out[n++] = OPT_NOP; /* so the option ends on a 4-byte boundary */
        out[n++] = OPT_WSCALE;
        out[n++] = 3;
        out[n++] = (uint8_t)wscale;
    }
    if (sack) {
        out[n++] = OPT_NOP;
        out[n++] = OPT_NOP;
        out[n++] = OPT_SACK_PERM;
        out[n++] = 2;
    }
    return n;
}

void tcp_parse_sack(const uint8_t *opt, size_t len, struct tcp_sack_blocks *out)
{
    out->n = 0;
    struct tcp_opt o;
    for (size_t pos = 0; next_option(opt, len, &pos, &o);) {
        /* RFC 2018 3: one to four blocks of two sequence numbers. */
        if (o.kind != OPT_SACK || o.len < 8 || o.len % 8 != 0)
            continue;
        for (size_t k = 0; k + 8 <= o.len && out->n < 4; k += 8) {
            out->b[out->n].start = get32(o.body + k);
            out->b[out->n].end = get32(o.body + k + 4);
            out->n++;
        }
    }
}

void tcp_parse_ts(const uint8_t *opt, size_t len, struct tcp_ts *out)
{
    out->ok = false;
    struct tcp_opt o;
    for (size_t pos = 0; next_option(opt, len, &pos, &o);) {
        if (o.kind == OPT_TS && o.len == OPT_TS_LEN - 2) {
            out->ok = true;
            out->val = get32(o.body);
            out->ecr = get32(o.body + 4);
            return;
        }
    }
}

bool tcp_options_valid(const uint8_t *opt, size_t len)
{
    size_t pos = 0;
    struct tcp_opt o;
    while (next_option(opt, len, &pos, &o)) {
        /* The lengths RFC 9293 3.1, RFC 7323 2.2 and 3.2, RFC 2018 2 and
         * 3 give their kinds; other kinds only have to fit. */
        if ((o.kind == OPT_MSS && o.len != 2) || (o.kind == OPT_WSCALE && o.len != 1) ||
            (o.kind == OPT_SACK_PERM && o.len != 0) || (o.kind == OPT_TS && o.len != 8) ||
            (o.kind == OPT_SACK && (o.len == 0 || o.len % 8 != 0)))
            return false;
    }
    /* next_option stopped at the end, at End of Option List, or at an
     * option that does not fit: only the last is malformed. */
    while (pos < len && opt[pos] == OPT_NOP)
        pos++;
    return pos >= len || opt[pos] == OPT_EOL;
}

size_t tcp_build_ts(uint8_t *out, uint32_t tsval, uint32_t tsecr)
{
    out[0] = OPT_NOP;
    out[1] = OPT_NOP;
    out[2] = OPT_TS;
    out[3] = OPT_TS_LEN;
    put32(out + 4, tsval);
    put32(out + 8, tsecr);
    return 12;
}

size_t tcp_build_sack(const struct mi_tcp *t, uint8_t *out)
{
    const struct seqset *ooo = &t->ooo;
    if (!t->sack_ok || (ooo->n == 0 && !t->dsack))
        return 0;
    /* RFC 2883: a duplicate to report goes first; then (RFC 2018 4) the
     * block of the segment that triggered this ACK (the latest
     * out-of-order one), then the others. 40 bytes of options: 4 blocks,
     * or 3 beside the timestamps. */
    size_t max = t->ts_ok ? 3 : 4;
    size_t n = 0;
    out[0] = OPT_NOP;
    out[1] = OPT_NOP;
    out[2] = OPT_SACK;
    uint8_t *p = out + 4;
    if (t->dsack) {
        put32(p, t->dsack_start);
        put32(p + 4, t->dsack_end);
        p += 8;
        n++;
    }
    int first = seqset_find(ooo, t->sack_recent);
    if (first < 0)
        first = 0;
    if (ooo->n > 0) {
        put32(p, ooo->r[first].start);
        put32(p + 4, ooo->r[first].end);
        p += 8;
        n++;
    }
    for (int i = 0; i < ooo->n && n < max; i++) {
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
    while (shift < TCP_MAX_WSCALE && ((uint32_t)MI_NET_TCP_RCVBUF_MAX >> shift) > 65535)
        shift++;
    return shift;
}
