/* Confluent Schema Registry client: request bodies and answers in the registry's JSON, the
 * mapping of its statuses and error codes onto errno, and the id -> schema cache shared by the
 * worker threads (positive entries forever, since ids are immutable; 404s for a short time;
 * concurrent misses of one id share a single request). The HTTP exchange, retries and failover
 * live in registry_http.c. Never logs, and never holds the cache lock across a request. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>

#include "ne/registry.h"
#include "registry_http.h"

enum {
        NEG_MAX = 1024,        /* remembered 404s; the oldest is dropped beyond it */
        MAX_SUBJECT_LEN = 1024 /* Kafka topics are at most 249 bytes; subjects similar */
};

#define DEFAULT_NEGATIVE_TTL_MS 10000L
#define DEFAULT_CACHE_MAX_BYTES ((size_t)64 << 20)
#define MAX_NEGATIVE_TTL_MS (24L * 3600 * 1000)

struct cached {
        int32_t id;
        char *schema; /* owned */
        size_t len;
};

struct negative {
        int32_t id;
        int64_t until_ms; /* CLOCK_MONOTONIC */
};

/* One request in progress for an id; threads wanting the same id wait for its result instead
 * of sending their own. Freed by the last of the fetcher and the waiters to read it. */
struct flight {
        struct flight *next;
        int32_t id;
        unsigned int refs;
        bool done;
        int err;
        char *schema; /* owned; the result when err == 0 */
        char msg[sizeof(((struct ne_diag *)0)->msg)];
};

struct ne_registry {
        struct ne_registry_http *http;
        long negative_ttl_ms; /* < 0: 404s are not remembered */
        size_t cache_max_bytes;

        pthread_mutex_t lock;  /* guards every field below; never held across HTTP */
        pthread_cond_t landed; /* broadcast when a flight is done */
        struct cached *pos;    /* sorted by id */
        size_t n_pos, cap_pos, pos_bytes;
        struct negative neg[NEG_MAX];
        size_t n_neg;
        struct flight *flights;
        struct ne_registry_stats stats;
};

static int64_t now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int ne_registry_new(const struct ne_registry_opts *o, struct ne_registry **ret,
                    struct ne_diag *diag)
{
        static const struct ne_registry_opts none = {0};
        struct ne_registry_http *http = NULL;
        int r;

        if (!o)
                o = &none;
        if (o->negative_ttl_ms > MAX_NEGATIVE_TTL_MS)
                return ne_diag_set(diag, -EINVAL, "registry: negative cache TTL %ld ms too long",
                                   o->negative_ttl_ms);
        if ((r = ne_registry_http_new(o, &http, diag)) < 0)
                return r;
        if (!http) {
                *ret = NULL;
                return 0;
        }
        struct ne_registry *reg = calloc(1, sizeof(*reg));
        if (!reg)
                goto err_http;
        reg->http = http;
        reg->negative_ttl_ms = o->negative_ttl_ms ? o->negative_ttl_ms : DEFAULT_NEGATIVE_TTL_MS;
        reg->cache_max_bytes = o->cache_max_bytes ? o->cache_max_bytes : DEFAULT_CACHE_MAX_BYTES;
        if (pthread_mutex_init(&reg->lock, NULL) != 0)
                goto err_reg;
        if (pthread_cond_init(&reg->landed, NULL) != 0)
                goto err_lock;
        *ret = reg;
        return 0;
err_lock:
        pthread_mutex_destroy(&reg->lock);
err_reg:
        free(reg);
err_http:
        ne_registry_http_free(http);
        return -ENOMEM;
}

void ne_registry_free(struct ne_registry *r)
{
        if (!r)
                return;
        for (size_t i = 0; i < r->n_pos; i++)
                free(r->pos[i].schema);
        free(r->pos);
        pthread_cond_destroy(&r->landed);
        pthread_mutex_destroy(&r->lock);
        ne_registry_http_free(r->http);
        free(r);
}

int ne_registry_subject_value(const char *topic, char *out, size_t size)
{
        if (!topic || !*topic)
                return -EINVAL;
        int n = snprintf(out, size, "%s-value", topic);
        if (n < 0 || (size_t)n >= size)
                return -ENAMETOOLONG;
        return 0;
}

void ne_registry_get_stats(struct ne_registry *r, struct ne_registry_stats *ret)
{
        memset(ret, 0, sizeof(*ret));
        if (!r)
                return;
        pthread_mutex_lock(&r->lock);
        *ret = r->stats;
        ret->cached_schemas = r->n_pos;
        ret->cached_bytes = r->pos_bytes;
        pthread_mutex_unlock(&r->lock);
}

/* ---- cache (caller holds r->lock) ---- */

/* Index of `id` in r->pos, or where it would go. */
static size_t pos_search(const struct ne_registry *r, int32_t id)
{
        size_t lo = 0, hi = r->n_pos;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (r->pos[mid].id < id)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

static const struct cached *pos_find(const struct ne_registry *r, int32_t id)
{
        size_t i = pos_search(r, id);
        return i < r->n_pos && r->pos[i].id == id ? &r->pos[i] : NULL;
}

/* Keeps a copy of `schema` under `id` unless the id is known or the byte budget is spent: the
 * answer is still returned then, only not remembered. Failure to allocate is not an error
 * either, for the same reason. */
static void pos_insert(struct ne_registry *r, int32_t id, const char *schema)
{
        size_t len = strlen(schema);
        size_t i = pos_search(r, id);
        if (i < r->n_pos && r->pos[i].id == id)
                return;
        if (len > r->cache_max_bytes - r->pos_bytes)
                return;
        if (r->n_pos == r->cap_pos) {
                size_t cap = r->cap_pos ? r->cap_pos * 2 : 16;
                struct cached *pos = realloc(r->pos, cap * sizeof(*pos));
                if (!pos)
                        return;
                r->pos = pos;
                r->cap_pos = cap;
        }
        char *copy = strdup(schema);
        if (!copy)
                return;
        memmove(&r->pos[i + 1], &r->pos[i], (r->n_pos - i) * sizeof(*r->pos));
        r->pos[i] = (struct cached){.id = id, .schema = copy, .len = len};
        r->n_pos++;
        r->pos_bytes += len;
}

static struct negative *neg_find(struct ne_registry *r, int32_t id)
{
        for (size_t i = 0; i < r->n_neg; i++)
                if (r->neg[i].id == id)
                        return &r->neg[i];
        return NULL;
}

static void neg_add(struct ne_registry *r, int32_t id, int64_t now)
{
        if (r->negative_ttl_ms < 0)
                return;
        struct negative *n = neg_find(r, id);
        if (!n && r->n_neg < NEG_MAX)
                n = &r->neg[r->n_neg++];
        if (!n) {
                /* Full: replace the entry that expires first. */
                n = &r->neg[0];
                for (size_t i = 1; i < r->n_neg; i++)
                        if (r->neg[i].until_ms < n->until_ms)
                                n = &r->neg[i];
        }
        n->id = id;
        n->until_ms = now + r->negative_ttl_ms;
}

static void neg_remove(struct ne_registry *r, struct negative *n)
{
        *n = r->neg[--r->n_neg];
}

static struct flight *flight_find(const struct ne_registry *r, int32_t id)
{
        for (struct flight *f = r->flights; f; f = f->next)
                if (f->id == id)
                        return f;
        return NULL;
}

static void flight_unlink(struct ne_registry *r, struct flight *f)
{
        for (struct flight **p = &r->flights; *p; p = &(*p)->next)
                if (*p == f) {
                        *p = f->next;
                        return;
                }
}

/* Takes this thread's result out of a done flight and drops its reference. */
static int flight_collect(struct ne_registry *r, struct flight *f, char **ret_schema,
                          struct ne_diag *diag)
{
        int err = f->err;
        if (err == 0) {
                char *copy = f->schema ? strdup(f->schema) : NULL;
                if (copy)
                        *ret_schema = copy;
                else
                        err = ne_diag_set(diag, -ENOMEM, "registry: out of memory");
        } else if (diag) {
                memcpy(diag->msg, f->msg, sizeof(diag->msg));
        }
        if (err < 0 && err != -ENOENT)
                r->stats.failures++;
        if (--f->refs == 0) {
                free(f->schema);
                free(f);
        }
        return err;
}

/* ---- answers ---- */

static bool is_json_type(const char *ct)
{
        /* Absent is tolerated (some proxies strip it); present must be a JSON type, e.g.
         * application/vnd.schemaregistry.v1+json or application/json. */
        if (!*ct)
                return true;
        char low[sizeof(((struct ne_registry_reply *)0)->content_type)];
        size_t i = 0;
        for (; ct[i] && ct[i] != ';' && i + 1 < sizeof(low); i++) {
                char c = ct[i];
                low[i] = (char)(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
        }
        low[i] = '\0';
        return strstr(low, "json") != NULL;
}

/* A short printable excerpt of a body that is not the registry's error JSON. */
static void excerpt(const struct ne_buf *body, char *out, size_t size)
{
        size_t n = body->len < size - 1 ? body->len : size - 1;
        if (n > 120)
                n = 120;
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)body->data[i];
                out[i] = (char)(c >= 0x20 && c < 0x7f ? c : '?');
        }
        out[n] = '\0';
}

/* Maps a non-2xx answer onto errno, with the registry's error_code and message in diag. */
static int status_error(const struct ne_registry_reply *rep, const char *method,
                        unsigned int attempts, struct ne_diag *diag)
{
        int err;
        long st = rep->status;
        if (st == 404)
                err = -ENOENT;
        else if (st == 409)
                err = -EPROTO;
        else if (st == 400 || st == 422)
                err = -EINVAL;
        else if (st == 401 || st == 403)
                err = -EACCES;
        else if (st == 429)
                err = -EBUSY;
        else
                err = -EIO;
        if (!diag)
                return err;

        char detail[200] = "";
        cJSON *doc = cJSON_ParseWithLength(rep->body.data, rep->body.len);
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(doc, "error_code");
        const cJSON *msg = cJSON_GetObjectItemCaseSensitive(doc, "message");
        if (cJSON_IsNumber(code) && cJSON_IsString(msg))
                snprintf(detail, sizeof(detail), "error_code %d: %s", code->valueint,
                         msg->valuestring);
        else
                excerpt(&rep->body, detail, sizeof(detail));
        cJSON_Delete(doc);
        char after[32] = "";
        if (attempts > 1 && (st >= 500 || st == 429))
                snprintf(after, sizeof(after), " (after %u attempts)", attempts);
        return ne_diag_set(diag, err, "registry: %s %s: HTTP %ld%s%s%s", method, rep->url, st,
                           *detail ? ", " : "", detail, after);
}

/* Parses a 2xx answer into a JSON object (caller deletes), or -EBADMSG with detail. */
static int parse_ok(const struct ne_registry_reply *rep, const char *method, cJSON **ret,
                    struct ne_diag *diag)
{
        if (!is_json_type(rep->content_type))
                return ne_diag_set(diag, -EBADMSG, "registry: %s %s: content type '%s' is not JSON",
                                   method, rep->url, rep->content_type);
        cJSON *doc = cJSON_ParseWithLength(rep->body.data, rep->body.len);
        if (!cJSON_IsObject(doc)) {
                char ex[64];
                excerpt(&rep->body, ex, sizeof(ex));
                cJSON_Delete(doc);
                return ne_diag_set(diag, -EBADMSG,
                                   "registry: %s %s: answer is not a JSON object: '%s'", method,
                                   rep->url, ex);
        }
        *ret = doc;
        return 0;
}

static bool is_success(long status)
{
        return status >= 200 && status < 300;
}

/* Percent-encodes everything but RFC 3986 unreserved characters into `out` (room for three
 * bytes per input byte and a NUL); returns the position of the NUL. */
static char *encode_path_segment(const char *s, char *out)
{
        static const char digits[] = "0123456789ABCDEF";
        for (; *s; s++) {
                unsigned char c = (unsigned char)*s;
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_' || c == '~') {
                        *out++ = (char)c;
                } else {
                        *out++ = '%';
                        *out++ = digits[c >> 4];
                        *out++ = digits[c & 15];
                }
        }
        *out = '\0';
        return out;
}

/* ---- calls ---- */

int ne_registry_register(struct ne_registry *r, const char *subject, const char *schema_json,
                         int32_t *ret_id, struct ne_diag *diag)
{
        struct ne_registry_reply rep = {0};
        char path[3 * MAX_SUBJECT_LEN + 32] = "/subjects/";
        unsigned int attempts = 0;
        cJSON *req = NULL, *doc = NULL;
        char *body = NULL;
        int err;

        if (!r)
                return ne_diag_set(diag, -ENOTSUP, "registry: no schema registry configured");
        if (!subject || !*subject || strlen(subject) > MAX_SUBJECT_LEN)
                return ne_diag_set(diag, -EINVAL, "registry: subject empty or longer than %d",
                                   MAX_SUBJECT_LEN);
        if (!schema_json || !*schema_json ||
            strlen(schema_json) > ne_registry_http_max_bytes(r->http))
                return ne_diag_set(diag, -EINVAL,
                                   "registry: schema for '%s' empty or larger than %zu bytes",
                                   subject, ne_registry_http_max_bytes(r->http));
        char *end = encode_path_segment(subject, path + strlen(path));
        memcpy(end, "/versions", sizeof("/versions")); /* path has room: 3 bytes per byte */

        err = -ENOMEM;
        if (!(req = cJSON_CreateObject()) || !cJSON_AddStringToObject(req, "schema", schema_json) ||
            !(body = cJSON_PrintUnformatted(req)))
                goto out;
        err = ne_registry_http_call(r->http, "POST", path, body, &rep, &attempts, diag);
        if (err < 0)
                goto out;
        if (!is_success(rep.status)) {
                err = status_error(&rep, "POST", attempts, diag);
                goto out;
        }
        if ((err = parse_ok(&rep, "POST", &doc, diag)) < 0)
                goto out;
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(doc, "id");
        double v = cJSON_IsNumber(id) ? id->valuedouble : -1.0;
        if (!(v >= 0.0 && v <= (double)INT32_MAX && v == (double)(int32_t)v)) {
                err = ne_diag_set(diag, -EBADMSG,
                                  "registry: POST %s: no integer \"id\" in the answer", rep.url);
                goto out;
        }
        *ret_id = (int32_t)v;
        pthread_mutex_lock(&r->lock);
        pos_insert(r, *ret_id, schema_json);
        struct negative *n = neg_find(r, *ret_id);
        if (n)
                neg_remove(r, n);
        pthread_mutex_unlock(&r->lock);
        err = 0;
out:
        if (attempts) {
                pthread_mutex_lock(&r->lock);
                r->stats.requests += attempts;
                if (err < 0)
                        r->stats.failures++;
                pthread_mutex_unlock(&r->lock);
        }
        cJSON_Delete(doc);
        cJSON_free(body);
        cJSON_Delete(req);
        ne_buf_release(&rep.body);
        return err;
}

/* GET /schemas/ids/{id}, no lock held. Returns 0 and a new string, or an errno with diag. */
static int fetch(struct ne_registry *r, int32_t id, char **ret_schema, unsigned int *attempts,
                 struct ne_diag *diag)
{
        struct ne_registry_reply rep = {0};
        char path[48];
        cJSON *doc = NULL;
        int err;

        snprintf(path, sizeof(path), "/schemas/ids/%" PRId32, id);
        err = ne_registry_http_call(r->http, "GET", path, NULL, &rep, attempts, diag);
        if (err < 0)
                return err;
        if (!is_success(rep.status)) {
                err = status_error(&rep, "GET", *attempts, diag);
                goto out;
        }
        if ((err = parse_ok(&rep, "GET", &doc, diag)) < 0)
                goto out;
        const cJSON *schema = cJSON_GetObjectItemCaseSensitive(doc, "schema");
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(doc, "schemaType");
        const cJSON *refs = cJSON_GetObjectItemCaseSensitive(doc, "references");
        if (!cJSON_IsString(schema) || !*schema->valuestring) {
                err = ne_diag_set(diag, -EBADMSG,
                                  "registry: GET %s: no \"schema\" string in the answer", rep.url);
                goto out;
        }
        /* Absent schemaType means AVRO; PROTOBUF and JSON schemas cannot decode Avro. */
        if (type && !(cJSON_IsString(type) && strcmp(type->valuestring, "AVRO") == 0)) {
                err = ne_diag_set(diag, -ENOTSUP,
                                  "registry: schema id %" PRId32 " is not an Avro schema", id);
                goto out;
        }
        if (refs && !(cJSON_IsArray(refs) && cJSON_GetArraySize(refs) == 0)) {
                err = ne_diag_set(diag, -ENOTSUP,
                                  "registry: schema id %" PRId32
                                  " has schema references, which are not supported",
                                  id);
                goto out;
        }
        if (!(*ret_schema = strdup(schema->valuestring)))
                err = ne_diag_set(diag, -ENOMEM, "registry: out of memory");
out:
        cJSON_Delete(doc);
        ne_buf_release(&rep.body);
        return err;
}

/* Sends the request for `f` and publishes its result to the cache and to waiting threads.
 * Called without the lock; returns with it held. */
static void fly(struct ne_registry *r, struct flight *f)
{
        struct ne_diag d;
        char *schema = NULL;
        unsigned int attempts = 0;

        ne_diag_clear(&d);
        int err = fetch(r, f->id, &schema, &attempts, &d);

        pthread_mutex_lock(&r->lock);
        r->stats.requests += attempts;
        if (err == 0 && schema)
                pos_insert(r, f->id, schema);
        else if (err == -ENOENT)
                neg_add(r, f->id, now_ms());
        f->err = err;
        f->schema = schema;
        memcpy(f->msg, d.msg, sizeof(f->msg));
        f->done = true;
        flight_unlink(r, f);
        pthread_cond_broadcast(&r->landed);
}

int ne_registry_get_schema(struct ne_registry *r, int32_t id, char **ret_schema_json,
                           struct ne_diag *diag)
{
        if (!r)
                return ne_diag_set(diag, -ENOENT,
                                   "registry: schema id %" PRId32
                                   " unknown and no schema registry configured",
                                   id);
        if (id < 0)
                return ne_diag_set(diag, -EINVAL, "registry: schema id %" PRId32 " < 0", id);

        pthread_mutex_lock(&r->lock);
        r->stats.lookups++;
        const struct cached *c = pos_find(r, id);
        if (c) {
                char *copy = strdup(c->schema);
                r->stats.cache_hits++;
                pthread_mutex_unlock(&r->lock);
                if (!copy)
                        return ne_diag_set(diag, -ENOMEM, "registry: out of memory");
                *ret_schema_json = copy;
                return 0;
        }
        struct negative *n = neg_find(r, id);
        if (n && n->until_ms > now_ms()) {
                r->stats.negative_hits++;
                pthread_mutex_unlock(&r->lock);
                return ne_diag_set(diag, -ENOENT,
                                   "registry: schema id %" PRId32
                                   " not found (remembered for %ld ms)",
                                   id, r->negative_ttl_ms);
        }
        if (n)
                neg_remove(r, n);

        struct flight *f = flight_find(r, id);
        if (f) {
                f->refs++;
                r->stats.shared_waits++;
                while (!f->done)
                        pthread_cond_wait(&r->landed, &r->lock);
        } else {
                if (!(f = calloc(1, sizeof(*f)))) {
                        pthread_mutex_unlock(&r->lock);
                        return ne_diag_set(diag, -ENOMEM, "registry: out of memory");
                }
                f->id = id;
                f->refs = 1;
                f->next = r->flights;
                r->flights = f;
                pthread_mutex_unlock(&r->lock);
                fly(r, f); /* returns with the lock held */
        }
        int err = flight_collect(r, f, ret_schema_json, diag);
        pthread_mutex_unlock(&r->lock);
        return err;
}
