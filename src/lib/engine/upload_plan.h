/* The uploader's state machine (uploader.c, docs/store.md "When the server is unreachable:
 * the spool"), kept free of threads, clocks and stores so that a unit test drives it: when
 * the next upload is due, how long the server has been unreachable, and how late the
 * spooled samples reached it. Times are the caller's (monotonic for the schedule, wall
 * clock for what the run's warnings say). */
#ifndef AIM_UPLOAD_PLAN_H
#define AIM_UPLOAD_PLAN_H

#include <stdint.h>

/* The backoff's cap: a server that stays down is asked at most this often... */
#define AIM_UPLOAD_BACKOFF_MAX_NS 30000000000LL
/* ...and never more often than every upload interval. The default interval: */
#define AIM_UPLOAD_INTERVAL_DEFAULT_NS 5000000000LL
/* How long start() waits for the server's connection once the spool and the sources are
 * open (they are opened meanwhile, so the server had that long already): what comes back
 * by then keeps the start's behaviour (refused credentials, no such database, a newer
 * schema fail the start; unreachable is measured all the same), and a connection still
 * being made is handed to the uploader (engine/session.c). A server on the same site
 * answers its connect, authentication and schema read in milliseconds, one a continent away
 * (~150 ms round trips, TLS and SCRAM) in under a second; a host that drops packets would
 * otherwise hold the measured command for libpq's connect_timeout (10 s), or for ever with
 * connect_timeout=0. One second bounds what that costs every start. */
#define AIM_UPLOAD_START_WAIT_NS 1000000000LL

typedef struct aim_upload_plan {
    int64_t interval_ns;     /* between uploads while the server answers */
    int64_t backoff_ns;      /* the wait after the last failure (0: none failed) */
    int64_t next_ns;         /* monotonic: the next upload is due */
    int64_t last_ok_wall_ns; /* the last upload that succeeded (0: none yet) */
    int64_t down_since_wall_ns; /* the first failure of the current outage (0: reachable) */
    int64_t first_down_wall_ns; /* the first outage of the run (0: none) */
    int64_t last_up_wall_ns;    /* the end of the latest outage (0: none ended) */
    int64_t max_delay_ns;    /* the largest delay of spooled samples on their way up */
    int outages;             /* outages that ended (the server answered again) */
} aim_upload_plan;

/* What a result changed, for the run's warnings. */
typedef enum aim_upload_event {
    AIM_UPLOAD_NOTHING = 0,
    AIM_UPLOAD_WENT_DOWN,    /* the first failure after a success (or the first try) */
    AIM_UPLOAD_CAME_BACK,    /* the first success after failures */
} aim_upload_event;

/* interval_ns <= 0: the default. The first upload is due at now_ns. */
void aim__upload_plan_init(aim_upload_plan *p, int64_t interval_ns, int64_t now_ns);
/* An upload succeeded at now (monotonic) / wall (wall clock): the next is one interval on;
 * an outage ends (its delay counted: samples committed to the spool just after the last
 * success before it waited until now). */
aim_upload_event aim__upload_plan_ok(aim_upload_plan *p, int64_t now_ns, int64_t wall_ns);
/* An upload failed: the next is after a backoff that doubles from the interval up to
 * AIM_UPLOAD_BACKOFF_MAX_NS (or the interval when that is longer). */
aim_upload_event aim__upload_plan_failed(aim_upload_plan *p, int64_t now_ns, int64_t wall_ns);
/* How long the end of a run waits for the server (its last upload): three intervals, at
 * least 1 s, at most 15 s. */
int64_t aim__upload_plan_final_wait_ns(const aim_upload_plan *p);

#endif
