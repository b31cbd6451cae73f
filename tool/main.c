/* SPDX-License-Identifier: ISC */
/* mirari: build C applications into unikernels and run them. This file
 * dispatches to the commands through their table (commands.c). */
#include <stdio.h>

#include "cli.h"
#include "commands.h"

int main(int argc, char **argv)
{
    struct cli cli;
    int rc = cli_parse(argc, argv, &cli);
    if (rc != 0) {
        cli_free(&cli);
        return EXIT_USAGE;
    }
    verbosity = cli.verbosity;
    if (!cli.help && !cli.version && (rc = command_check_options(&cli)) != 0) {
        /* said why */
    } else if (cli.version) {
        printf("mirari %s\n", MIRARI_VERSION);
    } else if (cli.help) {
        rc = print_help(cli.command ? cli.command->name : NULL);
    } else if (!cli.command) {
        errorf("no command; expected %s (see mirari --help)", command_names());
        rc = EXIT_USAGE;
    } else {
        rc = cli.command->run(&cli);
    }
    cli_free(&cli);
    return rc;
}
