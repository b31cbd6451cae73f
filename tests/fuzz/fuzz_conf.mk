fuzz_conf_SRC := tool/conf.c tool/check.c tool/diag.c tool/util.c tool/escape.c tool/codegen.c \
                 tool/target.c tool/run_socket.c runtime/core/keys.c runtime/core/ipv4.c
# The tool's sources use GNU extensions (vasprintf, pipe2), as in the tool build.
$(BUILD)/fuzz/fuzz_conf: FUZZ_FLAGS += -D_GNU_SOURCE
