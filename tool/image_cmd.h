/* SPDX-License-Identifier: ISC */
/* What mirari image and mirari deploy share (image_cmd.c). */
#ifndef MIRARI_TOOL_IMAGE_CMD_H
#define MIRARI_TOOL_IMAGE_CMD_H

#include "check.h"
#include "cli.h"
#include "image.h"
#include "session.h"

/* Build the opened session's kernel when needed and write its image in
 * `format` to `output` (NULL: appdir/NAME.img, .qcow2 or -gce.tar.gz);
 * the path written in *written when not NULL. An exit status. */
int image_for_session(struct session *s, const struct cli *cli, enum image_format format,
                      const char *output, char **written);

#endif
