/* SPDX-License-Identifier: ISC */
/* static-website: the static store as a web site, plus one page rendered
 * from a template. It demonstrates the HTTP exchange API
 * (include/mirari/http.h) and the key-value stores (include/mirari/kv.h):
 *
 *   GET /hello?name=Ada    the template tmpl/hello.html with {{name}}
 *   POST /hello            the same from a form body (name=Ada)
 *   anything else          files/ as nginx would serve it
 *
 * Values from the request are HTML-escaped before they reach the page. */
#include <string.h>

#include <mirari/mirari.h>

#define MAX_NAME 64 /* bytes of name kept, after decoding */

static const mi_kv *site, *templates;

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The value of `key` in an application/x-www-form-urlencoded string (a
 * query or a form body), decoded ('+' is a space, %XX a byte) into out.
 * Returns its length, or -1 when the key is absent. */
static long form_value(mi_str form, const char *key, char *out, size_t cap)
{
    size_t klen = strlen(key), i = 0;
    while (i < form.n) {
        size_t end = i;
        while (end < form.n && form.p[end] != '&')
            end++;
        if (end - i > klen && memcmp(form.p + i, key, klen) == 0 && form.p[i + klen] == '=') {
            size_t n = 0;
            for (size_t j = i + klen + 1; j < end && n + 1 < cap; j++) {
                char c = form.p[j];
                if (c == '+') {
                    c = ' ';
                } else if (c == '%' && j + 2 < end && hexval(form.p[j + 1]) >= 0 &&
                           hexval(form.p[j + 2]) >= 0) {
                    c = (char)(hexval(form.p[j + 1]) << 4 | hexval(form.p[j + 2]));
                    j += 2;
                }
                out[n++] = c;
            }
            out[n] = '\0';
            return (long)n;
        }
        i = end + 1;
    }
    return -1;
}

/* Append s[0..n) to the body with the five HTML-significant characters
 * replaced by entities, so a name cannot inject markup or script. */
static void body_escaped(mi_http_exchange *x, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *ent = NULL;
        switch (s[i]) {
        case '&':
            ent = "&amp;";
            break;
        case '<':
            ent = "&lt;";
            break;
        case '>':
            ent = "&gt;";
            break;
        case '"':
            ent = "&quot;";
            break;
        case '\'':
            ent = "&#39;";
            break;
        default:
            continue;
        }
        mi_http_body_copy(x, s + run, i - run);
        mi_http_body_copy(x, ent, strlen(ent));
        run = i + 1;
    }
    mi_http_body_copy(x, s + run, n - run);
}

/* The first "{{name}}" in t[0..n), or NULL. */
static const char *find_mark(const char *t, size_t n)
{
    for (size_t i = 0; i + 8 <= n; i++)
        if (memcmp(t + i, "{{name}}", 8) == 0)
            return t + i;
    return NULL;
}

/* Copy the template, putting the escaped name at every {{name}}. */
static void render(mi_http_exchange *x, const mi_kv_entry *tmpl, const char *name)
{
    const char *t = tmpl->data, *end = t + tmpl->size;
    while (t < end) {
        const char *hit = find_mark(t, (size_t)(end - t));
        if (hit == NULL) {
            mi_http_body_copy(x, t, (size_t)(end - t));
            break;
        }
        mi_http_body_copy(x, t, (size_t)(hit - t));
        body_escaped(x, name, strlen(name));
        t = hit + 8;
    }
}

static void hello(mi_http_exchange *x)
{
    mi_str method = mi_http_method(x);
    mi_str form;
    if (method.n == 4 && memcmp(method.p, "POST", 4) == 0) {
        form = mi_http_body(x);
    } else if ((method.n == 3 && memcmp(method.p, "GET", 3) == 0) ||
               (method.n == 4 && memcmp(method.p, "HEAD", 4) == 0)) {
        form = mi_http_query(x);
    } else {
        mi_http_add_header(x, "Allow", "GET, HEAD, POST");
        mi_http_error(x, 405);
        return;
    }
    char name[MAX_NAME + 1];
    if (form_value(form, "name", name, sizeof name) <= 0)
        strcpy(name, "world");

    mi_kv_entry tmpl;
    if (templates == NULL || mi_kv_get(templates, "hello.html", 10, &tmpl) < 0) {
        mi_http_error(x, 500);
        return;
    }
    mi_http_add_header(x, "Content-Type", "text/html; charset=utf-8");
    mi_http_add_header(x, "Cache-Control", "no-store");
    render(x, &tmpl, name);
    mi_http_finish(x);
}

void dispatch_main(mi_http_exchange *x)
{
    if (site == NULL) {
        site = mi_kv_open("static");
        templates = mi_kv_open("template");
    }
    mi_str path = mi_http_path(x);
    if (path.n == 6 && memcmp(path.p, "/hello", 6) == 0) {
        hello(x);
        return;
    }
    mi_http_serve_kv(x, site, "/");
}
