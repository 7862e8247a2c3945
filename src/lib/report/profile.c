/* A profile's JSON (profile.h, schema in docs/report-json.md). */
#include "report/profile.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"

void aim__profile_init(aim_profile *p) {
    memset(p, 0, sizeof *p);
    p->duration_s = p->energy_j = p->carbon_g = p->intensity_g_per_kwh = p->pue = NAN;
}

void aim__profile_clear(aim_profile *p) {
    if (!p)
        return;
    free(p->epochs);
    p->epochs = NULL;
    p->n_epochs = 0;
}

int aim__profile_name_ok(const char *name) {
    size_t n = strlen(name);
    if (n == 0 || n > 128 || !aim__utf8_valid(name, n))
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return 0;
    return 1;
}

static json_t *hardware(const aim_profile *p, int *err) {
    json_t *o = json_object(), *gpus = json_array();
    for (size_t i = 0; i < p->n_gpus; i++) {
        json_t *g = json_object();
        aim__json_put(g, "model", aim__json_str(p->gpus[i].model, sizeof p->gpus[i].model), err);
        aim__json_put(g, "count", json_integer(p->gpus[i].count), err);
        aim__json_push(gpus, g, err);
    }
    aim__json_put(o, "gpus", gpus, err);
    aim__json_put(o, "cpu", aim__json_str_or_null(p->cpu, sizeof p->cpu), err);
    return o;
}

int aim__profile_render(const aim_profile *p, char **ret_text) {
    int err = 0;
    json_t *o = json_object();
    aim__json_put(o, "schema", json_string(AIM_PROFILE_SCHEMA), &err);
    if (p->id > 0)
        aim__json_put(o, "id", json_integer(p->id), &err);
    aim__json_put(o, "name", aim__json_str(p->name, sizeof p->name), &err);
    aim__json_put(o, "source", aim__json_str(p->source, sizeof p->source), &err);
    aim__json_put(o, "run", aim__json_str_or_null(p->run, sizeof p->run), &err);
    if (p->imported_at_ns > 0)
        aim__json_put(o, "imported_at", aim__json_time(p->imported_at_ns), &err);
    aim__json_put(o, "host", aim__json_str_or_null(p->host, sizeof p->host), &err);
    aim__json_put(o, "hardware", hardware(p, &err), &err);
    aim__json_put(o, "duration_s", aim__json_num(p->duration_s), &err);
    aim__json_put(o, "energy_j", aim__json_num(p->energy_j), &err);
    json_t *by = json_object();
    for (size_t i = 0; i < p->n_by_device; i++)
        aim__json_put(by, p->by_device[i].kind, aim__json_num(p->by_device[i].joules), &err);
    aim__json_put(o, "energy_by_device_j", by, &err);
    aim__json_put(o, "carbon_g", aim__json_num(p->carbon_g), &err);
    aim__json_put(o, "intensity_g_per_kwh", aim__json_num(p->intensity_g_per_kwh), &err);
    aim__json_put(o, "pue", aim__json_num(p->pue), &err);
    json_t *epochs = json_array();
    for (size_t i = 0; i < p->n_epochs; i++) {
        json_t *e = json_object();
        aim__json_put(e, "index", json_integer(p->epochs[i].index), &err);
        aim__json_put(e, "energy_j", aim__json_num(p->epochs[i].energy_j), &err);
        aim__json_put(e, "duration_s", aim__json_num(p->epochs[i].duration_s), &err);
        aim__json_push(epochs, e, &err);
    }
    aim__json_put(o, "epochs", epochs, &err);
    int r = err ? -ENOMEM : aim__json_dump(o, ret_text);
    json_decref(o);
    return r;
}
