# SPDX-License-Identifier: ISC
# The PVH memory map parser of the qemu target, on the host.
test_x86_memmap_DEPS := $(call objs,platform/x86_64/memmap.c)
