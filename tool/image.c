/* SPDX-License-Identifier: ISC */
/* mirari image: a disk image of the app that boots by legacy BIOS and by
 * UEFI alike, built as an ordinary user from Debian's GRUB and mtools.
 *
 * Layout (GPT, 512-byte sectors, everything on 1 MiB boundaries):
 *   LBA 0           protective MBR carrying GRUB's boot.img
 *   LBA 1..33       GPT header and entries (gpt.h)
 *   1 MiB, 1 MiB    "BIOS boot": GRUB's core.img for the BIOS path
 *   2 MiB, ESP      FAT32 "EFI system": /EFI/BOOT/BOOTX64.EFI (GRUB for
 *                   UEFI), /boot/grub/grub.cfg and the kernel /boot/mir-NAME
 *   the last 33     the backup GPT
 * Both GRUBs carry their modules and the prefix (,gpt2)/boot/grub: the
 * partition 2 of the disk they were loaded from, so one grub.cfg serves
 * both. The kernel is the qemu target's PVH image, which also carries a
 * Multiboot2 header (platform/x86_64/boot.S). Nothing is written where
 * the output goes until the whole image is ready: the work happens in a
 * directory beside it, removed on every exit, and a rename publishes it. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "gpt.h"
#include "grub_bios.h"
#include "grub_cfg.h"
#include "image.h"
#include "xl.h"

#define MIB             (1024ull * 1024)
#define SECTORS_PER_MIB (MIB / GPT_SECTOR)
#define BIOS_BOOT_LBA   (1 * SECTORS_PER_MIB)
#define ESP_LBA         (2 * SECTORS_PER_MIB)
#define ESP_MIN_MIB     40 /* FAT32 needs 65525 clusters of one sector, ~33 MiB */
#define GIB             (1024 * MIB)

/* The modules both GRUBs carry: the partition table, the file system,
 * the loader, the configuration file, the serial console. */
#define GRUB_MODULES "part_gpt", "fat", "multiboot2", "normal", "configfile", "serial", "terminal"

static const char *const format_names[] = {"raw", "qcow2", "gce", "libvirt"};

/* The work directory's files, fixed so a signal handler can remove them. */
enum { W_CORE, W_EFI, W_CFG, W_ESP, W_DISK, W_FINAL, W_COUNT };
static const char *const work_names[W_COUNT] = {"core.img", "BOOTX64.EFI", "grub.cfg",
                                                "esp.fat",  "disk.raw",    "final"};
static char *work_paths[W_COUNT];
static char *work_dir;

static void work_remove(void)
{
    for (int i = 0; i < W_COUNT; i++)
        if (work_paths[i])
            unlink(work_paths[i]);
    if (work_dir)
        rmdir(work_dir);
}

static void on_signal(int sig)
{
    work_remove(); /* unlink and rmdir only: async-signal-safe */
    signal(sig, SIG_DFL);
    raise(sig);
}

static int work_open(const char *out)
{
    char *dir = path_dir(out);
    work_dir = xasprintf("%s/.%s.mirari-%ld", dir, path_base(out), (long)getpid());
    free(dir);
    for (int i = 0; i < W_COUNT; i++)
        work_paths[i] = path_join(work_dir, work_names[i]);
    if (mkdir(work_dir, 0700) < 0) {
        errorf("cannot create %s: %s", work_dir, strerror(errno));
        return -1;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    return 0;
}

static void work_close(void)
{
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    work_remove();
    for (int i = 0; i < W_COUNT; i++) {
        free(work_paths[i]);
        work_paths[i] = NULL;
    }
    free(work_dir);
    work_dir = NULL;
}

int image_parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || errno || *s == '-')
        return -1;
    uint64_t unit = 1;
    if (*end) {
        const char *units = "KMGT";
        const char *u = strchr(units, *end);
        if (!u || !*u)
            return -1;
        unit = 1ull << (10 * (u - units + 1));
        end++;
        if (strcmp(end, "") != 0 && strcmp(end, "iB") != 0 && strcmp(end, "B") != 0)
            return -1;
    }
    if (v == 0 || v > UINT64_MAX / unit)
        return -1;
    *out = v * unit;
    return 0;
}

const char *image_format_name(enum image_format format)
{
    return format_names[format];
}

int image_format_find(const char *name)
{
    for (size_t i = 0; i < sizeof format_names / sizeof *format_names; i++)
        if (strcmp(name, format_names[i]) == 0)
            return (int)i;
    return -1;
}

const char *image_grub_lib(void)
{
    const char *d = getenv("MIRARI_GRUB_LIB");
    return d && *d ? d : "/usr/lib/grub";
}

/* Every program and file the format needs, all missing ones in one
 * message with the Debian packages that bring them. */
static int requirements(int format)
{
    const char *lib = image_grub_lib();
    struct sbuf missing = {0}, packages = {0};
    struct {
        const char *what; /* a program, or a file below the GRUB directory */
        bool file;
        const char *package;
        bool needed;
    } req[] = {
        {"grub-mkimage", false, "grub-common", true},
        {"i386-pc/boot.img", true, "grub-pc-bin", true},
        {"x86_64-efi/kernel.img", true, "grub-efi-amd64-bin", true},
        {"mformat", false, "mtools", true},
        {"mcopy", false, "mtools", true},
        {"qemu-img", false, "qemu-utils", format == IMAGE_QCOW2},
        {"tar", false, "tar", format == IMAGE_GCE},
        {"gzip", false, "gzip", format == IMAGE_GCE},
    };
    for (size_t i = 0; i < sizeof req / sizeof *req; i++) {
        if (!req[i].needed)
            continue;
        char *path = req[i].file ? path_join(lib, req[i].what) : NULL;
        bool ok = req[i].file ? is_file(path) : find_program(req[i].what);
        if (!ok) {
            sb_printf(&missing, "%s%s", missing.len ? ", " : "", path ? path : req[i].what);
            if (!strstr(sb_str(&packages), req[i].package))
                sb_printf(&packages, " %s", req[i].package);
        }
        free(path);
    }
    int rc = 0;
    if (missing.len) {
        errorf("mirari image needs %s; install them with: apt-get install%s (GRUB's directory "
               "is %s, or MIRARI_GRUB_LIB)",
               sb_str(&missing), sb_str(&packages), lib);
        rc = -1;
    }
    sb_free(&missing);
    sb_free(&packages);
    return rc;
}

static int grub_mkimage(const char *platform, const char *out, bool bios)
{
    static const char *const modules[] = {GRUB_MODULES};
    char *dir = path_join(image_grub_lib(), platform);
    struct strlist argv = {0};
    const char *fixed[] = {"grub-mkimage",     "-d", dir, "-O", platform, "-o", out, "-p",
                           "(,gpt2)/boot/grub"};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        sl_add(&argv, fixed[i]);
    /* The BIOS disk driver (UEFI's firmware reads the disk itself); under
     * UEFI the graphics output protocol, for the framebuffer the kernel's
     * Multiboot2 header accepts in place of the VGA text mode UEFI lacks. */
    sl_add(&argv, bios ? "biosdisk" : "efi_gop");
    for (size_t i = 0; i < sizeof modules / sizeof *modules; i++)
        sl_add(&argv, modules[i]);
    sl_add(&argv, "");
    free(argv.v[argv.n - 1]);
    argv.v[argv.n - 1] = NULL;
    int rc = run_cmd(argv.v, NULL, false);
    if (rc != 0)
        errorf("grub-mkimage for %s failed (status %d)", platform, rc);
    sl_free(&argv);
    free(dir);
    return rc == 0 ? 0 : -1;
}

/* The ESP's FAT32 file system, in its own file: mformat and mcopy work on
 * a file as on a floppy, with no mount. */
static int make_esp(const struct image_plan *p)
{
    const char *esp = work_paths[W_ESP];
    int fd = open(esp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ftruncate(fd, (off_t)(p->esp_sectors * GPT_SECTOR)) < 0) {
        errorf("cannot create %s: %s", esp, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    char sectors[32], hidden[32];
    snprintf(sectors, sizeof sectors, "%llu", (unsigned long long)p->esp_sectors);
    snprintf(hidden, sizeof hidden, "%llu", (unsigned long long)ESP_LBA);
    char *format[] = {"mformat", "-i", (char *)esp, "-F",   "-T", sectors,  "-h", "64",
                      "-s",      "32", "-H",        hidden, "-v", "MIRARI", "::", NULL};
    char *dirs[] = {"mmd",         "-i",      (char *)esp,    "::/EFI",
                    "::/EFI/BOOT", "::/boot", "::/boot/grub", NULL};
    char *kernel_dst = xasprintf("::/boot/%s", p->kernel_name);
    char *copy_efi[] = {"mcopy", "-i", (char *)esp, work_paths[W_EFI], "::/EFI/BOOT/BOOTX64.EFI",
                        NULL};
    char *copy_cfg[] = {"mcopy", "-i", (char *)esp, work_paths[W_CFG], "::/boot/grub/grub.cfg",
                        NULL};
    char *copy_kernel[] = {"mcopy", "-i", (char *)esp, (char *)p->kernel, kernel_dst, NULL};
    char **steps[] = {format, dirs, copy_efi, copy_cfg, copy_kernel};
    int rc = 0;
    for (size_t i = 0; i < sizeof steps / sizeof *steps && rc == 0; i++)
        if (run_cmd(steps[i], NULL, false) != 0) {
            errorf("%s failed writing the EFI system partition", steps[i][0]);
            rc = -1;
        }
    free(kernel_dst);
    return rc;
}

static int write_at(int fd, const void *buf, size_t len, uint64_t off, const char *what)
{
    const uint8_t *b = buf;
    while (len) {
        ssize_t n = pwrite(fd, b, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            errorf("cannot write %s: %s", what, n < 0 ? strerror(errno) : "short write");
            return -1;
        }
        b += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return 0;
}

static bool all_zero(const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return false;
    return true;
}

/* Copy a file into the disk at `off`, leaving holes where it is zero so
 * the disk stays sparse (a 1 GiB GCE disk is a few MiB on the host). */
static int copy_into(int disk, const char *path, uint64_t off)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        errorf("cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    static uint8_t buf[1 << 16];
    int rc = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            errorf("cannot read %s: %s", path, strerror(errno));
            rc = -1;
        }
        if (n <= 0)
            break;
        if (!all_zero(buf, (size_t)n) && write_at(disk, buf, (size_t)n, off, "the disk") < 0) {
            rc = -1;
            break;
        }
        off += (uint64_t)n;
    }
    close(fd);
    return rc;
}

/* A random (version 4) GUID: the disk's and its partitions' identities. */
static void random_guid(gpt_guid *g)
{
    if (getrandom(g->b, sizeof g->b, 0) != (ssize_t)sizeof g->b) {
        /* Only a label: the time and the process will do. */
        uint64_t seed = (uint64_t)time(NULL) * 2654435761u ^ (uint64_t)getpid();
        for (size_t i = 0; i < sizeof g->b; i++, seed = seed * 6364136223846793005u + 1)
            g->b[i] = (uint8_t)(seed >> 56);
    }
    g->b[7] = (uint8_t)((g->b[7] & 0x0f) | 0x40); /* version 4, RFC 4122 4.4 */
    g->b[8] = (uint8_t)((g->b[8] & 0x3f) | 0x80);
}

/* The tables, GRUB's BIOS boot code and core.img, and the ESP, into the
 * sparse file disk.raw. */
static int assemble(const struct image_plan *p)
{
    size_t boot_len = 0, core_len = 0;
    char *boot_path = path_join(image_grub_lib(), "i386-pc/boot.img");
    uint8_t *boot = (uint8_t *)read_file(boot_path, &boot_len);
    uint8_t *core_raw = (uint8_t *)read_file(work_paths[W_CORE], &core_len);
    int rc = -1, fd = -1;
    uint8_t mbr[GPT_SECTOR] = {0}, primary[(1 + GPT_ARRAY_SECTORS) * GPT_SECTOR],
            backup[(1 + GPT_ARRAY_SECTORS) * GPT_SECTOR];
    size_t core_sectors = (core_len + GPT_SECTOR - 1) / GPT_SECTOR;
    uint8_t *core = NULL;
    if (!boot || !core_raw) {
        errorf("cannot read %s: %s", !boot ? boot_path : work_paths[W_CORE], strerror(errno));
        goto out;
    }
    if (core_sectors > SECTORS_PER_MIB) {
        errorf("GRUB's core.img (%zu bytes) does not fit its 1 MiB partition", core_len);
        goto out;
    }
    core = calloc(core_sectors, GPT_SECTOR);
    memcpy(core, core_raw, core_len);
    const char *why =
        grub_bios_patch(mbr, boot, boot_len, core, core_sectors * GPT_SECTOR, BIOS_BOOT_LBA);
    if (why) {
        errorf("%s (%s)", why, boot_path);
        goto out;
    }
    gpt_guid disk_guid;
    random_guid(&disk_guid);
    struct gpt_part parts[2] = {
        {gpt_type_bios_boot, {{0}}, BIOS_BOOT_LBA, ESP_LBA - 1, 0, "BIOS boot"},
        {gpt_type_efi_system, {{0}}, ESP_LBA, ESP_LBA + p->esp_sectors - 1, 0, "EFI system"},
    };
    random_guid(&parts[0].unique);
    random_guid(&parts[1].unique);
    if (gpt_build(p->disk_sectors, &disk_guid, parts, 2, mbr, primary, backup) < 0) {
        errorf("the partitions do not fit a disk of %llu sectors",
               (unsigned long long)p->disk_sectors);
        goto out;
    }
    fd = open(work_paths[W_DISK], O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ftruncate(fd, (off_t)(p->disk_sectors * GPT_SECTOR)) < 0) {
        errorf("cannot create %s: %s", work_paths[W_DISK], strerror(errno));
        goto out;
    }
    uint64_t backup_lba = p->disk_sectors - 1 - GPT_ARRAY_SECTORS;
    if (write_at(fd, mbr, sizeof mbr, 0, "the MBR") < 0 ||
        write_at(fd, primary, sizeof primary, GPT_SECTOR, "the GPT") < 0 ||
        write_at(fd, backup, sizeof backup, backup_lba * GPT_SECTOR, "the backup GPT") < 0 ||
        write_at(fd, core, core_sectors * GPT_SECTOR, BIOS_BOOT_LBA * GPT_SECTOR, "core.img") < 0 ||
        copy_into(fd, work_paths[W_ESP], ESP_LBA * GPT_SECTOR) < 0)
        goto out;
    if (fsync(fd) < 0) {
        errorf("cannot write %s: %s", work_paths[W_DISK], strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    free(boot_path);
    free(boot);
    free(core_raw);
    free(core);
    return rc;
}

/* disk.raw into the requested format, as work file "final". */
static int convert(const struct image_plan *p)
{
    if (p->format == IMAGE_RAW || p->format == IMAGE_LIBVIRT)
        return rename(work_paths[W_DISK], work_paths[W_FINAL]) == 0 ? 0 : -1;
    if (p->format == IMAGE_QCOW2) {
        char *argv[] = {"qemu-img",         "convert",           "-q", "-f", "raw", "-O", "qcow2",
                        work_paths[W_DISK], work_paths[W_FINAL], NULL};
        if (run_cmd(argv, NULL, false) == 0)
            return 0;
        errorf("qemu-img convert failed");
        return -1;
    }
    /* GCE: a gzip'd tar holding disk.raw, in the old GNU format with holes
     * kept ("Manually import boot disks": --format=oldgnu -S). */
    char *argv[] = {"tar", "--format=oldgnu", "-Sczf",    work_paths[W_FINAL],
                    "-C",  work_dir,          "disk.raw", NULL};
    if (run_cmd(argv, NULL, false) == 0)
        return 0;
    errorf("tar failed writing the GCE archive");
    return -1;
}

int image_write(const struct image_plan *p)
{
    if (requirements(p->format) < 0 || work_open(p->output) < 0) {
        work_close();
        return -1;
    }
    const char *bad = NULL;
    char *kernel_on_disk = xasprintf("/boot/%s", p->kernel_name);
    char *cfg = grub_cfg_text(kernel_on_disk, p->words.v, p->words.n, &bad);
    free(kernel_on_disk);
    int rc = -1;
    if (!cfg)
        errorf("boot argument %s cannot go on GRUB's command line: it holds a tab or a newline",
               bad);
    else if (write_if_changed(work_paths[W_CFG], cfg, strlen(cfg)) < 0)
        errorf("cannot write %s: %s", work_paths[W_CFG], strerror(errno));
    else if (grub_mkimage("i386-pc", work_paths[W_CORE], true) == 0 &&
             grub_mkimage("x86_64-efi", work_paths[W_EFI], false) == 0 && make_esp(p) == 0 &&
             assemble(p) == 0 && convert(p) == 0) {
        if (rename(work_paths[W_FINAL], p->output) == 0)
            rc = 0;
        else
            errorf("cannot write %s: %s", p->output, strerror(errno));
    }
    free(cfg);
    work_close();
    return rc;
}

int image_plan_sizes(struct image_plan *p, uint64_t kernel_bytes, uint64_t requested)
{
    /* The ESP holds the kernel and GRUB for UEFI (under 1 MiB): room for
     * both twice over, so a rebuilt larger kernel still fits a --set. */
    uint64_t esp_mib = (2 * kernel_bytes + 2 * MIB + MIB - 1) / MIB;
    if (esp_mib < ESP_MIN_MIB)
        esp_mib = ESP_MIN_MIB;
    p->esp_sectors = esp_mib * SECTORS_PER_MIB;
    /* 1 MiB at the end holds the backup GPT. */
    uint64_t need = ESP_LBA * GPT_SECTOR + esp_mib * MIB + MIB;
    p->min_bytes = need;
    uint64_t size = requested ? requested : need;
    if (p->format == IMAGE_GCE) /* GCE imports whole GiB only */
        size = (size + GIB - 1) / GIB * GIB;
    if (size < need)
        return -1;
    p->disk_sectors = size / GPT_SECTOR;
    return 0;
}
