/* The daemon's fixed set of metrics and their Prometheus text exposition (format 0.0.4). Updates
 * on the message path are relaxed C11 atomics, so worker threads never take a lock to count;
 * only the rare per-partition and per-model series sit behind a mutex shared with rendering.
 * Durations are kept as integer nanoseconds (atomic add on a double is not portable) and turned
 * into seconds when rendered. This module counts and formats; it must not log or do I/O. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ne/metrics.h"

/* Histogram upper bounds (le) from 50 us to 5 s: decode and encode sit in the tens of
 * microseconds, enrich in the milliseconds, produce and end-to-end up to seconds under broker
 * trouble. The label text is spelled out so the exposition never shows a rounding artefact. */
static const struct {
        uint64_t ns;
        const char *le;
} bounds[] = {
    {50000, "5e-05"},    {100000, "0.0001"},  {250000, "0.00025"},  {500000, "0.0005"},
    {1000000, "0.001"},  {2500000, "0.0025"}, {5000000, "0.005"},   {10000000, "0.01"},
    {25000000, "0.025"}, {50000000, "0.05"},  {100000000, "0.1"},   {250000000, "0.25"},
    {500000000, "0.5"},  {1000000000, "1"},   {2500000000u, "2.5"}, {5000000000u, "5"},
};
#define N_BOUNDS (sizeof(bounds) / sizeof(bounds[0]))

static const char *const stage_names[NE_STAGE_MAX] = {
    [NE_STAGE_DECODE] = "decode",         [NE_STAGE_ENRICH] = "enrich",
    [NE_STAGE_ENCODE] = "encode",         [NE_STAGE_PRODUCE] = "produce",
    [NE_STAGE_END_TO_END] = "end_to_end",
};

struct histogram {
        atomic_uint_fast64_t buckets[N_BOUNDS + 1]; /* per bucket, not cumulative; last = +Inf */
        atomic_uint_fast64_t sum_ns;
};

struct lag {
        char *topic;
        int32_t partition;
        int64_t lag;
};

struct model {
        char name[NE_METRICS_MAX_LABEL + 1];
        char version[NE_METRICS_MAX_LABEL + 1];
};

struct ne_metrics {
        atomic_uint_fast64_t counters[NE_METRIC_COUNTER_MAX];
        atomic_uint_fast64_t *dead_letters; /* n_reasons + 1; the last is "other" */
        char **reasons;
        size_t n_reasons;
        struct histogram stages[NE_STAGE_MAX];
        atomic_int_fast64_t in_flight;
        atomic_bool ready;
        atomic_uint assigned;
        atomic_uint_fast64_t heartbeat_ns;
        uint64_t heartbeat_timeout_ns;
        char *version;
        struct timespec start_time;

        pthread_mutex_t lock; /* guards lags and models */
        struct lag *lags;
        size_t n_lags;
        size_t cap_lags;
        struct model models[NE_METRICS_MAX_MODELS];
        size_t n_models;
};

uint64_t ne_metrics_now_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool label_is_valid(const char *s)
{
        return s && s[0] && strnlen(s, NE_METRICS_MAX_LABEL + 1) <= NE_METRICS_MAX_LABEL;
}

int ne_metrics_new(const struct ne_metrics_info *info, struct ne_metrics **ret)
{
        const char *version = info && info->version ? info->version : NE_VERSION;
        size_t n_reasons = info ? info->n_dead_letter_reasons : 0;
        struct ne_metrics *m;

        if (n_reasons > NE_METRICS_MAX_REASONS || (n_reasons && !info->dead_letter_reasons))
                return -EINVAL;
        for (size_t i = 0; i < n_reasons; i++)
                if (!label_is_valid(info->dead_letter_reasons[i]))
                        return -EINVAL;
        if (!label_is_valid(version))
                return -EINVAL;

        m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        if (pthread_mutex_init(&m->lock, NULL) != 0) {
                free(m);
                return -ENOMEM;
        }
        m->version = strdup(version);
        m->reasons = calloc(n_reasons + 1, sizeof(*m->reasons));
        m->dead_letters = calloc(n_reasons + 1, sizeof(*m->dead_letters));
        if (!m->version || !m->reasons || !m->dead_letters)
                goto err_free;
        for (size_t i = 0; i < n_reasons; i++) {
                m->reasons[i] = strdup(info->dead_letter_reasons[i]);
                if (!m->reasons[i])
                        goto err_free;
                m->n_reasons = i + 1;
        }
        for (size_t i = 0; i <= n_reasons; i++)
                atomic_init(&m->dead_letters[i], 0);
        for (size_t i = 0; i < NE_METRIC_COUNTER_MAX; i++)
                atomic_init(&m->counters[i], 0);
        for (size_t s = 0; s < NE_STAGE_MAX; s++) {
                for (size_t b = 0; b <= N_BOUNDS; b++)
                        atomic_init(&m->stages[s].buckets[b], 0);
                atomic_init(&m->stages[s].sum_ns, 0);
        }
        atomic_init(&m->in_flight, 0);
        atomic_init(&m->ready, false);
        atomic_init(&m->assigned, 0);
        atomic_init(&m->heartbeat_ns, ne_metrics_now_ns());
        m->heartbeat_timeout_ns =
            (uint64_t)(info && info->heartbeat_timeout_ms ? info->heartbeat_timeout_ms : 30000) *
            1000000u;
        clock_gettime(CLOCK_REALTIME, &m->start_time);
        *ret = m;
        return 0;

err_free:
        ne_metrics_free(m);
        return -ENOMEM;
}

void ne_metrics_free(struct ne_metrics *m)
{
        if (!m)
                return;
        ne_metrics_lag_clear(m);
        free(m->lags);
        if (m->reasons)
                for (size_t i = 0; i < m->n_reasons; i++)
                        free(m->reasons[i]);
        free(m->reasons);
        free(m->dead_letters);
        free(m->version);
        pthread_mutex_destroy(&m->lock);
        free(m);
}

void ne_metrics_add(struct ne_metrics *m, enum ne_metric_counter c, uint64_t n)
{
        if ((unsigned int)c >= NE_METRIC_COUNTER_MAX)
                return;
        atomic_fetch_add_explicit(&m->counters[c], n, memory_order_relaxed);
}

void ne_metrics_dead_letter(struct ne_metrics *m, size_t reason)
{
        if (reason > m->n_reasons)
                reason = m->n_reasons;
        atomic_fetch_add_explicit(&m->dead_letters[reason], 1, memory_order_relaxed);
}

int ne_metrics_dead_letter_reason(const struct ne_metrics *m, const char *code)
{
        for (size_t i = 0; code && i < m->n_reasons; i++)
                if (strcmp(m->reasons[i], code) == 0)
                        return (int)i;
        return -ENOENT;
}

void ne_metrics_observe_ns(struct ne_metrics *m, enum ne_metric_stage stage, uint64_t ns)
{
        if ((unsigned int)stage >= NE_STAGE_MAX)
                return;
        struct histogram *h = &m->stages[stage];
        size_t b = 0;
        while (b < N_BOUNDS && ns > bounds[b].ns) /* le is inclusive */
                b++;
        atomic_fetch_add_explicit(&h->buckets[b], 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&h->sum_ns, ns, memory_order_relaxed);
}

uint64_t ne_metrics_observe_since(struct ne_metrics *m, enum ne_metric_stage stage,
                                  uint64_t start_ns)
{
        uint64_t now = ne_metrics_now_ns();
        ne_metrics_observe_ns(m, stage, now > start_ns ? now - start_ns : 0);
        return now;
}

void ne_metrics_in_flight_add(struct ne_metrics *m, int64_t delta)
{
        atomic_fetch_add_explicit(&m->in_flight, delta, memory_order_relaxed);
}

void ne_metrics_set_ready(struct ne_metrics *m, bool ready)
{
        atomic_store(&m->ready, ready);
}

void ne_metrics_set_assigned_partitions(struct ne_metrics *m, unsigned int n)
{
        atomic_store(&m->assigned, n);
}

void ne_metrics_heartbeat(struct ne_metrics *m)
{
        atomic_store_explicit(&m->heartbeat_ns, ne_metrics_now_ns(), memory_order_relaxed);
}

bool ne_metrics_is_alive(struct ne_metrics *m)
{
        uint64_t last = atomic_load_explicit(&m->heartbeat_ns, memory_order_relaxed);
        uint64_t now = ne_metrics_now_ns();
        return now < last || now - last <= m->heartbeat_timeout_ns;
}

bool ne_metrics_is_ready(struct ne_metrics *m)
{
        return atomic_load(&m->ready) && atomic_load(&m->assigned) > 0;
}

/* Caller holds m->lock. */
static struct lag *lag_find(struct ne_metrics *m, const char *topic, int32_t partition)
{
        for (size_t i = 0; i < m->n_lags; i++)
                if (m->lags[i].partition == partition && strcmp(m->lags[i].topic, topic) == 0)
                        return &m->lags[i];
        return NULL;
}

int ne_metrics_lag_set(struct ne_metrics *m, const char *topic, int32_t partition, int64_t lag)
{
        int r = 0;

        if (!label_is_valid(topic))
                return -EINVAL;
        pthread_mutex_lock(&m->lock);
        struct lag *l = lag_find(m, topic, partition);
        if (l) {
                l->lag = lag;
                goto out_unlock;
        }
        if (m->n_lags >= NE_METRICS_MAX_PARTITIONS) {
                r = -E2BIG;
                goto out_unlock;
        }
        if (m->n_lags == m->cap_lags) {
                size_t cap = m->cap_lags ? m->cap_lags * 2 : 16;
                struct lag *lags = realloc(m->lags, cap * sizeof(*lags));
                if (!lags) {
                        r = -ENOMEM;
                        goto out_unlock;
                }
                m->lags = lags;
                m->cap_lags = cap;
        }
        char *copy = strdup(topic);
        if (!copy) {
                r = -ENOMEM;
                goto out_unlock;
        }
        m->lags[m->n_lags++] = (struct lag){.topic = copy, .partition = partition, .lag = lag};
out_unlock:
        pthread_mutex_unlock(&m->lock);
        return r;
}

void ne_metrics_lag_remove(struct ne_metrics *m, const char *topic, int32_t partition)
{
        if (!topic)
                return;
        pthread_mutex_lock(&m->lock);
        struct lag *l = lag_find(m, topic, partition);
        if (l) {
                free(l->topic);
                *l = m->lags[--m->n_lags]; /* order does not matter; rendering sorts nothing */
        }
        pthread_mutex_unlock(&m->lock);
}

void ne_metrics_lag_clear(struct ne_metrics *m)
{
        pthread_mutex_lock(&m->lock);
        for (size_t i = 0; i < m->n_lags; i++)
                free(m->lags[i].topic);
        m->n_lags = 0;
        pthread_mutex_unlock(&m->lock);
}

int ne_metrics_set_model(struct ne_metrics *m, const char *model, const char *version)
{
        int r = 0;

        if (!label_is_valid(model) || !label_is_valid(version))
                return -EINVAL;
        pthread_mutex_lock(&m->lock);
        struct model *slot = NULL;
        for (size_t i = 0; i < m->n_models; i++)
                if (strcmp(m->models[i].name, model) == 0)
                        slot = &m->models[i];
        if (!slot) {
                if (m->n_models == NE_METRICS_MAX_MODELS) {
                        r = -E2BIG;
                        goto out_unlock;
                }
                slot = &m->models[m->n_models++];
                /* lengths were checked by label_is_valid: these never truncate */
                snprintf(slot->name, sizeof(slot->name), "%s", model);
        }
        snprintf(slot->version, sizeof(slot->version), "%s", version);
out_unlock:
        pthread_mutex_unlock(&m->lock);
        return r;
}

/* --- Rendering. ---------------------------------------------------------------------------- */

/* A label value with the escapes the format defines: \\, \" and \n. */
static int append_label(struct ne_buf *out, const char *s)
{
        int r = 0;
        for (const char *p = s; *p && r == 0; p++) {
                if (*p == '\\')
                        r = ne_buf_append(out, "\\\\", 2);
                else if (*p == '"')
                        r = ne_buf_append(out, "\\\"", 2);
                else if (*p == '\n')
                        r = ne_buf_append(out, "\\n", 2);
                else
                        r = ne_buf_append(out, p, 1);
        }
        return r;
}

static int append_family(struct ne_buf *out, const char *name, const char *type, const char *help)
{
        return ne_buf_appendf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{label="value"} <uint> with one escaped label. */
static int append_labeled_u64(struct ne_buf *out, const char *name, const char *label,
                              const char *value, uint64_t v)
{
        int r = ne_buf_appendf(out, "%s{%s=\"", name, label);
        if (r == 0)
                r = append_label(out, value);
        if (r == 0)
                r = ne_buf_appendf(out, "\"} %" PRIu64 "\n", v);
        return r;
}

static uint64_t load(atomic_uint_fast64_t *a)
{
        return atomic_load_explicit(a, memory_order_relaxed);
}

static int render_gauges(struct ne_metrics *m, struct ne_buf *out)
{
        int r = append_family(out, "newsenrichd_build_info", "gauge",
                              "Build of the running daemon; always 1.");
        if (r == 0)
                r = append_labeled_u64(out, "newsenrichd_build_info", "version", m->version, 1);
        if (r == 0)
                r = append_family(out, "newsenrichd_start_time_seconds", "gauge",
                                  "Start time of the process since the Unix epoch in seconds.");
        if (r == 0)
                r = ne_buf_appendf(out, "newsenrichd_start_time_seconds %lld.%03ld\n",
                                   (long long)m->start_time.tv_sec,
                                   m->start_time.tv_nsec / 1000000);
        if (r == 0)
                r = append_family(out, "newsenrichd_ready", "gauge",
                                  "1 when started up and consuming, 0 otherwise.");
        if (r == 0)
                r = ne_buf_appendf(out, "newsenrichd_ready %d\n", atomic_load(&m->ready) ? 1 : 0);
        if (r == 0)
                r = append_family(out, "newsenrichd_in_flight_messages", "gauge",
                                  "Messages consumed whose offsets are not committed yet.");
        if (r == 0)
                r = ne_buf_appendf(out, "newsenrichd_in_flight_messages %" PRIdFAST64 "\n",
                                   atomic_load_explicit(&m->in_flight, memory_order_relaxed));
        if (r == 0)
                r = append_family(out, "newsenrichd_assigned_partitions", "gauge",
                                  "Input partitions assigned to this consumer group member.");
        if (r == 0)
                r = ne_buf_appendf(out, "newsenrichd_assigned_partitions %u\n",
                                   atomic_load(&m->assigned));
        return r;
}

/* Lag and model series; holds the lock while copying them into the buffer. */
static int render_locked(struct ne_metrics *m, struct ne_buf *out)
{
        int r = append_family(out, "newsenrichd_consumer_lag", "gauge",
                              "Messages behind the high watermark, per owned input partition.");
        for (size_t i = 0; i < m->n_lags && r == 0; i++) {
                if (m->lags[i].lag < 0)
                        continue;
                r = ne_buf_append_str(out, "newsenrichd_consumer_lag{topic=\"");
                if (r == 0)
                        r = append_label(out, m->lags[i].topic);
                if (r == 0)
                        r = ne_buf_appendf(out, "\",partition=\"%" PRId32 "\"} %" PRId64 "\n",
                                           m->lags[i].partition, m->lags[i].lag);
        }
        if (r == 0)
                r = append_family(out, "newsenrichd_model_info", "gauge",
                                  "Loaded enrichment model and its version; always 1.");
        for (size_t i = 0; i < m->n_models && r == 0; i++) {
                r = ne_buf_append_str(out, "newsenrichd_model_info{model=\"");
                if (r == 0)
                        r = append_label(out, m->models[i].name);
                if (r == 0)
                        r = ne_buf_append_str(out, "\",version=\"");
                if (r == 0)
                        r = append_label(out, m->models[i].version);
                if (r == 0)
                        r = ne_buf_append_str(out, "\"} 1\n");
        }
        return r;
}

static const struct {
        enum ne_metric_counter c;
        const char *name;
        const char *help;
} plain_counters[] = {
    {NE_METRIC_CONSUMED, "newsenrichd_messages_consumed_total",
     "Messages consumed from the input topics."},
    {NE_METRIC_PRODUCED, "newsenrichd_messages_produced_total",
     "Enriched messages delivered to the output topic."},
    {NE_METRIC_REBALANCES, "newsenrichd_rebalances_total",
     "Consumer group rebalances (assignments and revocations)."},
    {NE_METRIC_PRODUCE_ERRORS, "newsenrichd_produce_errors_total",
     "Messages whose delivery to Kafka failed."},
    {NE_METRIC_KAFKA_CLIENT_ERRORS, "newsenrichd_kafka_client_errors_total",
     "Errors librdkafka reported and retries by itself (brokers down, transport)."},
    {NE_METRIC_KAFKA_COMMIT_ERRORS, "newsenrichd_kafka_commit_errors_total",
     "Failed offset commits (retried with the next commit)."},
    {NE_METRIC_KAFKA_PRODUCE_RETRIES, "newsenrichd_kafka_produce_retries_total",
     "Produce requests librdkafka sent again after a retriable error or timeout."},
};

static int render_counters(struct ne_metrics *m, struct ne_buf *out)
{
        int r = 0;
        for (size_t i = 0; i < sizeof(plain_counters) / sizeof(plain_counters[0]) && r == 0; i++) {
                r = append_family(out, plain_counters[i].name, "counter", plain_counters[i].help);
                if (r == 0)
                        r = ne_buf_appendf(out, "%s %" PRIu64 "\n", plain_counters[i].name,
                                           load(&m->counters[plain_counters[i].c]));
        }
        if (r == 0)
                r = append_family(out, "newsenrichd_messages_dead_lettered_total", "counter",
                                  "Messages sent to the dead-letter topic, by reason.");
        for (size_t i = 0; i < m->n_reasons && r == 0; i++)
                r = append_labeled_u64(out, "newsenrichd_messages_dead_lettered_total", "reason",
                                       m->reasons[i], load(&m->dead_letters[i]));
        uint64_t other = load(&m->dead_letters[m->n_reasons]);
        if (r == 0 && other)
                r = append_labeled_u64(out, "newsenrichd_messages_dead_lettered_total", "reason",
                                       "other", other);
        if (r == 0)
                r = append_family(out, "newsenrichd_reloads_total", "counter",
                                  "Configuration reloads (SIGHUP), by result.");
        if (r == 0)
                r = append_labeled_u64(out, "newsenrichd_reloads_total", "result", "ok",
                                       load(&m->counters[NE_METRIC_RELOADS_OK]));
        if (r == 0)
                r = append_labeled_u64(out, "newsenrichd_reloads_total", "result", "failed",
                                       load(&m->counters[NE_METRIC_RELOADS_FAILED]));
        return r;
}

static int render_histogram(struct histogram *h, const char *stage, struct ne_buf *out)
{
        const char *name = "newsenrichd_stage_duration_seconds";
        uint64_t snap[N_BOUNDS + 1];
        uint64_t count = 0;
        int r = 0;

        /* Snapshot the buckets first and derive _count from them, so cumulative buckets are
         * monotonic and _count equals le="+Inf" even while workers keep observing. */
        for (size_t b = 0; b <= N_BOUNDS; b++)
                snap[b] = load(&h->buckets[b]);
        uint64_t sum_ns = load(&h->sum_ns);
        for (size_t b = 0; b <= N_BOUNDS && r == 0; b++) {
                count += snap[b];
                r = ne_buf_appendf(out, "%s_bucket{stage=\"%s\",le=\"%s\"} %" PRIu64 "\n", name,
                                   stage, b < N_BOUNDS ? bounds[b].le : "+Inf", count);
        }
        if (r == 0)
                r = ne_buf_appendf(out, "%s_sum{stage=\"%s\"} %" PRIu64 ".%09" PRIu64 "\n", name,
                                   stage, sum_ns / 1000000000u, sum_ns % 1000000000u);
        if (r == 0)
                r = ne_buf_appendf(out, "%s_count{stage=\"%s\"} %" PRIu64 "\n", name, stage, count);
        return r;
}

int ne_metrics_render(struct ne_metrics *m, struct ne_buf *out)
{
        int r = render_gauges(m, out);
        if (r == 0) {
                pthread_mutex_lock(&m->lock);
                r = render_locked(m, out);
                pthread_mutex_unlock(&m->lock);
        }
        if (r == 0)
                r = render_counters(m, out);
        if (r == 0)
                r = append_family(out, "newsenrichd_stage_duration_seconds", "histogram",
                                  "Time spent per message in each pipeline stage.");
        for (size_t s = 0; s < NE_STAGE_MAX && r == 0; s++)
                r = render_histogram(&m->stages[s], stage_names[s], out);
        return r;
}
