# SPDX-License-Identifier: ISC
# The qemu target: a PVH kernel that runs the portable runtime with its own TCP/IP stack on Debian's static
# musl, booted by QEMU (-kernel), Firecracker or Xen. The kernel is three
# folders: platform/x86_64 (the architecture: boot, memory, traps, system
# calls, clock, console; it implements platform/include/port.h),
# platform/virtio and platform/xen (drivers and Xen's hypervisor interface,
# on port.h alone) and platform/pvh (the composition: the machine and the
# network driver it picks at boot).
#
# The runtime is compiled a second time for it, into $(BUILD)/obj-qemu,
# against musl's headers and never with sanitizers (SANITIZE=1 is for host
# code). The kernel part also gets -mgeneral-regs-only (system calls must
# not touch the caller's SSE registers) and -mno-red-zone (interrupts and
# exceptions push onto the current stack).
#
# HTTPS links Debian's libbearssl.a, built for glibc with _FORTIFY_SOURCE
# and the stack protector: the kernel provides the few glibc symbols it
# needs beyond musl (platform/x86_64/fortify.c), hence -lmirari-qemu once
# more after it in MIRARI_TLS_LIBS.
#
# Installed into lib/mirari: libmirari-qemu.a, qemu.ld (the linker
# script), qemu-cc (the compiler driver that links in two passes, see
# platform/x86_64/qemu-cc.sh) and qemu.mk for generated app Makefiles.

QEMU_MUSL_LIB ?= /usr/lib/x86_64-linux-musl
QEMU_MUSL_INC ?= /usr/include/x86_64-linux-musl
# Xen's public headers (the hypercall ABI of platform/xen), as Debian's
# libxen-dev installs them. They compile freestanding; only xen/ is put on
# platform/xen's include path (through a link in $(BUILD)), not the host's
# /usr/include, whose C library headers must not mix with musl's.
QEMU_XEN_PUBLIC ?= /usr/include/xen
# BearSSL's headers, for runtime/http/tls.c: like Xen's, reached through
# links in $(BUILD), not the host's /usr/include.
QEMU_BEARSSL_INC ?= /usr/include
# The interface version platform/xen is written against (Xen 4.14's, the
# latest Xen 4.17's headers define; xen-compat.h).
QEMU_XEN_INTERFACE := 0x00040e00

ifeq ($(wildcard $(QEMU_MUSL_LIB)/libc.a),)
$(info mk/qemu.mk: no static musl in $(QEMU_MUSL_LIB) (Debian package musl-dev, pulled in by musl-tools): the qemu target is not built)
else ifeq ($(wildcard $(QEMU_XEN_PUBLIC)/xen.h $(QEMU_XEN_PUBLIC)/hvm/params.h),)
$(info mk/qemu.mk: no Xen public headers in $(QEMU_XEN_PUBLIC) (Debian package libxen-dev): the qemu target is not built)
else

QEMU_OBJDIR := $(BUILD)/obj-qemu
qemu_objs = $(patsubst %,$(QEMU_OBJDIR)/%.o,$(basename $(1)))

# What applications are compiled with, too (written into qemu.mk).
QEMU_TARGET_CFLAGS := -nostdinc -isystem $(QEMU_MUSL_INC) \
    -isystem $(shell $(CC) -print-file-name=include) -fno-pie -fno-stack-protector \
    -fno-omit-frame-pointer -fno-asynchronous-unwind-tables -ffunction-sections -fdata-sections
QEMU_CFLAGS := -std=gnu11 $(OPT) $(WARN) $(QEMU_TARGET_CFLAGS) -Iinclude -Iabi -Iruntime \
    -Iplatform/include -DMIRARI_VERSION='"$(VERSION)"'
QEMU_KERNEL_CFLAGS := -mgeneral-regs-only -mno-red-zone

QEMU_RUNTIME_SRC := $(APP_SRC) $(CORE_SRC) $(KV_SRC) $(HTTP_SRC) $(NET_SRC)
QEMU_PLAT_SRC := $(wildcard platform/x86_64/*.c platform/x86_64/*.S platform/virtio/*.c \
    platform/xen/*.c platform/pvh/*.c platform/rng/*.c)
QEMU_RUNTIME_OBJS := $(call qemu_objs,$(QEMU_RUNTIME_SRC))
QEMU_PLAT_OBJS := $(call qemu_objs,$(QEMU_PLAT_SRC))
$(QEMU_PLAT_OBJS): QEMU_EXTRA_CFLAGS := $(QEMU_KERNEL_CFLAGS)
# The kernel proper (boot, memory, traps, system calls, clock) is compiled
# for size: it runs once or between long waits, and every image carries
# it (issue 5: the smallest image under 64 KiB). The driver
# (platform/virtio), the composition (platform/pvh) and the runtime keep
# $(OPT): they are the network's data path. The objects depend on this file so a change of flags
# rebuilds them.
QEMU_X86_OBJS := $(call qemu_objs,$(wildcard platform/x86_64/*.c))
$(QEMU_X86_OBJS): QEMU_EXTRA_CFLAGS := $(QEMU_KERNEL_CFLAGS) -Os
$(QEMU_X86_OBJS): mk/qemu.mk
# Xen's interface runs at boot, on console writes and around waits: also
# for size. The netfront is the network's data path: $(OPT), as virtio.
QEMU_XEN_INC := $(BUILD)/xen-include
QEMU_XEN_OBJS := $(call qemu_objs,$(wildcard platform/xen/*.c))
QEMU_XEN_DATA_OBJS := $(call qemu_objs,platform/xen/netfront.c)
$(QEMU_XEN_OBJS): QEMU_EXTRA_CFLAGS := $(QEMU_KERNEL_CFLAGS) -Os -I$(QEMU_XEN_INC) \
    -D__XEN_INTERFACE_VERSION__=$(QEMU_XEN_INTERFACE)
$(QEMU_XEN_DATA_OBJS): QEMU_EXTRA_CFLAGS := $(QEMU_KERNEL_CFLAGS) -I$(QEMU_XEN_INC) \
    -D__XEN_INTERFACE_VERSION__=$(QEMU_XEN_INTERFACE)
$(QEMU_XEN_OBJS): mk/qemu.mk | $(QEMU_XEN_INC)/xen
$(QEMU_XEN_INC)/xen:
	@mkdir -p $(@D)
	ln -sfn $(abspath $(QEMU_XEN_PUBLIC)) $@

QEMU_TLS_INC := $(BUILD)/bearssl-include
$(call qemu_objs,runtime/http/tls.c): QEMU_EXTRA_CFLAGS := -I$(QEMU_TLS_INC)
$(call qemu_objs,runtime/http/tls.c): | $(QEMU_TLS_INC)/bearssl.h
$(QEMU_TLS_INC)/bearssl.h:
	@mkdir -p $(@D)
	ln -sfn $(abspath $(QEMU_BEARSSL_INC)/bearssl) $(@D)/bearssl
	ln -sfn $(abspath $(QEMU_BEARSSL_INC)/bearssl.h) $@

$(QEMU_OBJDIR)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(QEMU_CFLAGS) $(QEMU_EXTRA_CFLAGS) -MMD -MP -c $< -o $@
$(QEMU_OBJDIR)/%.o: %.S
	@mkdir -p $(@D)
	$(CC) $(QEMU_CFLAGS) $(QEMU_EXTRA_CFLAGS) -MMD -MP -c $< -o $@

LIB_QEMU := $(LIBDIR)/libmirari-qemu.a
$(LIB_QEMU): $(QEMU_RUNTIME_OBJS) $(QEMU_PLAT_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(LIBDIR)/qemu.ld: platform/x86_64/kernel.ld
	@mkdir -p $(@D)
	cp $< $@
$(LIBDIR)/qemu-cc: platform/x86_64/qemu-cc.sh
	@mkdir -p $(@D)
	install -m 755 $< $@

# MIRARI_LIBDIR is set by the generated Makefile before it includes this.
$(LIBDIR)/qemu.mk: mk/qemu.mk Makefile | $(LIB_QEMU) $(LIBDIR)/qemu.ld $(LIBDIR)/qemu-cc
	@mkdir -p $(@D)
	printf '%s\n' '# generated by mirari'"'"'s Makefile: how to build for qemu (a PVH kernel)' \
	  'MIRARI_TARGET := qemu' \
	  'MIRARI_LIBDIR ?= $$(patsubst %/,%,$$(dir $$(lastword $$(MAKEFILE_LIST))))' \
	  'MIRARI_CC := sh $$(MIRARI_LIBDIR)/qemu-cc' \
	  'MIRARI_CFLAGS := -std=gnu11 $(OPT) $(QEMU_TARGET_CFLAGS)' \
	  'MIRARI_LDFLAGS :=' \
	  'MIRARI_LIBS := -lmirari-qemu' \
	  'MIRARI_TLS_LIBS := $(TLS_LIBS) -lmirari-qemu' > $@

RUNTIME_LIBS += $(LIB_QEMU) $(LIBDIR)/qemu.ld
RUNTIME_PROGS += $(LIBDIR)/qemu-cc
TARGET_MKS += $(LIBDIR)/qemu.mk

-include $(shell find $(QEMU_OBJDIR) -name '*.d' 2>/dev/null)

# Guest programs for the system tests (tests/qemu/*.c, plain main() on
# the C library and platform.h), linked the way applications are but with
# the platform alone: $(BUILD)/qemu/NAME.pvh.
QEMU_GUESTS := $(patsubst tests/qemu/%.c,$(BUILD)/qemu/%.pvh,$(wildcard tests/qemu/*.c))
QEMU_GUEST_OBJS := $(patsubst tests/qemu/%.c,$(QEMU_OBJDIR)/tests/qemu/%.o,$(wildcard tests/qemu/*.c))
.SECONDARY: $(QEMU_GUEST_OBJS)
# The platform's objects include the DRBG (platform/rng), which serves
# the kernel's getrandom() and AT_RANDOM as well as the runtime, so guests
# link it too; like the rest of the platform it is compiled with the
# kernel's flags (no SSE registers in system calls).
$(BUILD)/qemu/libplatform.a: $(QEMU_PLAT_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^
$(BUILD)/qemu/%.pvh: $(QEMU_OBJDIR)/tests/qemu/%.o $(BUILD)/qemu/libplatform.a \
    $(LIBDIR)/qemu.ld $(LIBDIR)/qemu-cc
	sh $(LIBDIR)/qemu-cc -o $@ $< -L$(BUILD)/qemu -lplatform
.PHONY: qemu-guests
qemu-guests: $(QEMU_GUESTS)
tests: qemu-guests

endif
