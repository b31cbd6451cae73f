/* SPDX-License-Identifier: ISC */
/* Packing a directory into a store image (format: abi/kv_format.h).
 *
 * Two passes: walk the tree and collect (key, size, mtime) for every file,
 * then write header, index, keys and data. File contents are streamed
 * through one fixed buffer, hashed on the way, so memory stays small
 * whatever the size of the store; the index is written last, once the
 * hashes are known. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kv_format.h"
#include "pack.h"

struct file {
    char *key;
    uint64_t size;
    uint64_t mtime;
};

struct packer {
    const char *dir;    /* as given, for messages */
    unsigned flags;     /* PACK_* */
    char *root;         /* realpath(dir) */
    char out[PATH_MAX]; /* the image's path from the root, for messages */
    size_t root_len;
    struct file *files;
    size_t nfiles, cap;
    /* (dev, ino) of the directories being walked, to catch symlink loops */
    struct {
        dev_t dev;
        ino_t ino;
    } stack[256];
    size_t depth;
    char *err;
    size_t errlen;
};

static int fail(struct packer *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct packer *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (p->errlen > 0)
        vsnprintf(p->err, p->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* A file name as a message can show it: printable bytes as they are,
 * backslash and control bytes escaped (\\, \n, \xNN). */
static const char *shown(const char *s, char *buf, size_t cap)
{
    size_t w = 0;
    for (; *s != '\0' && w + 5 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\\')
            w += (size_t)snprintf(buf + w, cap - w, "\\\\");
        else if (c == '\n')
            w += (size_t)snprintf(buf + w, cap - w, "\\n");
        else if (c < 0x20 || c == 0x7f)
            w += (size_t)snprintf(buf + w, cap - w, "\\x%02x", c);
        else
            buf[w++] = (char)c;
    }
    if (*s != '\0' && w + 4 <= cap) {
        memcpy(buf + w, "...", 3);
        w += 3;
    }
    buf[w] = '\0';
    return buf;
}

/* Why name (one path segment) cannot be part of a key, or NULL. */
static const char *bad_name(const char *name)
{
    for (const char *s = name; *s != '\0'; s++) {
        if (*s == '\\')
            return "a backslash";
        if (!kv_key_byte_ok((unsigned char)*s))
            return "a control character";
    }
    return NULL;
}

static int add_file(struct packer *p, const char *key, const struct stat *st)
{
    if (p->nfiles == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 256;
        struct file *f = realloc(p->files, cap * sizeof *f);
        if (f == NULL)
            return fail(p, "out of memory");
        p->files = f;
        p->cap = cap;
    }
    char *k = strdup(key);
    if (k == NULL)
        return fail(p, "out of memory");
    p->files[p->nfiles++] = (struct file){
        .key = k,
        .size = (uint64_t)st->st_size,
        .mtime = st->st_mtime > 0 ? (uint64_t)st->st_mtime : 0,
    };
    return 0;
}

/* Is the resolved path inside the root (or the root itself)? */
static int inside_root(const struct packer *p, const char *real)
{
    if (strncmp(real, p->root, p->root_len) != 0)
        return 0;
    return real[p->root_len] == '\0' || real[p->root_len] == '/' ||
           (p->root_len == 1 && p->root[0] == '/');
}

static int walk(struct packer *p, const char *key, const struct stat *dst);

bool pack_leaves_out(const char *name, bool is_dir, unsigned flags)
{
    if (flags & PACK_DOTFILES)
        return false;
    return name[0] == '.' || (is_dir && (strcmp(name, "CVS") == 0 || strcmp(name, "_darcs") == 0));
}

/* One entry `name` of directory `key`: checked (its key's length and
 * characters, a symbolic link's target), then walked or added. */
static int visit(struct packer *p, const char *key, const char *name)
{
    char show[256];
    char child[PATH_MAX];
    if ((size_t)snprintf(child, sizeof child, "%s%s%s", key, *key ? "/" : "", name) >=
            sizeof child ||
        strlen(child) > KV_MAX_KEY_LEN)
        return fail(p, "%s/%s: path longer than %u bytes", p->dir, shown(child, show, sizeof show),
                    KV_MAX_KEY_LEN);
    char full[PATH_MAX];
    if ((size_t)snprintf(full, sizeof full, "%s/%s", p->root, child) >= sizeof full)
        return fail(p, "%s/%s: path too long", p->dir, shown(child, show, sizeof show));
    struct stat st;
    if (lstat(full, &st) < 0)
        return fail(p, "%s/%s: %s", p->root, shown(child, show, sizeof show), strerror(errno));
    if (pack_leaves_out(name, S_ISDIR(st.st_mode), p->flags))
        return 0;
    const char *why = bad_name(name);
    if (why != NULL)
        return fail(p, "%s/%s: the name contains %s, which a store key cannot hold; rename it",
                    p->dir, shown(child, show, sizeof show), why);
    if (S_ISLNK(st.st_mode)) {
        /* Followed only when it stays inside the tree: the store must
         * not pick up files from elsewhere on the build machine. */
        char real[PATH_MAX];
        if (realpath(full, real) == NULL) {
            if (errno != ENOENT)
                return fail(p, "%s/%s: %s", p->root, shown(child, show, sizeof show),
                            strerror(errno));
            fprintf(stderr,
                    "mirari: warning: %s/%s: symbolic link with a missing target, left out\n",
                    p->dir, shown(child, show, sizeof show));
            return 0;
        }
        if (!inside_root(p, real)) {
            char show2[256];
            return fail(p, "%s/%s: symbolic link points outside %s (to %s); refusing to pack it",
                        p->dir, shown(child, show, sizeof show), p->dir,
                        shown(real, show2, sizeof show2));
        }
        if (stat(full, &st) < 0)
            return fail(p, "%s/%s: %s", p->root, shown(child, show, sizeof show), strerror(errno));
    }
    if (S_ISDIR(st.st_mode))
        return walk(p, child, &st);
    if (S_ISREG(st.st_mode))
        return add_file(p, child, &st);
    return fail(p, "%s/%s: not a regular file or directory (a FIFO, socket or device)", p->dir,
                shown(child, show, sizeof show));
}

/* Walk directory `key` (relative to the root, "" for the root itself). */
static int walk(struct packer *p, const char *key, const struct stat *dst)
{
    char show[256];
    for (size_t i = 0; i < p->depth; i++)
        if (p->stack[i].dev == dst->st_dev && p->stack[i].ino == dst->st_ino)
            return fail(p, "%s/%s: symbolic link loop (a directory contains itself)", p->dir,
                        shown(key, show, sizeof show));
    if (p->depth == sizeof p->stack / sizeof p->stack[0])
        return fail(p, "%s/%s: directories nested too deeply", p->dir,
                    shown(key, show, sizeof show));
    p->stack[p->depth].dev = dst->st_dev;
    p->stack[p->depth].ino = dst->st_ino;
    p->depth++;

    char path[PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s%s%s", p->root, *key ? "/" : "", key) >= sizeof path)
        return fail(p, "%s/%s: path too long", p->dir, shown(key, show, sizeof show));
    DIR *d = opendir(path);
    if (d == NULL)
        return fail(p, "%s%s%s: cannot open directory: %s", p->root, *key ? "/" : "",
                    shown(key, show, sizeof show), strerror(errno));
    int rc = 0;
    struct dirent *e;
    errno = 0; /* readdir() says end and error apart only by errno */
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            rc = visit(p, key, e->d_name);
        errno = 0;
    }
    if (rc == 0 && errno != 0)
        rc = fail(p, "%s%s%s: cannot read directory: %s", p->root, *key ? "/" : "",
                  shown(key, show, sizeof show), strerror(errno));
    closedir(d);
    p->depth--;
    return rc;
}

static int cmp_files(const void *a, const void *b)
{
    /* strcmp compares as unsigned char: bytewise, as the reader expects */
    return strcmp(((const struct file *)a)->key, ((const struct file *)b)->key);
}

/* ---- output: a buffered writer over the temporary file ---- */
#define BUF_SIZE (256 * 1024)

struct out {
    int fd;
    unsigned char *buf;
    size_t len;
    uint64_t pos; /* bytes written to the file so far, buffered included */
};

static int out_flush(struct out *o)
{
    size_t done = 0;
    while (done < o->len) {
        ssize_t n = write(o->fd, o->buf + done, o->len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    o->len = 0;
    return 0;
}

static int out_put(struct out *o, const void *data, size_t len)
{
    const unsigned char *s = data;
    while (len > 0) {
        if (o->len == BUF_SIZE && out_flush(o) < 0)
            return -1;
        size_t n = BUF_SIZE - o->len < len ? BUF_SIZE - o->len : len;
        memcpy(o->buf + o->len, s, n);
        o->len += n;
        o->pos += n;
        s += n;
        len -= n;
    }
    return 0;
}

static int out_pad(struct out *o, uint64_t align)
{
    static const unsigned char zero[KV_DATA_ALIGN];
    size_t n = (size_t)((align - o->pos % align) % align);
    return out_put(o, zero, n);
}

/* Stream one file into the image, hashing it on the way. */
static int copy_file(struct packer *p, struct out *o, struct file *f, uint64_t *hash)
{
    char show[256], full[PATH_MAX];
    snprintf(full, sizeof full, "%s/%s", p->root, f->key);
    int fd = open(full, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(p, "%s/%s: %s", p->root, shown(f->key, show, sizeof show), strerror(errno));
    uint64_t h = KV_HASH_INIT, total = 0;
    int rc = 0;
    for (;;) {
        if (o->len == BUF_SIZE && out_flush(o) < 0) {
            rc = fail(p, "writing the image %s: %s", p->out, strerror(errno));
            break;
        }
        /* Read straight into the output buffer: no second copy. */
        ssize_t n = read(fd, o->buf + o->len, BUF_SIZE - o->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = fail(p, "%s/%s: %s", p->root, shown(f->key, show, sizeof show), strerror(errno));
            break;
        }
        if (n == 0)
            break;
        h = kv_hash(h, o->buf + o->len, (size_t)n);
        o->len += (size_t)n;
        o->pos += (size_t)n;
        total += (uint64_t)n;
        if (total > f->size)
            break;
    }
    close(fd);
    if (rc == 0 && total != f->size)
        rc = fail(p, "%s/%s: the file changed size while it was packed", p->dir,
                  shown(f->key, show, sizeof show));
    *hash = h;
    return rc;
}

static int write_image(struct packer *p, int fd)
{
    struct out o = {.fd = fd, .buf = malloc(BUF_SIZE)};
    struct kv_record *recs = calloc(p->nfiles ? p->nfiles : 1, sizeof *recs);
    int rc = -1;
    if (o.buf == NULL || recs == NULL) {
        fail(p, "out of memory");
        goto out;
    }

    struct kv_header h = {
        .version = KV_VERSION, .header_size = sizeof h, .count = p->nfiles, .index_off = sizeof h};
    memcpy(h.magic, KV_MAGIC, sizeof h.magic);
    h.keys_off = h.index_off + p->nfiles * sizeof *recs;

    /* Header and index are placeholders until the hashes are known. */
    if (out_put(&o, &h, sizeof h) < 0 || out_put(&o, recs, p->nfiles * sizeof *recs) < 0)
        goto io;
    for (size_t i = 0; i < p->nfiles; i++) {
        size_t n = strlen(p->files[i].key);
        recs[i].key_off = o.pos - h.keys_off;
        recs[i].key_len = (uint32_t)n;
        if (out_put(&o, p->files[i].key, n + 1) < 0)
            goto io;
    }
    h.keys_len = o.pos - h.keys_off;
    if (out_pad(&o, KV_DATA_ALIGN) < 0)
        goto io;
    h.data_off = o.pos;
    for (size_t i = 0; i < p->nfiles; i++) {
        recs[i].data_off = o.pos - h.data_off;
        recs[i].size = p->files[i].size;
        recs[i].mtime = p->files[i].mtime;
        if (copy_file(p, &o, &p->files[i], &recs[i].hash) < 0)
            goto out;
        if (out_pad(&o, KV_DATA_ALIGN) < 0)
            goto io;
    }
    h.image_size = o.pos;
    if (out_flush(&o) < 0)
        goto io;
    if (pwrite(fd, &h, sizeof h, 0) != (ssize_t)sizeof h ||
        pwrite(fd, recs, p->nfiles * sizeof *recs, sizeof h) != (ssize_t)(p->nfiles * sizeof *recs))
        goto io;
    rc = 0;
    goto out;
io:
    fail(p, "writing the image %s: %s", p->out, strerror(errno ? errno : EIO));
out:
    free(recs);
    free(o.buf);
    return rc;
}

/* path from the root, for a message (the generated Makefile names files
 * relative to the app's directory, where make runs). */
static void from_root(const char *path, char *buf, size_t cap)
{
    char cwd[PATH_MAX];
    int n;
    if (path[0] == '/' || getcwd(cwd, sizeof cwd) == NULL)
        n = snprintf(buf, cap, "%s", path);
    else
        n = snprintf(buf, cap, "%s/%s", cwd, path);
    if (n < 0 || (size_t)n >= cap) /* too long to show whole: as given */
        snprintf(buf, cap, "%s", path);
}

int pack_dir(const char *dir, const char *out_path, unsigned flags, char *err, size_t errlen)
{
    struct packer p = {.dir = dir, .flags = flags, .err = err, .errlen = errlen};
    char tmp[PATH_MAX];
    int fd = -1, rc = -1, made_tmp = 0;
    struct stat st;

    from_root(out_path, p.out, sizeof p.out);
    p.root = realpath(dir, NULL);
    if (p.root == NULL || stat(p.root, &st) < 0) {
        char full[PATH_MAX];
        int e = errno;
        from_root(dir, full, sizeof full);
        fail(&p, "%s: %s", full, strerror(e));
        goto out;
    }
    if (!S_ISDIR(st.st_mode)) {
        fail(&p, "%s: not a directory", dir);
        goto out;
    }
    p.root_len = strlen(p.root);
    if (walk(&p, "", &st) < 0)
        goto out;
    if (p.nfiles > 1)
        qsort(p.files, p.nfiles, sizeof *p.files, cmp_files);

    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmpXXXXXX", out_path) >= sizeof tmp) {
        fail(&p, "%s: path too long", out_path);
        goto out;
    }
    fd = mkstemp(tmp);
    if (fd < 0) {
        fail(&p, "%s: cannot create: %s", p.out, strerror(errno));
        goto out;
    }
    made_tmp = 1;
    if (write_image(&p, fd) < 0)
        goto out;
    if (fchmod(fd, 0644) < 0 || close(fd) < 0) {
        fd = -1;
        fail(&p, "%s: %s", p.out, strerror(errno));
        goto out;
    }
    fd = -1;
    if (rename(tmp, out_path) < 0) {
        fail(&p, "%s: cannot rename into place: %s", p.out, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    if (rc < 0 && made_tmp)
        unlink(tmp);
    for (size_t i = 0; i < p.nfiles; i++)
        free(p.files[i].key);
    free(p.files);
    free(p.root);
    return rc;
}
