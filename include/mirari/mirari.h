/* SPDX-License-Identifier: ISC */
/* Everything an application needs: #include <mirari/mirari.h>. */
#ifndef MIRARI_MIRARI_H
#define MIRARI_MIRARI_H

#include <mirari/app.h>
#include <mirari/http.h>
#include <mirari/kv.h>
#include <mirari/log.h>
#include <mirari/loop.h>
#include <mirari/net.h>

#endif
