/* SPDX-License-Identifier: ISC */
/* Prints its arguments one per line between markers, so a test can check
 * what the kernel made of the PVH command line (quotes, kernel
 * parameters taken out). */
#include <stdio.h>

int main(int argc, char **argv)
{
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=<%s>\n", i, argv[i]);
    return 0;
}
