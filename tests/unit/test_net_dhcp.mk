# SPDX-License-Identifier: ISC
# The DHCP client of the own stack against a scripted server.
test_net_dhcp_DEPS := $(NET_OBJS) $(call objs,tests/unit/net_fake.c)
