/* aimeter whatif RUN --zones A,B,C (or --hardware, --rank): the run's stored energy, priced
 * in other grid zones (or a file's time series), next to what the run's own grid cost. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util/number.h"

static const char whatif_usage[] =
    "Usage: aimeter whatif [RUN] --zones A,B,... [--intensity-file FILE] [--pue X] [--json]\n"
    "       aimeter whatif [RUN] --hardware A100,H100,L4 [--gpu-spec SPEC]... [--zones A,B,...]\n"
    "                      [--pue X] [--json]\n"
    "       aimeter whatif [RUN] --rank [--marginal] [--year Y] [--pue X] [--limit N] [--json]\n"
    "\n"
    "Re-prices RUN's stored energy (default: last), sample interval by sample interval, as if\n"
    "it had been drawn from other grids: carbon = Σ energy × intensity(t) × PUE, with each\n"
    "zone's built-in table value, or FILE's series aligned to the run's wall clock. The first\n"
    "row prices it with the run's own series; 'vs run' is each row's ratio to that row.\n"
    "\n"
    "  -z, --zones LIST           comma-separated zone codes or cloud regions (aimeter zones),\n"
    "                             each CODE[@YEAR][@marginal|@average]: FR,FR@2010,PL@marginal\n"
    "                             (@YEAR: that year's average, from the yearly history;\n"
    "                             @marginal: the country's operating-margin factor)\n"
    "      --intensity-file FILE  also price it with FILE (CSV timestamp,g_per_kwh[,signal])\n"
    "      --pue X|aws|gcp|azure  PUE for every row (default: the run's own)\n"
    "      --hardware LIST        RUN's GPU energy rescaled to other accelerators (names as in\n"
    "                             aimeter estimate --list-gpus): x TDP ratio x peak-TFLOPS ratio;\n"
    "                             with --zones, carbon for every hardware and zone\n"
    "      --gpu-spec NAME:tdp=W,tflops=T\n"
    "                             with --hardware: a device's figures, for a GPU the table\n"
    "                             lacks (measured or alternative) or to amend a row (a\n"
    "                             power-capped board: 'A100:tdp=250'); keys tdp (W), tflops\n"
    "                             or tensor, fp16, fp32 (peak TFLOPS); repeat for more\n"
    "      --rank                 RUN priced in every zone of the tables (aimeter zones),\n"
    "                             lowest carbon first: each row is what --zones CODE gives\n"
    "      --marginal             with --rank: the marginal table (aimeter zones --marginal)\n"
    "      --year Y               with --rank: each zone's figure of year Y (aimeter zones\n"
    "                             --year Y; as --zones CODE@Y)\n"
    "      --limit N              with --rank: the first N rows only\n"
    "      --json                 JSON (schema aimeter.whatif/1, aimeter.whatif-hardware/1 or\n"
    "                             aimeter.whatif-rank/1, docs/report-json.md)\n"
    "      --db PATH              store to read\n"
    "  -h, --help                 this help\n";

/* --year, --limit: a whole number from min to max (aim_parse_number, so no sign or hex). */
static int parse_whole(const char *opt, const char *s, long min, long max, long *ret) {
    double v;
    if (aim_parse_number(s, strlen(s), &v) < 0 || v != (double)(long)v || v < (double)min ||
        v > (double)max) {
        cli_error("whatif: bad %s '%s': a whole number from %ld to %ld", opt, s, min, max);
        return -EINVAL;
    }
    *ret = (long)v;
    return 0;
}

/* --rank's options, checked against the others; 0 or an exit code. */
static int rank_usage(int rank, int marginal, long year, long limit, int other) {
    if (!rank && (marginal || year || limit)) {
        cli_error("whatif: --marginal, --year and --limit go with --rank");
        return AIM_EXIT_USAGE;
    }
    if (rank && other) {
        cli_error("whatif: --rank prices every zone: no --zones, --hardware or --intensity-file");
        return AIM_EXIT_USAGE;
    }
    return 0;
}

int cmd_whatif(int argc, char **argv) {
    static const struct option longopts[] = {
        { "zones", required_argument, NULL, 'z' }, { "db", required_argument, NULL, 'd' },
        { "json", no_argument, NULL, 'j' },        { "help", no_argument, NULL, 'h' },
        { "intensity-file", required_argument, NULL, CLI_OPT_INTENSITY_FILE },
        { "pue", required_argument, NULL, CLI_OPT_PUE },
        { "hardware", required_argument, NULL, 2000 },
        { "gpu-spec", required_argument, NULL, 2001 },
        { "rank", no_argument, NULL, 2002 },        { "marginal", no_argument, NULL, 2003 },
        { "year", required_argument, NULL, 2004 },  { "limit", required_argument, NULL, 2005 },
        { NULL, 0, NULL, 0 },
    };
    const char *db = NULL, *zones = NULL, *file = NULL, *pue_spec = NULL, *hardware = NULL;
    char specs[2048] = "";
    int json = 0, rank = 0, marginal = 0, c;
    long year = 0, limit = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "z:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'z': zones = optarg; break;
        case 'd':
            if (cli_db_option(optarg, &db))
                return AIM_EXIT_USAGE;
            break;
        case 'j': json = 1; break;
        case CLI_OPT_INTENSITY_FILE: file = optarg; break;
        case CLI_OPT_PUE: pue_spec = optarg; break;
        case 2000: hardware = optarg; break;
        case 2001: {
            /* The library takes them ';'-separated: the figures inside use ','. */
            size_t used = strlen(specs);
            if (strchr(optarg, ';') || used + strlen(optarg) + 2 > sizeof specs) {
                cli_error("whatif: bad --gpu-spec '%s': one NAME:tdp=W,tflops=T per option, "
                          "without ';'", optarg);
                return AIM_EXIT_USAGE;
            }
            snprintf(specs + used, sizeof specs - used, "%s%s", used ? ";" : "", optarg);
            break;
        }
        case 2002: rank = 1; break;
        case 2003: marginal = 1; break;
        case 2004:
            if (parse_whole("--year", optarg, 1900, 2100, &year) < 0)
                return AIM_EXIT_USAGE;
            break;
        case 2005:
            if (parse_whole("--limit", optarg, 1, 100000, &limit) < 0)
                return AIM_EXIT_USAGE;
            break;
        case 'h': fputs(whatif_usage, stdout); return 0;
        default:
            return cli_bad_option("whatif", argv);
        }
    }
    const char *ref;
    if (cli_run_operand("whatif", argc, argv, &ref))
        return AIM_EXIT_USAGE;
    int rc = rank_usage(rank, marginal, year, limit, zones || file || hardware || specs[0]);
    if (rc)
        return rc;
    if (specs[0] && !hardware) {
        cli_error("whatif: --gpu-spec goes with --hardware");
        return AIM_EXIT_USAGE;
    }
    if (hardware && file) {
        cli_error("whatif: --hardware takes --zones, not --intensity-file");
        return AIM_EXIT_USAGE;
    }
    if (!zones && !file && !hardware && !rank) {
        cli_error("whatif: say where: --zones CA-SK,CA-MB,FR and/or --intensity-file FILE, "
                  "or --rank");
        return AIM_EXIT_USAGE;
    }
    /* --pue goes through the configuration's parser: one spelling of numbers and names. */
    double pue = 0;
    if (pue_spec) {
        aim_config *cfg;
        if (aim_config_new(&cfg) < 0) {
            cli_error("out of memory");
            return AIM_EXIT_SOFTWARE;
        }
        int r = aim_config_set_pue(cfg, pue_spec);
        aim_config_free(cfg);
        if (r < 0)
            return cli_carbon_pue_error(pue_spec, r);
        double v;
        const char *src;
        /* Not a provider's name: a number, which aim_config_set_pue() has just accepted. */
        if (aim_pue_lookup(pue_spec, &v, &src) == 0 ||
            aim__parse_decimal(pue_spec, strlen(pue_spec), 0, &v) == 0)
            pue = v;
    }
    aim_store *store;
    char *id = NULL;
    int code = cli_open_run(db, ref, &store, &id);
    if (code)
        return code;
    if (!code) {
        char *text = NULL;
        aim_whatif_rank_request rq = { .marginal = marginal, .year = (int)year, .pue = pue,
                                       .limit = (size_t)limit };
        int r = rank ? aim_whatif_rank_render(store, id, &rq, json ? AIM_FORMAT_JSON
                                                                   : AIM_FORMAT_TEXT, &text)
              : hardware ? aim_whatif_hardware_render_specs(store, id, hardware, specs, zones,
                                                            pue, json ? AIM_FORMAT_JSON : AIM_FORMAT_TEXT, &text)
                         : aim_whatif_render(store, id, zones, file, pue,
                                             json ? AIM_FORMAT_JSON : AIM_FORMAT_TEXT,
                                             &text);
        if (r == 0) {
            fputs(text, stdout);
            free(text);
        } else {
            cli_error("%s", aim_store_errmsg(store));
            code = r == -EINVAL ? AIM_EXIT_USAGE
                 : r == -EBADMSG || r == -ENODEV || r == -ENODATA ? AIM_EXIT_DATAERR
                 : r == -ENOENT || r == -EACCES || r == -EISDIR ? AIM_EXIT_NOINPUT
                 : AIM_EXIT_SOFTWARE;
        }
    }
    free(id);
    aim_store_free(store);
    return code;
}
