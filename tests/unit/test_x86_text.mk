# SPDX-License-Identifier: ISC
# The qemu kernel's printf core, command-line and parameter parsers, and
# CMOS date conversion, on the host.
test_x86_text_DEPS := $(call objs,platform/x86_64/kfmt.c platform/x86_64/kernel_params.c \
    platform/x86_64/rtcdate.c)
