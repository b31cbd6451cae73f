test_clean_DEPS := $(call objs,tool/manifest.c tool/conf.c tool/check.c tool/diag.c tool/util.c \
                   tool/escape.c runtime/core/keys.c runtime/core/ipv4.c)
