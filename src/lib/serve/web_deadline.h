/* A deadline on every request of the HTTP server (prom_server.c): from a connection's accept,
 * or the end of its previous request, to the end of the answer. libmicrohttpd's own timeout
 * is an idle one, reset by every byte, so a client sending one header byte every few seconds
 * would hold its connection (and, with a few more, every slot) forever. A watchdog thread of
 * our own wakes twice a second and shuts down (shutdown(2), SHUT_RDWR) the sockets past the
 * deadline; libmicrohttpd then sees the end of the stream and closes the connection itself.
 *
 * The hooks run in libmicrohttpd's thread; the table of connections is under a mutex, and a
 * connection leaves it (MHD_CONNECTION_NOTIFY_CLOSED) before libmicrohttpd closes its
 * descriptor, so the watchdog never shuts down a descriptor reused by another file. */
#ifndef AIM_SERVE_WEB_DEADLINE_H
#define AIM_SERVE_WEB_DEADLINE_H

#include <microhttpd.h>
#include <stdint.h>

typedef struct aim_web_deadline aim_web_deadline;

/* A watchdog for up to slots connections at once, deadline_ns each; its thread runs until
 * aim__web_deadline_free. 0, -ENOMEM, or -errno from pthread_create. */
int aim__web_deadline_new(int slots, int64_t deadline_ns, aim_web_deadline **ret);

/* Stops the thread and frees; call after MHD_stop_daemon (which still notifies). NULL: no-op. */
void aim__web_deadline_free(aim_web_deadline *d);

/* MHD_OPTION_NOTIFY_CONNECTION's work (STARTED: the clock starts; CLOSED: forgotten). */
void aim__web_deadline_connection(aim_web_deadline *d, struct MHD_Connection *c,
                                  void **socket_context, enum MHD_ConnectionNotificationCode code);

/* MHD_OPTION_NOTIFY_COMPLETED's work: a request was answered; the next one on the same
 * (kept-alive) connection has a deadline of its own from now. */
void aim__web_deadline_completed(aim_web_deadline *d, struct MHD_Connection *c);

/* When c's request will be cut (CLOCK_MONOTONIC, ns), 0 when c is not tracked: a stream
 * ends before it (a kept-alive connection's idle time counts). */
int64_t aim__web_deadline_of(aim_web_deadline *d, struct MHD_Connection *c);

/* CLOCK_MONOTONIC in ns, the watchdog's clock. */
int64_t aim__web_deadline_now(void);

#endif
