# SPDX-License-Identifier: ISC
test_conf_keys_DEPS := $(call objs,abi/conf_keys.c runtime/core/ipv4_text.c)
