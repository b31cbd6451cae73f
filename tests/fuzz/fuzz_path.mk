fuzz_path_SRC := runtime/kv/normalise.c
