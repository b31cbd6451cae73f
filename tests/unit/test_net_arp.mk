# SPDX-License-Identifier: ISC
# ARP of the own stack against a scripted neighbour.
test_net_arp_DEPS := $(NET_OBJS) $(call objs,tests/unit/net_fake.c)
