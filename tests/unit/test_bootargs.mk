# Boot argument parsing over the real key table, after the unix platform
# has taken its own argument (--net-fd) out.
test_bootargs_DEPS := $(call objs,runtime/core/bootargs.c runtime/core/keys.c runtime/core/ipv4.c \
    platform/unix/init.c)
