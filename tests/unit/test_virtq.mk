# SPDX-License-Identifier: ISC
# The virtio split virtqueue of the qemu target, against a fake device.
test_virtq_DEPS := $(call objs,platform/virtio/virtq.c)
