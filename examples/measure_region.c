/* Measuring a region of a C program with libaimeter: what an inference server embeds.
 *
 *   measure-region [DB]     (default: the user's store)
 *
 * Starts a session, does some work, stops it, and prints the run's report. Build against an
 * installed aimeter with:  cc measure_region.c $(pkg-config --cflags --libs aimeter) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <aimeter.h>

static double busy_work(void) {
    double x = 0;
    for (long i = 1; i < 60000000; i++)
        x += sqrt((double)i) / (double)i;
    return x;
}

static int fail(const char *what, int err, const char *detail) {
    fprintf(stderr, "measure-region: %s: %s (%s)\n", what, aim_strerror(err), detail);
    return 1;
}

int main(int argc, char **argv) {
    const char *db = argc > 1 ? argv[1] : NULL;
    aim_config *config;
    if (aim_config_new(&config) < 0)
        return 1;
    aim_config_set_name(config, "measure-region");
    aim_config_set_interval(config, 50 * 1000 * 1000); /* 50 ms */
    if (db)
        aim_config_set_db_path(config, db);

    aim_session *session;
    int r = aim_session_new(config, &session);
    aim_config_free(config); /* the session keeps its own copy */
    if (r < 0)
        return fail("session", r, "out of memory");
    if ((r = aim_session_start(session)) < 0) {
        fail("start", r, aim_session_errmsg(session));
        aim_session_free(session);
        return 1;
    }

    double result = busy_work(); /* the region being measured */

    aim_live live;
    aim_session_live(session, &live);
    printf("work done (%.3f); %.1f J so far\n", result, live.energy_j);
    r = aim_session_stop(session, AIM_RUN_COMPLETED, 0);
    char run_id[64];
    snprintf(run_id, sizeof run_id, "%s", aim_session_run_id(session));
    if (r < 0) {
        fail("stop", r, aim_session_errmsg(session));
        aim_session_free(session);
        return 1;
    }
    aim_session_free(session);

    aim_store *store;
    char *text = NULL;
    if (aim_store_new(&store) < 0)
        return 1;
    if ((r = aim_store_open(store, db, 1)) < 0 ||
        (r = aim_report_render(store, run_id, AIM_FORMAT_TEXT, &text)) < 0) {
        fail("report", r, aim_store_errmsg(store));
        aim_store_free(store);
        return 1;
    }
    fputs(text, stdout);
    free(text);
    aim_store_free(store);
    return 0;
}
