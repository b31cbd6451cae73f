# SPDX-License-Identifier: ISC
fuzz_path_SRC := runtime/kv/normalise.c
