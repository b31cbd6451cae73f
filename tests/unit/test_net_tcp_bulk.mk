# SPDX-License-Identifier: ISC
# Bulk TCP of the own stack: byte counting, window validation, buffer
# growth and batches, on the fake wire of net_fake.c.
test_net_tcp_bulk_DEPS := $(NET_OBJS) $(call objs,tests/unit/net_fake.c)
