/* SPDX-License-Identifier: ISC */
/* The virtio_mmio.device= parser (platform/virtio/mmio_param.c), on the
 * host: the forms QEMU microvm and Firecracker write, and malformed ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../platform/virtio/mmio_param.h"

static void mmio_param_forms(void **state)
{
    (void)state;
    struct mmio_param p;
    assert_int_equal(mmio_param_parse("virtio_mmio.device=512@0xfeb00e00:12", &p), 0);
    assert_int_equal(p.size, 512);
    assert_int_equal(p.base, 0xfeb00e00);
    assert_int_equal(p.irq, 12);
    assert_int_equal(mmio_param_parse("virtio_mmio.device=4K@0xd0000000:5:3", &p), 0);
    assert_int_equal(p.size, 4096);
    assert_int_equal(p.base, 0xd0000000);
    assert_int_equal(p.irq, 5);
    assert_int_equal(mmio_param_parse("virtio_mmio.device=1M@4096:24", &p), 0);
    assert_int_equal(p.size, 1 << 20);
    assert_int_equal(p.base, 4096);
    const char *bad[] = {
        "virtio_mmio.device=",
        "virtio_mmio.device=512",
        "virtio_mmio.device=512@",
        "virtio_mmio.device=512@0xfeb00e00",
        "virtio_mmio.device=512@0xfeb00e00:",
        "virtio_mmio.device=512@0xfeb00e00:12x",
        "virtio_mmio.device=0@0x1000:1",
        "virtio_mmio.device=512@0x:1",
        "virtio_mmio.device=512@0xfeb00e00:256",
        "virtio_mmio.device=99999999999999999999@0:1",
        "virtio_mmio.dev=512@0xfeb00e00:12",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (mmio_param_parse(bad[i], &p) != -1)
            fail_msg("accepted %s", bad[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mmio_param_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
