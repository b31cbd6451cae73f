# SPDX-License-Identifier: ISC
# Every tool source but main.c: the target table names each runner.
fuzz_conf_SRC := $(filter-out tool/main.c,$(TOOL_SRC)) $(TOOL_SHARED)
# The tool's sources use GNU extensions (vasprintf, pipe2), as in the tool build.
$(BUILD)/fuzz/fuzz_conf: FUZZ_FLAGS += -D_GNU_SOURCE -DMIRARI_VERSION='"$(VERSION)"'
# BearSSL: tool/tls.c checks tls-cert and tls-key.
fuzz_conf_LDLIBS := $(TLS_LIBS)
