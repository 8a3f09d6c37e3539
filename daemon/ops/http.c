/* GET /metrics, /health and /ready over libmicrohttpd's internal polling thread. The routes only
 * call the handler callbacks and map their answers to status codes; what "alive" and "ready"
 * mean is decided by the caller (ne_metrics by default). It must not block the pipeline: the
 * server has its own thread, a small connection limit and short timeouts, and binds only the
 * configured address. MHD's own diagnostics go through ne_log, rate-limited. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ne/http.h"
#include "ne/log.h"

static int adapt_render(void *ctx, struct ne_buf *out)
{
        return ne_metrics_render(ctx, out);
}

static bool adapt_alive(void *ctx)
{
        return ne_metrics_is_alive(ctx);
}

static bool adapt_ready(void *ctx)
{
        return ne_metrics_is_ready(ctx);
}

void ne_http_handlers_from_metrics(struct ne_http_handlers *h, struct ne_metrics *m)
{
        *h = (struct ne_http_handlers){
            .render_metrics = adapt_render,
            .is_alive = adapt_alive,
            .is_ready = adapt_ready,
            .ctx = m,
        };
}

#ifdef NE_HAVE_MHD

#include <microhttpd.h>

/* Limits: a scraper and a probe or two are the only expected clients. */
#define HTTP_CONNECTION_LIMIT 16
#define HTTP_PER_IP_LIMIT 8
#define HTTP_TIMEOUT_S 10
#define HTTP_BACKLOG 16
#define HTTP_MAX_ADDR 64

#define CT_TEXT "text/plain; charset=utf-8"
#define CT_METRICS "text/plain; version=0.0.4; charset=utf-8"

struct ne_http {
        struct MHD_Daemon *mhd;
        struct ne_http_handlers h;
        unsigned int port;
};

/* libmicrohttpd's error log callback: fmt is its own printf format for ap (format attribute so
 * clang does not take fmt for an unchecked non-literal). */
static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
        static struct ne_log_ratelimit rl;
        char line[256];
        int saved = errno; /* MHD_start_daemon's caller reads the bind error after this */

        (void)cls;
        vsnprintf(line, sizeof(line), fmt, ap);
        line[strcspn(line, "\n")] = '\0'; /* MHD ends its lines with a newline */
        ne_log_ratelimited(&rl, 5, 60, NE_LOG_NOTICE, "http", "%s", line);
        errno = saved;
}

/* Queues a static text response; `body` must live for the process (a literal). */
static enum MHD_Result reply_static(struct MHD_Connection *conn, unsigned int status,
                                    const char *body)
{
        struct MHD_Response *resp =
            MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
        if (!resp)
                return MHD_NO;
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, CT_TEXT);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
        if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
                MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
        enum MHD_Result r = MHD_queue_response(conn, status, resp);
        MHD_destroy_response(resp);
        return r;
}

static enum MHD_Result reply_metrics(struct ne_http *http, struct MHD_Connection *conn)
{
        struct ne_buf out = {0};

        if (http->h.render_metrics(http->h.ctx, &out) < 0 || !out.data) {
                ne_buf_release(&out);
                return reply_static(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "render failed\n");
        }
        /* The response takes the buffer and frees it once sent. */
        struct MHD_Response *resp =
            MHD_create_response_from_buffer_with_free_callback(out.len, out.data, free);
        if (!resp) {
                ne_buf_release(&out);
                return MHD_NO;
        }
        out.data = NULL;
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, CT_METRICS);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
        enum MHD_Result r = MHD_queue_response(conn, MHD_HTTP_OK, resp);
        MHD_destroy_response(resp);
        return r;
}

/* MHD calls this once when the headers are in, then per chunk of body, then once more with no
 * data. A wrong method is refused at once (MHD then closes rather than read a body nobody
 * wants). GET and HEAD are answered on the last call, after any body was read and dropped:
 * answering earlier makes MHD close the connection, which breaks keep-alive for scrapers. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
        static int headers_seen; /* address used as a marker only */
        struct ne_http *http = cls;

        (void)version;
        (void)upload_data;
        if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
                return reply_static(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n");
        if (*req_cls == NULL) {
                *req_cls = &headers_seen;
                return MHD_YES;
        }
        if (*upload_data_size != 0) {
                *upload_data_size = 0;
                return MHD_YES;
        }
        if (strcmp(url, "/metrics") == 0)
                return reply_metrics(http, conn);
        if (strcmp(url, "/health") == 0)
                return http->h.is_alive(http->h.ctx)
                           ? reply_static(conn, MHD_HTTP_OK, "ok\n")
                           : reply_static(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "stale\n");
        if (strcmp(url, "/ready") == 0)
                return http->h.is_ready(http->h.ctx)
                           ? reply_static(conn, MHD_HTTP_OK, "ready\n")
                           : reply_static(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "not ready\n");
        return reply_static(conn, MHD_HTTP_NOT_FOUND, "not found\n");
}

/* Parses an address literal into *ss; brackets around IPv6 are optional. */
static int parse_addr(const char *addr, unsigned int port, struct sockaddr_storage *ss, bool *ipv6)
{
        char buf[HTTP_MAX_ADDR];
        size_t len;

        if (!addr || !addr[0])
                addr = "127.0.0.1";
        len = strnlen(addr, sizeof(buf));
        if (len >= sizeof(buf))
                return -EINVAL;
        if (addr[0] == '[') {
                if (len < 3 || addr[len - 1] != ']')
                        return -EINVAL;
                memcpy(buf, addr + 1, len - 2);
                buf[len - 2] = '\0';
        } else {
                memcpy(buf, addr, len + 1);
        }
        memset(ss, 0, sizeof(*ss));
        struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
        if (addr[0] != '[' && inet_pton(AF_INET, buf, &in4->sin_addr) == 1) {
                in4->sin_family = AF_INET;
                in4->sin_port = htons((uint16_t)port);
                *ipv6 = false;
                return 0;
        }
        if (inet_pton(AF_INET6, buf, &in6->sin6_addr) == 1) {
                in6->sin6_family = AF_INET6;
                in6->sin6_port = htons((uint16_t)port);
                *ipv6 = true;
                return 0;
        }
        return -EINVAL;
}

int ne_http_start(const char *listen_addr, unsigned int port, const struct ne_http_handlers *h,
                  struct ne_http **ret, struct ne_diag *diag)
{
        struct sockaddr_storage ss;
        bool ipv6 = false;
        struct ne_http *http;

        if (!h || !h->render_metrics || !h->is_alive || !h->is_ready)
                return ne_diag_set(diag, -EINVAL, "http: every handler callback is required");
        if (port > 65535)
                return ne_diag_set(diag, -EINVAL, "http: port %u out of range", port);
        if (parse_addr(listen_addr, port, &ss, &ipv6) < 0)
                return ne_diag_set(diag, -EINVAL,
                                   "http: listen address '%.64s' is not an IPv4 or IPv6 literal",
                                   listen_addr);

        http = calloc(1, sizeof(*http));
        if (!http)
                return ne_diag_set(diag, -ENOMEM, "http: out of memory");
        http->h = *h;

        unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
        if (ipv6)
                flags |= MHD_USE_IPv6;
        /* SIGTERM/SIGINT/SIGHUP must reach the daemon's own threads and interrupt the main
         * loop's wait. MHD 0.9.75 blocks signals in its thread itself; a thread inherits the
         * creator's mask, so blocking them around creation keeps that true with any MHD. */
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &old);
        errno = 0;
        /* clang-format off */
        http->mhd = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, http,
                /* first, or MHD prints its option parsing to stderr itself */
                MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
                MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HTTP_CONNECTION_LIMIT,
                MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)HTTP_PER_IP_LIMIT,
                MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)HTTP_TIMEOUT_S,
                MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)HTTP_BACKLOG,
                MHD_OPTION_END);
        /* clang-format on */
        int err = errno > 0 ? errno : EIO; /* MHD leaves bind(2)'s errno in place */
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (!http->mhd) {
                free(http);
                return ne_diag_set(diag, -err, "http: cannot listen on %s port %u: %s",
                                   listen_addr && listen_addr[0] ? listen_addr : "127.0.0.1", port,
                                   strerror(err));
        }
        const union MHD_DaemonInfo *info =
            MHD_get_daemon_info(http->mhd, MHD_DAEMON_INFO_BIND_PORT);
        http->port = info && info->port ? info->port : port;
        *ret = http;
        return 0;
}

unsigned int ne_http_port(const struct ne_http *http)
{
        return http->port;
}

void ne_http_stop(struct ne_http *http)
{
        if (!http)
                return;
        if (http->mhd)
                MHD_stop_daemon(http->mhd);
        free(http);
}

#else /* !NE_HAVE_MHD */

struct ne_http {
        unsigned int port;
};

int ne_http_start(const char *listen_addr, unsigned int port, const struct ne_http_handlers *h,
                  struct ne_http **ret, struct ne_diag *diag)
{
        (void)listen_addr;
        (void)port;
        (void)h;
        (void)ret;
        return ne_diag_set(diag, -EOPNOTSUPP, "http: built without libmicrohttpd");
}

unsigned int ne_http_port(const struct ne_http *http)
{
        return http->port;
}

void ne_http_stop(struct ne_http *http)
{
        (void)http;
}

#endif
