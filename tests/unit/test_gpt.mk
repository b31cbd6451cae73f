# SPDX-License-Identifier: ISC
# The GPT writer of mirari image.
test_gpt_DEPS := $(call objs,tool/gpt.c)
