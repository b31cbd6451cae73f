# SPDX-License-Identifier: ISC
fuzz_kvimage_SRC := runtime/kv/image.c runtime/kv/registry.c
