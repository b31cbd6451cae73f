# SPDX-License-Identifier: ISC
# IPv4, ICMP and UDP of the own stack against a scripted peer.
test_net_ipv4_DEPS := $(NET_OBJS) $(call objs,tests/unit/net_fake.c)
