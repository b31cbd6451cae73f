# SPDX-License-Identifier: ISC
# The HTTP parser, and the whole connection machine on a fake socket (TLS
# has fuzz_tls).
fuzz_http_SRC := $(filter-out runtime/http/tls.c,$(wildcard runtime/http/*.c)) runtime/kv/image.c runtime/kv/normalise.c
