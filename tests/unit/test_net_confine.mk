# SPDX-License-Identifier: ISC
# The seccomp confinement of unix-direct unikernels.
test_net_confine_DEPS := $(call objs,platform/unix/confine.c)
test_net_confine_LDLIBS := -lseccomp
