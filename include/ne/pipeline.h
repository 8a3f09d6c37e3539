/* The daemon's data path: consume -> process (decode, enrich, encode) -> produce -> store
 * offset -> commit, with at-least-once delivery. An input offset is stored only after the
 * event produced for it (enriched, or the dead letter) is acknowledged by the broker, strictly
 * in order per partition. In-flight inputs are bounded by cfg->max_in_flight: above it the
 * consumer is paused until half have drained. On a partition revoke the pipeline drains and
 * commits that partition's work before giving it up. A failed delivery or a fatal librdkafka
 * error stops the pipeline without storing any offset past the failed input.
 *
 * One thread owns a pipeline and calls every function here; callbacks from the Kafka layer
 * arrive on that thread. Logs through ne_log (module "pipeline"). */
#ifndef NE_PIPELINE_H
#define NE_PIPELINE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ne/config.h"
#include "ne/diag.h"
#include "ne/metrics.h"
#include "ne/processor.h"

struct ne_pipeline;

struct ne_pipeline_stats {
        uint64_t consumed;      /* inputs taken from the consumer */
        uint64_t enriched;      /* enriched events acknowledged by the broker */
        uint64_t dead_lettered; /* dead letters acknowledged by the broker */
        uint64_t failed;        /* deliveries that failed permanently */
        uint64_t skipped;       /* inputs seen again at or below a tracked offset */
        size_t in_flight;       /* inputs waiting for their delivery report */
        uint64_t pauses;        /* times consumption was paused for back-pressure */
        bool paused;
        uint64_t rebalances; /* assign + revoke events */
};

/* Optional hooks, called on the owning thread. */
struct ne_pipeline_hooks {
        void *opaque;
        /* Optional (NULL = none): counters, in-flight gauge, stage timings, assigned
         * partitions, per-partition lag (refreshed every second) and the main-loop heartbeat
         * (every poll). Borrowed; must outlive the pipeline. */
        struct ne_metrics *metrics;
        /* Once per stats_interval_s (and about once a second if that is 0): watchdog,
         * metrics. The one periodic place. */
        void (*on_tick)(void *opaque, const struct ne_pipeline_stats *st);
};

/* Creates the consumer (subscribed to cfg->input_topics) and producer. Borrows cfg, proc and
 * hooks (may be NULL), which must outlive the pipeline. Returns 0 or negative errno with
 * diag. */
int ne_pipeline_new(const struct ne_config *cfg, const struct ne_processor *proc,
                    const struct ne_pipeline_hooks *hooks, struct ne_pipeline **ret,
                    struct ne_diag *diag);

/* One iteration: serve delivery reports, store offsets that became committable, apply
 * back-pressure, take at most one batch of messages (waiting up to timeout_ms) and process
 * them, run the periodic work. Returns 0, or the negative errno that stopped the pipeline
 * (a failed delivery -EIO, a fatal Kafka error -ENOTRECOVERABLE, a fatal processor outcome
 * -EPROTO); once it returns an error it keeps returning it. */
int ne_pipeline_poll(struct ne_pipeline *pl, int timeout_ms);

/* Polls until *stop becomes non-zero (a signal handler's flag) or an error; then returns it
 * (0 after a stop request). Does not close. */
int ne_pipeline_run(struct ne_pipeline *pl, const volatile sig_atomic_t *stop);

/* Shuts down: drains in-flight inputs (up to cfg->shutdown_timeout_ms), flushes the producer,
 * stores and commits what was acknowledged, leaves the group. Returns 0, or the first error of
 * the pipeline's life or of the shutdown. Call once, before ne_pipeline_free. */
int ne_pipeline_close(struct ne_pipeline *pl);

/* Current counters. */
void ne_pipeline_get_stats(const struct ne_pipeline *pl, struct ne_pipeline_stats *ret);

/* Frees the pipeline (without committing, if ne_pipeline_close was not called); accepts NULL. */
void ne_pipeline_free(struct ne_pipeline *pl);

/* Releases the buffers of a processor result; accepts NULL. */
void ne_proc_result_release(struct ne_proc_result *res);

#endif
