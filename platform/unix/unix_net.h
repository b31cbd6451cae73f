/* SPDX-License-Identifier: ISC */
/* platform/unix, unix-direct only: the tap device and the confinement.
 * Private to net_tap.c, yield.c and confine.c. */
#ifndef MIRARI_PLATFORM_UNIX_NET_H
#define MIRARI_PLATFORM_UNIX_NET_H

/* The fd to wait on for frames, or -1 (none, or it hung up). */
int unix_net_poll_fd(void);
/* The device hung up (the tap was removed, the relay closed its end):
 * stop waiting on it; frames sent from now on are dropped. */
void unix_net_hangup(void);

/* Install the seccomp allow-list: from then on the process can only do
 * what a unikernel on this platform does (read and write its fd and
 * stderr, wait, read clocks, manage memory, exit). Anything else kills it
 * with SIGSYS. Returns 0, or -1 when the kernel refused the filter. */
int unix_confine(void);

#endif
