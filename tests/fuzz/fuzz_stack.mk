# SPDX-License-Identifier: ISC
# The whole own stack, fed arbitrary frames (see the comment in fuzz_stack.c).
fuzz_stack_SRC := $(NET_SRC) tests/unit/net_fake.c
