/* SPDX-License-Identifier: ISC */
/* The kernel's machine, chosen once at boot (platform/include/machine.h):
 * Xen's when CPUID says the kernel is a Xen guest, otherwise the
 * architecture's emulated PC. Here because the composition is the one
 * place that knows both the architecture and the hypervisor folders; the
 * network driver is chosen in net.c. */
#include <machine.h>

#include "../xen/xen_machine.h"

const struct machine *machine_probe(void)
{
    return xen_machine();
}
