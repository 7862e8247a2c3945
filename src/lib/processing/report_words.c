/* The report's words (report_words.h). */
#include "processing/report_words.h"

#include <stdio.h>
#include <string.h>

int aim__unit_decimals(const char *unit) {
    if (unit && (strcmp(unit, "V") == 0 || strcmp(unit, "A") == 0 || strcmp(unit, "GiB") == 0))
        return 3;
    return 2;
}

const char *aim__method_word(aim_method m) {
    switch (m) {
    case AIM_METHOD_MEASURED: return "measured";
    case AIM_METHOD_DERIVED: return "derived";
    case AIM_METHOD_ESTIMATED: return "estimated";
    }
    return "unknown";
}

const char *aim__device_kind_label(aim_device_kind kind) {
    switch (kind) {
    case AIM_DEV_HOST: return "Host";
    case AIM_DEV_CPU: return "CPU";
    case AIM_DEV_DRAM: return "DRAM";
    case AIM_DEV_PLATFORM: return "Platform";
    case AIM_DEV_GPU: return "GPU";
    case AIM_DEV_OTHER: return "Other";
    case AIM_DEV_PROCESS: return "Process";
    }
    return "Other";
}

const char *aim__report_status_word(const aim_run_summary *run) {
    switch (run->status) {
    case AIM_RUN_RUNNING: return run->stale ? "incomplete" : "running";
    case AIM_RUN_COMPLETED: return "completed";
    case AIM_RUN_FAILED: return "failed";
    case AIM_RUN_INTERRUPTED: return "interrupted";
    }
    return "unknown";
}

void aim__report_status_text(char *out, size_t len, const aim_run_summary *run) {
    if (run->status == AIM_RUN_RUNNING) {
        aim__bprintf(out, len, "%s",
                    run->stale ? "running \xE2\x80\x94 aimeter process gone (incomplete)"
                               : "running (in progress)");
        return;
    }
    /* First thing a reader sees: the stored series misses part of the run (issue 11). */
    const char *lost = run->samples_lost ? ", store incomplete" : "";
    if (run->exit_code >= 0)
        aim__bprintf(out, len, "%s (exit %d)%s", aim__report_status_word(run), run->exit_code, lost);
    else
        aim__bprintf(out, len, "%s%s", aim__report_status_word(run), lost);
}

void aim__report_method_text(char *out, size_t len, aim_method m, const char *detail,
                            size_t detail_len) {
    static const char *const words[] = { "measured", "derived", "estimated", "estimate" };
    size_t n = strnlen(detail, detail_len);
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t w = strlen(words[i]);
        if (n > w && strncasecmp(detail, words[i], w) == 0 && detail[w] == ':') {
            detail += w + 1;
            n -= w + 1;
            while (n > 0 && *detail == ' ') {
                detail++;
                n--;
            }
            break;
        }
    }
    if (n)
        aim__bprintf(out, len, "%s: %.*s", aim__method_word(m), (int)n, detail);
    else
        aim__bprintf(out, len, "%s", aim__method_word(m));
}

int aim__report_next_source(const aim_run_summary *run, size_t *pos, const char **ret_name,
                           size_t *ret_len) {
    size_t end = strnlen(run->sources, sizeof run->sources);
    for (size_t i = *pos; i < end;) {
        size_t j = i;
        while (j < end && run->sources[j] != ',')
            j++;
        size_t a = i, z = j;
        while (a < z && run->sources[a] == ' ')
            a++;
        while (z > a && run->sources[z - 1] == ' ')
            z--;
        i = j + 1;
        if (z > a) {
            *pos = i;
            *ret_name = run->sources + a;
            *ret_len = z - a;
            return 1;
        }
    }
    return 0;
}
