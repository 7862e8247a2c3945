/* aimeter devices: what can be measured here, and why the rest cannot. */
#include <getopt.h>
#include <stdlib.h>

#include "cli/cli.h"

static const char devices_usage[] =
    "Usage: aimeter devices [--json]\n"
    "\n"
    "Shows every source aimeter has, whether it can measure on this machine, and for what it\n"
    "could not use, why and how to fix it (permissions, missing drivers).\n"
    "\n"
    "      --json  as JSON\n"
    "  -h, --help  this help\n";

int cmd_devices(int argc, char **argv) {
    static const struct option longopts[] = {
        { "json", no_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
    };
    aim_format format = AIM_FORMAT_TEXT;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'j': format = AIM_FORMAT_JSON; break;
        case 'h': fputs(devices_usage, stdout); return 0;
        default:
            cli_error("devices: unknown option '%s' (see aimeter devices --help)", argv[optind - 1]);
            return AIM_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        cli_error("devices: unexpected argument '%s'", argv[optind]);
        return AIM_EXIT_USAGE;
    }
    char *text = NULL;
    aim_error err;
    int r = aim_devices_describe(format, &text, &err);
    if (r < 0) {
        cli_error("devices: %s", err.message);
        return AIM_EXIT_SOFTWARE;
    }
    int code = cli_write_file("-", text);
    free(text);
    return code;
}
