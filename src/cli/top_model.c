/* /api/live's JSON into top's model (top.h). The answer comes from the network: every field
 * is optional to the reader (a missing or mistyped one reads as unknown), strings are cut to
 * their fields, and only the shape that makes it a snapshot at all is required. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/top.h"
#include "util/json.h"
#include "util/utf8.h"

void top_clean_copy(char *out, size_t size, const char *s) {
    if (size == 0)
        return;
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s), o = 0;
    for (size_t i = 0; i < n;) {
        size_t k = aim__utf8_seq(u + i, n - i);
        /* C0, DEL, and C1 (U+0080-U+009F, encoded C2 80 - C2 9F): U+009B is a CSI that
         * some terminals obey like ESC [. A byte that is not UTF-8 is replaced alone. */
        int bad = k == 0 || u[i] < 0x20 || u[i] == 0x7f ||
                  (k == 2 && u[i] == 0xC2 && u[i + 1] < 0xA0);
        size_t w = bad ? 1 : k;
        if (o + w >= size)
            break; /* cut before a character that does not fit whole */
        if (bad)
            out[o] = '?';
        else
            memcpy(out + o, s + i, k);
        o += w;
        i += k ? k : 1;
    }
    out[o] = '\0';
}

/* A string field, cleaned and cut to its size (top_clean_copy). */
static void get_str(json_t *o, const char *key, char *out, size_t size) {
    const char *s = json_string_value(json_object_get(o, key));
    top_clean_copy(out, size, s ? s : "");
}

static double get_num(json_t *o, const char *key) {
    json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static int get_int(json_t *o, const char *key, int none) {
    json_t *v = json_object_get(o, key);
    return json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) < 1000000
               ? (int)json_integer_value(v)
               : none;
}

static void free_runs(top_run *runs, int n) {
    for (int i = 0; i < n; i++)
        free(runs[i].records);
    free(runs);
}

void top_model_clear(top_model *m) {
    free(m->devices);
    free(m->series);
    free_runs(m->runs, m->n_runs);
    memset(m, 0, sizeof *m);
}

/* Zeroed rows for each element of arr (none when it is not an array); NULL when out of
 * memory. */
static void *alloc_rows(json_t *arr, size_t size, int *ret_n) {
    *ret_n = (int)json_array_size(arr);
    return calloc((size_t)*ret_n + 1, size);
}

static int read_devices(json_t *arr, top_device **ret, int *ret_n) {
    top_device *d = alloc_rows(arr, sizeof *d, ret_n);
    if (!(*ret = d))
        return -ENOMEM;
    for (int i = 0; i < *ret_n; i++) {
        json_t *o = json_array_get(arr, (size_t)i);
        get_str(o, "name", d[i].name, sizeof d[i].name);
        get_str(o, "kind", d[i].kind, sizeof d[i].kind);
        get_str(o, "model", d[i].model, sizeof d[i].model);
        d[i].index = get_int(o, "index", -1);
        d[i].power_w = get_num(o, "power_w");
        d[i].energy_j = get_num(o, "energy_j");
    }
    return 0;
}

static int read_series(json_t *arr, top_series **ret, int *ret_n) {
    top_series *s = alloc_rows(arr, sizeof *s, ret_n);
    if (!(*ret = s))
        return -ENOMEM;
    for (int i = 0; i < *ret_n; i++) {
        json_t *o = json_array_get(arr, (size_t)i);
        get_str(o, "device", s[i].device, sizeof s[i].device);
        get_str(o, "metric", s[i].metric, sizeof s[i].metric);
        get_str(o, "unit", s[i].unit, sizeof s[i].unit);
        s[i].instance = get_int(o, "instance", -1);
        s[i].value = json_is_true(json_object_get(o, "valid")) ? get_num(o, "value") : NAN;
    }
    return 0;
}

static int read_runs(json_t *arr, top_run **ret, int *ret_n) {
    int n;
    top_run *r = alloc_rows(arr, sizeof *r, &n);
    if (!r)
        return -ENOMEM;
    for (int i = 0; i < n; i++) {
        json_t *o = json_array_get(arr, (size_t)i), *rec = json_object_get(o, "records");
        get_str(o, "kind", r[i].kind, sizeof r[i].kind);
        get_str(o, "state", r[i].state, sizeof r[i].state);
        get_str(o, "id", r[i].id, sizeof r[i].id);
        get_str(o, "name", r[i].name, sizeof r[i].name);
        get_str(o, "phase", r[i].phase, sizeof r[i].phase);
        r[i].elapsed_s = get_num(o, "elapsed_s");
        r[i].energy_j = get_num(o, "energy_j");
        r[i].carbon_g = get_num(o, "carbon_g");
        size_t nr = json_object_size(rec);
        if (!(r[i].records = calloc(nr + 1, sizeof *r[i].records))) {
            free_runs(r, i + 1);
            return -ENOMEM;
        }
        const char *key;
        json_t *v;
        json_object_foreach(rec, key, v) {
            if (!json_is_number(v))
                continue;
            top_record *t = &r[i].records[r[i].n_records++];
            top_clean_copy(t->key, sizeof t->key, key);
            t->value = json_number_value(v);
        }
    }
    *ret = r;
    *ret_n = n;
    return 0;
}

/* Each device's history carried over from the previous snapshot (same run, same name),
 * then its latest power appended. */
static void carry_history(const top_model *old, top_device *d, int n, int same_run) {
    for (int i = 0; i < n; i++) {
        for (int j = 0; same_run && j < old->n_devices; j++) {
            if (strcmp(old->devices[j].name, d[i].name) == 0) {
                memcpy(d[i].history, old->devices[j].history, sizeof d[i].history);
                d[i].n_history = old->devices[j].n_history;
                break;
            }
        }
        if (d[i].n_history == TOP_HISTORY) {
            memmove(d[i].history, d[i].history + 1, (TOP_HISTORY - 1) * sizeof d[i].history[0]);
            d[i].n_history--;
        }
        d[i].history[d[i].n_history++] = d[i].power_w;
    }
}

int top_model_update(top_model *m, const char *text, size_t len, char *err, size_t errlen) {
    json_t *root = aim__json_parse(text, len, err, errlen);
    if (!root)
        return -EINVAL;
    json_t *devs = json_object_get(root, "devices"), *ser = json_object_get(root, "series"),
           *runs = json_object_get(root, "runs"), *run = json_object_get(root, "run"),
           *tot = json_object_get(root, "totals"), *smp = json_object_get(root, "sampler");
    if (!json_is_object(root) || !json_is_integer(json_object_get(root, "schema")) ||
        !json_is_array(devs) || !json_is_array(ser)) {
        snprintf(err, errlen, "not an aimeter live snapshot: no schema, devices or series");
        json_decref(root);
        return -EINVAL;
    }
    top_model n = { .have = 1 };
    int r = read_devices(devs, &n.devices, &n.n_devices);
    if (r == 0)
        r = read_series(ser, &n.series, &n.n_series);
    if (r == 0)
        r = read_runs(json_is_array(runs) ? runs : NULL, &n.runs, &n.n_runs);
    if (r < 0) {
        snprintf(err, errlen, "out of memory");
        top_model_clear(&n);
        json_decref(root);
        return r;
    }
    get_str(run, "id", n.run_id, sizeof n.run_id);
    get_str(run, "name", n.run_name, sizeof n.run_name);
    get_str(run, "host", n.host, sizeof n.host);
    get_str(run, "zone", n.zone, sizeof n.zone);
    get_str(root, "phase", n.phase, sizeof n.phase);
    n.elapsed_s = get_num(root, "elapsed_s");
    n.power_w = get_num(tot, "power_w");
    n.energy_j = get_num(tot, "energy_j");
    n.carbon_g = get_num(tot, "carbon_g");
    double samples = get_num(smp, "samples"), missed = get_num(smp, "missed_deadlines");
    n.samples = samples >= 0 && samples < 1.8e19 ? (uint64_t)samples : 0;
    n.missed_deadlines = missed >= 0 && missed < 9e18 ? (int64_t)missed : -1;
    json_decref(root);

    int same_run = m->have && strcmp(m->run_id, n.run_id) == 0;
    carry_history(m, n.devices, n.n_devices, same_run);
    /* The carbon rate over the last step in which time moved (a refresh faster than the
     * writer's publications sees the same snapshot twice); the run's mean at first. */
    n.carbon_rate_g_h = NAN;
    n.prev_elapsed_s = n.elapsed_s;
    n.prev_carbon_g = n.carbon_g;
    if (!same_run && n.elapsed_s > 0) {
        n.carbon_rate_g_h = n.carbon_g / n.elapsed_s * 3600.0; /* the mean so far */
    } else if (same_run) {
        double dt = n.elapsed_s - m->prev_elapsed_s;
        if (dt > 0) {
            n.carbon_rate_g_h = (n.carbon_g - m->prev_carbon_g) / dt * 3600.0;
        } else {
            n.carbon_rate_g_h = m->carbon_rate_g_h;
            n.prev_elapsed_s = m->prev_elapsed_s;
            n.prev_carbon_g = m->prev_carbon_g;
        }
    }
    top_model_clear(m);
    *m = n;
    return 0;
}

int top_model_apply(top_model *m, const char *source, char *body, char *status, size_t size) {
    char err[256];
    int r = top_model_update(m, body, strlen(body), err, sizeof err);
    free(body);
    if (r < 0) {
        snprintf(status, size, "%s: %s", source, err);
        return -1;
    }
    status[0] = '\0';
    return 0;
}
