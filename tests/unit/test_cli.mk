# SPDX-License-Identifier: ISC
# Every tool source but main.c: the target table names each runner and the
# command table each command.
test_cli_DEPS := $(call objs,$(filter-out tool/main.c,$(TOOL_SRC)) $(TOOL_SHARED))
test_cli_LDLIBS := $(TLS_LIBS)
