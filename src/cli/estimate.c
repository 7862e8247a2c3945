/* aimeter estimate: the energy and carbon of a run that was never measured, by Green
 * Algorithms' formula, with every input, its source, the formula and the substituted numbers
 * printed, so the figure can be checked by hand and cited. This file reads the options into
 * an aim_estimate_request; the library defaults the rest from its tables, computes and
 * renders (aim_estimate_compute, aim_estimate_render, aim_gpu_table_render). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char estimate_usage[] =
    "Usage: aimeter estimate --gpu NAME [--count N] (--hours H | --time DURATION) [OPTIONS]\n"
    "       aimeter estimate --list-gpus [--json]\n"
    "\n"
    "Estimates the energy and carbon of a run that was not measured (Green Algorithms'\n"
    "method): E = t x (n_cores x P_core x u_core + n_gpu x P_gpu x u_gpu + mem x 0.3725 W/GB) x PUE,\n"
    "carbon = E x intensity. Prints every input with its source, and the formula with the\n"
    "numbers substituted.\n"
    "\n"
    "  -g, --gpu NAME        accelerator from the built-in table: H100, A100 80GB, L4, V100,\n"
    "                        MI300X, TPU v4, ... (--list-gpus shows them all)\n"
    "      --gpu-tdp W       power of one GPU at full use instead of the table's TDP (a GPU\n"
    "                        not in the table, or a power cap)\n"
    "  -n, --count N         number of GPUs (default 1)\n"
    "      --hours H         run time in hours, e.g. 72 or 0.5\n"
    "  -t, --time DURATION   run time as a duration: 90m, 2h, 3600s\n"
    "  -u, --util U          average GPU use, 0-1 or a percentage (default 1: full TDP)\n"
    "      --cpu MODEL       CPU model: Xeon Gold 6248, EPYC 7763, ... (TDP per core from\n"
    "                        Green Algorithms' table, else the package TDP)\n"
    "      --cpu-tdp W       power of one CPU core at full use (W per core)\n"
    "      --cores N         CPU cores used (default: all cores of one --cpu package)\n"
    "      --cpu-util U      average CPU use, 0-1 or a percentage (default 1)\n"
    "  -m, --memory GB       memory allocated, GB (default 0: not counted)\n"
    "  -z, --zone CODE       grid zone or cloud region (aimeter zones), e.g. FR, US-CA,\n"
    "                        aws:us-east-1 (default: the world average); CODE@YEAR, that\n"
    "                        year's average; CODE@marginal, the marginal table\n"
    "      --marginal        the zone's marginal intensity (= CODE@marginal; national\n"
    "                        for a sub-national zone, and said so)\n"
    "      --intensity G     grid intensity in g CO2e/kWh (overrides --zone)\n"
    "      --pue X           data-centre PUE, 1-5, or aws, gcp, azure, ovhcloud, oracle,\n"
    "                        average (default 1: the hardware's energy only)\n"
    "      --embodied        also the manufacturing carbon amortised over the run (shown\n"
    "                        apart, never added to the carbon above)\n"
    "      --servers N       with --embodied: also N server chassis\n"
    "      --json            one JSON object instead of text\n"
    "      --list-gpus       the accelerator table\n"
    "  -h, --help            this help\n"
    "\n"
    "Method, constants and sources: docs/methodology.md. Exit codes: docs/cli.md.\n";

typedef struct raw_opts {
    aim_estimate_request req;
    const char *time, *hours;
    int json, list;
} raw_opts;

/* ---------------------------------------------------------------- number parsing */

/* An unsigned decimal (aim_parse_number: no sign, hex, "inf" or locale comma), so a typo
 * never reads as a surprising value. */
static int parse_decimal(const char *text, double *ret) {
    return aim_parse_number(text, strlen(text), ret);
}

/* A fraction 0..1, or a percentage "70%". */
static int parse_util(const char *text, double *ret) {
    char buf[40];
    size_t n = strlen(text);
    int percent = n > 0 && text[n - 1] == '%';
    if (n == 0 || n >= sizeof buf)
        return -EINVAL;
    memcpy(buf, text, n + 1);
    if (percent)
        buf[n - 1] = '\0';
    double v;
    if (parse_decimal(buf, &v) < 0)
        return -EINVAL;
    if (percent)
        v /= 100;
    if (v > 1)
        return -ERANGE;
    *ret = v;
    return 0;
}

/* A whole number from 1 to max; on error, one line naming option, what it counts and the
 * bounds (a number too large says so rather than "at least 1"). */
static int parse_count(const char *opt, const char *what, const char *text, long max, int *ret) {
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < 1 || v > max || text[0] == '+' || text[0] == ' ') {
        int too_large = (errno == ERANGE || v > max) && end != text && !*end && text[0] != '-';
        cli_error("estimate: bad %s '%s': %s %s from 1 to %ld", opt, text,
                  too_large ? "too large; a whole number of" : "a whole number of", what, max);
        return -EINVAL;
    }
    *ret = (int)v;
    return 0;
}

/* ---------------------------------------------------------------- the command */

static int parse_args(int argc, char **argv, raw_opts *o) {
    enum { O_GPU_TDP = 256, O_HOURS, O_CPU, O_CPU_TDP, O_CORES, O_CPU_UTIL, O_INTENSITY, O_PUE,
           O_EMBODIED, O_SERVERS, O_JSON, O_LIST, O_MARGINAL };
    static const struct option longopts[] = {
        { "gpu", required_argument, NULL, 'g' },     { "gpu-tdp", required_argument, NULL, O_GPU_TDP },
        { "count", required_argument, NULL, 'n' },   { "hours", required_argument, NULL, O_HOURS },
        { "time", required_argument, NULL, 't' },    { "util", required_argument, NULL, 'u' },
        { "cpu", required_argument, NULL, O_CPU },   { "cpu-tdp", required_argument, NULL, O_CPU_TDP },
        { "cores", required_argument, NULL, O_CORES }, { "cpu-util", required_argument, NULL, O_CPU_UTIL },
        { "memory", required_argument, NULL, 'm' },  { "zone", required_argument, NULL, 'z' },
        { "intensity", required_argument, NULL, O_INTENSITY }, { "pue", required_argument, NULL, O_PUE },
        { "embodied", no_argument, NULL, O_EMBODIED }, { "servers", required_argument, NULL, O_SERVERS },
        { "json", no_argument, NULL, O_JSON },       { "list-gpus", no_argument, NULL, O_LIST },
        { "marginal", no_argument, NULL, O_MARGINAL },
        { "help", no_argument, NULL, 'h' },          { NULL, 0, NULL, 0 },
    };
    aim_estimate_request *q = &o->req;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "g:n:t:u:m:z:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'g': q->gpu = optarg; break;
        case O_GPU_TDP:
            if (parse_decimal(optarg, &q->gpu_tdp_w) < 0 || !(q->gpu_tdp_w > 0) ||
                q->gpu_tdp_w > 1e5) {
                cli_error("estimate: bad --gpu-tdp '%s': watts, a positive number", optarg);
                return AIM_EXIT_USAGE;
            }
            q->given |= AIM_ESTIMATE_GPU_TDP;
            break;
        case 'n':
            if (parse_count("--count", "GPUs", optarg, 10000000, &q->gpu_count) < 0)
                return AIM_EXIT_USAGE;
            q->given |= AIM_ESTIMATE_GPU_COUNT;
            break;
        case O_HOURS: o->hours = optarg; break;
        case 't': o->time = optarg; break;
        case 'u':
        case O_CPU_UTIL: {
            double *u = c == 'u' ? &q->gpu_util : &q->cpu_util;
            if (parse_util(optarg, u) < 0) {
                cli_error("estimate: bad %s '%s': a fraction from 0 to 1 (0.7) or a percentage "
                          "(70%%)", c == 'u' ? "--util" : "--cpu-util", optarg);
                return AIM_EXIT_USAGE;
            }
            q->given |= c == 'u' ? AIM_ESTIMATE_GPU_UTIL : AIM_ESTIMATE_CPU_UTIL;
            break;
        }
        case O_CPU: q->cpu = optarg; break;
        case O_CPU_TDP:
            if (parse_decimal(optarg, &q->cpu_core_tdp_w) < 0 || !(q->cpu_core_tdp_w > 0) ||
                q->cpu_core_tdp_w > 1e4) {
                cli_error("estimate: bad --cpu-tdp '%s': watts per core, a positive number", optarg);
                return AIM_EXIT_USAGE;
            }
            q->given |= AIM_ESTIMATE_CPU_TDP;
            break;
        case O_CORES:
            if (parse_count("--cores", "cores", optarg, 100000000, &q->cpu_cores) < 0)
                return AIM_EXIT_USAGE;
            q->given |= AIM_ESTIMATE_CPU_CORES;
            break;
        case 'm':
            if (parse_decimal(optarg, &q->memory_gb) < 0 || q->memory_gb > 1e9) {
                cli_error("estimate: bad --memory '%s': GB, a number from 0", optarg);
                return AIM_EXIT_USAGE;
            }
            q->given |= AIM_ESTIMATE_MEMORY;
            break;
        case 'z': q->zone = optarg; break;
        case O_INTENSITY:
            if (parse_decimal(optarg, &q->g_per_kwh) < 0 || q->g_per_kwh > 5000) {
                cli_error("estimate: bad intensity '%s': a number of g CO2e per kWh between 0 "
                          "and 5000", optarg);
                return AIM_EXIT_USAGE;
            }
            q->given |= AIM_ESTIMATE_INTENSITY;
            break;
        case O_PUE: q->pue = optarg; break;
        case O_EMBODIED: q->embodied = 1; break;
        case O_MARGINAL: q->marginal = 1; break;
        case O_SERVERS:
            if (parse_count("--servers", "servers", optarg, 1000000, &q->servers) < 0)
                return AIM_EXIT_USAGE;
            break;
        case O_JSON: o->json = 1; break;
        case O_LIST: o->list = 1; break;
        case 'h': fputs(estimate_usage, stdout); return -1;
        default:
            return cli_bad_option("estimate", argv);
        }
    }
    if (optind < argc) {
        cli_error("estimate: unexpected argument '%s'", argv[optind]);
        return AIM_EXIT_USAGE;
    }
    if (q->servers && !q->embodied) {
        cli_error("estimate: --servers counts server chassis for --embodied; add --embodied");
        return AIM_EXIT_USAGE;
    }
    return 0;
}

/* --time or --hours into req (exactly one given: else the library says so). */
static int parse_time(raw_opts *o) {
    aim_estimate_request *q = &o->req;
    if (!!o->time + !!o->hours != 1)
        return 0;
    if (o->time) {
        int64_t ns;
        if (aim_parse_duration(o->time, &ns) < 0) {
            cli_error("estimate: bad --time '%s': a duration such as 90m, 2h, 3600s", o->time);
            return AIM_EXIT_USAGE;
        }
        q->hours = (double)ns / 3.6e12;
        q->given |= AIM_ESTIMATE_DURATION;
    } else {
        if (parse_decimal(o->hours, &q->hours) < 0 || !(q->hours > 0) || q->hours > 1e6) {
            cli_error("estimate: bad --hours '%s': a positive number of hours, at most 1000000",
                      o->hours);
            return AIM_EXIT_USAGE;
        }
        q->given |= AIM_ESTIMATE_HOURS;
    }
    return 0;
}

int cmd_estimate(int argc, char **argv) {
    raw_opts o = { 0 };
    int code = parse_args(argc, argv, &o);
    if (code)
        return code < 0 ? AIM_EXIT_OK : code;
    aim_format format = o.json ? AIM_FORMAT_JSON : AIM_FORMAT_TEXT;
    char *text = NULL;
    int rc;
    if (o.list) {
        rc = aim_gpu_table_render(format, &text, NULL);
    } else {
        if ((code = parse_time(&o)))
            return code;
        aim_estimate *e;
        if (aim_estimate_new(&e) < 0)
            return AIM_EXIT_SOFTWARE;
        rc = aim_estimate_compute(e, &o.req);
        if (rc < 0) {
            cli_error("estimate: %s", aim_estimate_errmsg(e));
            aim_estimate_free(e);
            return rc == -ENOMEM ? AIM_EXIT_SOFTWARE : AIM_EXIT_USAGE;
        }
        rc = aim_estimate_render(e, format, &text);
        aim_estimate_free(e);
    }
    if (rc < 0) {
        cli_error("estimate: %s", aim_strerror(rc));
        return AIM_EXIT_SOFTWARE;
    }
    code = cli_write_file("-", text);
    free(text);
    return code;
}
