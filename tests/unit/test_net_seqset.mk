# SPDX-License-Identifier: ISC
# The sequence-range set shared by TCP's out-of-order queue and SACK scoreboard.
test_net_seqset_DEPS := $(call objs,runtime/net/seqset.c)
