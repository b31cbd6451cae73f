# SPDX-License-Identifier: ISC
# Exit status mapping and backtrace symbol lookup of the qemu target.
test_x86_exit_DEPS := $(call objs,platform/x86_64/ksyms.c)
