/* The daemon's metrics, rendered in the Prometheus text exposition format 0.0.4 for GET /metrics.
 * A fixed set of metrics with typed handles (enums), not a generic registry: the pipeline calls
 * one function per event and cannot misspell a name. Names follow the Prometheus conventions:
 * prefix newsenrichd_, counters end in _total, durations are in seconds.
 *
 * Threads: counters, dead letters, stage durations and the in-flight gauge are C11 atomics
 * (relaxed, no lock) and may be updated from any thread: workers, the librdkafka delivery-report
 * callback, the main loop. The rarely changing state (ready, assigned partitions, per-partition
 * lag, model versions, heartbeat) is set by the main loop; lag and model info take a mutex that
 * only rendering shares. Rendering (the HTTP thread) reads a snapshot that is consistent per
 * metric: a histogram's _count always equals its +Inf bucket, but two metrics may be read a few
 * nanoseconds apart. Must not log: it only counts and formats. */
#ifndef NE_METRICS_H
#define NE_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ne/buf.h"

struct ne_metrics;

/* Plain counters. */
enum ne_metric_counter {
        NE_METRIC_CONSUMED = 0,   /* newsenrichd_messages_consumed_total: messages polled */
        NE_METRIC_PRODUCED,       /* newsenrichd_messages_produced_total: enriched, delivered */
        NE_METRIC_REBALANCES,     /* newsenrichd_rebalances_total: assign + revoke events */
        NE_METRIC_PRODUCE_ERRORS, /* newsenrichd_produce_errors_total: failed delivery reports */
        NE_METRIC_RELOADS_OK,     /* newsenrichd_reloads_total{result="ok"} */
        NE_METRIC_RELOADS_FAILED, /* newsenrichd_reloads_total{result="failed"} */
        NE_METRIC_KAFKA_CLIENT_ERRORS,   /* newsenrichd_kafka_client_errors_total: error_cb */
        NE_METRIC_KAFKA_COMMIT_ERRORS,   /* newsenrichd_kafka_commit_errors_total */
        NE_METRIC_KAFKA_PRODUCE_RETRIES, /* newsenrichd_kafka_produce_retries_total */
        NE_METRIC_COUNTER_MAX
};

/* Pipeline stages timed by newsenrichd_stage_duration_seconds{stage=...}. */
enum ne_metric_stage {
        NE_STAGE_DECODE = 0, /* "decode": wire bytes -> article */
        NE_STAGE_ENRICH,     /* "enrich": entities and topics */
        NE_STAGE_ENCODE,     /* "encode": enrichment -> wire bytes */
        NE_STAGE_PRODUCE,    /* "produce": produce call -> delivery report */
        NE_STAGE_END_TO_END, /* "end_to_end": consumed -> delivery report */
        NE_STAGE_MAX
};

/* Upper bounds for the collections the caller controls, so a bug cannot grow them forever. */
#define NE_METRICS_MAX_REASONS 64      /* dead-letter reason codes */
#define NE_METRICS_MAX_PARTITIONS 4096 /* partitions with a lag gauge */
#define NE_METRICS_MAX_MODELS 8        /* newsenrichd_model_info series */
#define NE_METRICS_MAX_LABEL 256       /* bytes in a topic, model name or version */

struct ne_metrics_info {
        const char *version; /* newsenrichd_build_info{version}; NULL = NE_VERSION */
        /* Dead-letter reason codes ("bad_json", "bad_avro", ...): the label values of
         * newsenrichd_messages_dead_lettered_total{reason}, indexed by ne_metrics_dead_letter();
         * copied. Each is exported from start-up with value 0, as Prometheus prefers. */
        const char *const *dead_letter_reasons;
        size_t n_dead_letter_reasons;
        /* /health fails when the main loop's heartbeat is older than this; 0 = 30000 ms. */
        unsigned int heartbeat_timeout_ms;
};

/* Returns 0 and a new registry in *ret (start time = now, heartbeat = now, not ready), -EINVAL
 * for too many reasons or a reason longer than NE_METRICS_MAX_LABEL, -ENOMEM. `info` is
 * borrowed for the call only. Call from the main thread before other threads start. */
int ne_metrics_new(const struct ne_metrics_info *info, struct ne_metrics **ret);

/* Frees the registry; accepts NULL. No other thread may still use it (stop HTTP first). */
void ne_metrics_free(struct ne_metrics *m);

/* --- Hot path: any thread, lock-free. ------------------------------------------------------ */

/* Adds n to a counter. An out-of-range counter is ignored. */
void ne_metrics_add(struct ne_metrics *m, enum ne_metric_counter c, uint64_t n);
static inline void ne_metrics_inc(struct ne_metrics *m, enum ne_metric_counter c)
{
        ne_metrics_add(m, c, 1);
}

/* Counts one dead-lettered message under the reason with index `reason` in info's list. An index
 * out of range is counted under reason="other" (exported only once it is non-zero). */
void ne_metrics_dead_letter(struct ne_metrics *m, size_t reason);

/* The index of reason code `code` in info's list, for callers that hold the code as a string;
 * -ENOENT if it is not in the list (ne_metrics_dead_letter() then counts it as "other"). Look it
 * up once, not per message. Any thread. */
int ne_metrics_dead_letter_reason(const struct ne_metrics *m, const char *code);

/* Records one duration of `stage` in nanoseconds (take both ends with ne_metrics_now_ns()). */
void ne_metrics_observe_ns(struct ne_metrics *m, enum ne_metric_stage stage, uint64_t ns);

/* CLOCK_MONOTONIC in nanoseconds; for timing stages and the heartbeat. */
uint64_t ne_metrics_now_ns(void);

/* Records now - start_ns for `stage` (0 if the clock reads earlier) and returns now, so stages
 * chain without extra clock reads:
 *     uint64_t t = ne_metrics_now_ns();
 *     ...decode...  t = ne_metrics_observe_since(m, NE_STAGE_DECODE, t);
 *     ...enrich...  t = ne_metrics_observe_since(m, NE_STAGE_ENRICH, t);  */
uint64_t ne_metrics_observe_since(struct ne_metrics *m, enum ne_metric_stage stage,
                                  uint64_t start_ns);

/* newsenrichd_in_flight_messages += delta (consumed: +1; committed or dead-lettered: -1). */
void ne_metrics_in_flight_add(struct ne_metrics *m, int64_t delta);

/* --- Main loop: rare state changes. -------------------------------------------------------- */

/* newsenrichd_ready: set true after start-up (and after a reload), false when stopping. */
void ne_metrics_set_ready(struct ne_metrics *m, bool ready);

/* newsenrichd_assigned_partitions: the number of partitions this member owns; set from the
 * rebalance callback. /ready needs ready AND at least one partition. */
void ne_metrics_set_assigned_partitions(struct ne_metrics *m, unsigned int n);

/* newsenrichd_consumer_lag{topic,partition}: sets one owned partition's lag (messages behind
 * the high watermark). A negative lag means "unknown" and keeps the series out of the output.
 * Returns 0, -EINVAL (topic NULL, empty or too long), -E2BIG (NE_METRICS_MAX_PARTITIONS reached),
 * -ENOMEM. */
int ne_metrics_lag_set(struct ne_metrics *m, const char *topic, int32_t partition, int64_t lag);

/* Removes a revoked partition's lag series; unknown partitions are ignored. */
void ne_metrics_lag_remove(struct ne_metrics *m, const char *topic, int32_t partition);

/* Removes every lag series (revocation of the whole assignment). */
void ne_metrics_lag_clear(struct ne_metrics *m);

/* newsenrichd_model_info{model,version} 1: sets (or replaces, after a reload) the version of a
 * loaded model, e.g. ("ner", "conll2003-20261128"). Both strings are copied. Returns 0,
 * -EINVAL (empty or too long), -E2BIG (NE_METRICS_MAX_MODELS distinct models reached). */
int ne_metrics_set_model(struct ne_metrics *m, const char *model, const char *version);

/* Records that the main loop is alive (call once per loop iteration; an atomic store). */
void ne_metrics_heartbeat(struct ne_metrics *m);

/* --- HTTP thread. --------------------------------------------------------------------------- */

/* Appends the whole exposition (every metric with # HELP and # TYPE) to out. Returns 0 or
 * -ENOMEM (out may then hold a partial body; reset it). */
int ne_metrics_render(struct ne_metrics *m, struct ne_buf *out);

/* True when the last heartbeat is younger than the heartbeat timeout. */
bool ne_metrics_is_alive(struct ne_metrics *m);

/* True when ready is set and at least one partition is assigned. */
bool ne_metrics_is_ready(struct ne_metrics *m);

#endif
