/* SPDX-License-Identifier: ISC */
/* The targets mirari builds for, in one table (target.c). Adding a
 * target, or the runner of one, is a file tool/run_NAME.c defining the
 * runner declared below plus its line in the table.
 *
 * configure and build need only the target's runtime, described by
 * lib/mirari/<mk> of the install; run needs the runner too. */
#ifndef MIRARI_TOOL_TARGET_H
#define MIRARI_TOOL_TARGET_H

#include <stdbool.h>
#include <stddef.h>

struct app_config;

/* What a runner is given: everything about the app and how to start it. */
struct run_request {
    const char *app;              /* the app's name ("hello") */
    const char *appdir;           /* its directory (where the .conf is) */
    const char *image;            /* the built image: appdir/mir-hello */
    char **boot_args;             /* argv[1..] for the unikernel, NULL-terminated:
                                   * --KEY=VALUE from the configuration, then the
                                   * user's arguments after -- */
    const struct app_config *cfg; /* the effective configuration (xl-*, ip-*, memory) */
};

/* Start the unikernel, wait for it, clean up what the runner created.
 * Returns the tool's exit status: the unikernel's own, 128+N when it died
 * of signal N (with a message), 1 when it could not be started. */
typedef int (*runner_fn)(const struct run_request *req);

int run_socket(const struct run_request *req); /* tool/run_socket.c */
int run_direct(const struct run_request *req); /* tool/run_direct.c */
int run_qemu(const struct run_request *req);   /* tool/run_qemu.c */
int run_xen(const struct run_request *req);    /* tool/run_xen.c */

struct target {
    const char *name;        /* "unix-socket" */
    const char *alias;       /* "socket", or NULL */
    const char *flag;        /* the seed's switch: "--socket", or NULL */
    const char *mk;          /* "unix-socket.mk" in lib/mirari: the target's runtime */
    const char *suffix;      /* of the image: mir-NAME<suffix> ("" or ".xen") */
    const char *seed_family; /* what the seed's compiler: +mirage-<family> meant */
    bool xl;                 /* configure writes _build/NAME.xl (tool/xl.h) */
    bool own_stack;          /* mirari's TCP/IP stack: the app has its interface's
                              * address only, no loopback */
    bool vm;                 /* a virtual machine: memory (else xl-memory) sizes it */
    runner_fn run;
    const char *summary; /* one line for --help */
};

extern const struct target targets[];
extern const size_t ntargets;

const struct target *target_default(void);
/* By name or alias; NULL if none. */
const struct target *target_find(const char *name);
/* "unix-socket (socket), unix-direct (unix), qemu or xen": for messages. */
const char *target_names(void);
/* By the seed's switch ("--unix"); NULL if none. */
const struct target *target_by_flag(const char *flag);
/* The target a seed compiler: value of family "unix" or "xen" selects:
 * the requested target when it is of that family, else the family's
 * first target. */
const struct target *target_for_family(const char *family, const struct target *requested);

#endif
