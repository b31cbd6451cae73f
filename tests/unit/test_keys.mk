test_keys_DEPS := $(call objs,runtime/core/keys.c runtime/core/ipv4.c)
