/* A run's energy profile, schema aimeter.profile/1 (docs/report-json.md): what one run cost
 * and what each of its epochs (the instances `aimeter forecast` fits) cost, small enough to
 * pass to someone else and compare against. Built from a run (api/profile.c), rendered here,
 * and parsed back from JSON or a plain CSV of epoch energies (profile_parse.c) when one is
 * imported (POST /api/profiles). No store, no I/O. */
#ifndef AIM_REPORT_PROFILE_H
#define AIM_REPORT_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "util/json.h"

#define AIM_PROFILE_SCHEMA "aimeter.profile/1"
#define AIM_PROFILE_MAX_BYTES (1024 * 1024) /* an import's body, at most */
#define AIM_PROFILE_MAX_EPOCHS 100000
#define AIM_PROFILE_MAX_GPUS 16
#define AIM_PROFILE_MAX_KINDS 16

typedef struct aim_profile_epoch {
    long index;
    double energy_j;
    double duration_s;       /* NaN: not given (a CSV without the column) */
} aim_profile_epoch;

typedef struct aim_profile {
    int64_t id;              /* the store's id of an imported profile; 0: none */
    int64_t imported_at_ns;  /* Unix time of the import; 0: none */
    char name[129];
    char source[16];         /* "aimeter" (exported from a run) or "import" */
    char run[40];            /* the run's id; "": none */
    char host[129];          /* "": unknown */
    struct { char model[129]; long count; } gpus[AIM_PROFILE_MAX_GPUS];
    size_t n_gpus;
    char cpu[129];           /* the CPU model; "": unknown */
    double duration_s, energy_j, carbon_g, intensity_g_per_kwh, pue; /* NaN: unknown */
    struct { char kind[32]; double joules; } by_device[AIM_PROFILE_MAX_KINDS];
    size_t n_by_device;
    aim_profile_epoch *epochs; /* owned */
    size_t n_epochs;
} aim_profile;

/* A profile with every figure unknown and no epochs. */
void aim__profile_init(aim_profile *p);
/* Frees the epochs (not the struct); NULL-safe. */
void aim__profile_clear(aim_profile *p);

/* The profile as JSON (keys in the schema's order; id and imported_at only when set), the
 * caller frees *ret_text. -ENOMEM. */
int aim__profile_render(const aim_profile *p, char **ret_text);

/* The kinds of content an import may be. */
typedef enum aim_profile_format {
    AIM_PROFILE_JSON = 0,    /* an aimeter.profile/1 document */
    AIM_PROFILE_CSV,         /* a header epoch,energy_j[,duration_s] (or energy_kwh), then rows */
} aim_profile_format;

/* Parses and validates len bytes of text (need not be NUL-terminated) as a profile: *ret
 * initialised and filled (aim__profile_clear it whatever the result). A CSV's profile has
 * source "import", its energy the sum of its epochs'. id and imported_at in a JSON document
 * are ignored (the store assigns them). -EINVAL with err naming the line or field,
 * -E2BIG (more than AIM_PROFILE_MAX_BYTES or AIM_PROFILE_MAX_EPOCHS), -ENOMEM. */
int aim__profile_parse(const char *text, size_t len, aim_profile_format format, aim_profile *ret,
                       char *err, size_t errlen);

/* 1 when name is fit to be a profile's name: 1 to 128 bytes of UTF-8, no control characters. */
int aim__profile_name_ok(const char *name);

#endif
