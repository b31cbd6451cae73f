# SPDX-License-Identifier: ISC
# ChaCha20 and the DRBG on a fake entropy source and clock (defined in the test).
test_drbg_DEPS := $(call objs,runtime/core/chacha20.c runtime/core/drbg.c runtime/core/rng.c)
