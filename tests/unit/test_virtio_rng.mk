# SPDX-License-Identifier: ISC
# The virtio-rng driver on a fake transport, device and clock (in the test).
test_virtio_rng_DEPS := $(call objs,platform/virtio/virtio_rng.c platform/virtio/virtq.c \
    platform/virtio/virtio.c)
