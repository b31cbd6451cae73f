/* SPDX-License-Identifier: ISC */
/* runtime/core/net_backend.h on mirari's own stack: the loop blocks in the
 * platform (plat_yield) and every frame that arrived is run through
 * the stack before the loop goes on with timers and deferred calls.
 *
 * Entropy: the stack's hash key (ISNs, SYN cookies, ephemeral ports,
 * DHCP xids; RFC 6528's secret) is 16 bytes of the image's DRBG
 * (platform/include/rng.h), seeded from the platform's entropy source
 * (plat_entropy: getrandom(2) on a process, RDSEED/RDRAND or virtio-rng
 * on a kernel). A kernel without a source said so at boot; the key then
 * rests on clock readings. */
#include <errno.h>

#include <mirari/log.h>
#include <mirari/loop.h>
#include <platform.h>

#include "core/net_backend.h"
#include <rng.h>
#include "stack.h"

/* Frames handled per wait before timers get their turn again. */
#define FRAMES_PER_WAIT 256

static struct net_stack the_stack;
static bool started;
/* Room for the largest frame a device that coalesces segments gives
 * (platform.h); others give at most NET_FRAME_MAX. */
static uint8_t rx[PLAT_NET_FRAME_GSO];
static void (*ready_fn)(void *arg);
static void *ready_arg;

/* Set by net_backend_start: the stack is reached only through it, so
 * an image that never starts the network (main-noip) links the wait
 * without the stack (with --gc-sections on the kernel targets). */
static void (*poll_stack)(void);

void net_backend_wait(uint64_t deadline_ns)
{
    plat_yield(deadline_ns);
    if (poll_stack != NULL)
        poll_stack();
}

static void poll_frames(void)
{
    tcp_reap(&the_stack);
    net_stack_batch_begin(&the_stack);
    for (int i = 0; i < FRAMES_PER_WAIT; i++) {
        size_t len = 0;
        unsigned flags = 0;
        int r = plat_net_recv(rx, sizeof(rx), &len, &flags);
        if (r == -EMSGSIZE) {
            NET_DROP(&the_stack, eth_drop_long, "frame larger than %zu bytes", sizeof(rx));
            continue;
        }
        if (r == -EBADMSG) {
            NET_DROP(&the_stack, eth_drop_bad_offload, "offload header not asked for");
            continue;
        }
        if (r != 0)
            break;
        net_stack_input(&the_stack, rx, len, flags);
    }
    net_stack_batch_end(&the_stack);
}

size_t net_backend_active(void)
{
    if (!started)
        return 0;
    const struct net_stack *s = &the_stack;
    bool dhcp_busy = s->dhcp.state == DHCP_SELECTING || s->dhcp.state == DHCP_REQUESTING;
    return s->tcp.n_user + s->udp.n + (dhcp_busy ? 1 : 0);
}

static void call_ready(void *arg)
{
    (void)arg;
    if (ready_fn != NULL)
        ready_fn(ready_arg);
}

int net_backend_start(const struct net_backend_config *cfg, void (*ready)(void *arg), void *arg)
{
    struct plat_net_info info;
    if (started)
        return -EALREADY;
    int r = plat_net_info(&info);
    if (r != 0)
        return r;
    uint8_t key[NET_KEY_LEN];
    rng_bytes(key, sizeof key);
    net_stack_init(&the_stack, info.mac, info.mtu, key);
    the_stack.offloads = info.offloads;
    /* Checked against the key table already: only a name or NULL. */
    if (tcp_cc_by_name(cfg->tcp_congestion, &the_stack.tcp_cc) == 0 &&
        the_stack.tcp_cc != TCP_CC_BBR)
        mi_info("net: TCP congestion control %s", cfg->tcp_congestion);
    if (info.offloads != 0)
        mi_info("net: device offloads:%s%s%s%s",
                (info.offloads & PLAT_NET_TX_CSUM) ? " tx-csum" : "",
                (info.offloads & PLAT_NET_TX_TSO4) ? " tso4" : "",
                (info.offloads & PLAT_NET_RX_CSUM) ? " rx-csum" : "",
                (info.offloads & PLAT_NET_RX_GSO) ? " rx-gso" : "");
    net_current = &the_stack;
    started = true;
    poll_stack = poll_frames;
    if (cfg->dhcp)
        return dhcp_start(&the_stack, ready, arg);
    if (cfg->address == 0 || ipv4_is_martian(&the_stack, cfg->address))
        return -EINVAL;
    mi_ipv4 mask = cfg->netmask != 0 ? cfg->netmask : 0xffffff00u;
    net_stack_configure(&the_stack, cfg->address, mask, cfg->gateway);
    arp_announce(&the_stack);
    ready_fn = ready;
    ready_arg = arg;
    return mi_defer(call_ready, NULL);
}
