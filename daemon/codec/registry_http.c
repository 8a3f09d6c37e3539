/* HTTP transport of the Schema Registry client: libcurl easy handles, one per call, with the
 * retry policy in one place — exponential backoff with jitter on connect errors, timeouts,
 * dropped connections, 5xx and 429, bounded by an attempt count and a total time; failover
 * across a URL list, preferring the URL that last answered. Knows nothing of schemas or JSON,
 * never logs, and never puts credentials into diag. Built without libcurl it refuses URLs. */
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#ifdef NE_HAVE_CURL
#include <curl/curl.h>
#include <pthread.h>
#endif

#include "registry_http.h"

enum { MAX_URLS = 16, MAX_URL_LEN = 2048 };

#define DEFAULT_TIMEOUT_MS 5000L
#define DEFAULT_ATTEMPTS 3u
#define DEFAULT_BACKOFF_INITIAL_MS 100L
#define DEFAULT_BACKOFF_MAX_MS 2000L
#define DEFAULT_TOTAL_MS 15000L
#define DEFAULT_MAX_BYTES ((size_t)1 << 20)
/* Bounds on options so that arithmetic on them cannot overflow. */
#define MAX_MS (24L * 3600 * 1000)
#define MAX_ATTEMPTS 100u

struct endpoint {
        char *url;     /* as configured without trailing '/'; may hold user info */
        char *display; /* scheme://host[:port]/path, no user info: safe for diag */
};

struct ne_registry_http {
        struct endpoint ep[MAX_URLS];
        size_t n_ep;
        atomic_uint preferred; /* index of the URL that last gave a non-5xx answer */
        long timeout_ms, backoff_initial_ms, backoff_max_ms, max_total_ms;
        unsigned int max_attempts;
        size_t max_bytes;
        char *userpwd; /* owned, wiped on free; NULL: none */
        char *ca_file; /* owned; NULL: libcurl's default */
};

static char *trim(char *s)
{
        while (*s == ' ' || *s == '\t')
                s++;
        size_t n = strlen(s);
        while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
                s[--n] = '\0';
        return s;
}

static void wipe(char *s)
{
        if (!s)
                return;
        /* volatile so the compiler cannot drop a store to memory about to be freed */
        for (volatile char *p = s; *p; p++)
                *p = '\0';
}

void ne_registry_http_free(struct ne_registry_http *h)
{
        if (!h)
                return;
        for (size_t i = 0; i < h->n_ep; i++) {
                free(h->ep[i].url);
                free(h->ep[i].display);
        }
        wipe(h->userpwd);
        free(h->userpwd);
        free(h->ca_file);
        free(h);
}

size_t ne_registry_http_max_bytes(const struct ne_registry_http *h)
{
        return h->max_bytes;
}

static int apply_opts(struct ne_registry_http *h, const struct ne_registry_opts *o,
                      struct ne_diag *diag)
{
        if (o->timeout_ms < 0 || o->timeout_ms > MAX_MS)
                return ne_diag_set(diag, -EINVAL, "registry: timeout %ld ms out of range",
                                   o->timeout_ms);
        if (o->backoff_initial_ms < 0 || o->backoff_initial_ms > MAX_MS || o->backoff_max_ms < 0 ||
            o->backoff_max_ms > MAX_MS)
                return ne_diag_set(diag, -EINVAL, "registry: backoff out of range");
        if (o->max_total_ms < 0 || o->max_total_ms > MAX_MS)
                return ne_diag_set(diag, -EINVAL, "registry: total time %ld ms out of range",
                                   o->max_total_ms);
        if (o->max_attempts > MAX_ATTEMPTS)
                return ne_diag_set(diag, -EINVAL, "registry: %u attempts is more than %u",
                                   o->max_attempts, MAX_ATTEMPTS);
        h->timeout_ms = o->timeout_ms ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
        h->max_attempts = o->max_attempts ? o->max_attempts : DEFAULT_ATTEMPTS;
        h->backoff_initial_ms =
            o->backoff_initial_ms ? o->backoff_initial_ms : DEFAULT_BACKOFF_INITIAL_MS;
        h->backoff_max_ms = o->backoff_max_ms ? o->backoff_max_ms : DEFAULT_BACKOFF_MAX_MS;
        if (h->backoff_max_ms < h->backoff_initial_ms)
                h->backoff_max_ms = h->backoff_initial_ms;
        h->max_total_ms = o->max_total_ms ? o->max_total_ms : DEFAULT_TOTAL_MS;
        h->max_bytes = o->max_response_bytes ? o->max_response_bytes : DEFAULT_MAX_BYTES;
        if (o->basic_auth_user_info && *o->basic_auth_user_info) {
                if (!strchr(o->basic_auth_user_info, ':'))
                        return ne_diag_set(diag, -EINVAL,
                                           "registry: basic auth user info is not user:password");
                if (!(h->userpwd = strdup(o->basic_auth_user_info)))
                        return -ENOMEM;
        }
        if (o->ca_file && *o->ca_file && !(h->ca_file = strdup(o->ca_file)))
                return -ENOMEM;
        return 0;
}

#ifdef NE_HAVE_CURL

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;

static void init_curl(void)
{
        curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* Checks one URL (index `i` for messages: the text may hold a password) and fills `ep`. */
static int parse_endpoint(const char *text, size_t i, struct endpoint *ep, struct ne_diag *diag)
{
        char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *query = NULL;
        char *frag = NULL;
        int r = -EINVAL;
        CURLUcode uc;

        CURLU *u = curl_url();
        if (!u)
                return -ENOMEM;
        if (strlen(text) > MAX_URL_LEN) {
                ne_diag_set(diag, r, "registry: URL #%zu is longer than %d bytes", i + 1,
                            MAX_URL_LEN);
                goto out;
        }
        if ((uc = curl_url_set(u, CURLUPART_URL, text, 0)) != CURLUE_OK) {
                ne_diag_set(diag, r, "registry: URL #%zu is not a URL: %s", i + 1,
                            curl_url_strerror(uc));
                goto out;
        }
        if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
            (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)) {
                ne_diag_set(diag, r, "registry: URL #%zu is not http:// or https://", i + 1);
                goto out;
        }
        if (curl_url_get(u, CURLUPART_QUERY, &query, 0) != CURLUE_NO_QUERY ||
            curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0) != CURLUE_NO_FRAGMENT) {
                ne_diag_set(diag, r, "registry: URL #%zu has a query or fragment", i + 1);
                goto out;
        }
        if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
            curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK) {
                ne_diag_set(diag, r, "registry: URL #%zu has no host", i + 1);
                goto out;
        }
        (void)curl_url_get(u, CURLUPART_PORT, &port, 0); /* absent: scheme default */

        r = -ENOMEM;
        size_t n = strlen(text);
        while (n > 0 && text[n - 1] == '/')
                n--;
        if (!(ep->url = strndup(text, n)))
                goto out;
        size_t plen = strlen(path);
        while (plen > 0 && path[plen - 1] == '/')
                path[--plen] = '\0';
        size_t dlen = strlen(scheme) + strlen(host) + (port ? strlen(port) : 0) + plen + 8;
        if (!(ep->display = malloc(dlen)))
                goto out;
        snprintf(ep->display, dlen, "%s://%s%s%s%s", scheme, host, port ? ":" : "",
                 port ? port : "", path);
        r = 0;
out:
        curl_free(scheme);
        curl_free(host);
        curl_free(port);
        curl_free(path);
        curl_free(query);
        curl_free(frag);
        curl_url_cleanup(u);
        return r;
}

#endif /* NE_HAVE_CURL */

/* Splits the comma-separated list into h->ep. */
static int parse_urls(struct ne_registry_http *h, const char *urls, struct ne_diag *diag)
{
        char *copy = strdup(urls);
        char *save = NULL;
        int r = 0;

        if (!copy)
                return -ENOMEM;
        for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                char *t = trim(tok);
                if (!*t)
                        continue;
                if (h->n_ep == MAX_URLS) {
                        r = ne_diag_set(diag, -EINVAL, "registry: more than %d URLs", MAX_URLS);
                        goto out;
                }
#ifdef NE_HAVE_CURL
                r = parse_endpoint(t, h->n_ep, &h->ep[h->n_ep], diag);
                h->n_ep++; /* counted even when half-built so free() releases it */
                if (r < 0)
                        goto out;
#else
                r = ne_diag_set(diag, -ENOTSUP, "registry: URL given but built without libcurl");
                goto out;
#endif
        }
out:
        wipe(copy);
        free(copy);
        return r;
}

int ne_registry_http_new(const struct ne_registry_opts *o, struct ne_registry_http **ret,
                         struct ne_diag *diag)
{
        struct ne_registry_http *h = calloc(1, sizeof(*h));
        int r;

        if (!h)
                return -ENOMEM;
        if ((r = apply_opts(h, o, diag)) < 0)
                goto err;
        if (o->urls && (r = parse_urls(h, o->urls, diag)) < 0)
                goto err;
        if (h->n_ep == 0) {
                ne_registry_http_free(h);
                *ret = NULL;
                return 0;
        }
#ifdef NE_HAVE_CURL
        pthread_once(&curl_once, init_curl);
        if (curl_init_result != CURLE_OK) {
                r = ne_diag_set(diag, -EIO, "registry: curl_global_init: %s",
                                curl_easy_strerror(curl_init_result));
                goto err;
        }
#endif
        *ret = h;
        return 0;
err:
        ne_registry_http_free(h);
        return r;
}

#ifndef NE_HAVE_CURL

int ne_registry_http_call(struct ne_registry_http *h, const char *method, const char *path,
                          const char *body, struct ne_registry_reply *ret,
                          unsigned int *ret_attempts, struct ne_diag *diag)
{
        (void)h, (void)method, (void)path, (void)body, (void)ret;
        if (ret_attempts)
                *ret_attempts = 0;
        return ne_diag_set(diag, -ENOTSUP, "registry: built without libcurl");
}

#else

static int64_t now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
        struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* The n-th pause (n from 0): initial * 2^n capped at max, then "equal jitter" — half fixed,
 * half random — so instances restarted together do not retry in lockstep. */
static long backoff_ms(const struct ne_registry_http *h, unsigned int n, uint64_t *seed)
{
        long d = h->backoff_initial_ms;
        for (unsigned int i = 0; i < n && d < h->backoff_max_ms; i++)
                d *= 2;
        if (d > h->backoff_max_ms)
                d = h->backoff_max_ms;
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        return d / 2 + (long)(*seed % (uint64_t)(d / 2 + 1));
}

/* Collects the body, refusing more than `max` bytes. */
struct sink {
        struct ne_buf buf;
        size_t max;
        bool overflow;
        bool oom;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
        struct sink *s = userdata;
        size_t n = size * nmemb;
        if (n > s->max - s->buf.len) {
                s->overflow = true;
                return 0; /* makes libcurl fail the transfer with CURLE_WRITE_ERROR */
        }
        if (ne_buf_append(&s->buf, ptr, n) < 0) {
                s->oom = true;
                return 0;
        }
        return n;
}

/* Maps a failed transfer to an errno; *retriable says whether another attempt may help. */
static int map_curl(CURL *curl, CURLcode cc, const struct sink *s, bool *retriable)
{
        long os = 0;
        *retriable = false;
        switch (cc) {
        case CURLE_OPERATION_TIMEDOUT:
                *retriable = true;
                return -ETIMEDOUT;
        case CURLE_COULDNT_CONNECT:
                *retriable = true;
                curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &os);
                if (os == ECONNREFUSED || os == EHOSTUNREACH || os == ENETUNREACH ||
                    os == ETIMEDOUT)
                        return (int)-os;
                return -ECONNREFUSED;
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
                *retriable = true;
                return -EHOSTUNREACH;
        case CURLE_GOT_NOTHING:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_PARTIAL_FILE:
        case CURLE_SSL_CONNECT_ERROR:
                *retriable = true;
                return -ECONNRESET;
        case CURLE_WRITE_ERROR:
                if (s->oom)
                        return -ENOMEM;
                return s->overflow ? -EMSGSIZE : -EIO;
        case CURLE_FILESIZE_EXCEEDED:
                return -EMSGSIZE;
        case CURLE_OUT_OF_MEMORY:
                return -ENOMEM;
        default:
                return -EIO;
        }
}

/* Options that are the same for every attempt of a call. */
static int setup(CURL *curl, const struct ne_registry_http *h, const char *method, const char *body,
                 struct curl_slist *hdrs, struct sink *s, char *errbuf)
{
        CURLcode cc = CURLE_OK;
#define SET(opt, val)                                                                              \
        do {                                                                                       \
                if (cc == CURLE_OK)                                                                \
                        cc = curl_easy_setopt(curl, opt, val);                                     \
        } while (0)
        /* Threads: no SIGALRM for DNS timeouts, no SIGPIPE handling by libcurl. */
        SET(CURLOPT_NOSIGNAL, 1L);
        SET(CURLOPT_ERRORBUFFER, errbuf);
        SET(CURLOPT_WRITEFUNCTION, on_data);
        SET(CURLOPT_WRITEDATA, s);
        SET(CURLOPT_HTTPHEADER, hdrs);
        SET(CURLOPT_USERAGENT, "newsenrichd/" NE_VERSION);
        SET(CURLOPT_FOLLOWLOCATION, 0L);
        SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)h->max_bytes);
#if LIBCURL_VERSION_NUM >= 0x075500
        SET(CURLOPT_PROTOCOLS_STR, "http,https");
#endif
        if (h->userpwd) {
                SET(CURLOPT_USERPWD, h->userpwd);
                SET(CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        }
        if (h->ca_file)
                SET(CURLOPT_CAINFO, h->ca_file);
        if (strcmp(method, "POST") == 0) {
                SET(CURLOPT_POSTFIELDS, body ? body : "");
                SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? strlen(body) : 0));
        } else {
                SET(CURLOPT_HTTPGET, 1L);
        }
#undef SET
        return cc == CURLE_OUT_OF_MEMORY ? -ENOMEM : cc == CURLE_OK ? 0 : -EIO;
}

static struct curl_slist *make_headers(const char *body)
{
        static const char *const lines[] = {
            "Accept: application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; "
            "q=0.9, application/json; q=0.5",
            "Expect:", /* no 100-continue round trip before a POST body */
        };
        struct curl_slist *hdrs = NULL;
        for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
                struct curl_slist *next = curl_slist_append(hdrs, lines[i]);
                if (!next)
                        goto err;
                hdrs = next;
        }
        if (body) {
                struct curl_slist *next =
                    curl_slist_append(hdrs, "Content-Type: application/vnd.schemaregistry.v1+json");
                if (!next)
                        goto err;
                hdrs = next;
        }
        return hdrs;
err:
        curl_slist_free_all(hdrs);
        return NULL;
}

/* One attempt against endpoint `ep`. Returns 0 with *ret_status when an HTTP answer came,
 * else a negative errno (detail in diag) and whether to retry. */
static int attempt(CURL *curl, const struct endpoint *ep, const char *method, const char *path,
                   long timeout_ms, struct sink *s, char *errbuf, long *ret_status, bool *retriable,
                   struct ne_diag *diag)
{
        char url[MAX_URL_LEN + 512];
        CURLcode cc;

        *retriable = false;
        if ((size_t)snprintf(url, sizeof(url), "%s%s", ep->url, path) >= sizeof(url))
                return ne_diag_set(diag, -EINVAL, "registry: %s %s%s: URL too long", method,
                                   ep->display, path);
        ne_buf_reset(&s->buf);
        s->overflow = s->oom = false;
        errbuf[0] = '\0';
        if ((cc = curl_easy_setopt(curl, CURLOPT_URL, url)) != CURLE_OK ||
            (cc = curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms)) != CURLE_OK ||
            (cc = curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms)) != CURLE_OK)
                return cc == CURLE_OUT_OF_MEMORY ? -ENOMEM : -EIO;
        cc = curl_easy_perform(curl);
        if (cc != CURLE_OK) {
                int r = map_curl(curl, cc, s, retriable);
                if (r == -EMSGSIZE)
                        return ne_diag_set(diag, r,
                                           "registry: %s %s%s: answer larger than %zu bytes",
                                           method, ep->display, path, s->max);
                return ne_diag_set(diag, r, "registry: %s %s%s: %s", method, ep->display, path,
                                   errbuf[0] ? errbuf : curl_easy_strerror(cc));
        }
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, ret_status);
        *retriable = *ret_status >= 500 || *ret_status == 429;
        return 0;
}

int ne_registry_http_call(struct ne_registry_http *h, const char *method, const char *path,
                          const char *body, struct ne_registry_reply *ret,
                          unsigned int *ret_attempts, struct ne_diag *diag)
{
        struct sink s = {.max = h->max_bytes};
        char errbuf[CURL_ERROR_SIZE];
        int64_t deadline = now_ms() + h->max_total_ms;
        uint64_t seed = (uint64_t)now_ms() * 0x9e3779b97f4a7c15u | 1u;
        unsigned int first = atomic_load(&h->preferred) % (unsigned int)h->n_ep;
        unsigned int attempts = 0, pauses = 0;
        size_t used = 0;
        long status = 0;
        int r = -ENOMEM;

        struct curl_slist *hdrs = make_headers(body);
        CURL *curl = curl_easy_init();
        if (!hdrs || !curl)
                goto out;
        if ((r = setup(curl, h, method, body, hdrs, &s, errbuf)) < 0)
                goto out;
        r = -ETIMEDOUT;
        for (unsigned int k = 0; k < h->max_attempts; k++) {
                size_t idx = (first + k) % h->n_ep;
                bool retriable;
                /* The first visit to each other URL is a failover and goes at once; a second
                 * round means every URL failed, so wait. */
                if (k >= h->n_ep) {
                        long pause = backoff_ms(h, pauses++, &seed);
                        if (now_ms() + pause >= deadline)
                                break;
                        sleep_ms(pause);
                }
                int64_t left = deadline - now_ms();
                if (left <= 0)
                        break;
                long timeout = left < h->timeout_ms ? (long)left : h->timeout_ms;
                attempts++;
                r = attempt(curl, &h->ep[idx], method, path, timeout, &s, errbuf, &status,
                            &retriable, diag);
                used = idx;
                if (r == 0 && status < 500)
                        atomic_store(&h->preferred, (unsigned int)idx);
                if (!retriable)
                        break;
        }
        if (attempts == 0)
                ne_diag_set(diag, r, "registry: %s %s: no time left for an attempt", method, path);
        if (r < 0)
                goto out;
        /* An empty body still gets a buffer so the caller can read data as a string. */
        if ((r = ne_buf_append(&s.buf, "", 0)) < 0)
                goto out;
        memset(ret, 0, sizeof(*ret));
        ret->status = status;
        ret->body = s.buf; /* hand-over: the reply owns the body now */
        s.buf = (struct ne_buf){0};
        char *ct = NULL;
        if (curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
                snprintf(ret->content_type, sizeof(ret->content_type), "%s", ct);
        snprintf(ret->url, sizeof(ret->url), "%s%s", h->ep[used].display, path);
out:
        if (r < 0 && attempts > 1 && diag) {
                size_t n = strlen(diag->msg);
                snprintf(diag->msg + n, sizeof(diag->msg) - n, " (after %u attempts)", attempts);
        }
        if (ret_attempts)
                *ret_attempts = attempts;
        ne_buf_release(&s.buf);
        curl_easy_cleanup(curl);
        curl_slist_free_all(hdrs);
        return r;
}

#endif /* NE_HAVE_CURL */
