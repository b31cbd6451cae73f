# SPDX-License-Identifier: ISC
# Logging alone, on a fake console and clock.
test_log_DEPS := $(call objs,runtime/core/log.c)
