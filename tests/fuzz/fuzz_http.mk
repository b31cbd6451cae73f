# SPDX-License-Identifier: ISC
# The HTTP parser, and the whole connection machine on a fake socket.
fuzz_http_SRC := $(wildcard runtime/http/*.c) runtime/kv/image.c runtime/kv/normalise.c
