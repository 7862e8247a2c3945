/* synth_run: writes one synthetic GPU training run into a store, deterministically (same
 * arguments, same bytes of samples), through the store layer as the writer does: the run,
 * its GPUs, four series each (gpuK.power, gpuK.gpu.clock_sm, gpuK.gpu.util,
 * gpuK.temperature), the codec's chunks, then phases and marks. No sampling, no clock:
 * bench_plot.py times `aimeter plot` and the HTML report on a one-hour 100 Hz run made in a
 * second or two, and tools/make_examples.py draws docs/images/ from a short one.
 *
 * The workload (shares of the run): "load" 5 %, then three "epoch K" of 24 % each, every one
 * followed by "eval" 4 % and a mark "checkpoint K", then "save" for the rest. Training draws
 * about 620 W with a step rhythm and noise; the SM clock drops as power nears the 700 W cap
 * (the shape of the WattsOnAI paper's Figure 2); eval draws less at full clock; the
 * temperature follows the power with a lag. Each further GPU runs the same steps a little
 * later and draws a little less. Each GPU's utilisation is also averaged per phase, as the
 * writer's workload channels do (store: phase_metrics), so that `aimeter plot --kind phases`
 * and the phase report have their bars and bottleneck hints (idle while loading and saving,
 * busy in the epochs).
 *
 * usage: synth_run DB SECONDS HZ [NAME [GPUS]]   (GPUS 1 to 8, default 1)
 * prints the run id (fixed: 20261207-120000-5e1f0a) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimeter.h"
#include "processing/phases.h"
#include "processing/records.h"
#include "store/db.h"

#define RUN_ID "20261207-120000-5e1f0a"
#define START_WALL_NS 1796644800000000000LL   /* 2026-12-07T12:00:00Z */
#define PER_GPU 4
#define MAX_GPUS 8
#define INTENSITY 56.0                        /* g/kWh, the built-in FR figure's order */

static const aim_metric_id metric_of[PER_GPU] = { AIM_M_POWER, AIM_M_GPU_CLOCK_SM,
                                                   AIM_M_GPU_UTIL, AIM_M_TEMPERATURE };

typedef struct step { const char *phase; double share; } step;
static const step plan[] = {
    { "load", 0.05 }, { "epoch 1", 0.24 }, { "eval", 0.04 }, { "epoch 2", 0.24 },
    { "eval", 0.04 }, { "epoch 3", 0.24 }, { "eval", 0.04 }, { "save", 0.11 },
};
#define N_PLAN (sizeof plan / sizeof plan[0])

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static double uniform(void) {   /* xorshift64*: the same numbers on every machine */
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (double)((rng * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

/* One tick's values of GPU g in phase kind k ('l'oad, 't'rain, 'e'val, 's'ave) at t s. */
static void tick_values(int g, char k, double t, double *temp, double *v) {
    double noise = uniform() - 0.5;
    double power, util;
    if (k == 't') {
        double step_phase = fmod(t + 0.4 * g, 5.0) / 5.0;   /* a training step: forward, backward, sync */
        power = 600 + 70 * sin(2 * M_PI * step_phase) + 40 * noise + (step_phase > 0.88 ? -180 : 0);
        util = step_phase > 0.88 ? 60 + 20 * noise : 97 + 3 * noise;
    } else if (k == 'e') {
        power = 320 + 30 * noise;
        util = 55 + 10 * noise;
    } else {
        power = (k == 'l' ? 95 : 120) + 8 * noise;
        util = k == 'l' ? 3 : 8;
    }
    double clock = 1980 - (power > 520 ? (power - 520) * 1.9 : 0);   /* DVFS under the cap */
    clock = round((clock < 1410 ? 1410 : clock) / 15) * 15;
    power *= 1 - 0.03 * g;
    *temp += (32 + power * 0.055 - *temp) * 0.002;
    v[0] = power;
    v[1] = clock;
    v[2] = round(util);
    v[3] = round(*temp);
}

int main(int argc, char **argv) {
    int n_gpus = argc > 5 ? atoi(argv[5]) : 1;
    if (argc < 4 || atof(argv[2]) <= 0 || atof(argv[3]) <= 0 || n_gpus < 1 || n_gpus > MAX_GPUS) {
        fprintf(stderr, "usage: synth_run DB SECONDS HZ [NAME [GPUS]]\n");
        return 2;
    }
    const int n_series = PER_GPU * n_gpus;
    const char *path = argv[1];
    double seconds = atof(argv[2]), hz = atof(argv[3]);
    const int64_t interval = (int64_t)llround(1e9 / hz);
    const int64_t ticks = (int64_t)llround(seconds * hz);
    char err[256];
    aim_db *db;
    if (aim__db_open(path, 0, &db, err, sizeof err) < 0) {
        fprintf(stderr, "synth_run: %s\n", err);
        return 1;
    }

    aim_run_summary run;
    memset(&run, 0, sizeof run);
    snprintf(run.id, sizeof run.id, RUN_ID);
    snprintf(run.name, sizeof run.name, "%s", argc > 4 ? argv[4] : "synthetic training");
    snprintf(run.command, sizeof run.command, "python3 train.py");
    snprintf(run.host, sizeof run.host, "synthetic-host");
    snprintf(run.aimeter_version, sizeof run.aimeter_version, "%s", aim_version());
    snprintf(run.sources, sizeof run.sources, "nvml");
    snprintf(run.zone, sizeof run.zone, "FR");
    snprintf(run.intensity_source, sizeof run.intensity_source, "synthetic");
    run.start_wall_ns = START_WALL_NS;
    run.interval_ns = run.achieved_interval_ns = interval;
    run.status = AIM_RUN_COMPLETED;
    run.exit_code = 0;
    run.intensity_g_per_kwh = INTENSITY;
    run.pue = 1;
    snprintf(run.pue_source, sizeof run.pue_source, "synthetic");
    aim_device_summary devs[MAX_GPUS];
    memset(devs, 0, sizeof devs);
    for (int g = 0; g < n_gpus; g++) {
        aim_device_summary *d = &devs[g];
        snprintf(d->name, sizeof d->name, "gpu%d", g);
        snprintf(d->model, sizeof d->model, "NVIDIA H100 80GB HBM3");
        snprintf(d->energy_detail, sizeof d->energy_detail, "integrated power (synthetic)");
        d->kind = AIM_DEV_GPU;
        d->has_energy = d->in_total = 1;
        d->energy_method = AIM_METHOD_DERIVED;
    }
    aim_series_summary series[PER_GPU * MAX_GPUS];
    aim_chunk_column cols[PER_GPU * MAX_GPUS];
    memset(series, 0, sizeof series);
    for (int i = 0; i < n_series; i++) {
        const aim_metric_info *m = aim__metric_by_id(metric_of[i % PER_GPU]);
        series[i].slot = i;
        series[i].device = i / PER_GPU;
        series[i].metric = (int)metric_of[i % PER_GPU];
        snprintf(series[i].metric_key, sizeof series[i].metric_key, "%s", m->key);
        series[i].instance = -1;
        series[i].resolution = cols[i].resolution = m->resolution;
        series[i].counter = cols[i].counter = 0;
        series[i].min = INFINITY;
        series[i].max = -INFINITY;
    }
    run.devices = devs;
    run.n_devices = n_gpus;
    run.series = series;
    run.n_series = n_series;
    int r = aim__db_begin(db);
    if (r == 0)
        r = aim__db_run_insert(db, &run, 0);
    for (int g = 0; g < n_gpus && r == 0; g++)
        r = aim__db_device_insert(db, run.id, g, &devs[g]);
    for (int i = 0; i < n_series && r == 0; i++)
        r = aim__db_series_insert(db, run.id, &series[i]);
    if (r == 0)
        r = aim__db_commit(db);

    aim_phases *phases = NULL;
    aim_records *records = NULL;
    aim_chunk_encoder *enc = NULL;
    if (r == 0)
        r = aim__phases_new(256, 256, &phases);
    if (r == 0)
        r = aim__records_new(16, &records);
    const int per_chunk = 50;
    if (r == 0)
        r = aim__chunk_encoder_new(n_series, cols, per_chunk, &enc);

    double values[PER_GPU * MAX_GPUS], sum[PER_GPU * MAX_GPUS] = { 0 },
           sumsq[PER_GPU * MAX_GPUS] = { 0 };
    uint8_t valid[PER_GPU * MAX_GPUS];
    memset(valid, 1, sizeof valid);
    double temp[MAX_GPUS], energy[MAX_GPUS] = { 0 }, prev_power[MAX_GPUS];
    for (int g = 0; g < MAX_GPUS; g++)
        temp[g] = 34, prev_power[g] = NAN;
    int64_t seq = 0, duration = ticks * interval;
    size_t step_i = 0;
    int64_t step_end = (int64_t)(plan[0].share * (double)duration);
    int epoch = 0;
    if (r == 0)
        r = aim__phases_begin(phases, 0, plan[0].phase);
    for (int64_t k = 0; k < ticks && r == 0; k++) {
        int64_t t = (k + 1) * interval;   /* a run's first sample comes one interval in */
        while (t > step_end && step_i + 1 < N_PLAN) {
            aim__phases_end(phases, step_end, plan[step_i].phase);
            if (strncmp(plan[step_i].phase, "epoch", 5) == 0) {
                char mark[32];
                snprintf(mark, sizeof mark, "checkpoint %d", ++epoch);
                aim__phases_mark(phases, step_end, mark);
            }
            double share = 0;
            for (size_t j = 0; j <= step_i + 1; j++)
                share += plan[j].share;
            step_i++;
            aim__phases_begin(phases, step_end, plan[step_i].phase);
            step_end = step_i + 1 < N_PLAN ? (int64_t)(share * (double)duration) : duration;
        }
        const char *ph = plan[step_i].phase;
        for (int g = 0; g < n_gpus; g++)
            tick_values(g, ph[0] == 'e' && ph[1] == 'p' ? 't' : ph[0], (double)t / 1e9, &temp[g],
                        &values[PER_GPU * g]);
        for (int i = 0; i < n_series; i++) {
            sum[i] += values[i];
            sumsq[i] += values[i] * values[i];
            series[i].min = values[i] < series[i].min ? values[i] : series[i].min;
            series[i].max = values[i] > series[i].max ? values[i] : series[i].max;
        }
        for (int g = 0; g < n_gpus; g++) {
            double p = values[PER_GPU * g];
            /* the utilisation held over the interval up to this sample, weighted by time */
            aim__phases_sample(phases, g, t - interval, t, values[PER_GPU * g + 2]);
            if (!isnan(prev_power[g])) {   /* trapezoids between samples, as the energy stage does */
                double de = (prev_power[g] + p) / 2 * (double)interval / 1e9;
                energy[g] += de;
                aim__phases_account(phases, g, t - interval, t, de, p, de / 3.6e6 * INTENSITY);
            }
            prev_power[g] = p;
        }
        r = aim__chunk_encoder_add(enc, t, values, valid);
        if (r == 0 && (aim__chunk_encoder_ticks(enc) == per_chunk || k == ticks - 1)) {
            int64_t first = aim__chunk_encoder_first_t(enc), last = aim__chunk_encoder_last_t(enc);
            int n = aim__chunk_encoder_ticks(enc);
            const uint8_t *blob;
            size_t len;
            r = aim__chunk_encoder_finish(enc, &blob, &len);
            const uint8_t *summary; /* with its summary, as the writer stores it */
            size_t summary_len;
            aim__chunk_encoder_summary(enc, &summary, &summary_len);
            if (r == 0)
                r = aim__db_begin(db);
            if (r == 0)
                r = aim__db_chunk_insert_summary(db, run.id, 0, seq++, first, last, n, blob, len,
                                                summary, summary_len);
            if (r == 0)
                r = aim__db_commit(db);
        }
    }
    if (r == 0) {
        aim__phases_end(phases, duration, NULL);
        aim__phases_finish(phases, duration);
        for (int i = 0; i < n_series; i++) {
            double n = (double)ticks, mean = sum[i] / n;
            series[i].count = (uint64_t)ticks;
            series[i].mean = series[i].mode = mean;
            series[i].stddev = sqrt(fmax(0, sumsq[i] / n - mean * mean));
        }
        for (int g = 0; g < n_gpus; g++) {
            devs[g].energy_j = energy[g];
            devs[g].carbon_g = energy[g] / 3.6e6 * INTENSITY;
            run.total_energy_j += energy[g];
            run.carbon_g += devs[g].carbon_g;
        }
        run.facility_energy_j = run.total_energy_j;
        run.duration_ns = duration;
        run.end_wall_ns = START_WALL_NS + duration;
        run.samples = (uint64_t)ticks;
        const aim_phase_span *spans;
        const aim_phase_mark *marks;
        size_t n_spans = aim__phases_spans(phases, &spans), n_marks = aim__phases_marks(phases, &marks);
        r = aim__db_begin(db);
        if (r == 0)
            r = aim__db_workload_store(db, run.id, 0, phases, 0, n_spans, 0, n_marks, records,
                                       NULL, 0, 0);
        int ch_device[MAX_GPUS];
        char ch_key[MAX_GPUS][48];
        for (int g = 0; g < n_gpus; g++) {
            ch_device[g] = g;
            snprintf(ch_key[g], sizeof ch_key[g], "gpu.util");
        }
        if (r == 0)
            r = aim__db_phase_metrics_store(db, run.id, phases, n_gpus, ch_device,
                                           (const char(*)[48])ch_key);
        if (r == 0)   /* with the devices' energy and the series' figures */
            r = aim__db_run_update(db, &run);
        if (r == 0)
            r = aim__db_commit(db);
    }
    if (r < 0)
        fprintf(stderr, "synth_run: %s (%s)\n", aim_strerror(r), aim__db_errmsg(db));
    else
        printf("%s\n", run.id);
    aim__chunk_encoder_free(enc);
    aim__records_free(records);
    aim__phases_free(phases);
    aim__db_close(db);
    return r < 0;
}
