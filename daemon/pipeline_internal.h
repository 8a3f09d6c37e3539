/* What the files of the pipeline share (pipeline.c: the loop and lifecycle;
 * pipeline_produce.c: producing events and their delivery reports; pipeline_rebalance.c:
 * offsets and partition hand-over): the pipeline's state and the functions they call across.
 * Nothing outside the pipeline includes this. Everything here runs on the polling thread. */
#ifndef NE_PIPELINE_INTERNAL_H
#define NE_PIPELINE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ne/kafka.h"
#include "ne/offsets.h"
#include "ne/pipeline.h"
#include "ne/workers.h"

/* The header carrying W3C trace context. */
#define NE_PL_TRACEPARENT "traceparent"

/* What a delivery report must find again: the input it stands for, shared by all the events
 * produced for that input; the input is acknowledged when the last of them is. */
struct inflight {
        uint64_t epoch;
        int64_t offset;
        int32_t partition;
        bool dead_letter;
        bool failed;               /* one of its events failed: never acknowledged */
        unsigned int pending;      /* events not yet reported, plus 1 while producing */
        enum ne_dlq_reason reason; /* dead letters: for the per-reason counter */
        uint64_t consumed_ns;      /* for the end-to-end and produce stage timings */
        uint64_t produced_ns;
        char topic[];
};

/* One consumed message on its way through a worker, in the ring. */
struct job {
        struct ne_work work;
        struct ne_kafka_msg msg; /* owned: released once produced */
        uint64_t epoch;
        uint64_t consumed_ns;
        bool dropped; /* its partition was lost: release without producing */
};

struct ne_pipeline {
        const struct ne_config *cfg;
        const struct ne_processor *proc;
        struct ne_workers *workers;
        struct ne_pipeline_hooks hooks;
        struct ne_consumer *consumer;
        struct ne_producer *producer;
        int64_t lag_sum; /* accumulates st.lag during one tick */
        struct ne_offsets *offs;
        struct job *ring; /* ring[(head + i) % ring_cap], i < ring_len, in consumption order */
        size_t ring_cap;
        size_t ring_head;
        size_t ring_len;
        struct ne_pipeline_stats st;
        struct ne_metrics *metrics;       /* optional */
        size_t reason_idx[NE_DLQ__COUNT]; /* dead-letter reason -> metrics label index */
        unsigned int n_assigned;
        int error; /* first error that stopped the pipeline; 0 while healthy */
        bool closed;
        size_t max_in_flight;
        size_t resume_at;
        long next_tick_ms;
        long next_trim_ms; /* next malloc_trim(), see tick() */
        long next_stats_ms;
        uint64_t stats_last_done;
};

/* CLOCK_MONOTONIC in milliseconds. */
long ne_pl_now_ms(void);

/* Records the first error that stops the pipeline and logs it once. */
void ne_pl_fail(struct ne_pipeline *pl, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Produces finished jobs from the ring's head in consumption order (pipeline.c). */
void ne_pl_harvest(struct ne_pipeline *pl, int wait_ms);

/* Hands the positions that became committable to the consumer (pipeline_rebalance.c). */
void ne_pl_store_offsets(struct ne_pipeline *pl);

/* The consumer's rebalance callbacks (pipeline_rebalance.c); opaque is the pipeline. */
void ne_pl_on_assign(void *opaque, const struct ne_kafka_tp *tps, size_t n);
void ne_pl_on_revoke(void *opaque, const struct ne_kafka_tp *tps, size_t n, bool lost);

/* The producer's delivery report callback (pipeline_produce.c); opaque is the pipeline. */
void ne_pl_on_delivery(void *opaque, void *msg_opaque, int err, const char *errstr);

/* Produces a finished job's enriched and extra events, or its dead letter
 * (pipeline_produce.c). */
void ne_pl_produce_enriched(struct ne_pipeline *pl, struct job *job);
void ne_pl_produce_dead_letter(struct ne_pipeline *pl, struct job *job);

#endif
