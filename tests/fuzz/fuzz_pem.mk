# SPDX-License-Identifier: ISC
# tls-cert and tls-key as configure reads them (tool/tls.c).
fuzz_pem_SRC := tool/tls.c tool/util.c tool/escape.c
fuzz_pem_LDLIBS := $(TLS_LIBS)
$(BUILD)/fuzz/fuzz_pem: FUZZ_FLAGS += -D_GNU_SOURCE
