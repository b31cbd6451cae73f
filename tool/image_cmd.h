/* SPDX-License-Identifier: ISC */
/* What mirari image and mirari deploy share (image_cmd.c). */
#ifndef MIRARI_TOOL_IMAGE_CMD_H
#define MIRARI_TOOL_IMAGE_CMD_H

#include "check.h"
#include "cli.h"
#include "image.h"
#include "session.h"

/* The image's boot arguments: the configuration's (as xl_boot_words),
 * each --set KEY=VALUE in place of the key's word (checked as the
 * configuration's key is), and --ip-use-dhcp=true for an app with a
 * network and no address. 0, or -1 after messages. */
int image_boot_words(const struct app_config *cfg, const struct strlist *sets,
                     struct strlist *words);

/* Build the opened session's kernel when needed and write its image in
 * `format` to `output` (NULL: appdir/NAME.img, .qcow2 or -gce.tar.gz);
 * the path written in *written when not NULL. An exit status. */
int image_for_session(struct session *s, const struct cli *cli, enum image_format format,
                      const char *output, char **written);

#endif
