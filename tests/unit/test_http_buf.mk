# SPDX-License-Identifier: ISC
# The server's growable byte buffers (runtime/http/buf.c).
test_http_buf_DEPS := $(call objs,runtime/http/buf.c)
