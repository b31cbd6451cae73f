#!/bin/sh
# SPDX-License-Identifier: ISC
# The C compiler driver for mirari's qemu target (MIRARI_CC in qemu.mk).
#
# Compiling (-c, -S, -E, -M): gcc, unchanged; qemu.mk's MIRARI_CFLAGS
# already point it at musl's headers.
#
# Linking: a PVH kernel in two passes. The first links the objects with
# the runtime, the kernel (libmirari-qemu.a), Debian's static musl and
# libgcc using qemu.ld. The second adds, in section .kernel_symbols, a table of
# the first image's code symbols and the image's name, so exceptions print
# symbolised backtraces; qemu.ld places that section after everything
# else, so no address moves between the passes. Debug information is
# stripped from the result unless MIRARI_KEEP_DEBUG=1.
set -eu

gcc=${MIRARI_QEMU_GCC:-gcc}
musl=${MIRARI_MUSL_LIB:-/usr/lib/x86_64-linux-musl}
here=$(dirname "$0")

for arg in "$@"; do
    case "$arg" in
    -c | -S | -E | -M | -MM) exec "$gcc" "$@" ;;
    esac
done

out=a.out
prev=
for arg in "$@"; do
    [ "$prev" = "-o" ] && out=$arg
    prev=$arg
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mirari-link.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

libgcc=$("$gcc" -print-libgcc-file-name)
link() { # the arguments go between the start files and the C library
    "$gcc" -nostdlib -static -no-pie -Wl,-T,"$here/qemu.ld" -Wl,--gc-sections \
        -Wl,--build-id=none -Wl,--no-warn-rwx-segments \
        "$musl/crt1.o" "$musl/crti.o" "$@" "$musl/libc.a" "$libgcc" "$musl/crtn.o"
}

# Pass 1, into the temporary directory (a later -o wins).
link "$@" -o "$tmp/pass1"

# The table: code symbols sorted by address, one name per address, and
# an empty name at the end of the code (ksyms.h).
base=$(basename "$out")
# nm prints addresses as fixed-width hex, so they compare as strings
# (mawk has no strtonum). Forced to strings with "x": awk compares two
# fields that look numeric as numbers, and 00000000001002e0 looks like
# 1002e0, that is 1002.
nm -n --defined-only "$tmp/pass1" | awk -v name="${base%.pvh}" '
    $3 == "__text_start" { start = "x" $1 }
    $3 == "__etext" { end = "x" $1 }
    { addr[NR] = "x" $1; type[NR] = $2; sym[NR] = $3 }
    END {
        n = 0; off = 0; last = ""
        for (i = 1; i <= NR; i++) {
            a = addr[i]
            if (type[i] !~ /^[tTwW]$/ || a < start || a >= end || a == last)
                continue
            if (sym[i] ~ /^\./ || sym[i] == "__text_start")
                continue
            last = a; n++; ea[n] = a; en[n] = sym[i]; eo[n] = off
            off += length(sym[i]) + 1
        }
        n++; ea[n] = end; en[n] = ""; eo[n] = off
        print "\t.section .kernel_symbols, \"a\""
        print "\t.balign 8"
        print "\t.globl kernel_symbols"
        print "kernel_symbols:"
        printf "\t.quad %d\n", n
        for (i = 1; i <= n; i++)
            printf "\t.long 0x%s, %d\n", substr(ea[i], 2), eo[i]
        for (i = 1; i <= n; i++)
            printf "\t.asciz \"%s\"\n", en[i]
        print "\t.globl kernel_image_name"
        print "kernel_image_name:"
        printf "\t.asciz \"%s\"\n", name
        print "\t.section .note.GNU-stack, \"\", @progbits"
    }' >"$tmp/ksyms.S"
"$gcc" -c "$tmp/ksyms.S" -o "$tmp/ksyms.o"

# Pass 2: the same link plus the table, to the real output.
link "$tmp/ksyms.o" "$@"
if [ "${MIRARI_KEEP_DEBUG:-0}" != 1 ]; then
    strip --strip-debug "$out"
fi
