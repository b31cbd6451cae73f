# SPDX-License-Identifier: ISC
# Every tool source but main.c: the target table names each runner.
test_codegen_DEPS := $(call objs,$(filter-out tool/main.c,$(TOOL_SRC)) $(TOOL_SHARED))
# The test compiles generated main.c files against the public headers.
$(BUILD)/obj/tests/unit/test_codegen.o: EXTRA_CFLAGS += -DREPO_INCLUDE='"$(abspath include)"'
test_codegen_LDLIBS := $(TLS_LIBS)
