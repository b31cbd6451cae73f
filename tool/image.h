/* SPDX-License-Identifier: ISC */
/* Disk images of an app (mirari image, mirari deploy): what to write and
 * the writer (image.c). */
#ifndef MIRARI_TOOL_IMAGE_H
#define MIRARI_TOOL_IMAGE_H

#include <stdint.h>

#include "util.h"

/* libvirt: a raw disk and a domain XML beside it (libvirt.h). */
enum image_format { IMAGE_RAW, IMAGE_QCOW2, IMAGE_GCE, IMAGE_LIBVIRT };

struct image_plan {
    enum image_format format;
    const char *kernel;      /* the built PVH/Multiboot2 kernel */
    const char *kernel_name; /* its name on the disk, in /boot */
    struct strlist words;    /* boot arguments */
    const char *output;      /* where the finished image goes */
    uint64_t esp_sectors;    /* set by image_plan_sizes */
    uint64_t disk_sectors;
    uint64_t min_bytes; /* the smallest disk that holds it */
};

/* The format's name, as --format takes it. */
const char *image_format_name(enum image_format format);
/* "raw", "qcow2", "gce", "libvirt": the format's number, or -1. */
int image_format_find(const char *name);
/* A size of bytes, or with K, M, G, T (powers of 1024, optionally
 * followed by B or iB): 0, or -1 when it is not one. */
int image_parse_size(const char *s, uint64_t *out);
/* Where GRUB's platform directories are: MIRARI_GRUB_LIB, else Debian's
 * /usr/lib/grub. */
const char *image_grub_lib(void);
/* The partition and disk sizes for a kernel of kernel_bytes, on a disk of
 * `requested` bytes (0: the smallest; GCE rounds up to whole GiB). -1
 * when the requested size is below p->min_bytes. */
int image_plan_sizes(struct image_plan *p, uint64_t kernel_bytes, uint64_t requested);

struct app_config;
/* The image's boot arguments: the configuration's (as xl_boot_words),
 * each --set KEY=VALUE in place of the key's word (checked as the
 * configuration's key is), and --ip-use-dhcp=true for an app with a
 * network and no address. 0, or -1 after messages. */
int image_boot_words(const struct app_config *cfg, const struct strlist *sets,
                     struct strlist *words);

/* Write the image: 0, or -1 after a message, with nothing left behind. */
int image_write(const struct image_plan *p);

#endif
