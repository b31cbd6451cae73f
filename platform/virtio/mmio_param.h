/* SPDX-License-Identifier: ISC */
/* Parsing `virtio_mmio.device=<size>@<base>:<irq>[:<id>]`, the way QEMU
 * microvm (with acpi=off) and Firecracker announce virtio-mmio devices on
 * the kernel command line (Linux drivers/virtio/virtio_mmio.c: size takes
 * a K/M/G suffix, numbers are decimal or 0x hex). Pure, tested on the
 * host (tests/unit/test_mmio_param.c). */
#ifndef MIRARI_VIRTIO_MMIO_PARAM_H
#define MIRARI_VIRTIO_MMIO_PARAM_H

#include <stdint.h>

struct mmio_param {
    uint64_t base, size;
    unsigned irq;
};

/* 0, or -1 when `word` is not a well-formed virtio_mmio.device= entry. */
int mmio_param_parse(const char *word, struct mmio_param *out);

#endif
