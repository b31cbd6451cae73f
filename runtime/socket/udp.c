/* SPDX-License-Identifier: ISC */
/* UDP over host sockets: the mi_udp_* half of include/mirari/net.h.
 * Datagrams are received in batches with recvmmsg into static buffers
 * (one system call for up to UDP_BATCH datagrams, no allocation) and
 * handed to the application one by one. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mirari/net.h>

#include "socket/sock.h"

#define UDP_BATCH 8
/* The largest UDP payload over IPv4 is 65507 bytes: nothing is cut. */
#define UDP_MAX 65536

struct mi_udp {
    struct sock_obj o;
    mi_udp_recv_fn fn;
    void *arg;
};

static void udp_event(struct sock_obj *o, uint32_t events);

mi_udp *mi_udp_bind(mi_ipv4 addr, uint16_t port, mi_udp_recv_fn fn, void *arg, int *err)
{
    int e = sock_setup();
    int fd = -1;
    struct mi_udp *u = NULL;
    if (e < 0)
        goto fail;
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        e = -errno;
        goto fail;
    }
    struct sockaddr_in sa = {
        .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(addr)};
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        e = -errno;
        goto fail;
    }
    u = calloc(1, sizeof(*u));
    if (u == NULL) {
        e = -ENOMEM;
        goto fail;
    }
    u->o.fd = fd;
    u->fn = fn;
    u->arg = arg;
    e = sock_add(&u->o, EPOLLIN | EPOLLET, udp_event);
    if (e < 0)
        goto fail;
    sock_active++;
    if (err != NULL)
        *err = 0;
    return u;
fail:
    if (fd >= 0)
        close(fd);
    free(u);
    if (err != NULL)
        *err = e;
    return NULL;
}

/* Input: receive and hand over datagrams until the socket is drained. */
static void udp_event(struct sock_obj *o, uint32_t events)
{
    static unsigned char bufs[UDP_BATCH][UDP_MAX];
    static struct sockaddr_in from[UDP_BATCH];
    static struct iovec iov[UDP_BATCH];
    static struct mmsghdr msgs[UDP_BATCH];
    struct mi_udp *u = (struct mi_udp *)o;

    for (;;) {
        for (int i = 0; i < UDP_BATCH; i++) {
            iov[i] = (struct iovec){.iov_base = bufs[i], .iov_len = UDP_MAX};
            msgs[i].msg_hdr = (struct msghdr){.msg_name = &from[i],
                                              .msg_namelen = sizeof(from[i]),
                                              .msg_iov = &iov[i],
                                              .msg_iovlen = 1};
        }
        int n = recvmmsg(u->o.fd, msgs, UDP_BATCH, MSG_DONTWAIT, NULL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return; /* EAGAIN: drained; anything else was an error report, consumed */
        }
        for (int i = 0; i < n; i++) {
            if (u->fn != NULL)
                u->fn(u, ntohl(from[i].sin_addr.s_addr), ntohs(from[i].sin_port), bufs[i],
                      msgs[i].msg_len, u->arg);
            if (u->o.closed)
                return;
        }
        /* Fewer than asked: the queue was empty at that moment, and
         * edge-triggered epoll reports anything that arrives later. */
        if (n < UDP_BATCH)
            return;
    }
}

ssize_t mi_udp_sendto(mi_udp *u, mi_ipv4 dst, uint16_t dport, const void *data, size_t len)
{
    struct sockaddr_in sa = {
        .sin_family = AF_INET, .sin_port = htons(dport), .sin_addr.s_addr = htonl(dst)};
    ssize_t n;
    do
        n = sendto(u->o.fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT, (struct sockaddr *)&sa,
                   sizeof(sa));
    while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : n;
}

void mi_udp_close(mi_udp *u)
{
    if (u == NULL || u->o.closed)
        return;
    sock_active--;
    sock_release(&u->o);
}
