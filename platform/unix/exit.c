/* SPDX-License-Identifier: ISC */
/* Ending a Linux process. _exit, not exit: the runtime keeps no stdio
 * buffers (the console is unbuffered), and atexit handlers of an
 * application that ends by plat_exit are not part of the contract. */
#include <unistd.h>

#include <platform.h>

_Noreturn void plat_exit(int status)
{
    _exit(status);
}
