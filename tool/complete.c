/* SPDX-License-Identifier: ISC */
/* mirari complete SHELL -- WORDS...: what the shell completion scripts
 * (scripts/completion/) offer for the last of WORDS, the word being
 * completed, after the others (the command line without "mirari").
 * Read from the tables the parser and the runtime use (commands.c,
 * cli.c, target.c, abi/conf_keys.c), so that completion cannot offer
 * what mirari refuses or miss what it takes.
 *
 * One candidate a line. For zsh, "WORD:description" with the word's
 * colons escaped, for _describe. Three lines stand for the shell's own
 * completion instead: "@file" (a .conf file), "@pem" (a .pem file) and
 * "@dir" (a directory), of the text after the word's '=' when it has one. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "conf_keys.h"

struct offer {
    const char *shell; /* "bash" or "zsh" */
    const char *cur;   /* the word being completed */
};

static void offer(const struct offer *o, const char *word, const char *help)
{
    if (!str_starts(word, o->cur))
        return;
    if (strcmp(o->shell, "zsh") != 0 || !help) {
        printf("%s\n", word);
        return;
    }
    for (const char *p = word; *p; p++)
        printf(*p == ':' ? "\\:" : "%c", *p);
    printf(":%s\n", help);
}

/* "--KEY=" with a prefix of the word already typed, for values. */
static void offer_value(const struct offer *o, const char *prefix, const char *value,
                        const char *help)
{
    char *word = xasprintf("%s%s", prefix, value);
    offer(o, word, help);
    free(word);
}

static void offer_targets(const struct offer *o, const char *prefix)
{
    for (size_t i = 0; i < ntargets; i++) {
        offer_value(o, prefix, targets[i].name, targets[i].summary);
        if (targets[i].alias)
            offer_value(o, prefix, targets[i].alias, targets[i].summary);
    }
}

static void offer_commands(const struct offer *o)
{
    for (size_t i = 0; i < ncommands; i++)
        if (commands[i].synopsis) /* internal ones are not offered */
            offer(o, commands[i].name, commands[i].synopsis);
}

/* The values of a key; prefix is "--KEY=" or "" (the value is a word of
 * its own). */
static void offer_key_values(const struct offer *o, const struct conf_key *k, const char *prefix)
{
    static const char *const levels[] = {"error", "warn", "info", "debug"};
    switch (k->type) {
    case KT_BOOL:
        offer_value(o, prefix, "true", NULL);
        offer_value(o, prefix, "false", NULL);
        break;
    case KT_LOG_LEVEL:
        for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
            offer_value(o, prefix, levels[i], NULL);
        break;
    case KT_TCP_CC:
        offer_value(o, prefix, "bbr", "by the path's measured bandwidth and RTT");
        offer_value(o, prefix, "newreno", "halved on every loss");
        break;
    case KT_LISTEN_ADDR:
        offer_value(o, prefix, "*", "every address");
        break;
    case KT_DIR:
        printf("@dir\n");
        break;
    case KT_FILE:
        printf("@pem\n");
        break;
    default:
        break;
    }
}

/* --KEY= for every key (a family as --fs-, to be continued), a boolean
 * bare too; with boot_only, the unikernel's boot arguments only. */
static void offer_keys(const struct offer *o, bool boot_only)
{
    for (size_t i = 0; i < conf_nkeys; i++) {
        const struct conf_key *k = &conf_keys[i];
        if (boot_only && !(k->flags & KEY_BOOT) && strcmp(k->name, APP_KEY_PREFIX) != 0)
            continue;
        char *word = xasprintf("--%s%s", k->name,
                               k->flags & KEY_FAMILY ? ""
                               : k->type == KT_BOOL  ? ""
                                                     : "=");
        offer(o, word, k->help);
        free(word);
    }
}

static void offer_options(const struct offer *o, const struct command *cmd)
{
    /* Every command's options, and a command's own where it is known. */
    for (size_t i = 0; i < cli_noptions; i++) {
        const struct cli_option *opt = &cli_options[i];
        if (opt->commands && !(cmd && cli_option_for(opt, cmd->name)))
            continue;
        offer(o, opt->long_name, opt->help);
        if (opt->short_name)
            offer(o, opt->short_name, opt->help);
    }
    for (size_t i = 0; i < ntargets; i++)
        if (targets[i].flag)
            offer(o, targets[i].flag, targets[i].summary);
    if (!cmd || cmd->keys)
        offer_keys(o, false);
}

static const struct cli_option *option_named(const char *word)
{
    for (size_t i = 0; i < cli_noptions; i++)
        if (strcmp(word, cli_options[i].long_name) == 0 ||
            (cli_options[i].short_name && strcmp(word, cli_options[i].short_name) == 0))
            return &cli_options[i];
    return NULL;
}

/* The key a "--KEY" word names (without '='), or NULL. */
static const struct conf_key *key_named(const char *word)
{
    if (strncmp(word, "--", 2) != 0 || strchr(word, '='))
        return NULL;
    return conf_key_find(word + 2, strlen(word + 2));
}

/* Whether the word after w[i] is w[i]'s value (-f FILE, --http-port 80,
 * --ip-use-dhcp true), as cli.c reads it. */
static bool takes_next(char **w, size_t i, size_t n)
{
    const struct cli_option *opt = option_named(w[i]);
    if (opt)
        return cli_option_valued(opt);
    const struct conf_key *k = key_named(w[i]);
    if (!k || i + 1 >= n)
        return false;
    if (k->type == KT_BOOL)
        return strcmp(w[i + 1], "true") == 0 || strcmp(w[i + 1], "false") == 0;
    return true;
}

/* The value of --KEY=VALUE, -t VALUE and the like being typed: true when
 * cur (or the word before it) is such an option. */
static bool complete_value(const struct offer *o, const char *prev)
{
    const char *eq = strchr(o->cur, '=');
    if (str_starts(o->cur, "--") && eq) {
        char *name = xstrndup(o->cur, (size_t)(eq - o->cur));
        char *prefix = xstrndup(o->cur, (size_t)(eq - o->cur) + 1);
        const struct cli_option *opt = option_named(name);
        const struct conf_key *k = key_named(name);
        if (opt && opt->kind == OPT_FILE)
            printf("@file\n");
        else if (opt && opt->kind == OPT_TARGET)
            offer_targets(o, prefix);
        else if (k)
            offer_key_values(o, k, prefix);
        free(prefix);
        free(name);
        return true;
    }
    if (!prev)
        return false;
    const struct cli_option *opt = option_named(prev);
    const struct conf_key *k = key_named(prev);
    if (opt && opt->kind == OPT_FILE)
        printf("@file\n");
    else if (opt && opt->kind == OPT_TARGET)
        offer_targets(o, "");
    else if (k && k->type != KT_BOOL)
        offer_key_values(o, k, "");
    else
        return false;
    return true;
}

int cmd_complete(const struct cli *cli)
{
    if (cli->words.n != 1 || (strcmp(cli->words.v[0], "bash") && strcmp(cli->words.v[0], "zsh"))) {
        errorf("usage: mirari complete bash|zsh -- WORDS... (used by the shell completion "
               "scripts)");
        return EXIT_USAGE;
    }
    char **w = cli->extra.v;
    size_t n = cli->extra.n;
    struct offer o = {cli->words.v[0], n ? w[n - 1] : ""};
    const struct command *cmd = NULL;
    bool boot_args = false; /* after "--": the unikernel's arguments */
    bool operand = false;   /* help has its operand already */
    for (size_t i = 0; i + 1 < n; i++) {
        if (boot_args)
            continue;
        if (strcmp(w[i], "--") == 0)
            boot_args = true;
        else if (takes_next(w, i, n - 1))
            i++;
        else if (w[i][0] != '-' && !cmd)
            cmd = command_find(w[i]);
        else if (w[i][0] != '-')
            operand = true;
    }
    const char *prev = n >= 2 && !boot_args ? w[n - 2] : NULL;
    if (boot_args) {
        if (cmd && strcmp(cmd->name, "run") == 0 && !complete_value(&o, NULL) &&
            str_starts(o.cur, "-")) {
            offer_keys(&o, true);
            offer(&o, "--help", "the unikernel's boot arguments");
            offer(&o, "--version", "the unikernel's version");
        }
    } else if (complete_value(&o, prev)) {
        /* offered */
    } else if (str_starts(o.cur, "-")) {
        offer_options(&o, cmd);
    } else if (!cmd || (strcmp(cmd->name, "help") == 0 && !operand)) {
        offer_commands(&o);
    }
    return EXIT_OK;
}
