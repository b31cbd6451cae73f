# SPDX-License-Identifier: ISC
test_clean_DEPS := $(call objs,tool/manifest.c tool/conf.c tool/check.c tool/tls.c tool/diag.c tool/util.c \
                   tool/escape.c abi/conf_keys.c runtime/core/ipv4_text.c)
test_clean_LDLIBS := $(TLS_LIBS)
