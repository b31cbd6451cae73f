# SPDX-License-Identifier: ISC
# ChaCha20 and the DRBG on a fake entropy source and clock (defined in the test).
test_drbg_DEPS := $(call objs,platform/rng/chacha20.c platform/rng/drbg.c platform/rng/rng.c)
