/* SPDX-License-Identifier: ISC */
/* Running one child process for mirari's runners (run_socket.c,
 * run_direct.c, run_qemu.c): signals to mirari are passed on to it, an
 * exec failure is reported as an errno, and mirari exits as it did.
 * A runner brackets its set-up and the child with supervise_begin() and
 * supervise_end() and starts the child with supervise_run(). */
#ifndef MIRARI_TOOL_SUPERVISE_H
#define MIRARI_TOOL_SUPERVISE_H

#include <stdbool.h>
#include <sys/types.h>

/* Which signals mirari passes on, and as what. */
struct forwarding {
    int as;   /* 0: the signal received; else this one (QEMU takes SIGTERM) */
    bool hup; /* SIGHUP too, besides SIGINT and SIGTERM */
};

struct child_spec {
    const char *path; /* what to exec; argv[0] looked up in PATH when NULL */
    char **argv;      /* NULL-terminated */
    int keep_fd;      /* a close-on-exec fd the child inherits; -1: none */
    int death_signal; /* sent to the child when mirari dies; 0: none */
};

enum child_outcome {
    CHILD_RAN,     /* *status is its wait status */
    CHILD_STOPPED, /* a signal came before it started: child_stopped_by() */
    CHILD_FAILED,  /* not started: *status is the errno */
};

/* From here until supervise_end(), the signals `fw` names are recorded
 * (child_stopped_by) and passed on to the child while it runs. */
void supervise_begin(struct forwarding fw);
void supervise_end(void);

/* The last signal received since supervise_begin(); 0 if none. */
int child_stopped_by(void);

/* Starts the child and waits for it. */
enum child_outcome child_run(const struct child_spec *spec, int *status);

/* The tool's exit status for a child's wait status: its exit status, or
 * 128+N after a message saying `who` was killed by signal N. */
int child_exit_code(const char *who, int status);

/* What a runner makes of the child's wait status: the tool's exit status. */
typedef int (*status_fn)(int status, const void *ctx);

/* A runner's child, between supervise_begin() and supervise_end(): its
 * command line on stderr with -v, stdout flushed (what mirari said comes
 * before what the child says), then child_run(). Returns the tool's exit
 * status: decode(status, ctx) once it ran (child_exit_code() naming the
 * program when decode is NULL), 128+N when signal N came before it
 * started, 1 after a message when it could not start. */
int supervise_run(const struct child_spec *spec, status_fn decode, const void *ctx);

#endif
