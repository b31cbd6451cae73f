# SPDX-License-Identifier: ISC
# The server's connection machine against a fake socket and clock.
test_http_conn_DEPS := $(call objs,runtime/http/parser.c runtime/http/range.c \
	runtime/http/date.c runtime/http/mime.c runtime/http/status.c runtime/http/server.c \
	runtime/http/exchange.c runtime/http/buf.c)
