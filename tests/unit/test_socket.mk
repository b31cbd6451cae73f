# SPDX-License-Identifier: ISC
# The host-socket runtime with the real loop and the unix platform (not
# the tap parts of platform/unix: only what unix-socket links).
test_socket_DEPS := $(call objs,$(SOCKET_SRC) runtime/core/loop.c runtime/core/log.c \
    runtime/core/ipv4_text.c platform/unix/console.c platform/unix/clock.c platform/unix/exit.c)
