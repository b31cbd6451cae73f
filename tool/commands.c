/* SPDX-License-Identifier: ISC */
/* The command table (see commands.h) and each command's help text. */
#include "commands.h"

#include <stdio.h>
#include <string.h>

#include "conf_keys.h"

static const char help_configure[] =
    "usage: mirari configure [-f FILE] [-t TARGET] [--no-install] [--KEY=VALUE...]\n"
    "\n"
    "Read the app's .conf and the keys given here, check them (reporting every\n"
    "error as FILE:LINE: KEY: ...), install missing Debian `packages` (as root;\n"
    "otherwise print the apt-get command), resolve `depends` with pkg-config and\n"
    "write _build/: main.c, entry.h, stores.S, Makefile, configuration (which\n"
    "remembers the target and the keys given here, and only those: configure\n"
    "starts afresh from the .conf) and manifest.\n";

static const char help_build[] =
    "usage: mirari build [-f FILE] [-t TARGET] [--KEY=VALUE...]\n"
    "\n"
    "Configure again when the .conf, the keys, the target, the sources or mirari\n"
    "changed, then compile the app into mir-NAME next to its .conf, incrementally.\n"
    "It uses the target and keys the last configure remembered; a target or keys\n"
    "given here apply to this build only (a note names the keys in use).\n";

static const char help_run[] =
    "usage: mirari run [-f FILE] [-t TARGET] [--KEY=VALUE...] [-- BOOT-ARGS...]\n"
    "\n"
    "Build when needed, then start the unikernel with the configuration's\n"
    "network, HTTP and log keys as boot arguments, followed by BOOT-ARGS\n"
    "(e.g. mirari run -- --log-level=debug). SIGINT and SIGTERM are passed on;\n"
    "mirari exits with the unikernel's status, 128+N when signal N killed it.\n"
    "It uses the target and keys the last configure remembered; a target or keys\n"
    "given here apply to this run only (a note names the keys in use).\n"
    "On a tap (--unix, -t qemu, --xen with the lab): --tap=NAME uses an existing tap\n"
    "(no root needed), --tap-address=A.B.C.D/N gives the host side of the tap mirari\n"
    "creates (default 10.0.0.1/24; refused when it overlaps an interface or route).\n";

static const char help_clean[] =
    "usage: mirari clean [-f FILE]\n"
    "\n"
    "Remove the files listed in _build/manifest (everything mirari wrote or\n"
    "built, mir-NAME included), then _build/ when nothing else is left in it.\n"
    "Files of yours, in the app's directory or in _build/, are never removed.\n";

static const char help_image[] =
    "usage: mirari image [-f FILE] [-t qemu] [--format=raw|qcow2|gce|libvirt] [-o FILE]\n"
    "                    [--size=SIZE] [--set KEY=VALUE...] [--network=NAME|tap:DEV]\n"
    "                    [--KEY=VALUE...]\n"
    "\n"
    "Build the qemu target's kernel when needed, then write a disk image that boots\n"
    "by BIOS and by UEFI (GPT, GRUB from grub-pc-bin and grub-efi-amd64-bin, FAT by\n"
    "mtools; no root needed): NAME.img (raw), NAME.qcow2, or NAME-gce.tar.gz (disk.raw\n"
    "in the archive Google Compute Engine imports, whole GiB), or with libvirt\n"
    "NAME.xml, a domain booting NAME.img on the libvirt network --network (default\n"
    "\"default\") or an existing tap (tap:DEV). The configuration's\n"
    "boot arguments go on GRUB's command line; --set KEY=VALUE changes one (ip-*,\n"
    "tcp-congestion, http-*, log-level, declared app-*) without a rebuild. An app\n"
    "with a network and no ip-address asks for DHCP. --size grows the disk (64M,\n"
    "1G, ...).\n";

static const char help_deploy[] =
    "usage: mirari deploy gce|aws --bucket=NAME [--yes] [-o FILE] [--set KEY=VALUE...]\n"
    "\n"
    "Write the cloud's image (mirari image: gce's archive, a raw disk for aws) and\n"
    "print the commands that upload it to the bucket, register it and start an\n"
    "instance; --yes runs them with gcloud or aws. GCE boots it by UEFI or BIOS with\n"
    "virtio-net. On EC2 only the Xen-based families (t2, m4, c4, ...) can run it:\n"
    "Nitro instances need ENA and NVMe drivers the kernel does not have.\n";

static const char help_pack[] =
    "usage: mirari pack DIR OUT [--pack-dotfiles=true]\n"
    "\n"
    "Internal: the generated Makefile's rule for an fs-NAME store. Pack DIR into\n"
    "the store image OUT and write OUT.d, naming every file below DIR for make.\n"
    "Dotfiles and version-control directories are left out unless\n"
    "--pack-dotfiles=true.\n";

static const char help_complete[] =
    "usage: mirari complete bash|zsh -- WORDS...\n"
    "\n"
    "Internal: the shell completion scripts' helper. Print what completes the last\n"
    "of WORDS (the command line after `mirari`, the word being typed last), one a\n"
    "line: commands, options, app.conf keys as --KEY=, targets and values, from the\n"
    "tables mirari itself reads.\n";

/* In the order mirari --help lists them. */
const struct command commands[] = {
    {"configure", cmd_configure, NULL, "check the .conf, satisfy dependencies, write _build/",
     help_configure, true},
    {"build", cmd_build, NULL, "configure when needed, then compile mir-NAME", help_build, true},
    {"run", cmd_run, NULL, "build when needed, then start the unikernel", help_run, true},
    {"image", cmd_image, NULL, "build when needed, then write a bootable disk image", help_image,
     true},
    {"deploy", cmd_deploy, "gce|aws", "write the cloud's image and the commands that deploy it",
     help_deploy, true},
    {"clean", cmd_clean, NULL, "remove what mirari generated, and nothing else", help_clean, false},
    {"help", cmd_help, "[COMMAND]", "this text, or a command's", NULL, false},
    {"pack", cmd_pack, "DIR OUT", NULL, help_pack, true},
    {"complete", cmd_complete, "bash|zsh -- WORDS...", NULL, help_complete, false},
};
const size_t ncommands = sizeof commands / sizeof commands[0];

int command_check_options(const struct cli *cli)
{
    for (size_t i = 0; i < cli->opts.given.n; i++) {
        const struct cli_option *o = cli_options;
        while (strcmp(o->long_name, cli->opts.given.v[i]) != 0)
            o++; /* given holds only the table's names */
        if (cli->command && cli_option_for(o, cli->command->name))
            continue;
        struct sbuf which = {0};
        for (size_t k = 0; k < ncommands; k++)
            if (cli_option_for(o, commands[k].name))
                sb_printf(&which, "%s%s", which.len ? " and " : "", commands[k].name);
        fprintf(stderr, "mirari: %s is an option of mirari %s%s%s\n", o->long_name, sb_str(&which),
                cli->command ? ", not of " : "", cli->command ? cli->command->name : "");
        sb_free(&which);
        return EXIT_USAGE;
    }
    return 0;
}

const struct command *command_find(const char *name)
{
    for (size_t i = 0; i < ncommands; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

const char *command_suggest(const char *name)
{
    size_t len = strlen(name);
    const char *best = NULL;
    unsigned best_d = ~0u;
    for (size_t i = 0; i < ncommands; i++) {
        if (commands[i].synopsis == NULL)
            continue; /* internal: never offered */
        unsigned d = name_distance(name, len, commands[i].name, strlen(commands[i].name));
        if (d <= name_close_limit(len) && d < best_d) {
            best_d = d;
            best = commands[i].name;
        }
    }
    return best;
}

const char *command_names(void)
{
    static char names[128];
    if (!names[0]) {
        size_t listed = 0, n = 0;
        for (size_t i = 0; i < ncommands; i++)
            listed += commands[i].synopsis != NULL;
        for (size_t i = 0; i < ncommands; i++) {
            if (!commands[i].synopsis)
                continue;
            const char *sep = n == 0 ? "" : n + 1 == listed ? " or " : ", ";
            size_t len = strlen(names);
            snprintf(names + len, sizeof names - len, "%s%s", sep, commands[i].name);
            n++;
        }
    }
    return names;
}
