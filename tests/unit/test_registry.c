/* Unit tests for the Schema Registry client against tests/python/fake_registry.py, a stand-in
 * that speaks the registry's documented API (content type, error bodies) and injects faults on
 * request: 5xx, delays beyond the client timeout, dropped connections, canned bad answers, huge
 * bodies. Each test starts its own server on an ephemeral 127.0.0.1 port and reads the server's
 * request counters through its control endpoint, so caching and retries are observed, not
 * assumed. Tests skip when /usr/bin/python3 is missing. */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include "ne/buf.h"
#include "ne/codec.h"
#include "ne/registry.h"

#ifndef NE_HAVE_CURL

/* Without libcurl a URL is refused and the NULL client still means "no registry". */
Test(registry, without_curl_urls_are_refused)
{
        struct ne_registry_opts o = {.urls = "http://127.0.0.1:8081"};
        struct ne_registry *reg = NULL;
        cr_assert_eq(ne_registry_new(&o, &reg, NULL), -ENOTSUP);
        o.urls = NULL;
        cr_assert_eq(ne_registry_new(&o, &reg, NULL), 0);
        cr_assert_null(reg);
}

#else

#include <cJSON.h>
#include <curl/curl.h>

#define PYTHON "/usr/bin/python3"
#define SERVER_SCRIPT NE_SOURCE_DIR "/tests/python/fake_registry.py"

static const char SCHEMA_A[] =
    "{\"type\":\"record\",\"name\":\"Article\",\"namespace\":\"news\",\"fields\":["
    "{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"body\",\"type\":\"string\"}]}";
/* Quotes, a backslash, a newline and non-ASCII text: the request body must escape them. */
static const char SCHEMA_B[] =
    "{\"type\":\"record\",\"name\":\"Enriched\",\"doc\":\"\\\"quoted\\\" \\\\ line\\n"
    "Z\xc3\xbcrich \xe2\x80\x93 dash\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}";

static pid_t server_pid = -1;
static char server_dir[64];
static char base_url[64];
static bool have_server;

static void sleep_ms(long ms)
{
        struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static long elapsed_ms(const struct timespec *t0)
{
        struct timespec t1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static void start_server(void)
{
        char port_file[128];
        struct timespec t0;

        /* The client honours proxy variables like any libcurl program; tests talk to loopback. */
        unsetenv("http_proxy");
        unsetenv("HTTP_PROXY");
        unsetenv("https_proxy");
        unsetenv("HTTPS_PROXY");
        unsetenv("all_proxy");
        unsetenv("ALL_PROXY");
        if (access(PYTHON, X_OK) != 0)
                return;
        strcpy(server_dir, "/tmp/ne-registry-XXXXXX");
        cr_assert_not_null(mkdtemp(server_dir));
        snprintf(port_file, sizeof(port_file), "%s/port", server_dir);
        server_pid = fork();
        cr_assert_geq(server_pid, 0);
        if (server_pid == 0) {
                execl(PYTHON, PYTHON, SERVER_SCRIPT, "--port-file", port_file, (char *)NULL);
                _exit(127);
        }
        clock_gettime(CLOCK_MONOTONIC, &t0);
        /* Generous: the test machine is shared and Python starts slowly under load. */
        while (elapsed_ms(&t0) < 30000) {
                FILE *f = fopen(port_file, "r");
                unsigned int port = 0;
                if (f) {
                        int n = fscanf(f, "%u", &port);
                        fclose(f);
                        if (n == 1 && port > 0) {
                                snprintf(base_url, sizeof(base_url), "http://127.0.0.1:%u", port);
                                have_server = true;
                                return;
                        }
                }
                int status;
                cr_assert_eq(waitpid(server_pid, &status, WNOHANG), 0,
                             "fake registry exited early");
                sleep_ms(20);
        }
        cr_assert_fail("fake registry did not start");
}

static void stop_server(void)
{
        char port_file[128];
        if (server_pid > 0) {
                kill(server_pid, SIGTERM);
                waitpid(server_pid, NULL, 0);
                server_pid = -1;
        }
        if (server_dir[0]) {
                snprintf(port_file, sizeof(port_file), "%s/port", server_dir);
                unlink(port_file);
                rmdir(server_dir);
        }
}

#define NEED_SERVER()                                                                              \
        do {                                                                                       \
                if (!have_server)                                                                  \
                        cr_skip_test(PYTHON " not available");                                     \
        } while (0)

static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata)
{
        cr_assert_eq(ne_buf_append(userdata, ptr, size * nmemb), 0);
        return size * nmemb;
}

/* Talks to the server's control endpoint with plain libcurl; returns the parsed answer. */
static cJSON *control(const char *method, const char *path, const char *json)
{
        struct ne_buf out = {0};
        char url[256];
        long status = 0;
        CURL *curl = curl_easy_init();
        cr_assert_not_null(curl);
        snprintf(url, sizeof(url), "%s%s", base_url, path);
        curl_easy_setopt(curl, CURLOPT_URL, url);
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out);
        curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
        if (strcmp(method, "POST") == 0)
                curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json ? json : "");
        CURLcode cc = curl_easy_perform(curl);
        cr_assert_eq(cc, CURLE_OK, "control %s: %s", path, curl_easy_strerror(cc));
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_cleanup(curl);
        cr_assert_eq(status, 200, "control %s: HTTP %ld", path, status);
        cJSON *doc = cJSON_ParseWithLength(out.data, out.len);
        cr_assert_not_null(doc);
        ne_buf_release(&out);
        return doc;
}

static void faults(const char *json)
{
        cJSON_Delete(control("POST", "/_control/faults", json));
}

/* Makes the server hold `schema` under `id`, with optional extra members (JSON text). */
static void preload(int id, const char *schema, const char *extra_json)
{
        cJSON *req = extra_json ? cJSON_Parse(extra_json) : cJSON_CreateObject();
        cr_assert_not_null(req);
        cJSON_AddNumberToObject(req, "id", id);
        cJSON_AddStringToObject(req, "schema", schema);
        char *body = cJSON_PrintUnformatted(req);
        cJSON_Delete(control("POST", "/_control/schemas", body));
        cJSON_free(body);
        cJSON_Delete(req);
}

/* How many registry requests the server received for "METHOD /path". */
static int hits(const char *key)
{
        cJSON *st = control("GET", "/_control/stats", NULL);
        const cJSON *h = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItem(st, "hits"), key);
        int n = cJSON_IsNumber(h) ? h->valueint : 0;
        cJSON_Delete(st);
        return n;
}

/* The last registry request's `field` (method, path, content_type, accept, authorization,
 * user_agent, body) copied into out. */
static void last_request(const char *field, char *out, size_t size)
{
        cJSON *st = control("GET", "/_control/stats", NULL);
        const cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(st, "last"), field);
        snprintf(out, size, "%s", cJSON_IsString(v) ? v->valuestring : "");
        cJSON_Delete(st);
}

/* Test defaults: quick retries so failure paths finish fast. */
static struct ne_registry_opts test_opts(void)
{
        return (struct ne_registry_opts){
            .urls = base_url,
            .timeout_ms = 5000,
            .max_attempts = 3,
            .backoff_initial_ms = 20,
            .backoff_max_ms = 100,
        };
}

static struct ne_registry *client(const struct ne_registry_opts *o)
{
        struct ne_registry *reg = NULL;
        struct ne_diag diag;
        ne_diag_clear(&diag);
        int r = ne_registry_new(o, &reg, &diag);
        cr_assert_eq(r, 0, "ne_registry_new: %d %s", r, diag.msg);
        cr_assert_not_null(reg);
        return reg;
}

/* A loopback port with nothing listening: bound, then closed. */
static unsigned int dead_port(void)
{
        struct sockaddr_in sin = {.sin_family = AF_INET};
        socklen_t len = sizeof(sin);
        sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        cr_assert_geq(fd, 0);
        cr_assert_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
        cr_assert_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
        close(fd);
        return ntohs(sin.sin_port);
}

TestSuite(registry, .init = start_server, .fini = stop_server, .timeout = 120);

/* ---- without a server ---- */

Test(registry, no_url_means_no_client)
{
        static const char *const none[] = {NULL, "", "  ", " , ,"};
        for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
                struct ne_registry_opts o = {.urls = none[i]};
                struct ne_registry *reg = (void *)1;
                cr_assert_eq(ne_registry_new(&o, &reg, NULL), 0);
                cr_assert_null(reg);
        }
        struct ne_registry *reg = (void *)1;
        cr_assert_eq(ne_registry_new(NULL, &reg, NULL), 0);
        cr_assert_null(reg);

        /* A NULL client is "no registry": nothing to find, nothing to register into. */
        struct ne_diag diag;
        char *schema = NULL;
        int32_t id = 7;
        ne_diag_clear(&diag);
        cr_assert_eq(ne_registry_get_schema(NULL, 1, &schema, &diag), -ENOENT);
        cr_assert_null(schema);
        cr_assert_neq(diag.msg[0], '\0');
        cr_assert_eq(ne_registry_register(NULL, "t-value", SCHEMA_A, &id, NULL), -ENOTSUP);
        cr_assert_eq(id, 7);
        struct ne_registry_stats st;
        ne_registry_get_stats(NULL, &st);
        cr_assert_eq(st.lookups, 0);
        ne_registry_free(NULL);
}

Test(registry, bad_urls_and_options_refused)
{
        static const char *const bad[] = {
            "ftp://127.0.0.1:21",
            "http://127.0.0.1:8081/?x=1",
            "http://127.0.0.1:8081/#frag",
            "no scheme here",
            "http://user:s3cret@bad host:8081",
            "http://127.0.0.1:8081,file:///etc/passwd",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct ne_registry_opts o = {.urls = bad[i]};
                struct ne_registry *reg = (void *)1;
                struct ne_diag diag;
                ne_diag_clear(&diag);
                cr_assert_eq(ne_registry_new(&o, &reg, &diag), -EINVAL, "'%s' accepted", bad[i]);
                cr_assert_eq(reg, (void *)1, "out-param written on failure");
                cr_assert_neq(diag.msg[0], '\0');
                cr_assert_null(strstr(diag.msg, "s3cret"), "password in diag: %s", diag.msg);
        }

        char many[17 * 32] = "";
        for (int i = 0; i < 17; i++)
                sprintf(many + strlen(many), "%shttp://127.0.0.1:%d", i ? "," : "", 8000 + i);
        struct ne_registry_opts o = {.urls = many};
        struct ne_registry *reg = NULL;
        cr_assert_eq(ne_registry_new(&o, &reg, NULL), -EINVAL);

        struct ne_registry_opts opts[] = {
            {.urls = "http://127.0.0.1:1", .timeout_ms = -1},
            {.urls = "http://127.0.0.1:1", .backoff_initial_ms = -5},
            {.urls = "http://127.0.0.1:1", .max_total_ms = -1},
            {.urls = "http://127.0.0.1:1", .max_attempts = 1000},
            {.urls = "http://127.0.0.1:1", .basic_auth_user_info = "no-colon"},
            {.urls = "http://127.0.0.1:1", .negative_ttl_ms = 365L * 24 * 3600 * 1000},
        };
        for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
                cr_assert_eq(ne_registry_new(&opts[i], &reg, NULL), -EINVAL, "opts #%zu", i);
}

Test(registry, subject_value)
{
        char out[32];
        cr_assert_eq(ne_registry_subject_value("news.articles", out, sizeof(out)), 0);
        cr_assert_str_eq(out, "news.articles-value");
        cr_assert_eq(ne_registry_subject_value("", out, sizeof(out)), -EINVAL);
        cr_assert_eq(ne_registry_subject_value(NULL, out, sizeof(out)), -EINVAL);
        cr_assert_eq(ne_registry_subject_value("abcdefghijklmnopqrstuvwxyz", out, sizeof(out)),
                     -ENAMETOOLONG);
}

Test(registry, argument_errors)
{
        NEED_SERVER();
        struct ne_registry_opts o = test_opts();
        struct ne_registry *reg = client(&o);
        int32_t id;
        char *schema;
        cr_assert_eq(ne_registry_get_schema(reg, -1, &schema, NULL), -EINVAL);
        cr_assert_eq(ne_registry_register(reg, "", SCHEMA_A, &id, NULL), -EINVAL);
        cr_assert_eq(ne_registry_register(reg, NULL, SCHEMA_A, &id, NULL), -EINVAL);
        cr_assert_eq(ne_registry_register(reg, "t-value", "", &id, NULL), -EINVAL);
        cr_assert_eq(ne_registry_register(reg, "t-value", NULL, &id, NULL), -EINVAL);
        cr_assert_eq(hits("POST /subjects/t-value/versions"), 0);
        ne_registry_free(reg);
}

/* ---- register ---- */

Test(registry, register_returns_id_and_is_idempotent)
{
        NEED_SERVER();
        struct ne_registry_opts o = test_opts();
        struct ne_registry *reg = client(&o);
        struct ne_diag diag;
        int32_t a1 = -1, a2 = -1, b = -1, a_other = -1;
        char buf[512];

        ne_diag_clear(&diag);
        cr_assert_eq(ne_registry_register(reg, "news-value", SCHEMA_A, &a1, &diag), 0, "%s",
                     diag.msg);
        cr_assert_gt(a1, 0);
        last_request("content_type", buf, sizeof(buf));
        cr_assert_str_eq(buf, "application/vnd.schemaregistry.v1+json");
        last_request("accept", buf, sizeof(buf));
        cr_assert_not_null(strstr(buf, "application/vnd.schemaregistry.v1+json"), "%s", buf);
        last_request("user_agent", buf, sizeof(buf));
        cr_assert_eq(strncmp(buf, "newsenrichd/", 12), 0, "%s", buf);

        cr_assert_eq(ne_registry_register(reg, "news-value", SCHEMA_A, &a2, &diag), 0);
        cr_assert_eq(a2, a1, "same schema, same subject: same id");
        cr_assert_eq(ne_registry_register(reg, "news-value", SCHEMA_B, &b, &diag), 0, "%s",
                     diag.msg);
        cr_assert_neq(b, a1);
        cr_assert_eq(ne_registry_register(reg, "other-value", SCHEMA_A, &a_other, &diag), 0);
        cr_assert_eq(a_other, a1, "ids are global: same schema in another subject");
        cr_assert_eq(hits("POST /subjects/news-value/versions"), 3);
        cr_assert_eq(hits("POST /subjects/other-value/versions"), 1);

        /* The escaped schema arrived intact: the server hands back exactly the text sent. */
        char *got = NULL;
        ne_registry_free(reg);
        reg = client(&o); /* fresh cache: must ask the server */
        cr_assert_eq(ne_registry_get_schema(reg, b, &got, &diag), 0, "%s", diag.msg);
        cr_assert_str_eq(got, SCHEMA_B);
        free(got);
        ne_registry_free(reg);
}

Test(registry, registered_schema_is_cached)
{
        NEED_SERVER();
        struct ne_registry_opts o = test_opts();
        struct ne_registry *reg = client(&o);
        int32_t id;
        char *got = NULL;
        cr_assert_eq(ne_registry_register(reg, "news-value", SCHEMA_A, &id, NULL), 0);
        cr_assert_eq(ne_registry_get_schema(reg, id, &got, NULL), 0);
        cr_assert_str_eq(got, SCHEMA_A);
        free(got);
        char key[64];
        snprintf(key, sizeof(key), "GET /schemas/ids/%d", (int)id);
        cr_assert_eq(hits(key), 0);
        ne_registry_free(reg);
}

Test(registry, subject_is_percent_encoded)
{
        NEED_SERVER();
        struct ne_registry_opts o = test_opts();
        struct ne_registry *reg = client(&o);
        int32_t id;
        struct ne_diag diag;
        ne_diag_clear(&diag);
        cr_assert_eq(ne_registry_register(reg, "we ird/sub?j#", SCHEMA_A, &id, &diag), 0, "%s",
                     diag.msg);
        cr_assert_eq(hits("POST /subjects/we%20ird%2Fsub%3Fj%23/versions"), 1);
        ne_registry_free(reg);
}

Test(registry, incompatible_is_eproto_without_retry)
{
        NEED_SERVER();
        struct ne_registry_opts o = test_opts();
        struct ne_registry *reg = client(&o);
        struct ne_diag diag;
        int32_t id = -1;
        faults("{\"incompatible\": [\"news-value\"]}");
        ne_diag_clear(&diag);
        cr_assert_eq(ne_registry_register(reg, "news-value", SCHEMA_A, &id, &diag), -EPROTO);
        cr_assert_eq(id, -1);
        cr_assert_not_null(strstr(diag.msg, "HTTP 409"), "%s", diag.msg);
        cr_assert_not_null(strstr(diag.msg, "incompatible with an earlier schema"), "%s", diag.msg);
        cr_assert_eq(hits("POST /subjects/news-value/versions"), 1);
        ne_registry_free(reg);
}

Test(registry, invalid_schema_is_einval_without_retry)
{
        NEED_SERVER();
        struct ne_registry_opts o = test_opts();
        struct ne_registry *reg = client(&o);
        struct ne_diag diag;
        int32_t id;
        ne_diag_clear(&diag);
        cr_assert_eq(ne_registry_register(reg, "news-value", "{\"type\":\"nope\"}", &id, &diag),
                     -EINVAL);
        cr_assert_not_null(strstr(diag.msg, "error_code 42201"), "%s", diag.msg);
        ne_diag_clear(&diag);
        cr_assert_eq(ne_registry_register(reg, "news-value", "{not json", &id, &diag), -EINVAL);
        cr_assert_not_null(strstr(diag.msg, "HTTP 422"), "%s", diag.msg);
        cr_assert_eq(hits("POST /subjects/news-value/versions"), 2);
        ne_registry_free(reg);
}

Test(registry, register_answer_without_id_is_ebadmsg)
{
        NEED_SERVER();
        struct ne_registry_opts o = test_opts();
        struct ne_registry *reg = client(&o);
        static const char *const answers[] = {
            "{\"canned\": 1, \"canned_body\": \"{\\\"version\\\": 1}\"}",
            "{\"canned\": 1, \"canned_body\": \"{\\\"id\\\": \\\"7\\\"}\"}",
            "{\"canned\": 1, \"canned_body\": \"{\\\"id\\\": 1.5}\"}",
            "{\"canned\": 1, \"canned_body\": \"{\\\"id\\\": -3}\"}",
            "{\"canned\": 1, \"canned_body\": \"{\\\"id\\\": 4294967296}\"}",
            "{\"canned\": 1, \"canned_body\": \"[1]\"}",
            "{\"canned\": 1, \"canned_body\": \"\"}",
        };
        for (size_t i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
                int32_t id = -1;
                struct ne_diag diag;
                ne_diag_clear(&diag);
                faults(answers[i]);
                cr_assert_eq(ne_registry_register(reg, "news-value", SCHEMA_A, &id, &diag),
                             -EBADMSG, "answer #%zu", i);
                cr_assert_eq(id, -1);
                cr_assert_neq(diag.msg[0], '\0');
        }
        ne_registry_free(reg);
}

/* ---- get by id ---- */

Test(registry, get_schema_is_cached)
{
        NEED_SERVER();
        struct ne_registry_opts o = test_opts();
        struct ne_registry *reg = client(&o);
        struct ne_diag diag;
        char *s1 = NULL, *s2 = NULL;
        preload(42, SCHEMA_B, NULL);
        ne_diag_clear(&diag);
        cr_assert_eq(ne_registry_get_schema(reg, 42, &s1, &diag), 0, "%s", diag.msg);
        cr_assert_str_eq(s1, SCHEMA_B);
        cr_assert_eq(ne_registry_get_schema(reg, 42, &s2, &diag), 0);
        cr_assert_str_eq(s2, SCHEMA_B);
        cr_assert_neq(s1, s2, "each call returns a new string");
        free(s1);
        free(s2);
        cr_assert_eq(hits("GET /schemas/ids/42"), 1);

        struct ne_registry_stats st;
        ne_registry_get_stats(reg, &st);
        cr_assert_eq(st.lookups, 2);
        cr_assert_eq(st.cache_hits, 1);
        cr_assert_eq(st.requests, 1);
        cr_assert_eq(st.cached_schemas, 1);
        cr_assert_eq(st.cached_bytes, strlen(SCHEMA_B));
        ne_registry_free(reg);
}

Test(registry, not_found_is_enoent_and_remembered)
{
        NEED_SERVER();
        struct ne_registry_opts o = test_opts();
        struct ne_registry *reg = client(&o);
        struct ne_diag diag;
        char *s = NULL;
        ne_diag_clear(&diag);
        cr_assert_eq(ne_registry_get_schema(reg, 999, &s, &diag), -ENOENT);
        cr_assert_null(s);
        cr_assert_not_null(strstr(diag.msg, "error_code 40403: Schema 999 not found"), "%s",
                           diag.msg);
        for (int i = 0; i < 50; i++)
                cr_assert_eq(ne_registry_get_schema(reg, 999, &s, NULL), -ENOENT);
        cr_assert_eq(hits("GET /schemas/ids/999"), 1, "negative cache must absorb the flood");
        struct ne_registry_stats st;
        ne_registry_get_stats(reg, &st);
        cr_assert_eq(st.negative_hits, 50);
        cr_assert_eq(st.failures, 0, "not found is an answer, not a failure");
        ne_registry_free(reg);
}

Test(registry, negative_cache_expires)
{
        NEED_SERVER();
        struct ne_registry_opts o = test_opts();
        o.negative_ttl_ms = 300;
        struct ne_registry *reg = client(&o);
        char *s = NULL;
        cr_assert_eq(ne_registry_get_schema(reg, 5, &s, NULL), -ENOENT);
        preload(5, SCHEMA_A, NULL);
        cr_assert_eq(ne_registry_get_schema(reg, 5, &s, NULL), -ENOENT, "still remembered");
        sleep_ms(400);
        cr_assert_eq(ne_registry_get_schema(reg, 5, &s, NULL), 0);
        cr_assert_str_eq(s, SCHEMA_A);
        free(s);
        cr_assert_eq(hits("GET /schemas/ids/5"), 2);
        ne_registry_free(reg);
}

Test(registry, negative_cache_can_be_disabled)
{
        NEED_SERVER();
        struct ne_registry_opts o = test_opts();
        o.negative_ttl_ms = -1;
        struct ne_registry *reg = client(&o);
        char *s = NULL;
        for (int i = 0; i < 3; i++)
                cr_assert_eq(ne_registry_get_schema(reg, 6, &s, NULL), -ENOENT);
        cr_assert_eq(hits("GET /schemas/ids/6"), 3);
        ne_registry_free(reg);
}

Test(registry, non_avro_or_references_are_enotsup)
{
        NEED_SERVER();
        struct ne_registry_opts o = test_opts();
        struct ne_registry *reg = client(&o);
        char *s = NULL;
        preload(7, "syntax = \"proto3\"; message M {}", "{\"schemaType\": \"PROTOBUF\"}");
        preload(8, SCHEMA_A,
                "{\"references\": [{\"name\": \"x\", \"subject\": \"y\", "
                "\"version\": 1}]}");
        preload(9, SCHEMA_A, "{\"schemaType\": \"AVRO\", \"references\": []}");
        cr_assert_eq(ne_registry_get_schema(reg, 7, &s, NULL), -ENOTSUP);
        cr_assert_eq(ne_registry_get_schema(reg, 8, &s, NULL), -ENOTSUP);
        cr_assert_eq(ne_registry_get_schema(reg, 9, &s, NULL), 0);
        cr_assert_str_eq(s, SCHEMA_A);
        free(s);
        ne_registry_free(reg);
}

Test(registry, malformed_answers_are_ebadmsg_not_crashes)
{
        NEED_SERVER();
        struct ne_registry_opts o = test_opts();
        struct ne_registry *reg = client(&o);
        static const char *const answers[] = {
            "{\"canned\": 1, \"canned_body\": \"{\\\"schema\\\": \"}",
            "{\"canned\": 1, \"canned_body\": \"this is not json{\"}",
            "{\"canned\": 1, \"canned_body\": \"{\\\"schema\\\": 5}\"}",
            "{\"canned\": 1, \"canned_body\": \"{\\\"schema\\\": \\\"\\\"}\"}",
            "{\"canned\": 1, \"canned_body\": \"{}\"}",
            "{\"canned\": 1, \"canned_body\": \"null\"}",
            "{\"canned\": 1, \"canned_body\": \"\\u0000\\u0001\\u00ff\"}",
            ("{\"canned\": 1, \"canned_body\": \"{\\\"schema\\\": \\\"x\\\"}\", "
             "\"canned_type\": \"text/html\"}"),
        };
        for (size_t i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
                char *s = NULL;
                struct ne_diag diag;
                ne_diag_clear(&diag);
                faults(answers[i]);
                cr_assert_eq(ne_registry_get_schema(reg, 11, &s, &diag), -EBADMSG,
                             "answer #%zu: %s", i, diag.msg);
                cr_assert_null(s);
        }
        /* A bad answer is not cached as an answer: the real one comes through next. */
        preload(11, SCHEMA_A, NULL);
        char *s = NULL;
        cr_assert_eq(ne_registry_get_schema(reg, 11, &s, NULL), 0);
        free(s);
        cr_assert_eq(hits("GET /schemas/ids/11"), 9, "bad answers are not retried");
        ne_registry_free(reg);
}

Test(registry, error_body_that_is_not_json_is_reported)
{
        NEED_SERVER();
        struct ne_registry_opts o = test_opts();
        struct ne_registry *reg = client(&o);
        struct ne_diag diag;
        char *s = NULL;
        ne_diag_clear(&diag);
        faults("{\"canned\": 1, \"canned_status\": 404, \"canned_type\": \"text/html\", "
               "\"canned_body\": \"<html>nginx: no such \\n page</html>\"}");
        cr_assert_eq(ne_registry_get_schema(reg, 12, &s, &diag), -ENOENT);
        cr_assert_not_null(strstr(diag.msg, "HTTP 404, <html>nginx: no such ? page"), "%s",
                           diag.msg);
        ne_registry_free(reg);
}

Test(registry, huge_answers_are_bounded)
{
        NEED_SERVER();
        struct ne_registry_opts o = test_opts();
        struct ne_registry *reg = client(&o);
        struct ne_diag diag;
        char *s = NULL;

        /* With a Content-Length the transfer is refused up front... */
        preload(13, SCHEMA_A, NULL);
        faults("{\"huge\": 1, \"huge_bytes\": 3000000, \"huge_length\": true}");
        ne_diag_clear(&diag);
        cr_assert_eq(ne_registry_get_schema(reg, 13, &s, &diag), -EMSGSIZE, "%s", diag.msg);
        /* ...without one, it is cut off once the cap is reached. */
        faults("{\"huge\": 1, \"huge_bytes\": 3000000, \"huge_length\": false}");
        ne_diag_clear(&diag);
        cr_assert_eq(ne_registry_get_schema(reg, 13, &s, &diag), -EMSGSIZE, "%s", diag.msg);
        cr_assert_not_null(strstr(diag.msg, "larger than 1048576 bytes"), "%s", diag.msg);
        cr_assert_eq(hits("GET /schemas/ids/13"), 2, "an oversized answer is not retried");
        cr_assert_null(s);
        ne_registry_free(reg);

        /* The cap is an option, and applies to the schema sent when registering too. */
        o.max_response_bytes = 64;
        reg = client(&o);
        cr_assert_eq(ne_registry_get_schema(reg, 13, &s, NULL), -EMSGSIZE);
        int32_t id;
        cr_assert_eq(ne_registry_register(reg, "news-value", SCHEMA_A, &id, NULL), -EINVAL);
        ne_registry_free(reg);
}

/* ---- retries, timeouts, failover ---- */

Test(registry, retries_5xx_then_succeeds)
{
        NEED_SERVER();
        struct ne_registry_opts o = test_opts();
        o.backoff_initial_ms = 100;
        o.backoff_max_ms = 1000;
        struct ne_registry *reg = client(&o);
        struct ne_diag diag;
        struct timespec t0;
        char *s = NULL;
        preload(21, SCHEMA_A, NULL);
        faults("{\"fail\": 2, \"fail_status\": 500, \"fail_code\": 50001}");
        ne_diag_clear(&diag);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        cr_assert_eq(ne_registry_get_schema(reg, 21, &s, &diag), 0, "%s", diag.msg);
        long ms = elapsed_ms(&t0);
        cr_assert_str_eq(s, SCHEMA_A);
        free(s);
        cr_assert_eq(hits("GET /schemas/ids/21"), 3);
        /* Two pauses: 100 ms and 200 ms, each at least half of that after jitter. */
        cr_assert_geq(ms, 150, "backoff too short: %ld ms", ms);
        struct ne_registry_stats st;
        ne_registry_get_stats(reg, &st);
        cr_assert_eq(st.requests, 3);
        ne_registry_free(reg);
}

Test(registry, persistent_5xx_is_eio_after_bounded_attempts)
{
        NEED_SERVER();
        struct ne_registry_opts o = test_opts();
        struct ne_registry *reg = client(&o);
        struct ne_diag diag;
        char *s = NULL;
        faults("{\"fail\": -1, \"fail_status\": 503, \"fail_code\": 50003}");
        ne_diag_clear(&diag);
        cr_assert_eq(ne_registry_get_schema(reg, 22, &s, &diag), -EIO);
        cr_assert_not_null(strstr(diag.msg, "HTTP 503, error_code 50003"), "%s", diag.msg);
        cr_assert_not_null(strstr(diag.msg, "after 3 attempts"), "%s", diag.msg);
        cr_assert_eq(hits("GET /schemas/ids/22"), 3);
        /* A server error is not "not found": the next call asks again. */
        cr_assert_eq(ne_registry_get_schema(reg, 22, &s, &diag), -EIO);
        cr_assert_eq(hits("GET /schemas/ids/22"), 6);
        struct ne_registry_stats st;
        ne_registry_get_stats(reg, &st);
        cr_assert_eq(st.failures, 2);
        int32_t id;
        cr_assert_eq(ne_registry_register(reg, "news-value", SCHEMA_A, &id, &diag), -EIO);
        ne_registry_free(reg);
}

Test(registry, rate_limit_is_retried_then_ebusy)
{
        NEED_SERVER();
        struct ne_registry_opts o = test_opts();
        o.max_attempts = 2;
        struct ne_registry *reg = client(&o);
        char *s = NULL;
        faults("{\"fail\": -1, \"fail_status\": 429, \"fail_code\": 42901}");
        cr_assert_eq(ne_registry_get_schema(reg, 23, &s, NULL), -EBUSY);
        cr_assert_eq(hits("GET /schemas/ids/23"), 2);
        ne_registry_free(reg);
}

Test(registry, slow_server_is_etimedout_within_bound)
{
        NEED_SERVER();
        struct ne_registry_opts o = test_opts();
        o.timeout_ms = 200;
        o.max_attempts = 2;
        o.backoff_initial_ms = 50;
        struct ne_registry *reg = client(&o);
        struct ne_diag diag;
        struct timespec t0;
        char *s = NULL;
        preload(31, SCHEMA_A, NULL);
        faults("{\"delay_ms\": 3000, \"delay_count\": -1}");
        ne_diag_clear(&diag);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        cr_assert_eq(ne_registry_get_schema(reg, 31, &s, &diag), -ETIMEDOUT, "%s", diag.msg);
        long ms = elapsed_ms(&t0);
        cr_assert_geq(ms, 400, "two attempts of 200 ms: %ld ms", ms);
        cr_assert_lt(ms, 1500, "took %ld ms", ms);
        cr_assert_not_null(strstr(diag.msg, "after 2 attempts"), "%s", diag.msg);
        ne_registry_free(reg);
}

Test(registry, total_time_bounds_many_attempts)
{
        NEED_SERVER();
        struct ne_registry_opts o = test_opts();
        o.timeout_ms = 300;
        o.max_attempts = 50;
        o.max_total_ms = 800;
        struct ne_registry *reg = client(&o);
        struct timespec t0;
        char *s = NULL;
        faults("{\"delay_ms\": 3000, \"delay_count\": -1}");
        clock_gettime(CLOCK_MONOTONIC, &t0);
        cr_assert_eq(ne_registry_get_schema(reg, 32, &s, NULL), -ETIMEDOUT);
        long ms = elapsed_ms(&t0);
        cr_assert_geq(ms, 700, "gave up early: %ld ms", ms);
        cr_assert_lt(ms, 1500, "max_total_ms not honoured: %ld ms", ms);
        ne_registry_free(reg);
}

Test(registry, dropped_connection_is_retried)
{
        NEED_SERVER();
        struct ne_registry_opts o = test_opts();
        struct ne_registry *reg = client(&o);
        struct ne_diag diag;
        char *s = NULL;
        preload(33, SCHEMA_A, NULL);
        faults("{\"close\": 1}");
        ne_diag_clear(&diag);
        cr_assert_eq(ne_registry_get_schema(reg, 33, &s, &diag), 0, "%s", diag.msg);
        free(s);
        cr_assert_eq(hits("GET /schemas/ids/33"), 2);
        faults("{\"close\": -1}");
        ne_diag_clear(&diag);
        cr_assert_eq(ne_registry_get_schema(reg, 34, &s, &diag), -ECONNRESET, "%s", diag.msg);
        cr_assert_eq(hits("GET /schemas/ids/34"), 3);
        ne_registry_free(reg);
}

Test(registry, connection_refused)
{
        char url[64];
        snprintf(url, sizeof(url), "http://127.0.0.1:%u", dead_port());
        struct ne_registry_opts o = {.urls = url, .max_attempts = 2, .backoff_initial_ms = 10};
        struct ne_registry *reg = client(&o);
        struct ne_diag diag;
        struct timespec t0;
        char *s = NULL;
        int32_t id;
        ne_diag_clear(&diag);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        cr_assert_eq(ne_registry_get_schema(reg, 1, &s, &diag), -ECONNREFUSED, "%s", diag.msg);
        cr_assert_lt(elapsed_ms(&t0), 2000);
        cr_assert_not_null(strstr(diag.msg, url), "%s", diag.msg);
        cr_assert_eq(ne_registry_register(reg, "t-value", SCHEMA_A, &id, NULL), -ECONNREFUSED);
        struct ne_registry_stats st;
        ne_registry_get_stats(reg, &st);
        cr_assert_eq(st.requests, 4);
        cr_assert_eq(st.failures, 2);
        ne_registry_free(reg);
}

Test(registry, fails_over_to_second_url_and_stays)
{
        NEED_SERVER();
        char urls[160];
        snprintf(urls, sizeof(urls), " http://127.0.0.1:%u/ , %s/", dead_port(), base_url);
        struct ne_registry_opts o = test_opts();
        o.urls = urls;
        o.max_attempts = 2;
        struct ne_registry *reg = client(&o);
        struct ne_diag diag;
        char *s = NULL;
        preload(41, SCHEMA_A, NULL);
        preload(42, SCHEMA_B, NULL);
        ne_diag_clear(&diag);
        cr_assert_eq(ne_registry_get_schema(reg, 41, &s, &diag), 0, "%s", diag.msg);
        free(s);
        /* The URL that answered is tried first next time: one attempt, not two. */
        cr_assert_eq(ne_registry_get_schema(reg, 42, &s, &diag), 0, "%s", diag.msg);
        free(s);
        struct ne_registry_stats st;
        ne_registry_get_stats(reg, &st);
        cr_assert_eq(st.requests, 3);
        /* Trailing slashes on the base URL do not double up in the path. */
        cr_assert_eq(hits("GET /schemas/ids/41"), 1);
        ne_registry_free(reg);
}

Test(registry, base_url_path_prefix_is_kept)
{
        NEED_SERVER();
        char url[128];
        snprintf(url, sizeof(url), "%s/prefix/", base_url);
        struct ne_registry_opts o = test_opts();
        o.urls = url;
        struct ne_registry *reg = client(&o);
        char *s = NULL;
        cr_assert_eq(ne_registry_get_schema(reg, 51, &s, NULL), -ENOENT);
        cr_assert_eq(hits("GET /prefix/schemas/ids/51"), 1);
        ne_registry_free(reg);
}

Test(registry, basic_auth)
{
        NEED_SERVER();
        struct ne_registry_opts o = test_opts();
        struct ne_registry *reg = client(&o);
        struct ne_diag diag;
        char *s = NULL;
        preload(61, SCHEMA_A, NULL);
        faults("{\"require_auth\": \"svc:pa55\"}");
        ne_diag_clear(&diag);
        cr_assert_eq(ne_registry_get_schema(reg, 61, &s, &diag), -EACCES);
        cr_assert_not_null(strstr(diag.msg, "error_code 40101"), "%s", diag.msg);
        cr_assert_eq(hits("GET /schemas/ids/61"), 1, "401 is not retried");
        ne_registry_free(reg);

        o.basic_auth_user_info = "svc:pa55";
        reg = client(&o);
        cr_assert_eq(ne_registry_get_schema(reg, 61, &s, &diag), 0, "%s", diag.msg);
        free(s);
        ne_registry_free(reg);

        /* Credentials in the URL work too, and stay out of diag. */
        char url[128];
        snprintf(url, sizeof(url), "http://svc:pa55@%s", base_url + strlen("http://"));
        o = test_opts();
        o.urls = url;
        reg = client(&o);
        cr_assert_eq(ne_registry_get_schema(reg, 61, &s, &diag), 0, "%s", diag.msg);
        free(s);
        ne_diag_clear(&diag);
        cr_assert_eq(ne_registry_get_schema(reg, 62, &s, &diag), -ENOENT);
        cr_assert_null(strstr(diag.msg, "pa55"), "%s", diag.msg);
        ne_registry_free(reg);
}

/* ---- threads ---- */

struct getter {
        struct ne_registry *reg;
        int32_t id;
        int r;
        char *schema;
        long ms;
};

static void *get_thread(void *arg)
{
        struct getter *g = arg;
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        g->r = ne_registry_get_schema(g->reg, g->id, &g->schema, NULL);
        g->ms = elapsed_ms(&t0);
        return NULL;
}

Test(registry, concurrent_misses_share_one_request)
{
        NEED_SERVER();
        enum { N = 8 };
        struct ne_registry_opts o = test_opts();
        struct ne_registry *reg = client(&o);
        struct getter g[N];
        pthread_t th[N];
        preload(71, SCHEMA_B, NULL);
        faults("{\"delay_ms\": 500, \"delay_count\": 1}");
        for (int i = 0; i < N; i++) {
                g[i] = (struct getter){.reg = reg, .id = 71};
                cr_assert_eq(pthread_create(&th[i], NULL, get_thread, &g[i]), 0);
        }
        for (int i = 0; i < N; i++) {
                pthread_join(th[i], NULL);
                cr_assert_eq(g[i].r, 0);
                cr_assert_str_eq(g[i].schema, SCHEMA_B);
                free(g[i].schema);
        }
        cr_assert_eq(hits("GET /schemas/ids/71"), 1);
        struct ne_registry_stats st;
        ne_registry_get_stats(reg, &st);
        cr_assert_eq(st.lookups, N);
        cr_assert_eq(st.shared_waits + st.cache_hits, N - 1);
        cr_assert_gt(st.shared_waits, 0, "no thread waited on the slow request");
        ne_registry_free(reg);
}

Test(registry, concurrent_misses_share_a_failure)
{
        NEED_SERVER();
        enum { N = 4 };
        struct ne_registry_opts o = test_opts();
        o.negative_ttl_ms = -1;
        struct ne_registry *reg = client(&o);
        struct getter g[N];
        pthread_t th[N];
        faults("{\"delay_ms\": 500, \"delay_count\": 1}");
        for (int i = 0; i < N; i++) {
                g[i] = (struct getter){.reg = reg, .id = 72};
                cr_assert_eq(pthread_create(&th[i], NULL, get_thread, &g[i]), 0);
        }
        for (int i = 0; i < N; i++) {
                pthread_join(th[i], NULL);
                cr_assert_eq(g[i].r, -ENOENT);
                cr_assert_null(g[i].schema);
        }
        struct ne_registry_stats st;
        ne_registry_get_stats(reg, &st);
        /* Threads that arrived during the slow request shared it; any later ones asked again
         * (negative cache off), so requests + shared waits account for every lookup. */
        cr_assert_eq(st.requests + st.shared_waits, N);
        cr_assert_eq(hits("GET /schemas/ids/72"), (int)st.requests);
        ne_registry_free(reg);
}

Test(registry, slow_fetch_does_not_block_cached_lookups)
{
        NEED_SERVER();
        struct ne_registry_opts o = test_opts();
        struct ne_registry *reg = client(&o);
        char *s = NULL;
        preload(81, SCHEMA_A, NULL);
        preload(82, SCHEMA_B, NULL);
        cr_assert_eq(ne_registry_get_schema(reg, 81, &s, NULL), 0);
        free(s);

        faults("{\"delay_ms\": 1500, \"delay_count\": 1}");
        struct getter slow = {.reg = reg, .id = 82};
        pthread_t th;
        cr_assert_eq(pthread_create(&th, NULL, get_thread, &slow), 0);
        sleep_ms(300); /* the slow request is in flight by now */
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        cr_assert_eq(ne_registry_get_schema(reg, 81, &s, NULL), 0);
        long ms = elapsed_ms(&t0);
        free(s);
        pthread_join(th, NULL);
        cr_assert_eq(slow.r, 0);
        free(slow.schema);
        cr_assert_geq(slow.ms, 1400, "the slow request was not slow (%ld ms)", slow.ms);
        cr_assert_lt(ms, 200, "a cached lookup waited %ld ms behind a slow request", ms);
        ne_registry_free(reg);
}

/* ---- with the codec's schema table ---- */

static char *read_text(const char *path)
{
        struct ne_buf b = {0};
        char chunk[4096];
        size_t n;
        FILE *f = fopen(path, "rb");
        cr_assert_not_null(f, "%s", path);
        while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
                cr_assert_eq(ne_buf_append(&b, chunk, n), 0);
        fclose(f);
        return b.data; /* NUL-terminated, owned by the caller */
}

/* Start-up and run-time paths end to end with the project's own output schema: register it
 * under the topic's subject, load it into a schema table under the id the registry gave; a
 * fresh client (another instance, say) resolves the id and loads the same schema. */
Test(registry, project_schema_round_trips_into_schema_table)
{
        NEED_SERVER();
        struct ne_registry_opts o = test_opts();
        struct ne_registry *reg = client(&o);
        struct ne_schema_table *tbl = NULL, *tbl2 = NULL;
        struct ne_diag diag;
        char subject[300];
        int32_t id = -1;
        char *text = read_text(NE_SOURCE_DIR "/schemas/article_enriched.avsc");

        ne_diag_clear(&diag);
        cr_assert_eq(ne_registry_subject_value("news.enriched", subject, sizeof(subject)), 0);
        cr_assert_eq(ne_registry_register(reg, subject, text, &id, &diag), 0, "%s", diag.msg);
        cr_assert_eq(hits("POST /subjects/news.enriched-value/versions"), 1);
        cr_assert_eq(ne_schema_table_new(&tbl), 0);
        cr_assert_eq(ne_schema_table_add_json(tbl, id, text, &diag), 0, "%s", diag.msg);
        cr_assert(ne_schema_table_has(tbl, id));
        ne_registry_free(reg);

        reg = client(&o);
        char *fetched = NULL;
        cr_assert_eq(ne_registry_get_schema(reg, id, &fetched, &diag), 0, "%s", diag.msg);
        cr_assert_str_eq(fetched, text);
        cr_assert_eq(ne_schema_table_new(&tbl2), 0);
        cr_assert_eq(ne_schema_table_add_json(tbl2, id, fetched, &diag), 0, "%s", diag.msg);
        cr_assert(ne_schema_table_has(tbl2, id));

        free(fetched);
        free(text);
        ne_schema_table_free(tbl2);
        ne_schema_table_free(tbl);
        ne_registry_free(reg);
}

#endif /* NE_HAVE_CURL */
