/* Offsets and partition hand-over: storing the positions ne_offsets says are committable, and
 * the rebalance callbacks - on assign, start tracking; on revoke, drain and commit what was
 * started before the next owner begins (unless the partitions were lost, when their queued
 * work is dropped). Part of the pipeline (see pipeline.c); runs on the polling thread. */
#include <errno.h>
#include <string.h>

#include "ne/log.h"
#include "pipeline_internal.h"

void ne_pl_store_offsets(struct ne_pipeline *pl)
{
        struct ne_offset_pos pos[64];
        size_t n;
        while ((n = ne_offsets_take_dirty(pl->offs, pos, 64)) > 0) {
                if (ne_consumer_store(pl->consumer, pos, n) < 0) {
                        ne_offsets_mark_all_dirty(pl->offs); /* try again next round */
                        ne_log(NE_LOG_WARNING, "pipeline", "offset store failed, will retry");
                        return;
                }
                if (n < 64)
                        return;
        }
}

static size_t in_flight_of(const struct ne_pipeline *pl, const struct ne_kafka_tp *tps, size_t n)
{
        size_t sum = 0;
        for (size_t i = 0; i < n; i++)
                sum += ne_offsets_in_flight(pl->offs, tps[i].topic, tps[i].partition);
        return sum;
}

/* Produces every message in the ring (waiting for the workers), then serves delivery reports
 * until the given partitions have nothing in flight, the budget runs out, or the pipeline
 * failed (a failed input never drains). The whole ring goes, not only the given partitions:
 * it is short, and it keeps the produce order simple. */
static void drain(struct ne_pipeline *pl, const struct ne_kafka_tp *tps, size_t n, long budget_ms)
{
        long deadline = ne_pl_now_ms() + budget_ms;
        while (!pl->error && pl->ring_len > 0 && ne_pl_now_ms() < deadline) {
                ne_pl_harvest(pl, 20);
                ne_producer_poll(pl->producer, 0);
        }
        while (!pl->error && in_flight_of(pl, tps, n) > 0 && ne_pl_now_ms() < deadline)
                ne_producer_poll(pl->producer, 20);
        size_t left = in_flight_of(pl, tps, n);
        if (left > 0)
                ne_log(NE_LOG_WARNING, "pipeline",
                       "revoke: partitions given up with inputs in flight: in_flight=%zu "
                       "(they will be processed again by the next owner)",
                       left);
}

void ne_pl_on_assign(void *opaque, const struct ne_kafka_tp *tps, size_t n)
{
        struct ne_pipeline *pl = opaque;
        pl->st.rebalances++;
        for (size_t i = 0; i < n; i++)
                if (ne_offsets_assign(pl->offs, tps[i].topic, tps[i].partition) < 0)
                        ne_pl_fail(pl, -ENOMEM, "assign: out of memory");
        pl->n_assigned += (unsigned int)n;
        if (pl->metrics) {
                ne_metrics_inc(pl->metrics, NE_METRIC_REBALANCES);
                ne_metrics_set_assigned_partitions(pl->metrics, pl->n_assigned);
        }
}

/* Lost partitions already belong to someone else: their queued work is thrown away. */
static void drop_jobs_of(struct ne_pipeline *pl, const struct ne_kafka_tp *tps, size_t n)
{
        for (size_t i = 0; i < pl->ring_len; i++) {
                struct job *job = &pl->ring[(pl->ring_head + i) % pl->ring_cap];
                for (size_t k = 0; k < n; k++)
                        if (job->msg.partition == tps[k].partition &&
                            strcmp(job->msg.topic, tps[k].topic) == 0)
                                job->dropped = true;
        }
}

void ne_pl_on_revoke(void *opaque, const struct ne_kafka_tp *tps, size_t n, bool lost)
{
        struct ne_pipeline *pl = opaque;
        struct ne_diag diag;
        pl->st.rebalances++;
        if (!lost) {
                /* At-least-once across owners: finish and commit what we started before the
                 * next owner starts from the committed position. */
                drain(pl, tps, n, (long)pl->cfg->shutdown_timeout_ms);
                ne_pl_store_offsets(pl);
                ne_diag_clear(&diag);
                if (ne_consumer_commit(pl->consumer, &diag) < 0)
                        ne_log(NE_LOG_WARNING, "pipeline", "revoke: %s", diag.msg);
        }
        drop_jobs_of(pl, tps, n);
        for (size_t i = 0; i < n; i++) {
                ne_offsets_remove(pl->offs, tps[i].topic, tps[i].partition);
                if (pl->metrics)
                        ne_metrics_lag_remove(pl->metrics, tps[i].topic, tps[i].partition);
        }
        pl->n_assigned = n < pl->n_assigned ? pl->n_assigned - (unsigned int)n : 0;
        if (pl->metrics) {
                ne_metrics_inc(pl->metrics, NE_METRIC_REBALANCES);
                ne_metrics_set_assigned_partitions(pl->metrics, pl->n_assigned);
        }
}

