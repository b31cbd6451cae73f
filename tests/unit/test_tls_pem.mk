# SPDX-License-Identifier: ISC
# tls-cert and tls-key: the PEM files configure reads (tool/tls.c).
test_tls_pem_DEPS := $(call objs,tool/tls.c tool/util.c tool/escape.c)
test_tls_pem_LDLIBS := $(TLS_LIBS)
$(BUILD)/obj/tests/unit/test_tls_pem.o: EXTRA_CFLAGS += -D_GNU_SOURCE
