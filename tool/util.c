/* SPDX-License-Identifier: ISC */
/* Helpers of the tool; see util.h. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "escape.h"

int verbosity = 1;

static void out_of_memory(void)
{
    fputs("mirari: out of memory\n", stderr);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        out_of_memory();
    return p;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    n = strnlen(s, n); /* as strndup(3): never past the terminator */
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s;
    if (vasprintf(&s, fmt, ap) < 0)
        out_of_memory();
    va_end(ap);
    return s;
}

bool str_starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_ends(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

void sb_addn(struct sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = xrealloc(b->s, b->cap);
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void sb_add(struct sbuf *b, const char *s)
{
    sb_addn(b, s, strlen(s));
}

void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        out_of_memory();
    sb_addn(b, s, (size_t)n);
    free(s);
}

const char *sb_str(struct sbuf *b)
{
    if (!b->s)
        sb_addn(b, "", 0);
    return b->s;
}

void sb_free(struct sbuf *b)
{
    free(b->s);
    *b = (struct sbuf){0};
}

void sl_add(struct strlist *l, const char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = xstrdup(s);
}

void sl_addf(struct strlist *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s;
    if (vasprintf(&s, fmt, ap) < 0)
        out_of_memory();
    va_end(ap);
    sl_add(l, s);
    free(s);
}

bool sl_has(const struct strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0)
            return true;
    return false;
}

void sl_free(struct strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    *l = (struct strlist){0};
}

char *path_join(const char *dir, const char *name)
{
    if (name[0] == '/' || dir[0] == '\0' || strcmp(dir, ".") == 0)
        return xstrdup(name);
    return xasprintf("%s%s%s", dir, str_ends(dir, "/") ? "" : "/", name);
}

char *path_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    return xstrndup(path, (size_t)(slash - path));
}

const char *path_base(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

char *path_full(const char *path)
{
    if (path[0] == '/')
        return xstrdup(path);
    char *cwd = getcwd(NULL, 0);
    if (!cwd)
        return xstrdup(path);
    while (path[0] == '.' && path[1] == '/')
        path += 2;
    char *full = strcmp(path, ".") == 0 || path[0] == '\0' ? xstrdup(cwd) : path_join(cwd, path);
    free(cwd);
    return full;
}

bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool make_safe(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr("/._+-@~", c)))
            return false;
    }
    return true;
}

char *read_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct sbuf b = {0};
    char chunk[65536];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            sb_free(&b);
            errno = e;
            return NULL;
        }
        if (n == 0)
            break;
        sb_addn(&b, chunk, (size_t)n);
    }
    close(fd);
    sb_str(&b);
    if (len)
        *len = b.len;
    return b.s;
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

int write_if_changed(const char *path, const char *data, size_t len)
{
    return write_if_changed_mode(path, data, len, 0644);
}

int write_if_changed_mode(const char *path, const char *data, size_t len, mode_t mode)
{
    size_t old_len;
    char *old = read_file(path, &old_len);
    bool same = old && old_len == len && memcmp(old, data, len) == 0;
    free(old);
    if (same)
        return 0;
    char *tmp = xasprintf("%s.tmp", path);
    unlink(tmp); /* so that O_CREAT gives it mode */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    int rc = fd < 0 ? -1 : write_all(fd, data, len);
    if (fd >= 0 && close(fd) < 0)
        rc = -1;
    if (rc == 0)
        rc = rename(tmp, path);
    if (rc < 0) {
        int e = errno;
        unlink(tmp);
        errno = e;
    }
    free(tmp);
    return rc < 0 ? -1 : 1;
}

long long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

int make_dirs(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return 0;
        errno = ENOTDIR; /* a file of that name is in the way */
        return -1;
    }
    char *parent = path_dir(path);
    int rc = strcmp(parent, path) == 0 ? 0 : make_dirs(parent);
    free(parent);
    if (rc == 0 && mkdir(path, 0755) < 0 && errno != EEXIST)
        rc = -1;
    return rc;
}

void say(const char *fmt, ...)
{
    if (verbosity < 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

void note(const char *fmt, ...)
{
    if (verbosity < 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void errorf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("mirari: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void error_path(const char *path, int err)
{
    char *full = path_full(path);
    errorf("%s: %s", full, strerror(err));
    free(full);
}

char *cmd_line(char *const argv[])
{
    struct sbuf b = {0};
    for (size_t i = 0; argv[i]; i++) {
        if (i > 0)
            sb_add(&b, " ");
        char *q = sh_quote_if_needed(argv[i]);
        sb_add(&b, q);
        free(q);
    }
    return (char *)sb_str(&b);
}

/* Read the child's stdout into out until EOF. */
static void collect(int fd, struct sbuf *out)
{
    char chunk[4096];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        sb_addn(out, chunk, (size_t)n);
    }
}

int run_cmd(char *const argv[], struct sbuf *out, bool quiet_err)
{
    if (verbosity >= 2) {
        char *line = cmd_line(argv);
        fprintf(stderr, "%s\n", line);
        free(line);
    }
    fflush(stdout);
    int pfd[2] = {-1, -1};
    if (out && pipe2(pfd, O_CLOEXEC) < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (out)
            dup2(pfd[1], 1);
        if (quiet_err) {
            int null = open("/dev/null", O_WRONLY);
            if (null >= 0)
                dup2(null, 2);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    if (out) {
        close(pfd[1]);
        collect(pfd[0], out);
        close(pfd[0]);
        sb_str(out);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status) == 127 && !find_program(argv[0]) ? -1 : WEXITSTATUS(status);
}

bool find_program(const char *name)
{
    if (strchr(name, '/'))
        return access(name, X_OK) == 0 && !is_dir(name);
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/bin:/bin";
    bool found = false;
    while (!found && *path) {
        size_t n = strcspn(path, ":");
        char *dir = n ? xstrndup(path, n) : xstrdup(".");
        char *full = path_join(dir, name);
        found = access(full, X_OK) == 0 && !is_dir(full);
        free(full);
        free(dir);
        path += n + (path[n] == ':');
    }
    return found;
}
