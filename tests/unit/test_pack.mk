# SPDX-License-Identifier: ISC
# The packer and the reader, round trip through real directory trees.
test_pack_DEPS := $(call objs,tool/pack.c runtime/kv/image.c)
$(BUILD)/obj/tests/unit/test_pack.o: EXTRA_CFLAGS += -Itool -D_GNU_SOURCE
