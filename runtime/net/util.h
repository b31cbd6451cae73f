/* SPDX-License-Identifier: ISC */
/* Small helpers shared by every protocol of the stack: big-endian field
 * access (packets are never assumed aligned), an intrusive doubly-linked
 * list, and logging of drops. */
#ifndef MIRARI_NET_UTIL_H
#define MIRARI_NET_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mirari/log.h>

static inline uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* printf arguments for an mi_ipv4: "%u.%u.%u.%u", IP4_ARGS(a) */
#define IP4_FMT "%u.%u.%u.%u"
#define IP4_ARGS(a)                                                                                \
    (unsigned)((a) >> 24), (unsigned)((a) >> 16 & 255), (unsigned)((a) >> 8 & 255),                \
        (unsigned)((a)&255)

/* ---- intrusive list: a circular list with a head node ---- */
struct net_list {
    struct net_list *prev, *next;
};

static inline void net_list_init(struct net_list *h)
{
    h->prev = h->next = h;
}

static inline bool net_list_empty(const struct net_list *h)
{
    return h->next == h;
}

/* A node that is in no list points to itself (so removal is idempotent). */
static inline bool net_list_linked(const struct net_list *n)
{
    return n->next != n && n->next != NULL;
}

static inline void net_list_add_tail(struct net_list *h, struct net_list *n)
{
    n->prev = h->prev;
    n->next = h;
    h->prev->next = n;
    h->prev = n;
}

static inline void net_list_del(struct net_list *n)
{
    if (n->next == NULL)
        return;
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->prev = n->next = n;
}

#define net_container_of(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/* Count a drop by reason and say why at debug level. */
#define NET_DROP(s, counter, ...)                                                                  \
    do {                                                                                           \
        (s)->stats.counter++;                                                                      \
        mi_debug("net: " #counter ": " __VA_ARGS__);                                               \
    } while (0)

#endif
