# Boot argument parsing over the real key table.
test_bootargs_DEPS := $(call objs,runtime/core/bootargs.c runtime/core/keys.c runtime/core/ipv4.c)
