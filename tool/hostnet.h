/* SPDX-License-Identifier: ISC */
/* The host side of a unikernel's tap network, one implementation for the
 * runners that use one: run_direct.c (the tap fd is the unikernel's NIC)
 * and run_qemu.c (the fd is QEMU's `-netdev tap,fd=N`).
 *
 *   tap        a new one (mir0, mir1, ...: the kernel picks the number),
 *              created non-persistent, so it disappears as soon as the
 *              last fd on it is closed: when mirari and whatever inherited
 *              the fd are gone, however they ended. MIRARI_TAP=NAME uses
 *              a tap created beforehand instead (the way without
 *              privileges: `ip tuntap add dev NAME mode tap user USER`),
 *              left as it was.
 *   host side  a new tap gets 10.0.0.1/24 (MIRARI_TAP_ADDRESS=A.B.C.D/N
 *              to choose) and is brought up, unless that subnet already
 *              belongs to another interface: two interfaces on one subnet
 *              would break the host's own routing to it.
 *   addresses  an app with neither ip-use-dhcp nor ip-address is given
 *              the host address + 1, the host's netmask and the host as
 *              gateway; one whose address is in the host's subnet, the
 *              netmask and gateway it does not set (hostnet_default_address).
 *   DHCP       with ip-use-dhcp: true, dnsmasq serves that tap alone (no
 *              DNS), a range of the host's subnet, its lease file and pid
 *              file in a private temporary directory.
 *   cleanup    hostnet_close: dnsmasq stopped, its directory removed, the
 *              fd closed (which removes a tap mirari created). */
#ifndef MIRARI_TOOL_HOSTNET_H
#define MIRARI_TOOL_HOSTNET_H

#include <linux/if.h>
#include <stdbool.h>
#include <sys/types.h>

#include <mirari/net.h>

#include "util.h"

#define HOSTNET_DEFAULT_HOST   "10.0.0.1"
#define HOSTNET_DEFAULT_PREFIX 24

struct hostnet {
    char tap[IFNAMSIZ]; /* its name */
    int fd;             /* open on the tap, close-on-exec; -1 when none */
    bool given;         /* the user's tap (MIRARI_TAP): not configured by us */
    bool dhcp;          /* the app configures itself by DHCP (dnsmasq serves it) */
    bool has_address;   /* the app has a static ip-address of its own */
    mi_ipv4 host, mask; /* the host side's address and netmask */
    char **boot_args;   /* the app's, as given to hostnet_open */
    pid_t dnsmasq;      /* 0 when not running */
    char *dir;          /* dnsmasq's temporary directory, or NULL */
};

enum {
    HOSTNET_OK = 0,
    HOSTNET_FAILED = -1,      /* after an error message */
    HOSTNET_UNAVAILABLE = -2, /* only when probing: no privileges for a tap,
                               * no tun driver, or the subnet is taken */
};

/* MIRARI_TAP when set and not empty, else NULL. */
const char *hostnet_given_tap(void);

/* Read the app's network keys from its boot arguments (the last one wins,
 * as in the unikernel) and MIRARI_TAP_ADDRESS; open the tap `given` (a
 * name, or NULL to create one and configure its host side). With `probe`,
 * a missing privilege, tun driver or free subnet returns
 * HOSTNET_UNAVAILABLE and `why` (a static phrase) without a message.
 * hostnet_close is needed after any result. */
int hostnet_open(struct hostnet *hn, char **boot_args, const char *given, bool probe,
                 const char **why);

/* Start dnsmasq when the app uses DHCP; 0, or -1 after a message. */
int hostnet_start_dhcp(struct hostnet *hn);

/* Append the boot arguments (--ip-address=, --ip-netmask=, --ip-gateway=)
 * of the defaults above that the app does not set itself. */
void hostnet_default_address(const struct hostnet *hn, struct strlist *out);

/* The unikernel's address when known before it boots (static), else 0. */
mi_ipv4 hostnet_guest_address(const struct hostnet *hn, char **boot_args);

/* One line for the user: the tap, the host address, DHCP. */
void hostnet_note(const struct hostnet *hn);

/* Stop dnsmasq, remove its directory, close the fd. Safe to call twice,
 * and after any hostnet_open result. */
void hostnet_close(struct hostnet *hn);

/* The pieces, for the unit test. "A.B.C.D[/N]" (N from 8 to 30, default
 * 24): 0 or -1. */
int hostnet_parse_cidr(const char *s, mi_ipv4 *addr, mi_ipv4 *mask);
/* The range dnsmasq leases from: the upper half of the subnet without the
 * broadcast address, and never the host. */
void hostnet_dhcp_range(mi_ipv4 host, mi_ipv4 mask, mi_ipv4 *first, mi_ipv4 *last);
/* The value of --KEY= in boot arguments; the last one wins. */
const char *hostnet_boot_value(char **args, const char *key);

/* In the text of /proc/net/route, a route other than the default that
 * overlaps addr/mask: "10.0.0.0/8 via 192.168.5.254" (a static buffer),
 * its interface in iface; NULL when none. */
const char *hostnet_route_overlap(const char *routes, mi_ipv4 addr, mi_ipv4 mask, char *iface,
                                  size_t cap);

#endif
