/* SPDX-License-Identifier: ISC */
/* mirari deploy gce|aws: write the cloud's image of the app (mirari image)
 * and print the commands that upload it, make it a bootable image and
 * start an instance; with --yes, run them (the cloud's CLI installed and
 * logged in). The commands form one POSIX shell script, so what --yes runs
 * is exactly what was printed.
 *
 * What boots where, stated and no more:
 *   GCE: UEFI or BIOS, the disk on virtio-scsi or NVMe, virtio-net: the
 *        image drives all of it (the tests boot it so under QEMU).
 *   AWS: the Xen-based instance families (t2, m4, c4, r4, ...) boot it by
 *        legacy BIOS and the kernel runs with its Xen drivers; Nitro
 *        families (t3, m5, c5 and later) need ENA and NVMe drivers the
 *        kernel does not have, so they are not offered. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "escape.h"
#include "image_cmd.h"

/* Cloud image names: lower-case letters, digits and '-', starting with a
 * letter (GCE's rule, the stricter one), with the time so each deploy
 * makes a new image. */
static char *cloud_name(const char *app)
{
    struct sbuf b = {0};
    if (!(*app >= 'a' && *app <= 'z') && !(*app >= 'A' && *app <= 'Z'))
        sb_add(&b, "mirari-");
    for (const char *c = app; *c; c++) {
        char ch = *c >= 'A' && *c <= 'Z' ? (char)(*c - 'A' + 'a') : *c;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
        sb_addn(&b, ok ? &ch : "-", 1);
    }
    sb_printf(&b, "-%lld", (long long)time(NULL));
    char *s = xstrndup(sb_str(&b), 62);
    sb_free(&b);
    return s;
}

/* s in single quotes for the shell. */
static void sh_add(struct sbuf *b, const char *s)
{
    char *q = sh_quote(s);
    sb_add(b, q);
    free(q);
}

static char *gce_script(const char *image, const char *bucket, const char *name)
{
    struct sbuf b = {0};
    char *object = xasprintf("gs://%s/%s.tar.gz", bucket, name);
    sb_add(&b, "# Google Compute Engine: upload the archive, import it as an image (it boots\n"
               "# by UEFI or BIOS, from virtio-scsi or NVMe, with virtio-net), start it.\n"
               "gcloud storage cp ");
    sh_add(&b, image);
    sb_add(&b, " ");
    sh_add(&b, object);
    sb_printf(&b, "\ngcloud compute images create %s --source-uri=", name);
    sh_add(&b, object);
    sb_add(&b, " --guest-os-features=UEFI_COMPATIBLE\n");
    sb_printf(&b,
              "gcloud compute instances create %s --image=%s --machine-type=e2-small "
              "--metadata=serial-port-enable=TRUE\n"
              "# The unikernel's console: gcloud compute instances get-serial-port-output %s\n",
              name, name, name);
    free(object);
    char *s = xstrdup(sb_str(&b));
    sb_free(&b);
    return s;
}

static char *aws_script(const char *image, const char *bucket, const char *name)
{
    struct sbuf b = {0};
    char *key = xasprintf("%s.img", name);
    char *object = xasprintf("s3://%s/%s", bucket, key);
    sb_add(&b, "# Amazon EC2: upload the raw disk, import it as a snapshot (the vmimport\n"
               "# service role must exist), register an AMI. It boots on the Xen-based\n"
               "# families (t2, m4, c4, r4, ...) by legacy BIOS; Nitro families need ENA\n"
               "# and NVMe drivers the kernel does not have, so no --ena-support.\n"
               "aws s3 cp ");
    sh_add(&b, image);
    sb_add(&b, " ");
    sh_add(&b, object);
    sb_printf(&b,
              "\ntask=$(aws ec2 import-snapshot --description %s --disk-container "
              "'Format=RAW,UserBucket={S3Bucket=%s,S3Key=%s}' --query ImportTaskId --output "
              "text)\n"
              "aws ec2 wait snapshot-imported --import-task-ids \"$task\"\n"
              "snapshot=$(aws ec2 describe-import-snapshot-tasks --import-task-ids \"$task\" "
              "--query 'ImportSnapshotTasks[0].SnapshotTaskDetail.SnapshotId' --output text)\n"
              "aws ec2 register-image --name %s --architecture x86_64 --virtualization-type hvm "
              "--boot-mode legacy-bios --root-device-name /dev/xvda --block-device-mappings "
              "\"DeviceName=/dev/xvda,Ebs={SnapshotId=$snapshot}\" --query ImageId --output text\n"
              "# Start it on a Xen-based family: aws ec2 run-instances --image-id AMI "
              "--instance-type t2.micro\n",
              name, bucket, key, name);
    free(key);
    free(object);
    char *s = xstrdup(sb_str(&b));
    sb_free(&b);
    return s;
}

/* Bucket names are the cloud's to check; here only that the script stays
 * one word (no blank, quote, $ or backquote). */
static bool plain_bucket(const char *b)
{
    return *b && strpbrk(b, " \t\n'\"$`\\;&|<>(){}*?") == NULL;
}

int cmd_deploy(const struct cli *cli)
{
    const char *cloud = cli->words.n == 1 ? cli->words.v[0] : NULL;
    if (!cloud || (strcmp(cloud, "gce") != 0 && strcmp(cloud, "aws") != 0)) {
        errorf("deploy takes one cloud: mirari deploy gce|aws --bucket=NAME [--yes]");
        return EXIT_USAGE;
    }
    if (!cli->opts.bucket || !plain_bucket(cli->opts.bucket)) {
        errorf("deploy %s needs --bucket=NAME: the %s bucket the image is uploaded to", cloud,
               strcmp(cloud, "gce") == 0 ? "Cloud Storage" : "S3");
        return EXIT_USAGE;
    }
    bool gce = strcmp(cloud, "gce") == 0;
    const char *cli_tool = gce ? "gcloud" : "aws";
    if (cli->opts.yes && !find_program(cli_tool)) {
        errorf("--yes runs %s, which is not installed (or not in PATH); without --yes the "
               "commands are printed for you to run elsewhere",
               cli_tool);
        return EXIT_FAIL;
    }
    struct session s;
    int rc = session_open(&s, cli, true);
    char *image = NULL;
    if (rc == EXIT_OK)
        rc = image_for_session(&s, cli, gce ? IMAGE_GCE : IMAGE_RAW, cli->opts.output, &image);
    if (rc == EXIT_OK) {
        char *name = cloud_name(s.app);
        char *script = gce ? gce_script(image, cli->opts.bucket, name)
                           : aws_script(image, cli->opts.bucket, name);
        if (!cli->opts.yes) {
            fputs(script, stdout);
        } else {
            char *argv[] = {"sh", "-exc", script, NULL};
            int st = run_cmd(argv, NULL, false);
            if (st != 0) {
                errorf("deploying to %s stopped (status %d) at the command shown above", cloud, st);
                rc = EXIT_FAIL;
            }
        }
        free(script);
        free(name);
    }
    free(image);
    session_close(&s);
    return rc;
}
