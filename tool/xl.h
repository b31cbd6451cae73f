/* SPDX-License-Identifier: ISC */
/* NAME.xl: the xl configuration that configure writes for the xen target
 * (into _build/, next to the Makefile) and `mirari run --xen` starts with
 * `xl create -c`. xl's syntax is KEY = VALUE, a value being a number, a
 * string in double or single quotes, or a list [ ... ] of those.
 *
 * mirari writes name, type, kernel, memory and cmdline, plus a vif for an
 * app that uses the network; every xl-KEY: VALUE of the configuration
 * becomes a line KEY = VALUE, its value checked (and quoted where xl
 * wants a string) so that xl always parses the file. */
#ifndef MIRARI_TOOL_XL_H
#define MIRARI_TOOL_XL_H

#include <stdbool.h>

#include "check.h"
#include "diag.h"
#include "util.h"

/* Memory when neither xl-memory nor memory is given, in MiB: the qemu
 * runner's default, several times what the examples use (a PVH image of
 * a few hundred KiB, its stores, the heap and the page tables). */
#define XL_DEFAULT_MEMORY_MB 32

/* The address of an app with a network that sets neither ip-address nor
 * ip-use-dhcp: the one the tap runners give it (hostnet.h: the host side
 * 10.0.0.1/24, the app next to it), so an app answers at the same address
 * on every target, and the lab's xl (tests/xen/xl) puts the host on
 * 10.0.0.1/24 as they do. */
#define XL_DEFAULT_ADDRESS "10.0.0.2"
#define XL_DEFAULT_NETMASK "255.255.255.0"
#define XL_DEFAULT_GATEWAY "10.0.0.1"

/* The file's name in _build/: NAME.xl. */
char *xl_file_name(const char *app);

/* The text of NAME.xl for the app `app` whose kernel is at `kernel` (an
 * absolute path); NULL after errors naming file, line and key were added
 * to d (an xl-KEY that mirari sets itself, a value xl would not parse, a
 * boot argument the kernel command line cannot carry). */
char *xl_config_text(const struct app_config *cfg, const char *app, const char *kernel,
                     struct diag *d);

/* The boot arguments of the configuration as --KEY=VALUE: first those
 * `mirari run` passes (boot-argument keys in table order; returns how
 * many), then the app-NAME keys in the order given. */
size_t xl_boot_words(const struct app_config *cfg, struct strlist *out);

/* For an app with a network that sets neither ip-address nor ip-use-dhcp,
 * the boot arguments of the default address (those of XL_DEFAULT_* it
 * does not set); how many. They follow xl_boot_words' in cmdline. */
size_t xl_default_address(const struct app_config *cfg, struct strlist *out);

/* The kernel command line of `words` (abi/cmdline.h's encoding) as an xl
 * string; NULL when it cannot be written, *bad then naming the word. */
char *xl_cmdline(char *const *words, size_t n, const char **bad);

/* s as an xl string: in double quotes, or in single quotes when it has a
 * double quote; NULL when it has both or a backslash (an escape to xl). */
char *xl_string(const char *s);

/* The user asked for a crashed domain to be kept (xl-on_crash: preserve). */
bool xl_keeps_crashed(const struct app_config *cfg);

#endif
