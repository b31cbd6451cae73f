# SPDX-License-Identifier: ISC
# The xl configuration writer and the configuration it reads.
test_xl_DEPS := $(call objs,tool/xl.c tool/conf.c tool/check.c tool/tls.c tool/diag.c tool/util.c \
                tool/escape.c abi/conf_keys.c runtime/core/ipv4_text.c)
test_xl_LDLIBS := $(TLS_LIBS)
