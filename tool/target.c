/* SPDX-License-Identifier: ISC */
/* The target table; see target.h. */
#include "target.h"

#include <stdio.h>
#include <string.h>

/* The seed's --unix meant unix-direct and its default was the socket
 * target; both are of the seed's "unix" family (compiler +mirage-unix). */
const struct target targets[] = {
    {"unix-socket", "socket", "--socket", "unix-socket.mk", "", "unix", false, false, false,
     run_socket, "a Linux process on host sockets (default)"},
    {"unix-direct", "unix", "--unix", "unix-direct.mk", "", "unix", false, true, false, run_direct,
     "a Linux process with mirari's TCP/IP stack on a tap device"},
    {"qemu", NULL, NULL, "qemu.mk", ".pvh", NULL, false, true, true, run_qemu,
     "a PVH kernel under QEMU (KVM when available)"},
    /* One kernel image boots under QEMU and Xen (the drivers are chosen at
     * boot from CPUID), so xen builds qemu's PVH kernel, named as the
     * seed's mir-NAME.xen, and adds NAME.xl for xl. */
    {"xen", NULL, "--xen", "qemu.mk", ".xen", "xen", true, true, true, run_xen,
     "a PVH guest started with xl create"},
};
const size_t ntargets = sizeof targets / sizeof targets[0];

const struct target *target_default(void)
{
    return &targets[0];
}

const struct target *target_find(const char *name)
{
    for (size_t i = 0; i < ntargets; i++)
        if (strcmp(targets[i].name, name) == 0 ||
            (targets[i].alias && strcmp(targets[i].alias, name) == 0))
            return &targets[i];
    return NULL;
}

const char *target_names(void)
{
    static char names[256];
    if (!names[0]) {
        for (size_t i = 0; i < ntargets; i++) {
            const char *sep = i == 0 ? "" : i + 1 == ntargets ? " or " : ", ";
            size_t len = strlen(names);
            if (targets[i].alias)
                snprintf(names + len, sizeof names - len, "%s%s (%s)", sep, targets[i].name,
                         targets[i].alias);
            else
                snprintf(names + len, sizeof names - len, "%s%s", sep, targets[i].name);
        }
    }
    return names;
}

const struct target *target_by_flag(const char *flag)
{
    for (size_t i = 0; i < ntargets; i++)
        if (targets[i].flag && strcmp(targets[i].flag, flag) == 0)
            return &targets[i];
    return NULL;
}

const struct target *target_for_family(const char *family, const struct target *requested)
{
    if (requested && requested->seed_family && strcmp(requested->seed_family, family) == 0)
        return requested;
    for (size_t i = 0; i < ntargets; i++)
        if (targets[i].seed_family && strcmp(targets[i].seed_family, family) == 0)
            return &targets[i];
    return NULL;
}
