/* The operations HTTP endpoint: GET /metrics (Prometheus text format 0.0.4), GET /health
 * (liveness: the main loop's heartbeat is recent) and GET /ready (readiness: started and owning
 * at least one partition). Served by libmicrohttpd's own thread on one address only (loopback by
 * default), with connection limits and timeouts, so a slow or hostile scraper cannot stall the
 * pipeline. Any other path is 404, any method but GET and HEAD is 405.
 *
 * Threads: ne_http_start() and ne_http_stop() are called by the main thread. The handler
 * callbacks run on libmicrohttpd's internal thread, one request at a time, concurrently with the
 * pipeline: they must only read state that is safe to read from another thread (ne_metrics is).
 * That thread blocks all signals, so the daemon's signals are always delivered to its own threads. */
#ifndef NE_HTTP_H
#define NE_HTTP_H

#include <stdbool.h>

#include "ne/buf.h"
#include "ne/diag.h"
#include "ne/metrics.h"

struct ne_http;

/* What the endpoint serves; every callback is required and receives `ctx`. */
struct ne_http_handlers {
        /* GET /metrics: appends the exposition to `out` (empty on entry). Returns 0, or a
         * negative errno which is answered with 500. */
        int (*render_metrics)(void *ctx, struct ne_buf *out);
        /* GET /health: true -> 200 "ok", false -> 503 "stale". */
        bool (*is_alive)(void *ctx);
        /* GET /ready: true -> 200 "ready", false -> 503 "not ready". */
        bool (*is_ready)(void *ctx);
        void *ctx;
};

/* Fills *h to serve `m`: ne_metrics_render, ne_metrics_is_alive, ne_metrics_is_ready. `m` is
 * borrowed and must outlive the endpoint. This is what the daemon uses. */
void ne_http_handlers_from_metrics(struct ne_http_handlers *h, struct ne_metrics *m);

/* Starts serving on `listen_addr` (an IPv4 or IPv6 literal, "[::1]" brackets allowed; NULL or ""
 * = 127.0.0.1) and `port`. Port 0 binds an ephemeral port (tests; read it with ne_http_port()):
 * the daemon does not call this at all when http.port = 0 disables the endpoint. `h` is copied.
 * Returns 0 and a new endpoint in *ret; -EINVAL (bad address, missing callback), -EADDRINUSE,
 * -EACCES, -EOPNOTSUPP (built without libmicrohttpd) or another negative errno, with a message
 * in diag. */
int ne_http_start(const char *listen_addr, unsigned int port, const struct ne_http_handlers *h,
                  struct ne_http **ret, struct ne_diag *diag);

/* The port actually bound (the ephemeral one when started with port 0). */
unsigned int ne_http_port(const struct ne_http *http);

/* Stops serving (waits for the request in progress) and frees the endpoint; accepts NULL. */
void ne_http_stop(struct ne_http *http);

#endif
