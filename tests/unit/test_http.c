/* Unit tests for the operations HTTP endpoint: the server runs on an ephemeral loopback port and
 * the tests speak HTTP/1.1 over plain sockets, so status lines, headers and bodies are checked
 * exactly as a scraper or a probe would see them. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "ne/buf.h"
#include "ne/http.h"
#include "ne/metrics.h"

struct response {
        int status;      /* 0 when the server closed without answering */
        char head[4096]; /* status line and headers */
        struct ne_buf body;
};

static int connect_to(const char *addr, unsigned int port)
{
        struct sockaddr_storage ss = {0};
        socklen_t len;
        struct timeval tv = {.tv_sec = 5};
        struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

        if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
                in4->sin_family = AF_INET;
                in4->sin_port = htons((uint16_t)port);
                len = sizeof(*in4);
        } else {
                cr_assert_eq(inet_pton(AF_INET6, addr, &in6->sin6_addr), 1);
                in6->sin6_family = AF_INET6;
                in6->sin6_port = htons((uint16_t)port);
                len = sizeof(*in6);
        }
        int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        cr_assert_geq(fd, 0);
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        cr_assert_eq(connect(fd, (struct sockaddr *)&ss, len), 0, "connect: %s", strerror(errno));
        return fd;
}

/* Sends `raw` and reads the whole answer (the request asks for Connection: close). */
static void exchange(int fd, const char *raw, struct response *r)
{
        struct ne_buf all = {0};
        char chunk[4096];
        ssize_t n;

        memset(r, 0, sizeof(*r));
        cr_assert_eq(send(fd, raw, strlen(raw), MSG_NOSIGNAL), (ssize_t)strlen(raw));
        while ((n = recv(fd, chunk, sizeof(chunk), 0)) > 0)
                cr_assert_eq(ne_buf_append(&all, chunk, (size_t)n), 0);
        close(fd);
        if (all.len == 0) {
                ne_buf_release(&all);
                return;
        }
        char *sep = strstr(all.data, "\r\n\r\n");
        cr_assert_not_null(sep, "no end of headers in '%s'", all.data);
        size_t head_len = (size_t)(sep - all.data);
        cr_assert_lt(head_len, sizeof(r->head));
        memcpy(r->head, all.data, head_len);
        cr_assert_eq(sscanf(r->head, "HTTP/1.1 %d ", &r->status), 1, "status line '%s'", r->head);
        cr_assert_eq(ne_buf_append(&r->body, sep + 4, all.len - head_len - 4), 0);
        ne_buf_release(&all);
}

static void request_at(const char *addr, unsigned int port, const char *method, const char *path,
                       struct response *r)
{
        char raw[512];
        snprintf(raw, sizeof(raw), "%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
                 method, path);
        exchange(connect_to(addr, port), raw, r);
}

/* Value of header `name` (case-insensitive) or NULL; returns a pointer into a static copy. */
static const char *header(const struct response *r, const char *name)
{
        static char value[512];
        const char *p = r->head;
        while ((p = strstr(p, "\r\n")) != NULL) {
                p += 2;
                size_t nl = strlen(name);
                if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
                        p += nl + 1;
                        while (*p == ' ')
                                p++;
                        size_t vl = strcspn(p, "\r");
                        snprintf(value, sizeof(value), "%.*s", (int)vl, p);
                        return value;
                }
        }
        return NULL;
}

static struct ne_metrics *metrics;
static struct ne_http *http;
static unsigned int port;

static void server_setup(void)
{
        static const char *const reasons[] = {"bad_json", "bad_avro"};
        struct ne_metrics_info info = {
            .version = "9.9.9", .dead_letter_reasons = reasons, .n_dead_letter_reasons = 2};
        struct ne_http_handlers h;
        struct ne_diag diag;

        cr_assert_eq(ne_metrics_new(&info, &metrics), 0);
        ne_http_handlers_from_metrics(&h, metrics);
        ne_diag_clear(&diag);
        cr_assert_eq(ne_http_start("127.0.0.1", 0, &h, &http, &diag), 0, "%s", diag.msg);
        port = ne_http_port(http);
        cr_assert_gt(port, 0);
}

static void server_teardown(void)
{
        ne_http_stop(http);
        ne_metrics_free(metrics);
}

TestSuite(http, .init = server_setup, .fini = server_teardown);

Test(http, metrics_body_has_the_counts_set)
{
        struct response r;

        ne_metrics_add(metrics, NE_METRIC_CONSUMED, 42);
        ne_metrics_add(metrics, NE_METRIC_PRODUCED, 40);
        ne_metrics_dead_letter(metrics, 0);
        ne_metrics_dead_letter(metrics, 0);
        ne_metrics_observe_ns(metrics, NE_STAGE_ENRICH, 3000000);
        cr_assert_eq(ne_metrics_lag_set(metrics, "articles", 3, 17), 0);
        cr_assert_eq(ne_metrics_set_model(metrics, "ner", "test-1"), 0);
        request_at("127.0.0.1", port, "GET", "/metrics", &r);

        cr_assert_eq(r.status, 200);
        cr_assert_str_eq(header(&r, "Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
        cr_assert_eq((size_t)atol(header(&r, "Content-Length")), r.body.len);
        cr_assert_not_null(strstr(r.body.data, "\nnewsenrichd_messages_consumed_total 42\n"));
        cr_assert_not_null(strstr(r.body.data, "\nnewsenrichd_messages_produced_total 40\n"));
        cr_assert_not_null(strstr(
            r.body.data, "\nnewsenrichd_messages_dead_lettered_total{reason=\"bad_json\"} 2\n"));
        cr_assert_not_null(strstr(
            r.body.data, "\nnewsenrichd_consumer_lag{topic=\"articles\",partition=\"3\"} 17\n"));
        cr_assert_not_null(strstr(r.body.data, "\nnewsenrichd_stage_duration_seconds_bucket{"
                                               "stage=\"enrich\",le=\"0.005\"} 1\n"));
        cr_assert_not_null(strstr(r.body.data, "newsenrichd_build_info{version=\"9.9.9\"} 1\n"));
        cr_assert_not_null(strstr(r.body.data, "# TYPE newsenrichd_stage_duration_seconds "
                                               "histogram\n"));
        /* The body is exactly what the registry renders now. */
        struct ne_buf direct = {0};
        cr_assert_eq(ne_metrics_render(metrics, &direct), 0);
        char *a = strstr(r.body.data, "# HELP newsenrichd_ready");
        char *b = strstr(direct.data, "# HELP newsenrichd_ready");
        cr_assert_str_eq(a, b);
        if (getenv("NE_PRINT_METRICS"))
                fputs(r.body.data, stderr);
        ne_buf_release(&direct);
        ne_buf_release(&r.body);
}

Test(http, query_string_is_ignored)
{
        struct response r;
        request_at("127.0.0.1", port, "GET", "/metrics?name[]=x", &r);
        cr_assert_eq(r.status, 200);
        ne_buf_release(&r.body);
}

Test(http, ready_follows_flag_and_partitions)
{
        struct response r;

        request_at("127.0.0.1", port, "GET", "/ready", &r);
        cr_assert_eq(r.status, 503);
        cr_assert_str_eq(r.body.data, "not ready\n");
        ne_buf_release(&r.body);

        ne_metrics_set_ready(metrics, true);
        request_at("127.0.0.1", port, "GET", "/ready", &r);
        cr_assert_eq(r.status, 503, "ready without partitions must be 503");
        ne_buf_release(&r.body);

        ne_metrics_set_assigned_partitions(metrics, 2);
        request_at("127.0.0.1", port, "GET", "/ready", &r);
        cr_assert_eq(r.status, 200);
        cr_assert_str_eq(r.body.data, "ready\n");
        ne_buf_release(&r.body);

        ne_metrics_set_ready(metrics, false); /* stopping */
        request_at("127.0.0.1", port, "GET", "/ready", &r);
        cr_assert_eq(r.status, 503);
        ne_buf_release(&r.body);
}

Test(http, health_is_ok_with_fresh_heartbeat)
{
        struct response r;
        ne_metrics_heartbeat(metrics);
        request_at("127.0.0.1", port, "GET", "/health", &r);
        cr_assert_eq(r.status, 200);
        cr_assert_str_eq(r.body.data, "ok\n");
        cr_assert_str_eq(header(&r, "Content-Type"), "text/plain; charset=utf-8");
        ne_buf_release(&r.body);
}

struct route_case {
        const char *method;
        const char *path;
        int status;
        const char *body; /* NULL = do not check */
};

static const struct route_case routes[] = {
    {"GET", "/", 404, "not found\n"},   {"GET", "/metricsx", 404, "not found\n"},
    {"GET", "/metrics/", 404, NULL},    {"GET", "/healthz", 404, NULL},
    {"GET", "/../metrics", 404, NULL},  {"POST", "/metrics", 405, "method not allowed\n"},
    {"PUT", "/health", 405, NULL},      {"DELETE", "/ready", 405, NULL},
    {"OPTIONS", "/metrics", 405, NULL}, {"HEAD", "/health", 200, ""}, /* HEAD: headers only */
    {"GET", "/health", 200, "ok\n"},
};

Test(http, routes_and_methods_table)
{
        for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
                struct response r;
                request_at("127.0.0.1", port, routes[i].method, routes[i].path, &r);
                cr_assert_eq(r.status, routes[i].status, "%s %s: %d", routes[i].method,
                             routes[i].path, r.status);
                if (routes[i].body)
                        cr_assert_str_eq(r.body.data ? r.body.data : "", routes[i].body, "%s %s",
                                         routes[i].method, routes[i].path);
                if (routes[i].status == 405)
                        cr_assert_str_eq(header(&r, "Allow"), "GET, HEAD");
                ne_buf_release(&r.body);
        }
}

Test(http, post_with_body_is_rejected)
{
        struct response r;
        exchange(connect_to("127.0.0.1", port),
                 "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                 "Connection: close\r\n\r\nhello",
                 &r);
        cr_assert_eq(r.status, 405);
        ne_buf_release(&r.body);
}

Test(http, idle_client_does_not_block_others)
{
        int idle = connect_to("127.0.0.1", port);
        int half = connect_to("127.0.0.1", port);
        struct response r;

        /* One client sends nothing, another half a request line: neither may stall a probe. */
        cr_assert_eq(send(half, "GET /met", 8, MSG_NOSIGNAL), 8);
        request_at("127.0.0.1", port, "GET", "/health", &r);
        cr_assert_eq(r.status, 200);
        ne_buf_release(&r.body);
        close(idle);
        close(half);
}

Test(http, per_ip_connection_limit)
{
        int fds[8];
        struct response r;

        for (int i = 0; i < 8; i++)
                fds[i] = connect_to("127.0.0.1", port);
        nanosleep(&(struct timespec){.tv_nsec = 200000000}, NULL); /* let MHD accept them */
        request_at("127.0.0.1", port, "GET", "/health", &r);
        cr_assert_eq(r.status, 0, "ninth connection from one address must be refused");
        ne_buf_release(&r.body);
        for (int i = 0; i < 8; i++)
                close(fds[i]);
        nanosleep(&(struct timespec){.tv_nsec = 200000000}, NULL);
        request_at("127.0.0.1", port, "GET", "/health", &r);
        cr_assert_eq(r.status, 200);
        ne_buf_release(&r.body);
}

Test(http, keep_alive_serves_several_requests)
{
        int fd = connect_to("127.0.0.1", port);
        struct response r;
        const char *two = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
                          "GET /ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        exchange(fd, two, &r);
        cr_assert_eq(r.status, 200);
        cr_assert_not_null(strstr(r.body.data, "HTTP/1.1 503"), "second answer: '%s'", r.body.data);
        ne_buf_release(&r.body);
}

/* Handlers that report failure, for the paths ne_metrics never takes. */
static int failing_render(void *ctx, struct ne_buf *out)
{
        (void)ctx;
        ne_buf_append_str(out, "partial");
        return -ENOMEM;
}

static bool never(void *ctx)
{
        (void)ctx;
        return false;
}

Test(http_custom, stale_health_and_render_failure)
{
        struct ne_http_handlers h = {
            .render_metrics = failing_render, .is_alive = never, .is_ready = never};
        struct ne_http *srv = NULL;
        struct response r;

        cr_assert_eq(ne_http_start(NULL, 0, &h, &srv, NULL), 0); /* NULL = 127.0.0.1 */
        request_at("127.0.0.1", ne_http_port(srv), "GET", "/health", &r);
        cr_assert_eq(r.status, 503);
        cr_assert_str_eq(r.body.data, "stale\n");
        ne_buf_release(&r.body);
        request_at("127.0.0.1", ne_http_port(srv), "GET", "/metrics", &r);
        cr_assert_eq(r.status, 500);
        ne_buf_release(&r.body);
        ne_http_stop(srv);
}

Test(http_custom, health_goes_stale_without_heartbeat)
{
        struct ne_metrics_info info = {.heartbeat_timeout_ms = 100};
        struct ne_metrics *m = NULL;
        struct ne_http_handlers h;
        struct ne_http *srv = NULL;
        struct response r;

        cr_assert_eq(ne_metrics_new(&info, &m), 0);
        ne_http_handlers_from_metrics(&h, m);
        cr_assert_eq(ne_http_start("127.0.0.1", 0, &h, &srv, NULL), 0);
        request_at("127.0.0.1", ne_http_port(srv), "GET", "/health", &r);
        cr_assert_eq(r.status, 200);
        ne_buf_release(&r.body);
        nanosleep(&(struct timespec){.tv_nsec = 250000000}, NULL);
        request_at("127.0.0.1", ne_http_port(srv), "GET", "/health", &r);
        cr_assert_eq(r.status, 503);
        ne_buf_release(&r.body);
        ne_metrics_heartbeat(m);
        request_at("127.0.0.1", ne_http_port(srv), "GET", "/health", &r);
        cr_assert_eq(r.status, 200);
        ne_buf_release(&r.body);
        ne_http_stop(srv);
        ne_metrics_free(m);
}

Test(http_custom, ipv6_loopback_literal)
{
        struct ne_metrics *m = NULL;
        struct ne_http_handlers h;
        struct ne_http *srv = NULL;
        struct ne_diag diag;
        struct response r;

        int probe = socket(AF_INET6, SOCK_STREAM, 0);
        struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
        bool have_v6 = probe >= 0 && bind(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0;
        if (probe >= 0)
                close(probe);
        if (!have_v6)
                cr_skip_test("no IPv6 loopback here");

        cr_assert_eq(ne_metrics_new(NULL, &m), 0);
        ne_http_handlers_from_metrics(&h, m);
        for (int form = 0; form < 2; form++) {
                ne_diag_clear(&diag);
                cr_assert_eq(ne_http_start(form ? "[::1]" : "::1", 0, &h, &srv, &diag), 0, "%s",
                             diag.msg);
                request_at("::1", ne_http_port(srv), "GET", "/health", &r);
                cr_assert_eq(r.status, 200);
                ne_buf_release(&r.body);
                /* bound to ::1 only: IPv4 loopback must not answer on that port */
                int fd = socket(AF_INET, SOCK_STREAM, 0);
                struct sockaddr_in in4 = {.sin_family = AF_INET,
                                          .sin_port = htons((uint16_t)ne_http_port(srv)),
                                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
                cr_assert_neq(connect(fd, (struct sockaddr *)&in4, sizeof(in4)), 0);
                close(fd);
                ne_http_stop(srv);
        }
        ne_metrics_free(m);
}

/* The SigBlk mask of thread `tid` of this process, from /proc. */
static unsigned long long blocked_mask(const char tid[16])
{
        char path[64 + 16], line[256];
        unsigned long long mask = 0;
        snprintf(path, sizeof(path), "/proc/self/task/%.15s/status", tid);
        FILE *f = fopen(path, "r");
        cr_assert_not_null(f, "%s", path);
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "SigBlk: %llx", &mask) == 1)
                        break;
        fclose(f);
        return mask;
}

static int list_tasks(char tids[][16], int max)
{
        DIR *d = opendir("/proc/self/task");
        struct dirent *e;
        int n = 0;
        cr_assert_not_null(d);
        while ((e = readdir(d)) != NULL && n < max)
                if (e->d_name[0] != '.')
                        snprintf(tids[n++], 16, "%.15s", e->d_name);
        closedir(d);
        return n;
}

/* The property, not the mechanism: libmicrohttpd 0.9.75 also blocks signals in its thread. */
Test(http_custom, server_thread_blocks_the_daemons_signals)
{
        char before[64][16], after[64][16];
        struct ne_metrics *m = NULL;
        struct ne_http_handlers h;
        struct ne_http *srv = NULL;
        sigset_t mask;

        cr_assert_eq(ne_metrics_new(NULL, &m), 0);
        ne_http_handlers_from_metrics(&h, m);
        int nb = list_tasks(before, 64);
        cr_assert_eq(ne_http_start("127.0.0.1", 0, &h, &srv, NULL), 0);
        int na = list_tasks(after, 64);
        int new_threads = 0;
        for (int i = 0; i < na; i++) {
                bool old = false;
                for (int j = 0; j < nb; j++)
                        old |= strcmp(after[i], before[j]) == 0;
                if (old)
                        continue;
                new_threads++;
                unsigned long long blk = blocked_mask(after[i]);
                for (int sig = 1; sig <= 31; sig++)
                        if (sig != SIGKILL && sig != SIGSTOP)
                                cr_assert(blk & (1ULL << (sig - 1)), "thread %s: signal %d open",
                                          after[i], sig);
        }
        cr_assert_geq(new_threads, 1, "no server thread found");
        /* and the caller's own mask is restored */
        pthread_sigmask(SIG_BLOCK, NULL, &mask);
        cr_assert_not(sigismember(&mask, SIGTERM));
        ne_http_stop(srv);
        ne_metrics_free(m);
}

struct bad_start {
        const char *addr;
        unsigned int port;
        bool null_cb;
        int err;
};

static const struct bad_start bad_starts[] = {
    {"localhost", 0, false, -EINVAL}, /* names are not resolved */
    {"256.1.1.1", 0, false, -EINVAL},
    {"[127.0.0.1]", 0, false, -EINVAL},
    {"[::1", 0, false, -EINVAL},
    {"::1]", 0, false, -EINVAL},
    {"1.2.3.4 ", 0, false, -EINVAL},
    {"127.0.0.1", 70000, false, -EINVAL},
    {"127.0.0.1", 0, true, -EINVAL},
    {"0123456789012345678901234567890123456789012345678901234567890123456789", 0, false, -EINVAL},
};

Test(http_custom, rejects_bad_arguments)
{
        struct ne_metrics *m = NULL;
        struct ne_http_handlers h;
        cr_assert_eq(ne_metrics_new(NULL, &m), 0);
        for (size_t i = 0; i < sizeof(bad_starts) / sizeof(bad_starts[0]); i++) {
                struct ne_http *srv = (struct ne_http *)&h; /* must stay untouched */
                struct ne_diag diag;
                ne_http_handlers_from_metrics(&h, m);
                if (bad_starts[i].null_cb)
                        h.is_ready = NULL;
                ne_diag_clear(&diag);
                cr_assert_eq(ne_http_start(bad_starts[i].addr, bad_starts[i].port, &h, &srv, &diag),
                             bad_starts[i].err, "case %zu", i);
                cr_assert_neq(diag.msg[0], '\0', "case %zu: no diag", i);
                cr_assert_eq(srv, (struct ne_http *)&h, "case %zu: *ret written", i);
        }
        ne_http_stop(NULL);
        ne_metrics_free(m);
}

Test(http_custom, port_in_use_is_an_error)
{
        struct ne_metrics *m = NULL;
        struct ne_http_handlers h;
        struct ne_http *a = NULL, *b = NULL;
        struct ne_diag diag;

        cr_assert_eq(ne_metrics_new(NULL, &m), 0);
        ne_http_handlers_from_metrics(&h, m);
        cr_assert_eq(ne_http_start("127.0.0.1", 0, &h, &a, NULL), 0);
        ne_diag_clear(&diag);
        int r = ne_http_start("127.0.0.1", ne_http_port(a), &h, &b, &diag);
        cr_assert_eq(r, -EADDRINUSE, "r=%d %s", r, diag.msg);
        cr_assert_null(b);
        cr_assert_not_null(strstr(diag.msg, "cannot listen"), "%s", diag.msg);
        ne_http_stop(a);
        ne_metrics_free(m);
}
