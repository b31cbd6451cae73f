/* SPDX-License-Identifier: ISC */
/* Internal interfaces between the parts of runtime/core and the backends
 * linked with it (runtime/socket, runtime/net). Not for applications. */
#ifndef MIRARI_CORE_CORE_H
#define MIRARI_CORE_CORE_H

#include <stdbool.h>
#include <stdint.h>

/* True once mi_exit() was called in this mi_run(): a backend stops
 * dispatching the rest of its event batch ("stop after the current
 * callback"). */
bool loop_exiting(void);

/* The monotonic time the log counts from ("[    0.000000]" is this
 * instant). Set by mi_app_main() at start; the first log line sets it
 * otherwise. */
void log_set_origin(uint64_t monotonic_ns);

#endif
