# SPDX-License-Identifier: ISC
# The HTTPS server: tls.c over the connection machine, on a fake socket.
fuzz_tls_SRC := $(wildcard runtime/http/*.c) runtime/kv/image.c runtime/kv/normalise.c
fuzz_tls_LDLIBS := $(TLS_LIBS)
$(BUILD)/fuzz/fuzz_tls: tests/fuzz/tls_test_creds.h
