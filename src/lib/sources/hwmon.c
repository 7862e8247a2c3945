/* hwmon: power, energy, voltage/current and temperature sensors outside RAPL and NVML
 * (amdgpu, Jetson INA3221 rail monitors, INA2xx/PMBus meters, ...).
 *
 * Sensors are found by iterating class/hwmon/hwmon* and reading each `name`: the hwmonN
 * numbers change between boots, so they only fix the iteration order (natural sort) and
 * never a device name. A sensor becomes device "<name><k>" ("amdgpu0"; "ina3221_0" when
 * the name ends in a digit), k counting the usable sensors of that name.
 * Per channel: power<n>_input (µW) is preferred over power<n>_average (µW);
 * energy<n>_input (µJ, cumulative) gives energy since open; a sensor with no power file but
 * in<n>_input (mV) / curr<n>_input (mA) pairs (INA3221) gives power = V x I with voltage
 * and current. Temperatures (m°C) are added to sensors kept for power or energy; a
 * temperature-only sensor is skipped. Series use the channel number as instance, or -1
 * when the device has a single channel of that metric. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fileio.h"
#include "sources/source.h"
#include "util/array.h"

#define HW_MAX_CHANNEL 64 /* channel numbers 0..63; real sensors stop well below */

typedef enum hw_kind { HW_POWER, HW_PAIR, HW_ENERGY, HW_TEMP } hw_kind;

typedef struct hw_chan {
    hw_kind kind;
    int fd;          /* the power/energy/temp file, or the voltage file of a pair */
    int fd_curr;     /* pair: the current file */
    int cand;        /* index of its candidate at open (channel number, label) */
    int slot;        /* power, energy or temperature */
    int slot_v, slot_a;
    uint64_t last, total; /* energy: last reading and µJ since open */
    int have_last;
    int dead;
} hw_chan;

typedef struct hw_state {
    int n;
    size_t cap;
    hw_chan *ch;
} hw_state;

/* What one hwmon directory offers, as bit masks over channel numbers. */
typedef struct hw_sensor {
    char dir[64];   /* "hwmon3" */
    char name[32];  /* contents of `name` */
    char path[PATH_MAX];
    uint64_t pow_in, pow_avg, energy, in, curr, temp;
} hw_sensor;

/* One candidate file (or pair) of a sensor, in declaration order. */
typedef struct hw_cand {
    hw_kind kind;
    int channel;
    char file[32];   /* "power1_input" */
    char file2[32];  /* pair: "curr1_input" */
    char label[64];
} hw_cand;

/* ------------------------------------------------------------------ discovery */

/* "<prefix><n><suffix>" with n < HW_MAX_CHANNEL -> n, else -1. */
static int attr_channel(const char *file, const char *prefix, const char *suffix) {
    size_t pl = strlen(prefix);
    if (strncmp(file, prefix, pl) != 0)
        return -1;
    const char *p = file + pl;
    int n = 0, digits = 0;
    for (; *p >= '0' && *p <= '9' && digits < 3; p++, digits++)
        n = n * 10 + (*p - '0');
    if (digits == 0 || n >= HW_MAX_CHANNEL || strcmp(p, suffix) != 0)
        return -1;
    return n;
}

static int scan_sensor(const char *root, const char *dir, hw_sensor *s) {
    char rel[128], path[PATH_MAX];
    memset(s, 0, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    snprintf(rel, sizeof rel, "class/hwmon/%s", dir);
    if (aim__path_join(s->path, sizeof s->path, root, rel) < 0)
        return -ENAMETOOLONG;
    int r = snprintf(path, sizeof path, "%s/name", s->path);
    if (r < 0 || (size_t)r >= sizeof path)
        return -ENAMETOOLONG;
    r = aim__read_text(path, s->name, sizeof s->name);
    if (r <= 0)
        return r < 0 ? r : -EINVAL;
    DIR *d = opendir(s->path);
    if (!d)
        return -errno;
    static const struct {
        const char *prefix, *suffix;
        size_t off;
    } attrs[] = {
        { "power", "_input", offsetof(hw_sensor, pow_in) },
        { "power", "_average", offsetof(hw_sensor, pow_avg) },
        { "energy", "_input", offsetof(hw_sensor, energy) },
        { "in", "_input", offsetof(hw_sensor, in) },
        { "curr", "_input", offsetof(hw_sensor, curr) },
        { "temp", "_input", offsetof(hw_sensor, temp) },
    };
    struct dirent *de;
    while ((de = readdir(d))) {
        for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++) {
            int k = attr_channel(de->d_name, attrs[i].prefix, attrs[i].suffix);
            if (k >= 0)
                *(uint64_t *)(void *)((char *)s + attrs[i].off) |= 1ull << k;
        }
    }
    closedir(d);
    return 0;
}

static void read_label(const hw_sensor *s, const char *prefix, int k, char *buf, size_t size) {
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/%s%d_label", s->path, prefix, k);
    if (aim__read_text(path, buf, size) < 0)
        buf[0] = '\0';
}

/* Appends one candidate per "<prefix><k>_input" channel set in mask to out[n..max); returns
 * the new count. */
static int input_candidates(const hw_sensor *s, uint64_t mask, hw_kind kind, const char *prefix,
                            hw_cand *out, int n, int max) {
    for (int k = 0; k < HW_MAX_CHANNEL && n < max; k++) {
        if (!(mask & (1ull << k)))
            continue;
        hw_cand *c = &out[n++];
        memset(c, 0, sizeof *c);
        c->kind = kind;
        c->channel = k;
        snprintf(c->file, sizeof c->file, "%s%d_input", prefix, k);
        read_label(s, prefix, k, c->label, sizeof c->label);
    }
    return n;
}

/* The channels a sensor offers, in the order they are declared: power (or V x I pairs),
 * energy, temperature. Returns the count. */
static int sensor_candidates(const hw_sensor *s, hw_cand *out, int max) {
    int n = 0;
    uint64_t power = s->pow_in | s->pow_avg;
    /* INA3221 also has in4..in7 (shunt voltages, µV) and curr4 (sum current): only the
     * three bus-voltage channels pair up with a current. */
    int max_pair = strstr(s->name, "ina3221") ? 3 : HW_MAX_CHANNEL - 1;
    for (int k = 0; k < HW_MAX_CHANNEL && n < max; k++) {
        hw_cand *c = &out[n];
        memset(c, 0, sizeof *c);
        c->channel = k;
        if (power & (1ull << k)) {
            c->kind = HW_POWER;
            snprintf(c->file, sizeof c->file, "power%d_%s", k,
                     s->pow_in & (1ull << k) ? "input" : "average");
            read_label(s, "power", k, c->label, sizeof c->label);
            n++;
        } else if (!power && k <= max_pair && (s->in & s->curr & (1ull << k))) {
            read_label(s, "in", k, c->label, sizeof c->label);
            /* Jetson boards mark unconnected INA3221 inputs with labels containing "NC". */
            if (strstr(c->label, "NC"))
                continue;
            c->kind = HW_PAIR;
            snprintf(c->file, sizeof c->file, "in%d_input", k);
            snprintf(c->file2, sizeof c->file2, "curr%d_input", k);
            n++;
        }
    }
    n = input_candidates(s, s->energy, HW_ENERGY, "energy", out, n, max);
    return input_candidates(s, s->temp, HW_TEMP, "temp", out, n, max);
}

static int hwmon_filter(const struct dirent *de) { return strncmp(de->d_name, "hwmon", 5) == 0; }

/* The hwmon directories in natural order (hwmon2 before hwmon10). Caller frees. */
static int list_sensors(const char *root, struct dirent ***ret) {
    char path[PATH_MAX];
    if (aim__path_join(path, sizeof path, root, "class/hwmon") < 0)
        return -ENAMETOOLONG;
    int n = scandir(path, ret, hwmon_filter, versionsort);
    return n < 0 ? -errno : n;
}

static void free_list(struct dirent **list, int n) {
    for (int i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

/* Opens one file of a candidate: fd or -errno. */
static int open_attr(const hw_sensor *s, const char *file) {
    char path[PATH_MAX + 40];
    snprintf(path, sizeof path, "%s/%s", s->path, file);
    return aim__open_ro(path);
}

/* ------------------------------------------------------------------ open / poll / close */

static void hwmon_close(void *state) {
    hw_state *st = state;
    if (!st)
        return;
    for (int i = 0; i < st->n; i++) {
        if (st->ch[i].fd >= 0)
            close(st->ch[i].fd);
        if (st->ch[i].fd_curr >= 0)
            close(st->ch[i].fd_curr);
    }
    free(st->ch);
    free(st);
}

/* Closes channels [first, n) of a sensor that is not kept. */
static void drop_from(hw_state *st, int first) {
    for (int j = first; j < st->n; j++) {
        close(st->ch[j].fd);
        if (st->ch[j].fd_curr >= 0)
            close(st->ch[j].fd_curr);
    }
    st->n = first;
}

static int is_perm(int r) { return r == -EACCES || r == -EPERM; }

/* Device name "<name><k>", with "_" when the name already ends in a digit (ina3221_0). */
static void device_name(const char *name, int k, char *buf, size_t size) {
    char clean[24];
    size_t i = 0;
    for (; name[i] && i < sizeof clean - 1; i++) {
        char c = name[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        clean[i] = ok ? c : '_';
    }
    clean[i] = '\0';
    int digit_end = i > 0 && clean[i - 1] >= '0' && clean[i - 1] <= '9';
    snprintf(buf, size, "%s%s%d", clean, digit_end ? "_" : "", k);
}

/* Opens the sensor's candidate channels into st (from index st->n). Counts files refused
 * for permission in *denied (the first one's path in denied_path). Returns the number of
 * power/energy channels opened. */
static int open_sensor(const hw_sensor *s, const hw_cand *cand, int nc, hw_state *st,
                       int *denied, char *denied_path, size_t dsize) {
    int useful = 0;
    for (int i = 0; i < nc; i++) {
        const hw_cand *c = &cand[i];
        if (c->kind == HW_TEMP && useful == 0)
            break; /* temperatures only ride along with a power or energy channel */
        const char *failed = c->file;
        int fd = open_attr(s, c->file), fd2 = -1;
        if (fd >= 0 && c->kind == HW_PAIR && (fd2 = open_attr(s, c->file2)) < 0) {
            close(fd);
            fd = fd2;
            fd2 = -1;
            failed = c->file2;
        }
        if (fd < 0) {
            if (is_perm(fd) && (*denied)++ == 0)
                snprintf(denied_path, dsize, "%s/%s", s->path, failed);
            continue;
        }
        hw_chan *ch = &st->ch[st->n++];
        memset(ch, 0, sizeof *ch);
        ch->kind = c->kind;
        ch->cand = i;
        ch->fd = fd;
        ch->fd_curr = fd2;
        ch->slot = ch->slot_v = ch->slot_a = -1;
        if (c->kind == HW_ENERGY && aim__pread_u64(fd, &ch->last) == 0)
            ch->have_last = 1; /* the zero of "energy since open" */
        if (c->kind != HW_TEMP)
            useful++;
    }
    return useful;
}

/* Power and V x I pairs share the power metric, so they count together for "single". */
static int metric_group(hw_kind k) { return k == HW_PAIR ? HW_POWER : (int)k; }

static int declare_sensor(aim_source_ctx *ctx, const hw_sensor *s, int index,
                          const hw_cand *cand, hw_chan *ch, int nch) {
    /* Only discrete devices (amdgpu) go into the run total; board and rail sensors
     * (INA3221, PMBus, ...) overlap what RAPL and NVML already count for CPU, DRAM and GPU,
     * so they are shown but never summed (AIM_DEV_OTHER). */
    aim_device_kind kind = strcmp(s->name, "amdgpu") == 0 ? AIM_DEV_GPU : AIM_DEV_OTHER;
    char name[32], model[128];
    device_name(s->name, index, name, sizeof name);
    /* The model carries the rail labels: series have only a channel number. */
    size_t ml = (size_t)snprintf(model, sizeof model, "%s", s->name);
    int n_of[4] = { 0, 0, 0, 0 }, labels = 0;
    for (int i = 0; i < nch; i++) {
        const hw_cand *c = &cand[ch[i].cand];
        n_of[metric_group(ch[i].kind)]++;
        if (metric_group(ch[i].kind) == HW_POWER && c->label[0] && ml < sizeof model)
            ml += (size_t)snprintf(model + ml, sizeof model - ml, "%s%s",
                                   labels++ ? ", " : ": ", c->label);
    }
    int dev = aim__source_ctx_add_device(ctx, name, kind, model);
    if (dev < 0)
        return dev;
    for (int i = 0; i < nch; i++) {
        hw_chan *h = &ch[i];
        int inst = n_of[metric_group(h->kind)] == 1 ? -1 : cand[h->cand].channel;
        static const aim_metric_id metric[] = {
            [HW_POWER] = AIM_M_POWER, [HW_PAIR] = AIM_M_POWER,
            [HW_ENERGY] = AIM_M_ENERGY, [HW_TEMP] = AIM_M_TEMPERATURE,
        };
        int r = h->slot = aim__source_ctx_add_series(
            ctx, dev, metric[h->kind], inst,
            h->kind == HW_PAIR ? AIM_METHOD_DERIVED : AIM_METHOD_MEASURED);
        if (r >= 0 && h->kind == HW_PAIR) {
            r = h->slot_v = aim__source_ctx_add_series(ctx, dev, AIM_M_VOLTAGE, inst,
                                                      AIM_METHOD_MEASURED);
            if (r >= 0)
                r = h->slot_a = aim__source_ctx_add_series(ctx, dev, AIM_M_CURRENT, inst,
                                                          AIM_METHOD_MEASURED);
        }
        if (r < 0)
            return r;
    }
    return 0;
}

static int hwmon_open(const aim_source_env *env, aim_source_ctx *ctx, void **ret_state) {
    struct dirent **list = NULL;
    int nl = list_sensors(env->sysfs_root, &list);
    if (nl < 0)
        return -ENODEV;
    hw_state *st = calloc(1, sizeof *st);
    if (!st) {
        free_list(list, nl);
        return -ENOMEM;
    }
    hw_sensor *s = malloc(sizeof *s);
    hw_cand *cand = malloc(3 * HW_MAX_CHANNEL * sizeof *cand);
    struct { char name[32]; int count; } seen[64];
    int n_seen = 0, any_denied = 0, r = 0;
    if (!s || !cand)
        r = -ENOMEM;
    for (int i = 0; i < nl && r == 0; i++) {
        if (scan_sensor(env->sysfs_root, list[i]->d_name, s) < 0)
            continue;
        int nc = sensor_candidates(s, cand, 3 * HW_MAX_CHANNEL);
        if (nc == 0)
            continue;
        if ((r = AIM_ARRAY_RESERVE(st->ch, st->cap, (size_t)(st->n + nc), 16)) < 0)
            break;
        int first = st->n, denied = 0;
        char denied_path[PATH_MAX + 40];
        int useful = open_sensor(s, cand, nc, st, &denied, denied_path, sizeof denied_path);
        if (denied) {
            any_denied = 1;
            aim__source_ctx_warn(ctx,
                                "hwmon: permission denied on sensor %s, its unreadable channels "
                                "are skipped; run as root or see docs/permissions.md; first "
                                "denied: %s",
                                s->name, denied_path);
        }
        if (useful == 0) {
            drop_from(st, first);
            continue;
        }
        int k = 0;
        for (; k < n_seen && strcmp(seen[k].name, s->name) != 0; k++)
            ;
        if (k == n_seen && n_seen < (int)(sizeof seen / sizeof seen[0])) {
            snprintf(seen[k].name, sizeof seen[k].name, "%s", s->name);
            seen[k].count = 0;
            n_seen++;
        }
        if (k == n_seen) { /* more distinct names than devices a run can hold */
            drop_from(st, first);
            continue;
        }
        r = declare_sensor(ctx, s, seen[k].count++, cand, &st->ch[first], st->n - first);
    }
    free(s);
    free(cand);
    free_list(list, nl);
    if (r == 0 && st->n == 0)
        r = any_denied ? -EACCES : -ENODEV;
    if (r < 0) {
        hwmon_close(st);
        return r;
    }
    *ret_state = st;
    return 0;
}

/* A read error that means the sensor is gone (unbound driver, unplugged device): the
 * channel is dropped. Anything else (a GPU briefly suspended, EAGAIN) only invalidates
 * this tick. */
static int is_gone(int r) { return r == -ENODEV || r == -ENOENT || r == -ENXIO; }

static int hwmon_poll(void *state, aim_frame *frame) {
    hw_state *st = state;
    int live = 0;
    for (int i = 0; i < st->n; i++) {
        hw_chan *c = &st->ch[i];
        if (c->dead)
            continue;
        int r;
        switch (c->kind) {
        case HW_POWER: {
            uint64_t uw;
            if ((r = aim__pread_u64(c->fd, &uw)) == 0)
                aim__frame_set(frame, c->slot, (double)uw / 1e6);
            break;
        }
        case HW_PAIR: {
            int64_t mv, ma;
            r = aim__pread_i64(c->fd, &mv);
            if (r == 0)
                r = aim__pread_i64(c->fd_curr, &ma);
            if (r == 0) {
                /* mV x mA = µW; in double so that garbage cannot overflow an integer. */
                aim__frame_set(frame, c->slot, (double)mv * (double)ma / 1e6);
                aim__frame_set(frame, c->slot_v, (double)mv / 1e3);
                aim__frame_set(frame, c->slot_a, (double)ma / 1e3);
            }
            break;
        }
        case HW_ENERGY: {
            uint64_t uj;
            if ((r = aim__pread_u64(c->fd, &uj)) == 0) {
                /* No standard range file exists for hwmon energy: a decrease is a driver
                 * reload or a reset, taken as a new baseline rather than a negative step. */
                if (c->have_last && uj >= c->last)
                    c->total += uj - c->last;
                c->last = uj;
                c->have_last = 1;
                aim__frame_set(frame, c->slot, (double)c->total / 1e6);
            }
            break;
        }
        case HW_TEMP:
        default: {
            int64_t mc;
            if ((r = aim__pread_i64(c->fd, &mc)) == 0)
                aim__frame_set(frame, c->slot, (double)mc / 1e3);
            break;
        }
        }
        if (r < 0 && is_gone(r)) {
            c->dead = 1;
            close(c->fd);
            c->fd = -1;
            if (c->fd_curr >= 0)
                close(c->fd_curr);
            c->fd_curr = -1;
            continue;
        }
        live++;
    }
    return live > 0 ? 0 : -ENODEV;
}

/* ------------------------------------------------------------------ probe */

static int hwmon_probe(const aim_source_env *env, aim_probe_report *rep) {
    struct dirent **list = NULL;
    int nl = list_sensors(env->sysfs_root, &list);
    if (nl <= 0) {
        if (nl == 0)
            free_list(list, 0);
        aim__probe_add(rep, "hwmon", "absent", "no class/hwmon sensors");
        return -ENODEV;
    }
    hw_sensor *s = malloc(sizeof *s);
    hw_cand *cand = malloc(3 * HW_MAX_CHANNEL * sizeof *cand);
    int avail = 0, denied = 0;
    for (int i = 0; s && cand && i < nl; i++) {
        if (scan_sensor(env->sysfs_root, list[i]->d_name, s) < 0)
            continue;
        int nc = sensor_candidates(s, cand, 3 * HW_MAX_CHANNEL);
        char what[256]; /* aim__probe_add keeps the first 95 characters */
        int useful = 0;
        for (int j = 0; j < nc; j++)
            useful += cand[j].kind != HW_TEMP;
        if (useful == 0) {
            snprintf(what, sizeof what, "%s %s", s->dir, s->name);
            aim__probe_add(rep, what, "not supported", "no power, energy or voltage/current files");
            continue;
        }
        for (int j = 0; j < nc; j++) {
            const hw_cand *c = &cand[j];
            if (c->kind == HW_TEMP)
                continue;
            snprintf(what, sizeof what, "%s %s %s%s%s", s->dir, s->name, c->file,
                     c->label[0] ? " " : "", c->label);
            int fd = open_attr(s, c->file);
            if (fd >= 0 && c->kind == HW_PAIR) {
                int fd2 = open_attr(s, c->file2);
                close(fd);
                fd = fd2;
            }
            if (fd >= 0) {
                close(fd);
                avail++;
                aim__probe_add(rep, what, "available", "%s",
                              c->kind == HW_ENERGY ? "energy counter (µJ)"
                              : c->kind == HW_PAIR ? "power = voltage x current (mV x mA)"
                                                   : "power (µW)");
            } else if (is_perm(fd)) {
                denied++;
                aim__probe_add(rep, what, "no permission",
                              "run as root or see docs/permissions.md");
            } else {
                aim__probe_add(rep, what, "absent", "%s", aim_strerror(fd));
            }
        }
    }
    free(s);
    free(cand);
    free_list(list, nl);
    return avail > 0 ? 0 : denied > 0 ? -EACCES : -ENODEV;
}

const aim_source_ops aim_source_hwmon = {
    .name = "hwmon",
    .description = "hwmon power, energy and rail sensors (amdgpu, INA3221, ...)",
    .min_interval_ns = 0,
    .probe = hwmon_probe,
    .open = hwmon_open,
    .poll = hwmon_poll,
    .close = hwmon_close,
};
