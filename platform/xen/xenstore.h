/* SPDX-License-Identifier: ISC */
/* The xenstore client (xenstore.c): the calls the netfront and the test
 * guests use. Synchronous: each call sends one request and waits for its
 * reply, halting between events of the store's channel, for at most
 * XENSTORE_TIMEOUT_NS. Meant for start-up, before the application's loop.
 * Needs no Xen header, so a test guest can include it. */
#ifndef MIRARI_XENSTORE_H
#define MIRARI_XENSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How long one request may wait for its reply. */
#define XENSTORE_TIMEOUT_NS (10 * 1000000000ull)

/* Every call returns a negative errno on failure: -ENODEV when not on Xen
 * or the store's ring is not offered, -ETIMEDOUT when the daemon did not
 * answer in time, -EIO on a malformed reply, or the daemon's own error
 * (-ENOENT, -EACCES, -EAGAIN for a transaction to retry, ...). A path
 * without a leading '/' is relative to the domain's home,
 * /local/domain/<domid>. tx is 0 outside a transaction. */

/* The value at path, NUL-terminated into buf: its length, or -EMSGSIZE
 * when it does not fit in cap - 1 bytes. */
int xenstore_read(uint32_t tx, const char *path, char *buf, size_t cap);
int xenstore_write(uint32_t tx, const char *path, const char *value);
/* The names of path's children, each NUL-terminated, one after the other
 * in buf: their total length, or -EMSGSIZE. */
int xenstore_directory(uint32_t tx, const char *path, char *buf, size_t cap);
/* Start a transaction (0 and *tx), or end it, committing when commit is
 * true; -EAGAIN from the end: a conflicting change, start again. */
int xenstore_transaction_start(uint32_t *tx);
int xenstore_transaction_end(uint32_t tx, bool commit);
/* Watch path (and what is below it); the daemon fires the watch once at
 * once, then on every change. */
int xenstore_watch(const char *path, const char *token);
int xenstore_unwatch(const char *path, const char *token);
/* How many watch events have arrived so far, and waiting until that count
 * differs from seen (0), or until monotonic time deadline_ns
 * (-ETIMEDOUT). Read the count before looking at the watched value, so no
 * change is missed between the look and the wait. */
unsigned xenstore_watch_events(void);
int xenstore_wait_watch(unsigned seen, uint64_t deadline_ns);

#endif
