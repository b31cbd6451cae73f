# SPDX-License-Identifier: ISC
# The static site helper on a packed store, through the server on a fake socket.
test_http_static_DEPS := $(call objs,$(filter-out runtime/http/tls.c,$(wildcard runtime/http/*.c)) runtime/kv/image.c \
	runtime/kv/normalise.c tool/pack.c)
$(BUILD)/obj/tests/unit/test_http_static.o: EXTRA_CFLAGS += -Itool -D_GNU_SOURCE
