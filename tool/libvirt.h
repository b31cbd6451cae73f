/* SPDX-License-Identifier: ISC */
/* A libvirt domain for a mirari disk image (mirari image
 * --format=libvirt): QEMU (type 'qemu', so it runs under TCG where there is
 * no KVM; libvirt uses KVM when the domain type says kvm), the disk on
 * virtio-blk, one virtio-net on a libvirt network or on an existing tap,
 * the serial port as the console (virsh console) and logged to a file, a
 * virtio-rng device fed from the host's /dev/urandom,
 * and a guest that powers off or resets ends the domain instead of
 * rebooting it. The format is libvirt's "Domain XML format". */
#ifndef MIRARI_TOOL_LIBVIRT_H
#define MIRARI_TOOL_LIBVIRT_H

/* The XML of domain `name` booting `disk` (an absolute path) with
 * memory_mb MiB; `network` is a libvirt network's name or "tap:DEV";
 * `console_log` (absolute, or NULL) receives the serial console. */
char *libvirt_domain_xml(const char *name, const char *disk, unsigned long memory_mb,
                         const char *network, const char *console_log);

/* A network name or tap:DEV that can be written: NULL, or why not. */
const char *libvirt_network_check(const char *network);

#endif
