# SPDX-License-Identifier: ISC
fuzz_bootargs_SRC := runtime/core/bootargs.c abi/conf_keys.c runtime/core/ipv4_text.c
