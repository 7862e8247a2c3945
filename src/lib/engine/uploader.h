/* A server store's spool (docs/store.md, "When the server is unreachable: the spool"): the
 * session writes its run into a local SQLite file as into any local store, and the uploader,
 * a thread of its own, copies the run from there to the server every upload interval and
 * once more at the end (store/copy_store.h: idempotent by run id and chunk key, so whatever
 * is missing is sent once). The sampler and the writer never wait on the network. */
#ifndef AIM_ENGINE_UPLOADER_H
#define AIM_ENGINE_UPLOADER_H

#include <stdint.h>

#include "store/db.h"

typedef struct aim_uploader aim_uploader;
struct aim_session;
struct aim_store_opener;

/* Whether the store named by path is a server (any back-end but SQLite's files). */
int aim__store_is_server(const char *path);

/* An uploader from spool_path to url, of the session's run (its id taken when the sink
 * starts). server: the connection start() made (NULL when the server could not be reached
 * then, or is still being connected to); pending: start()'s connection still being made
 * (engine/store_opener.h), or NULL: the uploader's thread waits for it and takes it over
 * (made: uploads as if made at the start; unreachable: tried again later; refused for a
 * reason of the user's: a warning, and the run is kept in the spool). Both taken, also on
 * failure. agent: also uploads the runs earlier processes left in the spool. The sink
 * aim_sink_upload runs it; freed by its release. -ENOMEM. */
int aim__uploader_new(const char *url, const char *spool_path, aim_db *server,
                      struct aim_store_opener *pending, int64_t interval_ns, int agent,
                      aim_uploader **ret);
/* aim_session_stop, the very last (the stages' `stored` hooks have written their results,
 * the correlation matrix among them, into the spool): the last upload, tried until it
 * succeeds or the final wait is over, once more after a success that ended an outage so
 * that the server has the line saying so. The run is then removed from the spool; or kept
 * there, and a warning says how to push it. Always 0: the measurement is whole either way. */
int aim__uploader_finish(struct aim_session *s);

/* After aim_session_stop: the spool's path while the run is only there, else NULL. */
const char *aim__uploader_pending(const aim_uploader *u);

#endif
