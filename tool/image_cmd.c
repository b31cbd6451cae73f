/* SPDX-License-Identifier: ISC */
/* mirari image: build the app's kernel when needed, then write a disk
 * image of it (image.h) with the configuration's boot arguments, changed
 * by --set KEY=VALUE without a rebuild (image_args.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "image.h"
#include "image_cmd.h"
#include "libvirt.h"

static const char *const default_suffix[] = {".img", ".qcow2", "-gce.tar.gz", ".xml"};

#define LIBVIRT_DEFAULT_MEMORY_MB 64 /* room for the firmware, GRUB and the app */

/* For --format=libvirt: the domain XML at `xml`, for the disk written
 * beside it (the same name ending in .img). 0, or -1 after a message. */
static int write_domain(const struct session *s, const struct cli *cli, const char *xml,
                        const char *disk)
{
    const char *network = cli->opts.network ? cli->opts.network : "default";
    const struct conf_item *mem = cfg_get(&s->cfg, "memory");
    unsigned long mb = mem ? strtoul(mem->value, NULL, 10) : LIBVIRT_DEFAULT_MEMORY_MB;
    char *abs_disk = realpath(disk, NULL);
    char *dir = path_dir(abs_disk ? abs_disk : disk);
    char *log = xasprintf("%s/%s.console.log", dir, s->app);
    char *text = libvirt_domain_xml(s->app, abs_disk ? abs_disk : disk, mb, network, log);
    int rc = 0;
    if (!abs_disk || write_if_changed(xml, text, strlen(text)) < 0) {
        errorf("cannot write %s: %s", xml, strerror(errno));
        rc = -1;
    }
    free(text);
    free(log);
    free(dir);
    free(abs_disk);
    return rc;
}

int image_for_session(struct session *s, const struct cli *cli, enum image_format format,
                      const char *output, char **written)
{
    uint64_t requested = 0;
    if (cli->opts.size && image_parse_size(cli->opts.size, &requested) < 0) {
        errorf("--size %s: expected a size in bytes or with K, M, G or T (e.g. 64M, 1G)",
               cli->opts.size);
        return EXIT_USAGE;
    }
    if (strcmp(s->target->mk, "qemu.mk") != 0) {
        errorf("a disk image boots the kernel of the qemu target; this app is configured for %s: "
               "give -t qemu (mirari %s -t qemu) or configure with -t qemu",
               s->target->name, cli->command->name);
        return EXIT_FAIL;
    }
    /* The boot arguments first: a bad --set is refused before a build. */
    struct image_plan p = {.format = format};
    if (image_boot_words(&s->cfg, &cli->opts.set, &p.words) < 0) {
        sl_free(&p.words);
        return EXIT_USAGE;
    }
    int rc = build_app(s);
    if (rc != EXIT_OK) {
        sl_free(&p.words);
        return rc;
    }
    char *kernel = image_path(s);
    p.kernel = kernel;
    p.kernel_name = path_base(kernel);
    char *name = xasprintf("%s%s", s->app, default_suffix[format]);
    char *out = output ? xstrdup(output) : path_join(s->appdir, name);
    free(name);
    /* libvirt: -o names the XML; the disk is beside it, as NAME.img. */
    char *disk = NULL;
    if (format == IMAGE_LIBVIRT) {
        size_t n = strlen(out);
        disk = str_ends(out, ".xml") ? xasprintf("%.*s.img", (int)(n - 4), out)
                                     : xasprintf("%s.img", out);
    }
    p.output = disk ? disk : out;
    if (image_plan_sizes(&p, (uint64_t)file_size(kernel), requested) < 0) {
        errorf("--size %s: the disk is too small; this image needs at least %llu MiB",
               cli->opts.size, (unsigned long long)((p.min_bytes + (1 << 20) - 1) >> 20));
        rc = EXIT_FAIL;
    } else if (image_write(&p) < 0) {
        rc = EXIT_FAIL;
    } else if (disk && write_domain(s, cli, out, disk) < 0) {
        unlink(disk); /* no disk without its domain */
        rc = EXIT_FAIL;
    } else {
        /* libvirt's disk is a raw one. */
        say("wrote %s (%s, a %llu MiB disk that boots by BIOS and UEFI)", p.output,
            image_format_name(disk ? IMAGE_RAW : format),
            (unsigned long long)(p.disk_sectors * 512 >> 20));
        if (disk)
            say("wrote %s (libvirt domain: virsh define %s && virsh start %s)", out, out, s->app);
        if (written)
            *written = xstrdup(out);
    }
    sl_free(&p.words);
    free(kernel);
    free(out);
    free(disk);
    return rc;
}

int cmd_image(const struct cli *cli)
{
    if (cli->words.n) {
        errorf("image takes no operands; the output is -o FILE");
        return EXIT_USAGE;
    }
    int format = IMAGE_RAW;
    if (cli->opts.format && (format = image_format_find(cli->opts.format)) < 0) {
        errorf("--format %s: unknown format; expected raw, qcow2, gce or libvirt",
               cli->opts.format);
        return EXIT_USAGE;
    }
    const char *why = cli->opts.network ? libvirt_network_check(cli->opts.network) : NULL;
    if (cli->opts.network && format != IMAGE_LIBVIRT)
        why = "a network is only for --format=libvirt";
    if (why) {
        errorf("--network %s: %s", cli->opts.network, why);
        return EXIT_USAGE;
    }
    struct session s;
    int rc = session_open(&s, cli, true);
    if (rc == EXIT_OK)
        rc = image_for_session(&s, cli, (enum image_format)format, cli->opts.output, NULL);
    session_close(&s);
    return rc;
}
