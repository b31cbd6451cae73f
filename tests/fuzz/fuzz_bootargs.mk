fuzz_bootargs_SRC := runtime/core/bootargs.c runtime/core/keys.c runtime/core/ipv4.c
