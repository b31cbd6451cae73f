# SPDX-License-Identifier: ISC
# The virtio split virtqueue of the qemu target, against a fake device.
test_x86_virtq_DEPS := $(call objs,platform/virtio/virtq.c)
