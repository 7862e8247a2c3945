/* Step-function CSV files: a grid operator's carbon-intensity export (`timestamp,g_per_kwh
 * [,signal]`, --intensity-file) or a time-of-use tariff (`timestamp,price_per_kwh`,
 * --price-file). One parser for both, a pure function over a buffer so that it can be
 * fuzzed and tested line by line; aim__step_file_load() adds the reading of the file.
 *
 * Rules (docs/methodology.md, "Carbon"):
 *  - one row per line, fields separated by commas, blanks around fields ignored, a field may
 *    be wrapped in double quotes; blank lines and lines starting with '#' are skipped; a
 *    UTF-8 byte-order mark and CRLF line ends are accepted;
 *  - an optional header: the first row is a header when its first field holds no digit;
 *  - timestamp: ISO 8601 with a zone ("2026-01-05T13:00:00Z", "2026-01-05 14:00+01:00",
 *    fractions of a second allowed) or Unix seconds ("1767618000", "1767618000.5"); a
 *    timestamp without a zone is refused (it would silently mean the machine's zone);
 *    between 1970 and 2200;
 *  - value: a finite decimal number >= 0 ("350", "0.21", "3.5e2");
 *  - timestamps strictly increasing;
 *  - the third column (intensity files only): "average" or "marginal", the same on every
 *    row; either every row has it or none does.
 * Each point is valid from its timestamp until the next one (model/intensity.h). */
#ifndef AIM_INTENSITY_FILE_H
#define AIM_INTENSITY_FILE_H

#include <stddef.h>

#include "model/intensity.h"

/* Files larger than this are refused: a year of 5-minute data is about 4 MB. */
#define AIM_STEP_FILE_MAX_BYTES (64u << 20)

typedef struct aim_step_file {
    /* (time, value) pairs, strictly increasing in time; the value is g CO2e/kWh for an
     * intensity file and a price per kWh for a price file (the point type is shared). Owned:
     * aim__step_file_clear() frees it. */
    aim_intensity_point *points;
    size_t n;
    int has_signal;       /* the file had a signal column */
    aim_signal signal;    /* its value when has_signal */
    /* On error: the 1-based line the problem is on (0 when it concerns the whole file, such
     * as "no data rows") and the reason, without the file name. */
    int error_line;
    char error[160];
} aim_step_file;

/* Parses len bytes of buf (need not be NUL-terminated; never read past len). allow_signal:
 * 1 for intensity files (a third column is accepted), 0 for price files. Returns 0, or
 * -EBADMSG with error_line/error set, or -ENOMEM. *ret is reset first; clear it after either
 * outcome. */
int aim__step_file_parse(const char *buf, size_t len, int allow_signal, aim_step_file *ret);

/* Reads path and parses it. On error err gets one line for the user: "PATH:LINE: reason"
 * (-EBADMSG), "PATH: reason" (-EBADMSG for a problem of the whole file, -EFBIG for a file
 * over the limit) or "cannot read PATH: strerror" (-errno). */
int aim__step_file_load(const char *path, int allow_signal, aim_step_file *ret, char *err,
                       size_t errlen);

void aim__step_file_clear(aim_step_file *f);

/* Parses one timestamp field (exactly len bytes) to Unix milliseconds. Returns 0 or -EINVAL
 * with a reason in why (may be NULL). Exposed for the tests. */
int aim__step_parse_time(const char *s, size_t len, int64_t *ret_unix_ms, char *why,
                        size_t whylen);

#endif
