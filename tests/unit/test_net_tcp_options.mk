# SPDX-License-Identifier: ISC
# The TCP option parsers and builders of the own stack.
test_net_tcp_options_DEPS := $(call objs,runtime/net/tcp_options.c runtime/net/seqset.c)
