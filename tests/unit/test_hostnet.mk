# SPDX-License-Identifier: ISC
# The host side of a tap network (tool/hostnet.c): addresses, the DHCP
# range, the boot arguments a runner adds.
test_hostnet_DEPS := $(call objs,tool/hostnet.c tool/util.c tool/escape.c \
                     runtime/core/ipv4_text.c)
$(BUILD)/obj/tests/unit/test_hostnet.o: EXTRA_CFLAGS += -D_GNU_SOURCE
