/* SPDX-License-Identifier: ISC */
/* Small helpers of the tool: memory that never returns NULL, strings,
 * paths, files, messages, and running other programs. */
#ifndef MIRARI_TOOL_UTIL_H
#define MIRARI_TOOL_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define PRINTF(f, a) __attribute__((format(printf, f, a)))

/* ---- memory and strings (abort on out of memory) ---- */
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) PRINTF(1, 2);
bool str_starts(const char *s, const char *prefix);
bool str_ends(const char *s, const char *suffix);

/* A growing string. */
struct sbuf {
    char *s;
    size_t len, cap;
};
void sb_add(struct sbuf *b, const char *s);
void sb_addn(struct sbuf *b, const char *s, size_t n);
void sb_printf(struct sbuf *b, const char *fmt, ...) PRINTF(2, 3);
/* The string (never NULL); the buffer keeps owning it. */
const char *sb_str(struct sbuf *b);
void sb_free(struct sbuf *b);

/* A growing list of strings it owns. */
struct strlist {
    char **v;
    size_t n, cap;
};
void sl_add(struct strlist *l, const char *s);
void sl_addf(struct strlist *l, const char *fmt, ...) PRINTF(2, 3);
bool sl_has(const struct strlist *l, const char *s);
void sl_free(struct strlist *l);

/* ---- paths ---- */
/* dir/name; name itself when it is absolute or dir is "" or ".". */
char *path_join(const char *dir, const char *name);
/* Directory part ("." when none) and last component. */
char *path_dir(const char *path);
const char *path_base(const char *path);
/* The path from the root, for messages: path itself when absolute, else
 * the current directory joined with it (lexically, "./" dropped). */
char *path_full(const char *path);
bool is_dir(const char *path);
bool is_file(const char *path);
/* Characters that make, the shell and the assembler all take literally in
 * a file name: letters, digits and / . _ + - @ ~ (no blank, no $ # : % \
 * quotes or wildcards). */
bool make_safe(const char *s);

/* ---- files ---- */
/* The whole file, NUL-terminated (its length in *len when len != NULL);
 * NULL with errno set on failure. */
char *read_file(const char *path, size_t *len);
/* Write data to path unless the file already holds exactly that (so make
 * sees no change); through a temporary file and rename. 1 written,
 * 0 unchanged, -1 error (errno). */
int write_if_changed(const char *path, const char *data, size_t len);
/* The same, a new file created with mode (0600 for a private key). */
int write_if_changed_mode(const char *path, const char *data, size_t len, mode_t mode);
/* The file's size in bytes, or -1. */
long long file_size(const char *path);
/* mkdir -p for one level or more; 0 or -1. */
int make_dirs(const char *path);

/* ---- messages ---- */
/* 0: only errors (-q), 1: normal, 2: commands too (-v). */
extern int verbosity;
/* Progress and results, on stdout; hidden by -q. */
void say(const char *fmt, ...) PRINTF(1, 2);
/* A remark the user should see (stderr), hidden by -q. */
void note(const char *fmt, ...) PRINTF(1, 2);
/* An error, always shown: "mirari: ..." on stderr. */
void errorf(const char *fmt, ...) PRINTF(1, 2);
/* "mirari: /full/path: strerror(err)": a file error names the file from
 * the root, whatever directory mirari ran in. */
void error_path(const char *path, int err);

/* ---- other programs ---- */
/* Run argv[0] (searched in PATH) with argv, without a shell. When out is
 * not NULL, its stdout is collected there; with quiet_err its stderr is
 * discarded. Shown first with -v. Returns the exit status, 128+signal
 * when killed, -1 when it could not be started. */
int run_cmd(char *const argv[], struct sbuf *out, bool quiet_err);
/* The same, showing the command line as the user could type it. */
char *cmd_line(char *const argv[]);
/* Whether name (no slash) is a program in PATH, or a path to one. */
bool find_program(const char *name);

#endif
