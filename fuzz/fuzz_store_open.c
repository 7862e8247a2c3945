/* Opening a store that is not what aimeter wrote: a damaged file, another program's database,
 * a store edited by hand or by an older aimeter. The store is built from the input, then
 * opened read-write (identification, migration) and everything a report reads from it is
 * rendered: the list of runs, the report of the newest run as text and JSON (series, devices,
 * chunks decoded) and its samples as CSV. Any error is fine; a crash, a leak or an error
 * without a message is not.
 * Input: byte 0 even: the rest is the database file itself; odd: the rest is SQL, run one
 * statement at a time into an empty database (a statement that fails is skipped), which
 * lets the fuzzer change values, types and rows rather than bytes of B-tree pages. */
#include <errno.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aimeter.h"

/* The export's write callback: the bytes are not looked at, only counted. */
static int count_bytes(void *bytes, const void *data, size_t len) {
    *(size_t *)bytes += len;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void remove_store(void) {
    static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
    char p[96];
    for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        snprintf(p, sizeof p, "%s%s", path, suffix[i]);
        unlink(p);
    }
}

static int write_image(const uint8_t *data, size_t size) {
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t n = fwrite(data, 1, size, f);
    return fclose(f) == 0 && n == size ? 0 : -1;
}

static int run_sql(const uint8_t *data, size_t size) {
    sqlite3 *h;
    if (sqlite3_open(path, &h) != SQLITE_OK) {
        sqlite3_close(h);
        return -1;
    }
    char *sql = malloc(size + 1);
    if (!sql) {
        sqlite3_close(h);
        return -1;
    }
    memcpy(sql, data, size);
    sql[size] = '\0';
    const char *p = sql;
    for (int guard = 0; *p && guard < 4096; guard++) {
        sqlite3_stmt *st = NULL;
        const char *tail = NULL;
        int rc = sqlite3_prepare_v2(h, p, -1, &st, &tail);
        if (st) {
            for (int rows = 0; sqlite3_step(st) == SQLITE_ROW && rows < 1000; rows++)
                ;
            sqlite3_finalize(st);
        }
        if (rc != SQLITE_OK) {
            /* Skip the broken statement: to its ';', or give up. */
            const char *semi = strchr(p, ';');
            if (!semi)
                break;
            tail = semi + 1;
        }
        if (!tail || tail == p)
            break;
        p = tail;
    }
    free(sql);
    sqlite3_close(h);
    return 0;
}

static void must_say_why(aim_store *store, int r) {
    if (r < 0 && !aim_store_errmsg(store)[0]) {
        fprintf(stderr, "error %d without a message\n", r);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!path[0]) {
        /* tmpfs where there is one: every input is written and synced by SQLite. */
        const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(path, sizeof path, "%s/aim-fuzz-store-%d.db", dir, (int)getpid());
    }
    if (size < 1 || size > (1 << 20))
        return 0;
    remove_store();
    int built = data[0] & 1 ? run_sql(data + 1, size - 1) : write_image(data + 1, size - 1);
    aim_store *store = NULL;
    if (built == 0 && aim_store_new(&store) == 0) {
        int r = aim_store_open(store, path, 0);
        must_say_why(store, r);
        char *text = NULL;
        if (r == 0) {
            r = aim_store_list_runs(store, AIM_FORMAT_JSON, 20, &text);
            must_say_why(store, r);
            free(text);
            char *id = NULL;
            r = aim_store_resolve_run(store, "last", &id);
            must_say_why(store, r);
            if (r == 0) {
                static const aim_format formats[] = { AIM_FORMAT_TEXT, AIM_FORMAT_JSON };
                for (size_t i = 0; i < 2; i++) {
                    text = NULL;
                    /* Not must_say_why: aim_report_render does not promise a message yet
                     * (issue 11, "aim_report_render on a missing run sets its message"). */
                    r = aim_report_render(store, id, formats[i], &text);
                    if (r > 0 || (r == 0 && !text))
                        abort();
                    free(text);
                }
                size_t bytes = 0;
                r = aim_export_csv(store, id, count_bytes, &bytes);
                must_say_why(store, r);
                free(id);
            }
        }
        aim_store_free(store);
    }
    remove_store();
    return 0;
}
