/* SPDX-License-Identifier: ISC */
/* The sequence-range set of seqset.h: a sorted array, small enough
 * (SEQSET_CAP ranges) that a linear scan and memmove beat anything
 * cleverer. */
#include <string.h>

#include "seqset.h"

_Static_assert(SEQSET_CAP <= UINT8_MAX, "seqset counts its ranges in a byte");

bool seqset_add(struct seqset *set, uint32_t start, uint32_t end)
{
    /* Skip the ranges that end before start (not touching it). */
    unsigned i = 0;
    while (i < set->n && seq_lt(set->r[i].end, start))
        i++;
    /* Ranges from i on that touch or overlap [start, end) merge into one. */
    unsigned j = i;
    while (j < set->n && seq_le(set->r[j].start, end)) {
        if (seq_lt(set->r[j].start, start))
            start = set->r[j].start;
        if (seq_gt(set->r[j].end, end))
            end = set->r[j].end;
        j++;
    }
    if (j == i && set->n == SEQSET_CAP)
        return false;
    /* Replace ranges [i, j) by one. */
    unsigned merged = j - i;
    if (merged == 0) {
        memmove(&set->r[i + 1], &set->r[i], (set->n - i) * sizeof(set->r[0]));
        set->n++;
    } else if (merged > 1) {
        memmove(&set->r[i + 1], &set->r[j], (set->n - j) * sizeof(set->r[0]));
        set->n -= merged - 1;
    }
    set->r[i].start = start;
    set->r[i].end = end;
    return true;
}

void seqset_remove_below(struct seqset *set, uint32_t point)
{
    unsigned keep = 0;
    for (unsigned i = 0; i < set->n; i++) {
        if (seq_le(set->r[i].end, point))
            continue;
        set->r[keep] = set->r[i];
        if (seq_lt(set->r[keep].start, point))
            set->r[keep].start = point;
        keep++;
    }
    set->n = (uint8_t)keep;
}

void seqset_clear(struct seqset *set)
{
    set->n = 0;
}

int seqset_find(const struct seqset *set, uint32_t seq)
{
    for (unsigned i = 0; i < set->n; i++)
        if (seq_le(set->r[i].start, seq) && seq_lt(seq, set->r[i].end))
            return (int)i;
    return -1;
}

uint32_t seqset_bytes(const struct seqset *set)
{
    uint32_t n = 0;
    for (unsigned i = 0; i < set->n; i++)
        n += set->r[i].end - set->r[i].start;
    return n;
}
