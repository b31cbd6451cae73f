/* SPDX-License-Identifier: ISC */
/* mirari image's parts (tool/grub_bios.c, grub_cfg.c, image.c,
 * image_args.c): GRUB's boot sector and core image patched to find each
 * other, grub.cfg's quoting, sizes and the disk plan, and the boot
 * arguments with --set over the configuration's. test_image.py boots the
 * result under BIOS and UEFI. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "../../tool/grub_bios.h"
#include "../../tool/grub_cfg.h"
#include "../../tool/image.h"
#include "test_conf_helpers.h"

#define MIB (1024ull * 1024)

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* A boot.img and a three-sector core.img laid out as GRUB 2.06 makes
 * them: the drive-check jmp at 0x66, the block list at the end of the
 * core's first sector with mkimage's count and segment. */
static void fake_grub(uint8_t boot[512], uint8_t core[1536])
{
    memset(boot, 0xf4, 512);
    boot[GRUB_BOOT_DRIVE_CHECK] = 0xeb;
    boot[GRUB_BOOT_DRIVE_CHECK + 1] = 0x05;
    boot[510] = 0x55;
    boot[511] = 0xaa;
    memset(core, 0x11, 1536);
    uint8_t *list = core + GRUB_BLOCKLIST_OFFSET;
    memset(list, 0, 8);
    list[8] = 2; /* sectors after the first */
    list[9] = 0;
    list[10] = 0x20; /* segment 0x820 */
    list[11] = 0x08;
}

static void bios_patch_links_mbr_and_core(void **state)
{
    (void)state;
    uint8_t boot[512], core[1536], mbr[512];
    fake_grub(boot, core);
    memset(mbr, 0x77, sizeof mbr); /* the partition records: kept */
    assert_null(grub_bios_patch(mbr, boot, 512, core, 1536, 2048));
    assert_int_equal(get64(mbr + GRUB_BOOT_KERNEL_SECTOR), 2048);
    assert_int_equal(mbr[GRUB_BOOT_BOOT_DRIVE], 0xff);
    assert_int_equal(mbr[GRUB_BOOT_DRIVE_CHECK], 0x90);
    assert_int_equal(mbr[GRUB_BOOT_DRIVE_CHECK + 1], 0x90);
    assert_int_equal(mbr[0], 0xf4);
    assert_int_equal(mbr[GRUB_BOOT_CODE_END - 1], 0xf4);
    assert_int_equal(mbr[GRUB_BOOT_CODE_END], 0x77);
    assert_int_equal(mbr[511], 0x77);
    const uint8_t *list = core + GRUB_BLOCKLIST_OFFSET;
    assert_int_equal(get64(list), 2049);
    assert_int_equal(list[8], 2);
    assert_int_equal(list[11], 0x08);
}

static void bios_patch_refuses_unknown_layouts(void **state)
{
    (void)state;
    uint8_t boot[512], core[1536], mbr[512] = {0};
    fake_grub(boot, core);
    assert_non_null(grub_bios_patch(mbr, boot, 511, core, 1536, 2048));
    assert_non_null(grub_bios_patch(mbr, boot, 512, core, 1500, 2048));
    boot[GRUB_BOOT_DRIVE_CHECK] = 0x90;
    assert_non_null(grub_bios_patch(mbr, boot, 512, core, 1536, 2048));
    fake_grub(boot, core);
    core[GRUB_BLOCKLIST_OFFSET + 8] = 3; /* more sectors than the image has */
    assert_non_null(grub_bios_patch(mbr, boot, 512, core, 1536, 2048));
    fake_grub(boot, core);
    boot[511] = 0;
    assert_non_null(grub_bios_patch(mbr, boot, 512, core, 1536, 2048));
}

static void grub_cfg_quotes_every_word(void **state)
{
    (void)state;
    char *words[] = {"--app-motd=it's \"x\" $HOME \\ ;", "--log-level=debug"};
    const char *bad = NULL;
    char *t = grub_cfg_text("/boot/mir-a.pvh", words, 2, &bad);
    assert_non_null(t);
    assert_non_null(strstr(t,
                           "\nmultiboot2 '/boot/mir-a.pvh' '--app-motd=it'\\''s \"x\" $HOME \\ ;' "
                           "'--log-level=debug'\nboot\n"));
    assert_non_null(strstr(t, "serial --unit=0 --speed=115200\n"));
    free(t);
    char *tab[] = {"--app-x=a\tb"};
    assert_null(grub_cfg_text("/boot/k", tab, 1, &bad));
    assert_string_equal(bad, "--app-x=a\tb");
    struct sbuf b = {0};
    grub_quote(&b, "''");
    assert_string_equal(sb_str(&b), "''\\'''\\'''");
    sb_free(&b);
}

static void sizes(void **state)
{
    (void)state;
    uint64_t v;
    assert_int_equal(image_parse_size("64M", &v), 0);
    assert_int_equal(v, 64 * MIB);
    assert_int_equal(image_parse_size("1GiB", &v), 0);
    assert_int_equal(v, 1024 * MIB);
    assert_int_equal(image_parse_size("2T", &v), 0);
    assert_int_equal(v, 2ull << 40);
    assert_int_equal(image_parse_size("4096", &v), 0);
    assert_int_equal(v, 4096);
    assert_int_equal(image_parse_size("1KB", &v), 0);
    assert_int_equal(v, 1024);
    const char *bad[] = {"",         "0", "-1", "M", "1X", "1Mx", "1 M", "99999999999999999999T",
                         "20000000T"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(image_parse_size(bad[i], &v), -1);
}

static void disk_plan(void **state)
{
    (void)state;
    struct image_plan p = {.format = IMAGE_RAW};
    assert_int_equal(image_plan_sizes(&p, 200 * 1024, 0), 0);
    assert_int_equal(p.esp_sectors, 40 * 2048); /* the FAT32 minimum */
    assert_int_equal(p.disk_sectors, 43 * 2048);
    assert_int_equal(p.min_bytes, 43 * MIB);
    assert_int_equal(image_plan_sizes(&p, 200 * 1024, 1024 * MIB), 0);
    assert_int_equal(p.disk_sectors, 1024 * 2048);
    assert_int_equal(image_plan_sizes(&p, 200 * 1024, 42 * MIB), -1);
    /* A large kernel: room for it twice. */
    assert_int_equal(image_plan_sizes(&p, 30 * MIB, 0), 0);
    assert_int_equal(p.esp_sectors, 62 * 2048);
    /* GCE takes whole GiB. */
    p.format = IMAGE_GCE;
    assert_int_equal(image_plan_sizes(&p, 200 * 1024, 0), 0);
    assert_int_equal(p.disk_sectors, 1024 * 2048);
    assert_int_equal(image_plan_sizes(&p, 200 * 1024, 1025 * MIB), 0);
    assert_int_equal(p.disk_sectors, 2048 * 2048);
    assert_int_equal(image_format_find("qcow2"), IMAGE_QCOW2);
    assert_int_equal(image_format_find("vmdk"), -1);
}

/* The words for a configuration and --set values; -1 when refused. */
static int words_for(const char *conf, const char *const *set, size_t nset, struct strlist *w)
{
    struct parsed p;
    assert_int_equal(parse(&p, conf), 0);
    struct strlist sets = {0};
    for (size_t i = 0; i < nset; i++)
        sl_add(&sets, set[i]);
    *w = (struct strlist){0};
    int rc = image_boot_words(&p.cfg, &sets, w);
    sl_free(&sets);
    parsed_free(&p);
    return rc;
}

static void boot_words_with_set(void **state)
{
    (void)state;
    const char *conf = "main-http: app_main\nhttp-port: 8080\napp-motd: hi\n";
    struct strlist w;
    const char *set[] = {"app-motd=x y", "--ip-address=10.0.0.9", "http-port=81"};
    assert_int_equal(words_for(conf, set, 3, &w), 0);
    assert_int_equal(w.n, 3);
    assert_string_equal(w.v[0], "--http-port=81"); /* in place of the file's */
    assert_string_equal(w.v[1], "--app-motd=x y");
    assert_string_equal(w.v[2], "--ip-address=10.0.0.9");
    sl_free(&w);
    /* No address: DHCP, as clouds give addresses. */
    assert_int_equal(words_for(conf, NULL, 0, &w), 0);
    assert_string_equal(w.v[w.n - 1], "--ip-use-dhcp=true");
    sl_free(&w);
    /* No network: nothing added. */
    assert_int_equal(words_for("main-noip: app_main\n", NULL, 0, &w), 0);
    assert_int_equal(w.n, 0);
    sl_free(&w);
}

static void boot_words_refused(void **state)
{
    (void)state;
    const char *conf = "main-http: app_main\napp-motd: hi\n";
    const char *bad[] = {"app-other=1", "fs-static=files",   "http-port=0",     "no-equals",
                         "=x",          "ip-adress=1.2.3.4", "ip-address=1.2.3"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct strlist w;
        assert_int_equal(words_for(conf, &bad[i], 1, &w), -1);
        sl_free(&w);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bios_patch_links_mbr_and_core),
        cmocka_unit_test(bios_patch_refuses_unknown_layouts),
        cmocka_unit_test(grub_cfg_quotes_every_word),
        cmocka_unit_test(sizes),
        cmocka_unit_test(disk_plan),
        cmocka_unit_test(boot_words_with_set),
        cmocka_unit_test(boot_words_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
