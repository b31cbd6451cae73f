/* SPDX-License-Identifier: ISC */
/* platform/xen's face to the kernel's composition (platform/pvh): the
 * Xen PVH guest's machine (platform/include/machine.h). */
#ifndef MIRARI_XEN_MACHINE_H
#define MIRARI_XEN_MACHINE_H

struct machine;

/* The Xen machine when running as a Xen guest (the hypercall page is then
 * installed), or NULL. Call once. */
const struct machine *xen_machine(void);

#endif
