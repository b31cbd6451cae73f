# SPDX-License-Identifier: ISC
# Offloads of the own stack (checksums, TSO, coalesced frames) on the
# fake wire and device of net_fake.c.
test_net_offload_DEPS := $(NET_OBJS) $(call objs,tests/unit/net_fake.c)
