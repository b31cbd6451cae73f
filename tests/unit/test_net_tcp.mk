# SPDX-License-Identifier: ISC
# TCP of the own stack: two instances on the fake wire of net_fake.c.
test_net_tcp_DEPS := $(NET_OBJS) $(call objs,tests/unit/net_fake.c)
