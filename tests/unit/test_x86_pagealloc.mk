# SPDX-License-Identifier: ISC
# The qemu kernel's page allocator, on the host.
test_x86_pagealloc_DEPS := $(call objs,platform/x86_64/pagealloc.c)
