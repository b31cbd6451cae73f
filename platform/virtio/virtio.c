/* SPDX-License-Identifier: ISC */
/* Transport-independent start-up. */
#include <errno.h>

#include "virtio.h"

int virtio_begin(struct virtio_dev *d, uint64_t wanted, uint64_t *agreed)
{
    d->t->set_status(d, 0); /* reset */
    d->t->set_status(d, VIRTIO_STATUS_ACKNOWLEDGE);
    d->t->set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    uint64_t offered = d->t->get_features(d);
    if (d->modern) {
        /* A modern device requires VERSION_1 (virtio 1.2, 6.1). */
        if (!(offered & (1ull << VIRTIO_F_VERSION_1)))
            return -ENODEV;
        wanted |= 1ull << VIRTIO_F_VERSION_1;
    }
    *agreed = offered & wanted;
    if (!d->t->set_features(d, *agreed)) {
        d->t->set_status(d, VIRTIO_STATUS_FAILED);
        return -EIO;
    }
    return 0;
}
