/* SPDX-License-Identifier: ISC */
/* A guest that tests platform/xen's xenstore client without a device:
 * it reads its own domain id and name (the keys the toolstack writes in
 * the domain's home, /local/domain/<domid>), lists the home's children,
 * and writes and reads back a key of its own ("data/" is the part of the
 * home a guest may write) inside a transaction. Exit 0 when all worked. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../../platform/xen/xenstore.h"

int main(void)
{
    char domid[16], name[128], dir[1024], back[32];
    int rc;
    if ((rc = xenstore_read(0, "domid", domid, sizeof domid)) < 0 ||
        (rc = xenstore_read(0, "name", name, sizeof name)) < 0) {
        printf("xenstore: read failed (%d)\n", rc);
        return 1;
    }
    printf("xenstore: domid %s name %s\n", domid, name);
    char home[64];
    snprintf(home, sizeof home, "/local/domain/%s", domid);
    if ((rc = xenstore_directory(0, home, dir, sizeof dir)) < 0) {
        printf("xenstore: directory failed (%d)\n", rc);
        return 1;
    }
    printf("xenstore: home has");
    for (const char *p = dir; p < dir + rc; p += strlen(p) + 1)
        printf(" %s", p);
    printf("\n");
    for (;;) {
        uint32_t tx;
        if ((rc = xenstore_transaction_start(&tx)) < 0 ||
            (rc = xenstore_write(tx, "data/mirari", "written in a transaction")) < 0)
            break;
        rc = xenstore_transaction_end(tx, true);
        if (rc != -EAGAIN)
            break;
    }
    if (rc < 0 || (rc = xenstore_read(0, "data/mirari", back, sizeof back)) < 0) {
        printf("xenstore: write failed (%d)\n", rc);
        return 1;
    }
    printf("xenstore: read back [%s]\n", back);
    return 0;
}
