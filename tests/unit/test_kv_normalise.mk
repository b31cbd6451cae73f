# SPDX-License-Identifier: ISC
# The path normaliser (URL path -> store key).
test_kv_normalise_DEPS := $(call objs,runtime/kv/normalise.c)
