test_codegen_DEPS := $(call objs,tool/codegen.c tool/conf.c tool/check.c tool/diag.c tool/util.c \
                     tool/escape.c tool/target.c tool/run_socket.c runtime/core/keys.c runtime/core/ipv4.c)
# The test compiles generated main.c files against the public headers.
$(BUILD)/obj/tests/unit/test_codegen.o: EXTRA_CFLAGS += -DREPO_INCLUDE='"$(abspath include)"'
