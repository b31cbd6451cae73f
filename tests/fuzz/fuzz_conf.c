/* SPDX-License-Identifier: ISC */
/* libFuzzer target for the app.conf parser and the checks across keys:
 * any bytes as a .conf file, parsed from memory (no file system); then
 * the checks per target and NAME.xl's errors, as the tool runs them, on
 * a configuration with errors too; and when the configuration is valid,
 * the generated main.c, stores.S and Makefile. Nothing may crash, leak
 * or read out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../tool/check.h"
#include "../../tool/codegen.h"
#include "../../tool/conf.h"
#include "../../tool/diag.h"
#include "../../tool/xl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct conf c;
    struct diag d = {0};
    struct app_config cfg;
    conf_init(&c, "app.conf");
    conf_parse(&c, (const char *)data, size, &d);
    /* The first line, when it is key=value, also comes as a command-line
     * key, to cover the command line's path through the checks. */
    const uint8_t *nl = size ? memchr(data, '\n', size) : NULL;
    if (nl && nl > data) {
        char *first = xstrndup((const char *)data, (size_t)(nl - data));
        char *eq = strchr(first, '=');
        if (eq) {
            *eq = '\0';
            conf_add_cli(&c, first, eq + 1, &d);
        }
        free(first);
    }
    int errors = check_config(&c, ".", 0, &cfg, &d);
    /* What the tool checks once it knows the target, errors or not (it
     * reports them all in one run): the checks per target and xl's. */
    for (size_t i = 0; i < ntargets; i++)
        check_target(&cfg, &targets[i], &d);
    free(xl_config_text(&cfg, "app", "/", &d));
    if (errors == 0 && d.total == 0) {
        struct strlist sources = {0};
        sl_add(&sources, "app.c");
        struct codegen g = {.app = "app",
                            .cfg = &cfg,
                            .target = target_default(),
                            .prefix = "/usr/local",
                            .tool = "/usr/local/bin/mirari",
                            .sources = &sources,
                            .cflags = "",
                            .libs = ""};
        free(gen_main_c(&g));
        free(gen_stores_s(&g));
        free(gen_makefile(&g));
        free(gen_sources_mk(&g));
        struct strlist out = {0};
        gen_outputs(&g, &out);
        sl_free(&out);
        sl_free(&sources);
    }
    app_config_free(&cfg);
    conf_free(&c);
    diag_free(&d);
    return 0;
}
