# SPDX-License-Identifier: ISC
# mirari image's parts: GRUB's BIOS patching, grub.cfg, sizes, boot arguments.
test_image_DEPS := $(call objs,tool/grub_bios.c tool/grub_cfg.c tool/image.c tool/image_args.c \
                   tool/gpt.c tool/xl.c tool/conf.c tool/check.c tool/tls.c tool/diag.c tool/util.c \
                   tool/escape.c abi/conf_keys.c runtime/core/ipv4_text.c)
test_image_LDLIBS := $(TLS_LIBS)
