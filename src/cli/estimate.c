/* aimeter estimate: the energy and carbon of a run that was never measured, by Green
 * Algorithms' formula, with every input, its source, the formula and the substituted numbers
 * printed, so the figure can be checked by hand and cited. The arithmetic is the library's
 * (aim_footprint_compute); this file gathers the inputs and says where each comes from. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

#define FORMULA "E = t x (n_cores x P_core x u_core + n_gpu x P_gpu x u_gpu + mem x P_mem) x PUE"
#define METHOD "Green Algorithms (Lannelongue, Grealey, Inouye, Adv. Sci. 2021)"

typedef struct input_item {
    const char *symbol, *label, *unit;
    double value;
    char text[48];   /* how the value is shown ("1 package" instead of "1") */
    char source[512];
} input_item;

enum { IN_T, IN_NGPU, IN_PGPU, IN_UGPU, IN_NCORES, IN_PCORE, IN_UCORE, IN_MEM, IN_PMEM,
       IN_PUE, IN_CI, IN_COUNT };

typedef struct embodied_item {
    const char *what;
    double count;          /* devices, or GB */
    const aim_embodied_info *row;
    double share_kg;
} embodied_item;

typedef struct estimate {
    input_item in[IN_COUNT];
    const char *gpu_query, *cpu_query;
    const aim_gpu_info *gpu;        /* NULL: no GPU or not in the table */
    aim_cpu_info cpu;
    int have_cpu, cpu_package;      /* cpu_package: core count unknown, one package charged */
    const aim_zone_info *zone;      /* NULL with --intensity; else &zone_row */
    aim_zone_info zone_row;         /* the row that prices it (static strings) */
    char zone_note[200];            /* "national figure of CA: ..." or "" */
    aim_footprint_input fi;
    aim_footprint result;
    int embodied;
    embodied_item emb[3];
    int n_emb;
    double emb_total_kg;
} estimate;

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

/* ---------------------------------------------------------------- output helpers */

/* Shortest text that reads back as v, for JSON. */
static void json_num(FILE *f, double v) {
    if (!isfinite(v)) {
        fputs("null", f);
        return;
    }
    char buf[40];
    snprintf(buf, sizeof buf, "%.15g", v);
    if (strtod(buf, NULL) != v)
        snprintf(buf, sizeof buf, "%.17g", v);
    fputs(buf, f);
}

/* A JSON string. Table strings are UTF-8; a user's argument may not be, so bytes that do not
 * form valid UTF-8 become '?' and the document stays valid. */
static void json_str(FILE *f, const char *s) {
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            fputc('\\', f);
            fputc(c, f);
            p++;
        } else if (c < 0x20) {
            fprintf(f, "\\u%04x", c);
            p++;
        } else if (c < 0x80) {
            fputc(c, f);
            p++;
        } else {
            int len = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
            int ok = len > 0;
            for (int i = 1; ok && i < len; i++)
                ok = (p[i] & 0xc0) == 0x80;
            if (ok) {
                fwrite(p, 1, (size_t)len, f);
                p += len;
            } else {
                fputc('?', f);
                p++;
            }
        }
    }
    fputc('"', f);
}

/* Readable text for a value: 6 significant digits, plain digits from a million up. */
static const char *fmt_num(char *buf, size_t size, double v) {
    if (!isfinite(v))
        snprintf(buf, size, "n/a");
    else if (fabs(v) >= 1e6)
        snprintf(buf, size, "%.0f", v);
    else
        snprintf(buf, size, "%.6g", v);
    return buf;
}

/* Carbon in the unit that keeps it readable: g, kg or t CO2e. */
static const char *fmt_carbon(char *buf, size_t size, double g) {
    char n[40];
    if (g < 1000)
        snprintf(buf, size, "%s g CO2e", fmt_num(n, sizeof n, g));
    else if (g < 1e6)
        snprintf(buf, size, "%s kg CO2e", fmt_num(n, sizeof n, g / 1e3));
    else
        snprintf(buf, size, "%s t CO2e", fmt_num(n, sizeof n, g / 1e6));
    return buf;
}

static void set_item(input_item *it, const char *symbol, const char *label, const char *unit,
                     double value, const char *source) {
    it->symbol = symbol;
    it->label = label;
    it->unit = unit;
    it->value = value;
    fmt_num(it->text, sizeof it->text, value);
    snprintf(it->source, sizeof it->source, "%s", source);
}

/* ---------------------------------------------------------------- --list-gpus */

static int list_gpus(int json) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return AIM_EXIT_SOFTWARE;
    size_t n = aim_gpu_count();
    if (json) {
        fputs("[", f);
        for (size_t i = 0; i < n; i++) {
            const aim_gpu_info *g = aim_gpu_get(i);
            fputs(i ? ",\n {" : "\n {", f);
            fputs("\"name\": ", f), json_str(f, g->name);
            fputs(", \"aliases\": [", f);
            for (const char *a = g->aliases; *a;) {
                const char *end = strchr(a, '|');
                size_t l = end ? (size_t)(end - a) : strlen(a);
                char alias[128];
                snprintf(alias, sizeof alias, "%.*s", (int)l, a);
                if (a != g->aliases)
                    fputs(", ", f);
                json_str(f, alias);
                a = end ? end + 1 : a + l;
            }
            fputs("], \"vendor\": ", f), json_str(f, g->vendor);
            fputs(", \"kind\": ", f), json_str(f, g->kind);
            static const char *const keys[] = { "tdp_w", "memory_gb", "fp32_tflops",
                                                "fp16_tflops", "tf32_tflops", "tensor_tflops",
                                                "fp8_tflops", "mem_bw_gbs" };
            const double vals[] = { g->tdp_w, g->memory_gb, g->fp32_tflops, g->fp16_tflops,
                                    g->tf32_tflops, g->tensor_tflops, g->fp8_tflops,
                                    g->mem_bw_gbs };
            for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
                fprintf(f, ", \"%s\": ", keys[k]);
                json_num(f, vals[k]);
            }
            fputs(", \"year\": ", f);
            if (g->year)
                fprintf(f, "%d", g->year);
            else
                fputs("null", f);
            fputs(", \"source\": ", f), json_str(f, g->source);
            fputs(", \"licence\": ", f), json_str(f, g->licence);
            fputs("}", f);
        }
        fputs("\n]\n", f);
    } else {
        fprintf(f, "%-32s %6s %7s %9s %5s  %s\n", "NAME", "TDP W", "MEM GB", "TENSOR TF",
                "YEAR", "ALSO KNOWN AS");
        for (size_t i = 0; i < n; i++) {
            const aim_gpu_info *g = aim_gpu_get(i);
            char tdp[16], mem[16], tf[16], year[8];
            fmt_num(tdp, sizeof tdp, g->tdp_w);
            fmt_num(mem, sizeof mem, g->memory_gb);
            fmt_num(tf, sizeof tf, g->tensor_tflops);
            snprintf(year, sizeof year, g->year ? "%d" : "-", g->year);
            fprintf(f, "%-32s %6s %7s %9s %5s  ", g->name, tdp, isnan(g->memory_gb) ? "-" : mem,
                    isnan(g->tensor_tflops) ? "-" : tf, year);
            for (const char *a = g->aliases; *a; a++)
                fputs(*a == '|' ? ", " : (char[]){ *a, 0 }, f);
            fputc('\n', f);
        }
        fprintf(f, "\n%zu accelerators. TENSOR TF: dense FP16/BF16 tensor TFLOPS. Sources and "
                   "licences per row: --list-gpus --json, data/gpu_specs.csv.\n", n);
    }
    if (fclose(f) != 0) {
        free(text);
        return AIM_EXIT_SOFTWARE;
    }
    int code = cli_write_file("-", text);
    free(text);
    return code;
}

/* ---------------------------------------------------------------- gathering inputs */

typedef struct raw_opts {
    const char *gpu, *cpu, *zone, *pue, *time, *hours;
    double gpu_tdp, cpu_tdp, memory_gb, intensity, gpu_util, cpu_util;
    int have_gpu_tdp, have_cpu_tdp, have_memory, have_intensity, have_gpu_util, have_cpu_util;
    int count, cores, servers, have_count, have_cores, json, embodied, list, marginal;
} raw_opts;

/* Prints why a GPU name was not found: ambiguous (the candidates), a near miss, or
 * unknown. */
static void gpu_name_error(const char *name, int rc) {
    const aim_gpu_info *cand[8];
    size_t n = aim_gpu_candidates(name, cand, 8);
    char list[640] = "";
    for (size_t i = 0; i < n && i < 8; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                 cand[i]->name);
    if (rc == -EEXIST)
        cli_error("estimate: GPU name '%s' is ambiguous: %s%s (give one of these)", name, list,
                  n > 8 ? ", ..." : "");
    else if (n == 1)
        cli_error("estimate: unknown GPU '%s'; did you mean '%s'? (aimeter estimate "
                  "--list-gpus; --gpu-tdp W for another GPU)", name, list);
    else
        cli_error("estimate: unknown GPU '%s' (aimeter estimate --list-gpus shows the table; "
                  "--gpu-tdp W for another GPU)", name);
}

static int gather_gpu(const raw_opts *o, estimate *e) {
    char src[512];
    input_item *in = e->in;
    e->gpu_query = o->gpu;
    if (!o->gpu && !o->have_gpu_tdp) {
        if (o->have_count || o->have_gpu_util) {
            cli_error("estimate: --count and --util describe GPUs: give --gpu NAME (or --gpu-tdp W)");
            return AIM_EXIT_USAGE;
        }
        set_item(&in[IN_NGPU], "n_gpu", "GPUs", "", 0, "no --gpu");
        set_item(&in[IN_PGPU], "P_gpu", "power per GPU", "W", 0, "no --gpu");
        set_item(&in[IN_UGPU], "u_gpu", "GPU use", "", 0, "no --gpu");
        return 0;
    }
    if (o->gpu) {
        int rc = aim_gpu_lookup(o->gpu, &e->gpu);
        if (rc < 0) {
            e->gpu = NULL;
            if (!o->have_gpu_tdp) { /* with --gpu-tdp the name is only a label */
                gpu_name_error(o->gpu, rc);
                return AIM_EXIT_USAGE;
            }
        }
    }
    int count = o->have_count ? o->count : 1;
    set_item(&in[IN_NGPU], "n_gpu", "GPUs", "", count, o->have_count ? "--count" : "default");
    if (o->have_gpu_tdp) {
        snprintf(src, sizeof src, "--gpu-tdp%s%s%s", e->gpu ? " (table TDP of " : "",
                 e->gpu ? e->gpu->name : "", e->gpu ? " not used)" : "");
        set_item(&in[IN_PGPU], "P_gpu", "power per GPU", "W", o->gpu_tdp, src);
    } else {
        int same = strcasecmp(o->gpu, e->gpu->name) == 0;
        snprintf(src, sizeof src, "TDP of %s%s%s%s: %s; %s", e->gpu->name,
                 same ? "" : " (from '", same ? "" : o->gpu, same ? "" : "')", e->gpu->source,
                 e->gpu->licence);
        set_item(&in[IN_PGPU], "P_gpu", "power per GPU", "W", e->gpu->tdp_w, src);
    }
    set_item(&in[IN_UGPU], "u_gpu", "GPU use", "", o->have_gpu_util ? o->gpu_util : 1.0,
             o->have_gpu_util ? "--util"
                              : "default: full use, as Green Algorithms (an upper bound)");
    return 0;
}

static int gather_cpu(const raw_opts *o, estimate *e) {
    char src[512];
    input_item *in = e->in;
    e->cpu_query = o->cpu;
    if (!o->cpu && !o->have_cpu_tdp && !o->have_cores) {
        if (o->have_cpu_util) {
            cli_error("estimate: --cpu-util describes a CPU: give --cpu MODEL, --cores N or --cpu-tdp W");
            return AIM_EXIT_USAGE;
        }
        set_item(&in[IN_NCORES], "n_cores", "CPU cores", "", 0, "no --cpu or --cores");
        set_item(&in[IN_PCORE], "P_core", "power per core", "W", 0, "no --cpu or --cores");
        set_item(&in[IN_UCORE], "u_core", "CPU use", "", 0, "no --cpu or --cores");
        return 0;
    }
    double per_core = NAN;
    int cores = o->have_cores ? o->cores : 0;
    const char *cores_src = "--cores";
    if (o->cpu || !o->have_cpu_tdp) {
        /* --cores alone: Green Algorithms' "Any" row, its figure for an unknown CPU. */
        const char *name = o->cpu ? o->cpu : "Any";
        int rc = aim_cpu_lookup(name, &e->cpu);
        if (rc == -EEXIST) {
            cli_error("estimate: CPU name '%s' is ambiguous: it begins several models of the "
                      "per-core table (docs/methodology.md); give the full model name", name);
            return AIM_EXIT_USAGE;
        }
        if (rc < 0) {
            cli_error("estimate: unknown CPU '%s' (give --cpu-tdp W per core with --cores N "
                      "instead)", name);
            return AIM_EXIT_USAGE;
        }
        e->have_cpu = 1;
        per_core = e->cpu.tdp_per_core_w;
        if (!o->have_cores && e->cpu.cores > 0) {
            cores = e->cpu.cores;
            cores_src = "default: every core of one package of this model";
        }
        if (isnan(per_core) && !o->have_cpu_tdp) {
            if (o->have_cores) {
                cli_error("estimate: the core count of %s is not in the tables (only its "
                          "package TDP, %g W): give --cpu-tdp W per core with --cores, or leave "
                          "--cores out to charge the whole package", e->cpu.model, e->cpu.tdp_w);
                return AIM_EXIT_USAGE;
            }
            e->cpu_package = 1; /* one whole package at its TDP */
            cores = 1;
            per_core = e->cpu.tdp_w;
            cores_src = "default: the whole package (core count not in the tables)";
        }
    }
    if (o->have_cpu_tdp)
        per_core = o->cpu_tdp;
    if (cores == 0) {
        cli_error("estimate: give --cores N: how many CPU cores the run used");
        return AIM_EXIT_USAGE;
    }
    set_item(&in[IN_NCORES], "n_cores", "CPU cores", "", cores, cores_src);
    if (e->cpu_package)
        snprintf(in[IN_NCORES].text, sizeof in[IN_NCORES].text, "1 package");
    if (o->have_cpu_tdp)
        snprintf(src, sizeof src, "--cpu-tdp (W per core)");
    else if (e->cpu_package)
        snprintf(src, sizeof src, "package TDP of %s: %s; %s", e->cpu.model, e->cpu.source,
                 e->cpu.licence);
    else
        snprintf(src, sizeof src, "TDP per core of %s%s: %s; %s", e->cpu.model,
                 strcmp(e->cpu.model, "Any") == 0 ? " (Green Algorithms' figure for an unknown CPU)" : "",
                 e->cpu.source, e->cpu.licence);
    set_item(&in[IN_PCORE], "P_core", e->cpu_package ? "power per package" : "power per core",
             "W", per_core, src);
    set_item(&in[IN_UCORE], "u_core", "CPU use", "", o->have_cpu_util ? o->cpu_util : 1.0,
             o->have_cpu_util ? "--cpu-util"
                              : "default: full use, as Green Algorithms (an upper bound)");
    return 0;
}

static int gather_rest(const raw_opts *o, estimate *e) {
    char src[512];
    input_item *in = e->in;
    /* time */
    if (!!o->time + !!o->hours != 1) {
        cli_error("estimate: give the run time once: --hours H or --time DURATION");
        return AIM_EXIT_USAGE;
    }
    double hours;
    if (o->time) {
        int64_t ns;
        if (aim_parse_duration(o->time, &ns) < 0) {
            cli_error("estimate: bad --time '%s': a duration such as 90m, 2h, 3600s", o->time);
            return AIM_EXIT_USAGE;
        }
        hours = (double)ns / 3.6e12;
    } else if (parse_decimal(o->hours, &hours) < 0 || !(hours > 0) || hours > 1e6) {
        cli_error("estimate: bad --hours '%s': a positive number of hours, at most 1000000",
                  o->hours);
        return AIM_EXIT_USAGE;
    }
    set_item(&in[IN_T], "t", "time", "h", hours, o->time ? "--time" : "--hours");
    /* memory */
    const char *mem_src;
    double w_per_gb = aim_footprint_memory_w_per_gb(&mem_src);
    set_item(&in[IN_MEM], "mem", "memory", "GB", o->have_memory ? o->memory_gb : 0,
             o->have_memory ? "--memory" : "default: not counted (--memory GB)");
    set_item(&in[IN_PMEM], "P_mem", "memory power", "W/GB", w_per_gb, mem_src);
    /* PUE */
    double pue = 1.0;
    const char *pue_src = "default: the hardware's energy only (--pue X, aws, gcp, azure)";
    if (o->pue) {
        if (parse_decimal(o->pue, &pue) == 0) {
            if (!(pue >= 1.0) || pue > 5.0) {
                cli_error("estimate: bad --pue '%s': from 1 (no overhead) to 5", o->pue);
                return AIM_EXIT_USAGE;
            }
            pue_src = "--pue";
        } else {
            const char *s;
            if (aim_pue_lookup(o->pue, &pue, &s) < 0) {
                char names[128] = "";
                for (const char *const *n = aim_pue_names(); *n; n++)
                    snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
                             n == aim_pue_names() ? "" : ", ", *n);
                cli_error("estimate: bad --pue '%s': a number from 1 to 5, or %s", o->pue, names);
                return AIM_EXIT_USAGE;
            }
            snprintf(src, sizeof src, "--pue %s: %s", o->pue, s);
            pue_src = src;
        }
    }
    set_item(&in[IN_PUE], "PUE", "PUE", "", pue, pue_src);
    /* intensity */
    if (o->have_intensity) {
        set_item(&in[IN_CI], "CI", "carbon intensity", "g/kWh", o->intensity,
                 o->zone ? "--intensity (overrides --zone)" : "--intensity");
    } else {
        /* CODE[@YEAR][@marginal|@average]: the syntax of run --zone and whatif --zones. */
        char code[160], err[320];
        if (o->marginal && !o->zone) {
            cli_error("estimate: --marginal needs --zone (the marginal table is per country)");
            return AIM_EXIT_USAGE;
        }
        if (o->marginal && strcasestr(o->zone, "@average")) {
            cli_error("estimate: --marginal and --zone %s disagree", o->zone);
            return AIM_EXIT_USAGE;
        }
        snprintf(code, sizeof code, "%s%s", o->zone ? o->zone : "WORLD",
                 o->marginal && !strcasestr(o->zone, "@marginal") ? "@marginal" : "");
        if (aim_zone_resolve(code, &e->zone_row, e->zone_note, sizeof e->zone_note, err,
                             sizeof err) < 0) {
            cli_error("estimate: %s", err);
            return AIM_EXIT_USAGE;
        }
        e->zone = &e->zone_row;
        snprintf(src, sizeof src, "%szone %s (%s): %s%s%s, %d, %s, %s basis; %s",
                 o->zone ? "" : "default: ", e->zone->code, e->zone->name, e->zone_note,
                 e->zone_note[0] ? "; " : "", e->zone->source, e->zone->year, e->zone->signal,
                 e->zone->basis, e->zone->licence);
        set_item(&in[IN_CI], "CI", "carbon intensity", "g/kWh", e->zone->g_per_kwh, src);
    }
    return 0;
}

static void gather_embodied(const raw_opts *o, estimate *e) {
    double seconds = e->fi.hours * 3600;
    const aim_embodied_info *row;
    if (e->fi.gpu_count > 0 &&
        aim_embodied_lookup("gpu", e->gpu ? e->gpu->name : e->gpu_query, &row) == 0)
        e->emb[e->n_emb++] = (embodied_item){ "GPUs", e->fi.gpu_count, row, 0 };
    if (e->fi.memory_gb > 0 && aim_embodied_lookup("dram", NULL, &row) == 0)
        e->emb[e->n_emb++] = (embodied_item){ "memory", e->fi.memory_gb, row, 0 };
    if (o->servers > 0 &&
        aim_embodied_lookup("server", e->fi.gpu_count > 0 ? "gpu-node" : NULL, &row) == 0)
        e->emb[e->n_emb++] = (embodied_item){ "servers", o->servers, row, 0 };
    for (int i = 0; i < e->n_emb; i++) {
        embodied_item *it = &e->emb[i];
        it->share_kg = aim_embodied_amortise(it->count * it->row->kg_co2e,
                                             it->row->lifetime_years, seconds);
        e->emb_total_kg += it->share_kg;
    }
}

/* ---------------------------------------------------------------- rendering */

static void substituted(const estimate *e, char *buf, size_t size) {
    const input_item *in = e->in;
    snprintf(buf, size,
             "E = %s h x (%s x %s W x %s + %s x %s W x %s + %s GB x %s W/GB) x %s",
             in[IN_T].text, in[IN_NCORES].value > 0 ? in[IN_NCORES].text : "0",
             in[IN_PCORE].text, in[IN_UCORE].text, in[IN_NGPU].text, in[IN_PGPU].text,
             in[IN_UGPU].text, in[IN_MEM].text, in[IN_PMEM].text, in[IN_PUE].text);
}

static void render_text(FILE *f, const estimate *e) {
    char a[64], b[64], c[64], line[640];
    const input_item *in = e->in;
    const aim_footprint *r = &e->result;
    fprintf(f, "Estimate, not a measurement: %s\n\n", METHOD);
    fprintf(f, "Inputs\n");
    for (int i = 0; i < IN_COUNT; i++) {
        char value[64];
        snprintf(value, sizeof value, "%s%s%s", in[i].text, *in[i].unit ? " " : "", in[i].unit);
        fprintf(f, "  %-8s %-18s %-14s %s\n", in[i].symbol, in[i].label, value, in[i].source);
    }
    fprintf(f, "\nFormula\n  %s\n", FORMULA);
    substituted(e, line, sizeof line);
    fprintf(f, "  %s\n", line);
    fprintf(f, "    = %s h x %s W x %s\n", in[IN_T].text, fmt_num(a, sizeof a, r->it_w),
            in[IN_PUE].text);
    fprintf(f, "    = %s kWh\n", fmt_num(a, sizeof a, r->energy_kwh));
    fprintf(f, "  C = E x CI = %s kWh x %s g/kWh = %s\n\n", fmt_num(a, sizeof a, r->energy_kwh),
            in[IN_CI].text, fmt_carbon(b, sizeof b, r->carbon_g));
    fprintf(f, "Energy   %s kWh (hardware %s kWh + facility overhead %s kWh)\n",
            fmt_num(a, sizeof a, r->energy_kwh), fmt_num(b, sizeof b, r->it_kwh),
            fmt_num(c, sizeof c, r->energy_kwh - r->it_kwh));
    fprintf(f, "Carbon   %s\n", fmt_carbon(a, sizeof a, r->carbon_g));
    if (!e->embodied)
        return;
    fprintf(f, "\nEmbodied carbon: manufacturing, amortised linearly over the lifetime "
               "(not included in the carbon above)\n");
    if (e->n_emb == 0)
        fprintf(f, "  nothing to amortise: give --gpu, --memory or --servers N\n");
    for (int i = 0; i < e->n_emb; i++) {
        const embodied_item *it = &e->emb[i];
        const aim_embodied_info *row = it->row;
        char cnt[32], kg[32], life[32], share[64];
        fmt_num(cnt, sizeof cnt, it->count);
        fmt_num(kg, sizeof kg, row->kg_co2e);
        fmt_num(life, sizeof life, row->lifetime_years);
        fprintf(f, "  %-8s %s%s x %s kg CO2e x %s h / (%s y x 8766 h) = %s\n", it->what, cnt,
                strcmp(row->unit, "GB") == 0 ? " GB" : "", kg, in[IN_T].text, life,
                fmt_carbon(share, sizeof share, it->share_kg * 1000));
        fprintf(f, "           %s (%s): %s; %s (%s)\n",
                strcmp(row->model, "any") == 0 ? "class default" : row->model, row->scope,
                row->source, row->url, row->licence);
        fprintf(f, "           lifetime: %s\n", row->lifetime_source);
    }
    if (e->n_emb)
        fprintf(f, "  total    %s\n", fmt_carbon(a, sizeof a, e->emb_total_kg * 1000));
}

static void render_json(FILE *f, const estimate *e) {
    char line[640];
    const aim_footprint *r = &e->result;
    fputs("{\n  \"method\": ", f), json_str(f, METHOD);
    fputs(",\n  \"formula\": ", f), json_str(f, FORMULA);
    substituted(e, line, sizeof line);
    fputs(",\n  \"substituted\": ", f), json_str(f, line);
    fputs(",\n  \"inputs\": [", f);
    for (int i = 0; i < IN_COUNT; i++) {
        fputs(i ? ",\n    {" : "\n    {", f);
        fputs("\"symbol\": ", f), json_str(f, e->in[i].symbol);
        fputs(", \"name\": ", f), json_str(f, e->in[i].label);
        fputs(", \"value\": ", f), json_num(f, e->in[i].value);
        fputs(", \"unit\": ", f), json_str(f, e->in[i].unit);
        fputs(", \"source\": ", f), json_str(f, e->in[i].source);
        fputs("}", f);
    }
    fputs("\n  ],\n  \"gpu\": ", f);
    if (e->in[IN_NGPU].value > 0) {
        fputs("{\"query\": ", f), json_str(f, e->gpu_query);
        fputs(", \"name\": ", f), json_str(f, e->gpu ? e->gpu->name : e->gpu_query);
        fputs(", \"in_table\": ", f), fputs(e->gpu ? "true" : "false", f);
        fputs(", \"source\": ", f), json_str(f, e->gpu ? e->gpu->source : NULL);
        fputs(", \"licence\": ", f), json_str(f, e->gpu ? e->gpu->licence : NULL);
        fputs("}", f);
    } else {
        fputs("null", f);
    }
    fputs(",\n  \"cpu\": ", f);
    if (e->have_cpu) {
        fputs("{\"query\": ", f), json_str(f, e->cpu_query);
        fputs(", \"model\": ", f), json_str(f, e->cpu.model);
        fputs(", \"whole_package\": ", f), fputs(e->cpu_package ? "true" : "false", f);
        fputs(", \"source\": ", f), json_str(f, e->cpu.source);
        fputs(", \"licence\": ", f), json_str(f, e->cpu.licence);
        fputs("}", f);
    } else {
        fputs("null", f);
    }
    fputs(",\n  \"zone\": ", f);
    if (e->zone) {
        fputs("{\"code\": ", f), json_str(f, e->zone->code);
        fputs(", \"name\": ", f), json_str(f, e->zone->name);
        fprintf(f, ", \"year\": %d", e->zone->year);
        fputs(", \"signal\": ", f), json_str(f, e->zone->signal);
        fputs(", \"note\": ", f), json_str(f, e->zone_note);
        fputs(", \"basis\": ", f), json_str(f, e->zone->basis);
        fputs(", \"source\": ", f), json_str(f, e->zone->source);
        fputs(", \"licence\": ", f), json_str(f, e->zone->licence);
        fputs("}", f);
    } else {
        fputs("null", f);
    }
    fputs(",\n  \"power_w\": {\"gpu\": ", f), json_num(f, r->gpu_w);
    fputs(", \"cpu\": ", f), json_num(f, r->cpu_w);
    fputs(", \"memory\": ", f), json_num(f, r->memory_w);
    fputs(", \"total\": ", f), json_num(f, r->it_w);
    fputs("},\n  \"it_energy_kwh\": ", f), json_num(f, r->it_kwh);
    fputs(",\n  \"energy_kwh\": ", f), json_num(f, r->energy_kwh);
    fputs(",\n  \"carbon_g\": ", f), json_num(f, r->carbon_g);
    fputs(",\n  \"embodied\": ", f);
    if (!e->embodied) {
        fputs("null\n}\n", f);
        return;
    }
    fputs("{\"items\": [", f);
    for (int i = 0; i < e->n_emb; i++) {
        const embodied_item *it = &e->emb[i];
        fputs(i ? ", {" : "{", f);
        fputs("\"what\": ", f), json_str(f, it->what);
        fputs(", \"count\": ", f), json_num(f, it->count);
        fputs(", \"kind\": ", f), json_str(f, it->row->kind);
        fputs(", \"model\": ", f), json_str(f, it->row->model);
        fputs(", \"kg_co2e_each\": ", f), json_num(f, it->row->kg_co2e);
        fputs(", \"unit\": ", f), json_str(f, it->row->unit);
        fputs(", \"lifetime_years\": ", f), json_num(f, it->row->lifetime_years);
        fputs(", \"share_kg\": ", f), json_num(f, it->share_kg);
        fputs(", \"scope\": ", f), json_str(f, it->row->scope);
        fputs(", \"source\": ", f), json_str(f, it->row->source);
        fputs(", \"url\": ", f), json_str(f, it->row->url);
        fputs(", \"licence\": ", f), json_str(f, it->row->licence);
        fputs("}", f);
    }
    fputs("], \"total_kg\": ", f), json_num(f, e->emb_total_kg);
    fputs("}\n}\n", f);
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
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "g:n:t:u:m:z:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'g': o->gpu = optarg; break;
        case O_GPU_TDP:
            if (parse_decimal(optarg, &o->gpu_tdp) < 0 || !(o->gpu_tdp > 0) || o->gpu_tdp > 1e5) {
                cli_error("estimate: bad --gpu-tdp '%s': watts, a positive number", optarg);
                return AIM_EXIT_USAGE;
            }
            o->have_gpu_tdp = 1;
            break;
        case 'n':
            if (parse_count("--count", "GPUs", optarg, 10000000, &o->count) < 0)
                return AIM_EXIT_USAGE;
            o->have_count = 1;
            break;
        case O_HOURS: o->hours = optarg; break;
        case 't': o->time = optarg; break;
        case 'u':
        case O_CPU_UTIL: {
            double *u = c == 'u' ? &o->gpu_util : &o->cpu_util;
            if (parse_util(optarg, u) < 0) {
                cli_error("estimate: bad %s '%s': a fraction from 0 to 1 (0.7) or a percentage "
                          "(70%%)", c == 'u' ? "--util" : "--cpu-util", optarg);
                return AIM_EXIT_USAGE;
            }
            *(c == 'u' ? &o->have_gpu_util : &o->have_cpu_util) = 1;
            break;
        }
        case O_CPU: o->cpu = optarg; break;
        case O_CPU_TDP:
            if (parse_decimal(optarg, &o->cpu_tdp) < 0 || !(o->cpu_tdp > 0) || o->cpu_tdp > 1e4) {
                cli_error("estimate: bad --cpu-tdp '%s': watts per core, a positive number", optarg);
                return AIM_EXIT_USAGE;
            }
            o->have_cpu_tdp = 1;
            break;
        case O_CORES:
            if (parse_count("--cores", "cores", optarg, 100000000, &o->cores) < 0)
                return AIM_EXIT_USAGE;
            o->have_cores = 1;
            break;
        case 'm':
            if (parse_decimal(optarg, &o->memory_gb) < 0 || o->memory_gb > 1e9) {
                cli_error("estimate: bad --memory '%s': GB, a number from 0", optarg);
                return AIM_EXIT_USAGE;
            }
            o->have_memory = 1;
            break;
        case 'z': o->zone = optarg; break;
        case O_INTENSITY:
            if (parse_decimal(optarg, &o->intensity) < 0 || o->intensity > 5000) {
                cli_error("estimate: bad intensity '%s': a number of g CO2e per kWh between 0 "
                          "and 5000", optarg);
                return AIM_EXIT_USAGE;
            }
            o->have_intensity = 1;
            break;
        case O_PUE: o->pue = optarg; break;
        case O_EMBODIED: o->embodied = 1; break;
        case O_MARGINAL: o->marginal = 1; break;
        case O_SERVERS:
            if (parse_count("--servers", "servers", optarg, 1000000, &o->servers) < 0)
                return AIM_EXIT_USAGE;
            break;
        case O_JSON: o->json = 1; break;
        case O_LIST: o->list = 1; break;
        case 'h': fputs(estimate_usage, stdout); return -1;
        default:
            cli_error("estimate: unknown or incomplete option '%s' (see aimeter estimate --help)",
                      argv[optind - 1]);
            return AIM_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        cli_error("estimate: unexpected argument '%s'", argv[optind]);
        return AIM_EXIT_USAGE;
    }
    if (o->servers && !o->embodied) {
        cli_error("estimate: --servers counts server chassis for --embodied; add --embodied");
        return AIM_EXIT_USAGE;
    }
    return 0;
}

int cmd_estimate(int argc, char **argv) {
    raw_opts o = { 0 };
    int code = parse_args(argc, argv, &o);
    if (code)
        return code < 0 ? AIM_EXIT_OK : code;
    if (o.list)
        return list_gpus(o.json);
    estimate e = { 0 };
    e.embodied = o.embodied;
    if ((code = gather_gpu(&o, &e)) || (code = gather_cpu(&o, &e)) || (code = gather_rest(&o, &e)))
        return code;
    if (e.in[IN_NGPU].value == 0 && e.in[IN_NCORES].value == 0 && e.in[IN_MEM].value == 0) {
        cli_error("estimate: nothing to estimate: give --gpu NAME, --cpu MODEL / --cores N, or "
                  "--memory GB");
        return AIM_EXIT_USAGE;
    }
    e.fi = (aim_footprint_input){
        .hours = e.in[IN_T].value,
        .gpu_count = (int)e.in[IN_NGPU].value, .gpu_power_w = e.in[IN_PGPU].value,
        .gpu_util = e.in[IN_UGPU].value,
        .cpu_cores = (int)e.in[IN_NCORES].value, .cpu_core_power_w = e.in[IN_PCORE].value,
        .cpu_util = e.in[IN_UCORE].value,
        .memory_gb = e.in[IN_MEM].value, .pue = e.in[IN_PUE].value,
        .g_per_kwh = e.in[IN_CI].value,
    };
    if (aim_footprint_compute(&e.fi, &e.result) < 0) {
        cli_error("estimate: an input is out of range (run time at most 1e7 h)");
        return AIM_EXIT_USAGE;
    }
    if (e.embodied)
        gather_embodied(&o, &e);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return AIM_EXIT_SOFTWARE;
    if (o.json)
        render_json(f, &e);
    else
        render_text(f, &e);
    if (fclose(f) != 0) {
        free(text);
        return AIM_EXIT_SOFTWARE;
    }
    code = cli_write_file("-", text);
    free(text);
    return code;
}
