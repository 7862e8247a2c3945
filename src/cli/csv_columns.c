/* The column list written beside a CSV file (docs/cli.md, "CSV columns"): what each column
 * is and how it was obtained, since an estimated and a measured power column look the same
 * in the CSV itself. A sidecar rather than a comment line, so the CSV stays plain for every
 * reader (csv.DictReader, pandas, spreadsheets). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

int cli_csv_columns_path(const char *csv_path, char *out, size_t size) {
    if (!csv_path || strcmp(csv_path, "-") == 0)
        return -1;
    size_t n = strlen(csv_path);
    if (n >= 4 && strcmp(csv_path + n - 4, ".csv") == 0)
        n -= 4;
    int k = snprintf(out, size, "%.*s.columns.csv", (int)n, csv_path);
    return k < 0 || (size_t)k >= size ? -1 : 0;
}

int cli_fwrite_cb(void *file, const void *data, size_t len) {
    errno = 0;
    return fwrite(data, 1, len, file) == len ? 0 : -(errno ? errno : EIO);
}

int cli_write_csv_columns(aim_store *store, const char *run_id, const char *csv_path) {
    char path[4096];
    if (cli_csv_columns_path(csv_path, path, sizeof path) < 0)
        return 0; /* stdout: `aimeter export --columns FILE` gives it */
    return cli_write_columns_to(store, run_id, path);
}

int cli_write_columns_to(aim_store *store, const char *run_id, const char *path) {
    FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
    if (!f) {
        cli_error("cannot write %s: %s", path, strerror(errno));
        return AIM_EXIT_CANTCREAT;
    }
    int r = aim_export_csv_columns(store, run_id, cli_fwrite_cb, f);
    int bad = f == stdout ? fflush(f) != 0 : fclose(f) != 0;
    if (r < 0 || bad) {
        cli_error("writing %s: %s", path, r < 0 ? aim_store_errmsg(store) : strerror(errno));
        return AIM_EXIT_IOERR;
    }
    return 0;
}
