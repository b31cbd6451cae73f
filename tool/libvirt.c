/* SPDX-License-Identifier: ISC */
/* The libvirt domain of a disk image (libvirt.h). */
#include "libvirt.h"

#include <string.h>

#include "util.h"

/* s as XML character data or an attribute value in single quotes. */
static void xml_text(struct sbuf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            sb_add(b, "&amp;");
            break;
        case '<':
            sb_add(b, "&lt;");
            break;
        case '>':
            sb_add(b, "&gt;");
            break;
        case '\'':
            sb_add(b, "&apos;");
            break;
        case '"':
            sb_add(b, "&quot;");
            break;
        default:
            sb_addn(b, s, 1);
        }
    }
}

const char *libvirt_network_check(const char *network)
{
    const char *name = strncmp(network, "tap:", 4) == 0 ? network + 4 : network;
    if (!*name)
        return "expected a libvirt network's name or tap:DEVICE";
    if (strncmp(network, "tap:", 4) == 0 && strlen(name) > 15) /* IFNAMSIZ - 1 */
        return "a network device's name has at most 15 characters";
    for (const char *c = name; *c; c++)
        if (*c <= ' ' || *c == '/' || *c == 0x7f)
            return "a name without blanks, slashes or control characters";
    return NULL;
}

char *libvirt_domain_xml(const char *name, const char *disk, unsigned long memory_mb,
                         const char *network, const char *console_log)
{
    struct sbuf b = {0};
    sb_add(&b, "<!-- Written by mirari image. virsh define FILE; virsh start NAME;\n"
               "     virsh console NAME. Type 'qemu' runs under TCG; make it 'kvm' on a\n"
               "     host with KVM. -->\n"
               "<domain type='qemu'>\n  <name>");
    xml_text(&b, name);
    sb_printf(&b,
              "</name>\n"
              "  <memory unit='MiB'>%lu</memory>\n"
              "  <vcpu>1</vcpu>\n"
              "  <os>\n"
              "    <type arch='x86_64' machine='pc'>hvm</type>\n"
              "    <boot dev='hd'/>\n"
              "  </os>\n"
              "  <on_poweroff>destroy</on_poweroff>\n"
              "  <on_reboot>destroy</on_reboot>\n"
              "  <on_crash>destroy</on_crash>\n"
              "  <devices>\n"
              "    <disk type='file' device='disk'>\n"
              "      <driver name='qemu' type='raw'/>\n"
              "      <source file='",
              memory_mb);
    xml_text(&b, disk);
    sb_add(&b, "'/>\n"
               "      <target dev='vda' bus='virtio'/>\n"
               "    </disk>\n");
    if (strncmp(network, "tap:", 4) == 0) {
        sb_add(&b, "    <interface type='ethernet'>\n      <target dev='");
        xml_text(&b, network + 4);
        sb_add(&b, "' managed='no'/>\n");
    } else {
        sb_add(&b, "    <interface type='network'>\n      <source network='");
        xml_text(&b, network);
        sb_add(&b, "'/>\n");
    }
    sb_add(&b, "      <model type='virtio'/>\n"
               "    </interface>\n"
               "    <serial type='pty'>\n");
    if (console_log) {
        sb_add(&b, "      <log file='");
        xml_text(&b, console_log);
        sb_add(&b, "' append='off'/>\n");
    }
    /* Entropy for the kernel's DRBG: TCG's default CPU has no RDRAND. */
    sb_add(&b, "    </serial>\n"
               "    <console type='pty'/>\n"
               "    <rng model='virtio'>\n"
               "      <backend model='random'>/dev/urandom</backend>\n"
               "    </rng>\n"
               "    <memballoon model='none'/>\n"
               "  </devices>\n"
               "</domain>\n");
    char *s = xstrdup(sb_str(&b));
    sb_free(&b);
    return s;
}
