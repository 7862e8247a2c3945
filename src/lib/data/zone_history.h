/* A zone at another year or signal: the yearly history (data/zones_history*.csv, compiled
 * in apart from the zone table; aim_zone_history_lookup in aimeter.h) and the zone-list item
 * "CODE[@YEAR][@marginal|@average]" that `aimeter whatif --zones` takes. */
#ifndef AIM_ZONE_HISTORY_H
#define AIM_ZONE_HISTORY_H

#include <stddef.h>

#include "aimeter.h"

/* What years CODE (a zone or "provider:region") has, for an error message, in buf (always
 * terminated): "yearly history: 2000–2024, Our World in Data; 2021–2025, Electricity Maps
 * yearly carbon intensity", then "; zone tables: 2019" for a year only a zone-table row
 * has. 0 when CODE has no year at all (unknown zone: buf is ""), else the number of history
 * series and zone-table years named. */
int aim__zone_history_describe(const char *code, char *buf, size_t len);

/* One item of a zone list, resolved. */
typedef struct aim_zone_spec {
    char zone[24];          /* the zone asked for, as the tables spell it ("CA-SK"); for a
                               cloud region, its zone */
    int year;               /* the year asked for; 0: none (the table's current row) */
    int marginal;           /* 1: @marginal, the operating-margin row */
    aim_zone_info row;      /* the row that prices it (static strings); for @marginal its
                               code may be the country's ("CA" for "CA-SK") */
    char label[64];         /* "FR", "FR@2010", "CA-SK@marginal (CA)": the zone, the
                               suffixes in canonical order, and the row's code when it
                               differs */
    int national;           /* 1: @marginal of a sub-national zone (or a cloud region),
                               priced with its country's row: there is no finer figure */
} aim_zone_spec;

/* What a report says of a national marginal figure, in buf (always terminated): "national
 * figure of CA: CA-SK has no marginal factor of its own". "" when spec is not national. */
void aim__zone_spec_national_note(const aim_zone_spec *spec, char *buf, size_t len);

/* Resolves the first len bytes of item (need not be terminated): "FR", "ca_sk@marginal",
 * "FR@2010", "aws:us-east-1@2023", "PL@marginal@2021" (suffixes in any order, each kind
 * once, case-insensitive). @YEAR is that year's average (aim_zone_history_lookup); @marginal
 * aim_zone_lookup_signal(code, 1), refused with a year the marginal row is not of. -EINVAL
 * with a one-line message in err (always terminated) for a bad suffix, an unknown zone or a
 * year or signal the tables lack; *ret untouched then. Thread-safe. */
int aim__zone_spec_resolve(const char *item, size_t len, aim_zone_spec *ret, char *err,
                          size_t errlen);

#endif
