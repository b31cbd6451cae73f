# SPDX-License-Identifier: ISC
# The store reader: image validation against corrupted images, the registry.
test_kv_DEPS := $(call objs,tool/pack.c runtime/kv/image.c runtime/kv/registry.c)
$(BUILD)/obj/tests/unit/test_kv.o: EXTRA_CFLAGS += -Itool -D_GNU_SOURCE
