# SPDX-License-Identifier: ISC
# The virtio_mmio.device= parser of the qemu target's virtio drivers, on the host.
test_mmio_param_DEPS := $(call objs,platform/virtio/mmio_param.c)
