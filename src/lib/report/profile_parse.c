/* Profiles from outside (profile.h): an aimeter.profile/1 JSON document or a CSV of epoch
 * energies, as POST /api/profiles receives them. Strict: an unknown field, a wrong type, a
 * negative or non-finite figure, epochs out of order are errors naming the field or the line,
 * so what the store keeps is what `aimeter export --profile` would have written. */
#include "report/profile.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/number.h"
#include "util/text.h"
#include "util/utf8.h"

#define MAX_INDEX 1000000000L

static int add_epoch(aim_profile *p, size_t *cap, long index, double joules, double seconds) {
    if (p->n_epochs == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        aim_profile_epoch *e = realloc(p->epochs, c * sizeof *e);
        if (!e)
            return -ENOMEM;
        p->epochs = e;
        *cap = c;
    }
    p->epochs[p->n_epochs++] = (aim_profile_epoch){ index, joules, seconds };
    return 0;
}

/* ------------------------------------------------------------------------------ JSON */

/* A text field: 0, or -EINVAL; null and absent leave out "" (when nullable). */
static int text_field(json_t *v, const char *key, char *out, size_t size, int nullable, char *err,
                      size_t errlen) {
    if (!v || (nullable && json_is_null(v)))
        return 0;
    if (!json_is_string(v))
        return aim__text_invalid(err, errlen, "%s: a string%s", key, nullable ? " or null" : "");
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n >= size || strlen(s) != n)
        return aim__text_invalid(err, errlen, "%s: at most %zu bytes", key, size - 1);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return aim__text_invalid(err, errlen, "%s: no control characters", key);
    memcpy(out, s, n + 1);
    return 0;
}

/* A figure >= min (finite); null or absent: NaN when nullable. */
static int num_field(json_t *v, const char *key, double min, double *out, int nullable, char *err,
                     size_t errlen) {
    if ((!v || json_is_null(v)) && nullable) {
        *out = NAN;
        return 0;
    }
    double d = v && json_is_number(v) ? json_number_value(v) : NAN;
    if (!isfinite(d) || d < min)
        return aim__text_invalid(err, errlen, "%s: a number >= %g%s", key, min,
                                 nullable ? " or null" : "");
    *out = d;
    return 0;
}

/* Every key of o among keys[], or -EINVAL naming the first other one. */
static int known_keys(json_t *o, const char *where, const char *const *keys, char *err,
                      size_t errlen) {
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        size_t i = 0;
        while (keys[i] && strcmp(keys[i], k) != 0)
            i++;
        if (!keys[i])
            return aim__text_invalid(err, errlen, "%s: unknown field '%.64s'", where, k);
    }
    return 0;
}

static int hardware(json_t *h, aim_profile *p, char *err, size_t errlen) {
    if (!h || json_is_null(h))
        return 0;
    static const char *const keys[] = { "gpus", "cpu", NULL };
    if (!json_is_object(h))
        return aim__text_invalid(err, errlen, "hardware: an object or null");
    int r = known_keys(h, "hardware", keys, err, errlen);
    if (r == 0)
        r = text_field(json_object_get(h, "cpu"), "hardware.cpu", p->cpu, sizeof p->cpu, 1, err,
                       errlen);
    json_t *gpus = json_object_get(h, "gpus");
    if (r < 0 || !gpus || json_is_null(gpus))
        return r;
    if (!json_is_array(gpus) || json_array_size(gpus) > AIM_PROFILE_MAX_GPUS)
        return aim__text_invalid(err, errlen, "hardware.gpus: an array of at most %d models",
                                 AIM_PROFILE_MAX_GPUS);
    static const char *const gkeys[] = { "model", "count", NULL };
    size_t i;
    json_t *g;
    json_array_foreach(gpus, i, g) {
        char where[48];
        snprintf(where, sizeof where, "hardware.gpus[%zu]", i);
        if (!json_is_object(g))
            return aim__text_invalid(err, errlen, "%s: an object", where);
        if ((r = known_keys(g, where, gkeys, err, errlen)) < 0)
            return r;
        json_t *model = json_object_get(g, "model"), *count = json_object_get(g, "count");
        if (!model)
            return aim__text_invalid(err, errlen, "%s.model: missing", where);
        if ((r = text_field(model, "hardware.gpus[].model", p->gpus[i].model,
                            sizeof p->gpus[i].model, 0, err, errlen)) < 0)
            return r;
        if (!json_is_integer(count) || json_integer_value(count) < 1 ||
            json_integer_value(count) > 1000000)
            return aim__text_invalid(err, errlen, "%s.count: a whole number from 1 to 1000000",
                                     where);
        p->gpus[i].count = (long)json_integer_value(count);
        p->n_gpus = i + 1;
    }
    return 0;
}

static int by_device(json_t *o, aim_profile *p, char *err, size_t errlen) {
    if (!o || json_is_null(o))
        return 0;
    if (!json_is_object(o) || json_object_size(o) > AIM_PROFILE_MAX_KINDS)
        return aim__text_invalid(err, errlen, "energy_by_device_j: an object of at most %d "
                                 "device kinds", AIM_PROFILE_MAX_KINDS);
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        size_t n = strlen(k), ok = n > 0 && n < sizeof p->by_device[0].kind;
        for (size_t i = 0; ok && i < n; i++)
            ok = (k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_';
        if (!ok)
            return aim__text_invalid(err, errlen, "energy_by_device_j: bad device kind '%.32s' "
                                     "(a-z, 0-9 and '_', at most 31)", k);
        char where[64];
        snprintf(where, sizeof where, "energy_by_device_j.%s", k);
        size_t j = p->n_by_device;
        int r = num_field(v, where, 0, &p->by_device[j].joules, 1, err, errlen);
        if (r < 0)
            return r;
        memcpy(p->by_device[j].kind, k, n + 1);
        p->n_by_device++;
    }
    return 0;
}

static int epochs_json(json_t *a, aim_profile *p, char *err, size_t errlen) {
    if (!json_is_array(a))
        return aim__text_invalid(err, errlen, "epochs: an array (missing or of another type)");
    if (json_array_size(a) > AIM_PROFILE_MAX_EPOCHS) {
        aim__text_invalid(err, errlen, "epochs: more than %d", AIM_PROFILE_MAX_EPOCHS);
        return -E2BIG;
    }
    static const char *const keys[] = { "index", "energy_j", "duration_s", NULL };
    size_t cap = 0, i;
    json_t *e;
    json_array_foreach(a, i, e) {
        char where[48], field[64];
        snprintf(where, sizeof where, "epochs[%zu]", i);
        if (!json_is_object(e))
            return aim__text_invalid(err, errlen, "%s: an object", where);
        int r = known_keys(e, where, keys, err, errlen);
        if (r < 0)
            return r;
        json_t *ix = json_object_get(e, "index");
        json_int_t index = json_is_integer(ix) ? json_integer_value(ix) : -1;
        if (index < 0 || index > MAX_INDEX)
            return aim__text_invalid(err, errlen, "%s.index: a whole number from 0 to %ld",
                                     where, MAX_INDEX);
        /* non-decreasing, not increasing: a run that repeats an epoch's number (a restart
         * from a checkpoint: two "epoch 1") exports both, as aimeter forecast counts them */
        if (p->n_epochs && index < p->epochs[p->n_epochs - 1].index)
            return aim__text_invalid(err, errlen, "%s.index: %ld after %ld: epochs go in "
                                     "non-decreasing index order", where, (long)index,
                                     p->epochs[p->n_epochs - 1].index);
        double joules, seconds;
        snprintf(field, sizeof field, "%s.energy_j", where);
        if ((r = num_field(json_object_get(e, "energy_j"), field, 0, &joules, 0, err, errlen)) < 0)
            return r;
        snprintf(field, sizeof field, "%s.duration_s", where);
        if ((r = num_field(json_object_get(e, "duration_s"), field, 0, &seconds, 1, err,
                           errlen)) < 0)
            return r;
        if ((r = add_epoch(p, &cap, (long)index, joules, seconds)) < 0)
            return r;
    }
    return 0;
}

static int parse_json(const char *text, size_t len, aim_profile *p, char *err, size_t errlen) {
    json_t *o = aim__json_parse(text, len, err, errlen);
    if (!o)
        return -EINVAL;
    static const char *const keys[] = {
        "schema", "id", "name", "source", "run", "imported_at", "host", "hardware",
        "duration_s", "energy_j", "energy_by_device_j", "carbon_g", "intensity_g_per_kwh",
        "pue", "epochs", NULL,
    };
    int r = 0;
    json_t *schema = json_object_get(o, "schema");
    if (!json_is_object(o))
        r = aim__text_invalid(err, errlen, "a profile is a JSON object");
    else if (!json_is_string(schema) || strcmp(json_string_value(schema), AIM_PROFILE_SCHEMA))
        r = aim__text_invalid(err, errlen, "schema: must be \"%s\"", AIM_PROFILE_SCHEMA);
    if (r == 0)
        r = known_keys(o, "profile", keys, err, errlen);
    if (r == 0)
        r = text_field(json_object_get(o, "name"), "name", p->name, sizeof p->name, 1, err,
                       errlen);
    if (r == 0 && p->name[0] && !aim__profile_name_ok(p->name))
        r = aim__text_invalid(err, errlen, "name: 1 to 128 bytes of UTF-8");
    if (r == 0)
        r = text_field(json_object_get(o, "source"), "source", p->source, sizeof p->source, 1,
                       err, errlen);
    if (r == 0 && !p->source[0])
        strcpy(p->source, "import");
    if (r == 0 && strcmp(p->source, "aimeter") != 0 && strcmp(p->source, "import") != 0)
        r = aim__text_invalid(err, errlen, "source: \"aimeter\" or \"import\"");
    if (r == 0)
        r = text_field(json_object_get(o, "run"), "run", p->run, sizeof p->run, 1, err, errlen);
    for (size_t i = 0; r == 0 && p->run[i]; i++) {
        char c = p->run[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '-' || c == '_'))
            r = aim__text_invalid(err, errlen, "run: letters, digits, '-' and '_' only");
    }
    if (r == 0)
        r = text_field(json_object_get(o, "host"), "host", p->host, sizeof p->host, 1, err,
                       errlen);
    if (r == 0 && !aim__utf8_valid(p->host, strlen(p->host)))
        r = aim__text_invalid(err, errlen, "host: not UTF-8");
    if (r == 0)
        r = hardware(json_object_get(o, "hardware"), p, err, errlen);
    if (r == 0)
        r = num_field(json_object_get(o, "duration_s"), "duration_s", 0, &p->duration_s, 1, err,
                      errlen);
    if (r == 0)
        r = num_field(json_object_get(o, "energy_j"), "energy_j", 0, &p->energy_j, 1, err,
                      errlen);
    if (r == 0)
        r = by_device(json_object_get(o, "energy_by_device_j"), p, err, errlen);
    if (r == 0)
        r = num_field(json_object_get(o, "carbon_g"), "carbon_g", 0, &p->carbon_g, 1, err,
                      errlen);
    if (r == 0)
        r = num_field(json_object_get(o, "intensity_g_per_kwh"), "intensity_g_per_kwh", 0,
                      &p->intensity_g_per_kwh, 1, err, errlen);
    if (r == 0)
        r = num_field(json_object_get(o, "pue"), "pue", 1, &p->pue, 1, err, errlen);
    if (r == 0)
        r = epochs_json(json_object_get(o, "epochs"), p, err, errlen);
    json_decref(o);
    return r;
}

/* ------------------------------------------------------------------------------- CSV */

/* The next field of line [*s, end) up to a comma, blanks around it dropped. */
static void next_field(const char **s, const char *end, const char **ret, size_t *ret_n) {
    const char *b = *s, *c = memchr(b, ',', (size_t)(end - b));
    const char *e = c ? c : end;
    *s = c ? c + 1 : NULL;
    while (b < e && (*b == ' ' || *b == '\t'))
        b++;
    while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    *ret = b;
    *ret_n = (size_t)(e - b);
}

static int csv_header(const char *s, const char *end, int *ret_kwh, int *ret_cols, char *err,
                      size_t errlen) {
    const char *f[4];
    size_t n[4], k = 0;
    while (s && k < 4)
        next_field(&s, end, &f[k], &n[k]), k++;
#define IS(i, word) (n[i] == strlen(word) && memcmp(f[i], word, n[i]) == 0)
    if (s || k < 2 || k > 3 || !IS(0, "epoch") || !(IS(1, "energy_j") || IS(1, "energy_kwh")) ||
        (k == 3 && !IS(2, "duration_s")))
        return aim__text_invalid(err, errlen, "line 1: the header must be "
                                 "epoch,energy_j[,duration_s] (or energy_kwh for energy_j)");
    *ret_kwh = IS(1, "energy_kwh");
#undef IS
    *ret_cols = (int)k;
    return 0;
}

static int csv_number(const char *f, size_t n, long line, const char *col, double *ret,
                      char *err, size_t errlen) {
    if (n == 0 || n > 64 || aim__parse_decimal(f, n, 0, ret) < 0 || !isfinite(*ret))
        return aim__text_invalid(err, errlen, "line %ld: %s '%.*s': a number >= 0", line, col,
                                 (int)(n > 32 ? 32 : n), f);
    return 0;
}

static int parse_csv(const char *text, size_t len, aim_profile *p, char *err, size_t errlen) {
    if (memchr(text, '\0', len))
        return aim__text_invalid(err, errlen, "a NUL byte: a CSV is text");
    if (!aim__utf8_valid(text, len))
        return aim__text_invalid(err, errlen, "not UTF-8 text");
    const char *s = text, *end = text + len;
    if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) /* a spreadsheet's byte order mark */
        s += 3;
    int kwh = 0, cols = 0, r = 0;
    size_t cap = 0;
    double total = 0;
    for (long line = 1; r == 0 && s < end; line++) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *e = nl ? nl : end, *next = nl ? nl + 1 : end;
        if (e > s && e[-1] == '\r')
            e--;
        if (line == 1) {
            r = csv_header(s, e, &kwh, &cols, err, errlen);
            s = next;
            continue;
        }
        const char *c = s;
        s = next;
        if (e == c) /* a blank line (the last one's newline, most often) */
            continue;
        const char *f[4];
        size_t n[4];
        int k = 0;
        while (c && k < 4)
            next_field(&c, e, &f[k], &n[k]), k++;
        if (k != cols || c)
            return aim__text_invalid(err, errlen, "line %ld: %s%d fields, the header has %d",
                                     line, c ? "more than " : "", k, cols);
        long index = 0;
        size_t i = 0;
        for (; i < n[0] && i < 11 && f[0][i] >= '0' && f[0][i] <= '9'; i++)
            index = index * 10 + (f[0][i] - '0');
        if (i == 0 || i != n[0] || index > MAX_INDEX)
            return aim__text_invalid(err, errlen, "line %ld: epoch '%.*s': a whole number from "
                                     "0 to %ld", line, (int)(n[0] > 32 ? 32 : n[0]), f[0],
                                     MAX_INDEX);
        if (p->n_epochs && index < p->epochs[p->n_epochs - 1].index) /* as epochs_json */
            return aim__text_invalid(err, errlen, "line %ld: epoch %ld after %ld: epochs go in "
                                     "non-decreasing order", line, index,
                                     p->epochs[p->n_epochs - 1].index);
        if (p->n_epochs == AIM_PROFILE_MAX_EPOCHS) {
            aim__text_invalid(err, errlen, "line %ld: more than %d epochs", line,
                              AIM_PROFILE_MAX_EPOCHS);
            return -E2BIG;
        }
        double joules, seconds = NAN;
        if ((r = csv_number(f[1], n[1], line, kwh ? "energy_kwh" : "energy_j", &joules, err,
                            errlen)) < 0 ||
            (cols == 3 && (r = csv_number(f[2], n[2], line, "duration_s", &seconds, err,
                                          errlen)) < 0))
            return r;
        if (kwh)
            joules *= 3.6e6;
        if (!isfinite(joules))
            return aim__text_invalid(err, errlen, "line %ld: energy too large", line);
        total += joules;
        r = add_epoch(p, &cap, index, joules, seconds);
    }
    if (r == 0 && cols == 0)
        return aim__text_invalid(err, errlen, "empty: a CSV needs the header "
                                 "epoch,energy_j[,duration_s] and a row per epoch");
    if (r == 0 && p->n_epochs == 0)
        return aim__text_invalid(err, errlen, "no epochs: a row per epoch after the header");
    if (r == 0) {
        strcpy(p->source, "import");
        p->energy_j = total;
        double sum = 0;
        for (size_t i = 0; cols == 3 && i < p->n_epochs; i++)
            sum += p->epochs[i].duration_s;
        p->duration_s = cols == 3 ? sum : NAN;
    }
    return r;
}

int aim__profile_parse(const char *text, size_t len, aim_profile_format format, aim_profile *ret,
                       char *err, size_t errlen) {
    aim__profile_init(ret);
    if (err && errlen)
        err[0] = '\0';
    if (len > AIM_PROFILE_MAX_BYTES) {
        aim__text_invalid(err, errlen, "larger than %d bytes", AIM_PROFILE_MAX_BYTES);
        return -E2BIG;
    }
    if (!text)
        text = "";
    int r = format == AIM_PROFILE_CSV ? parse_csv(text, len, ret, err, errlen)
                                      : parse_json(text, len, ret, err, errlen);
    if (r == -ENOMEM && err && errlen)
        snprintf(err, errlen, "out of memory");
    return r;
}
