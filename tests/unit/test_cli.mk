test_cli_DEPS := $(call objs,tool/cli.c tool/target.c tool/run_socket.c tool/util.c tool/escape.c \
                 runtime/core/keys.c runtime/core/ipv4.c)
