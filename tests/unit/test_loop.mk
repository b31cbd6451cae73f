# SPDX-License-Identifier: ISC
# The event loop alone: the test brings its own fake platform and backend.
test_loop_DEPS := $(call objs,runtime/core/loop.c runtime/core/log.c)
