/* SPDX-License-Identifier: ISC */
/* The smallest guest: prints a line and exits with the status given as
 * its first boot argument (default 0), so tests can check that the
 * unikernel's exit status comes back through QEMU. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    printf("hello from %s\n", argv[0]);
    return argc > 1 ? atoi(argv[1]) : 0;
}
