# SPDX-License-Identifier: ISC
test_net_checksum_DEPS := $(call objs,runtime/net/checksum.c runtime/net/siphash.c)
