# SPDX-License-Identifier: ISC
# Boot argument parsing over the real key table, after the unix platform
# has taken its own argument (--net-fd) out.
test_bootargs_DEPS := $(call objs,runtime/core/bootargs.c abi/conf_keys.c runtime/core/ipv4_text.c \
    platform/unix/init.c)
