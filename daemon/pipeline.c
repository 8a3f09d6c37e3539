/* The data path: consume -> process -> produce -> (delivery reports) -> ack offset -> store ->
 * commit. Decides what happens to each input (enriched event plus the processor's extra
 * events, or a dead letter), keeps the at-least-once promise through ne_offsets (stored
 * positions never pass an input whose events are not all acknowledged), applies back-pressure
 * by pausing the consumer, drains before giving up partitions, and logs decisions. It holds no
 * Kafka types: the Kafka layer calls back into it through the callback structs it passes down.
 *
 * Processing runs on the worker pool (daemon/workers.c; inline when pipeline.workers is 1).
 * Consumed messages enter a ring in consumption order and are produced strictly from the
 * ring's head, so outputs keep the input order of every partition however the workers finish.
 * Kafka handles stay on the owning thread; workers see only borrowed bytes. */
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ne/log.h"
#include "pipeline_internal.h"

/* Messages taken per ne_pipeline_poll before delivery reports are served again. */
#define POLL_BATCH 64
/* How often tick() returns free heap pages to the kernel. */
#define TRIM_INTERVAL_MS 10000
/* Messages being processed (or processed, waiting for their turn to be produced) per worker. */
#define RING_PER_WORKER 32
#define RING_MAX 1024

long ne_pl_now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

void ne_proc_result_release(struct ne_proc_result *res)
{
        if (!res)
                return;
        ne_buf_release(&res->key);
        ne_buf_release(&res->value);
        for (size_t i = 0; i < NE_PROC_MAX_EXTRA; i++) {
                ne_buf_release(&res->extra[i].key);
                ne_buf_release(&res->extra[i].value);
        }
}

/* Records the first error that stops the pipeline and says so once. */
void ne_pl_fail(struct ne_pipeline *pl, int err, const char *fmt, ...)
{
        char msg[768];
        va_list ap;
        if (pl->error)
                return;
        pl->error = err;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        ne_log(NE_LOG_ERR, "pipeline", "stopping: %s", msg);
}

/* ---- processing --------------------------------------------------------------------------- */

/* Takes a consumed message into the ring and hands it to the workers; the caller checked
 * there is room. Takes ownership of *msg. */
static void dispatch(struct ne_pipeline *pl, struct ne_kafka_msg *msg)
{
        uint64_t epoch;
        int r = ne_offsets_track(pl->offs, msg->topic, msg->partition, msg->offset, &epoch);
        if (r == -EINVAL) {
                /* At or below an offset already taken on this assignment: its event is made or
                 * on its way. The consumer should never do this; say so, as it would hide a
                 * rewind past work still in flight. */
                static struct ne_log_ratelimit rl;
                pl->st.skipped++;
                ne_log_ratelimited(&rl, 5, 10, NE_LOG_WARNING, "pipeline",
                                   "skipped a redelivered input: topic=%s partition=%d "
                                   "offset=%" PRId64 " (at or below one already taken)",
                                   msg->topic, (int)msg->partition, msg->offset);
                ne_kafka_msg_release(msg);
                return;
        }
        if (r < 0) {
                ne_pl_fail(pl, r, "offset tracking: out of memory");
                ne_kafka_msg_release(msg);
                return;
        }
        pl->st.consumed++;
        struct job *job = &pl->ring[(pl->ring_head + pl->ring_len) % pl->ring_cap];
        pl->ring_len++;
        job->msg = *msg; /* the ring owns the message now */
        *msg = (struct ne_kafka_msg){0};
        job->epoch = epoch;
        job->dropped = false;
        job->consumed_ns = 0;
        if (pl->metrics) {
                job->consumed_ns = ne_metrics_now_ns();
                ne_metrics_inc(pl->metrics, NE_METRIC_CONSUMED);
                ne_metrics_in_flight_add(pl->metrics, 1);
        }
        const void *tp = NULL;
        size_t tplen = 0;
        if (ne_kafka_msg_header(&job->msg, NE_PL_TRACEPARENT, &tp, &tplen) < 0)
                tp = NULL;
        job->work.in = (struct ne_proc_input){
            .topic = job->msg.topic,
            .partition = job->msg.partition,
            .offset = job->msg.offset,
            .key = job->msg.key,
            .key_len = job->msg.key_len,
            .value = job->msg.value,
            .value_len = job->msg.value_len,
            .traceparent = tp,
            .traceparent_len = tp ? tplen : 0,
        };
        ne_workers_submit(pl->workers, &job->work);
}

/* Produces what the finished job asks for. */
static void complete(struct ne_pipeline *pl, struct job *job)
{
        const struct ne_proc_result *res = &job->work.res;
        struct ne_metrics *m = pl->metrics;
        if (job->dropped) {
                if (m)
                        ne_metrics_in_flight_add(m, -1);
                return;
        }
        if (m) {
                if (res->decode_ns)
                        ne_metrics_observe_ns(m, NE_STAGE_DECODE, res->decode_ns);
                if (res->enrich_ns)
                        ne_metrics_observe_ns(m, NE_STAGE_ENRICH, res->enrich_ns);
                if (res->encode_ns)
                        ne_metrics_observe_ns(m, NE_STAGE_ENCODE, res->encode_ns);
        }
        switch (job->work.outcome) {
        case NE_OUTCOME_OK:
                ne_pl_produce_enriched(pl, job);
                break;
        case NE_OUTCOME_DEAD_LETTER:
                ne_pl_produce_dead_letter(pl, job);
                break;
        case NE_OUTCOME_RETRY:
        case NE_OUTCOME_FATAL:
        default:
                /* The input stays in flight forever, so no offset at or past it is stored. */
                ne_pl_fail(pl, -EPROTO,
                     "processor %s failed: topic=%s partition=%d offset=%" PRId64 " outcome=%s: %s",
                     pl->proc->ops->name, job->msg.topic, (int)job->msg.partition, job->msg.offset,
                     job->work.outcome == NE_OUTCOME_RETRY ? "retry" : "fatal", res->diag.msg);
                break;
        }
}

/* Produces finished jobs from the ring's head, in consumption order, waiting up to wait_ms
 * for the head to finish (once). Stops at the first unfinished job, or once the pipeline
 * failed: nothing after a failed input is produced. */
void ne_pl_harvest(struct ne_pipeline *pl, int wait_ms)
{
        if (!pl->workers)
                return;
        while (pl->ring_len > 0 && !pl->error) {
                struct job *job = &pl->ring[pl->ring_head];
                if (!ne_workers_is_done(pl->workers, &job->work)) {
                        if (wait_ms <= 0 || !ne_workers_wait(pl->workers, &job->work, wait_ms))
                                return;
                        wait_ms = 0;
                }
                complete(pl, job);
                if (pl->error)
                        return; /* the failed input stays in the ring, in flight */
                ne_kafka_msg_release(&job->msg);
                pl->ring_head = (pl->ring_head + 1) % pl->ring_cap;
                pl->ring_len--;
        }
}

/* Stops the workers and lets go of every message still in the ring (unproduced: their
 * offsets stay in flight, never stored). */
static void abandon_ring(struct ne_pipeline *pl)
{
        ne_workers_free(pl->workers);
        pl->workers = NULL;
        for (size_t i = 0; i < pl->ring_len; i++)
                ne_kafka_msg_release(&pl->ring[(pl->ring_head + i) % pl->ring_cap].msg);
        pl->ring_len = 0;
}

/* ---- the loop ----------------------------------------------------------------------------- */

static void flow_control(struct ne_pipeline *pl)
{
        size_t n = ne_offsets_in_flight_total(pl->offs);
        pl->st.in_flight = n;
        if (!pl->st.paused && n >= pl->max_in_flight) {
                if (ne_consumer_pause(pl->consumer, true) == 0) {
                        pl->st.paused = true;
                        pl->st.pauses++;
                        ne_log(NE_LOG_DEBUG, "pipeline", "paused: in_flight=%zu", n);
                }
        } else if (pl->st.paused && n <= pl->resume_at) {
                if (ne_consumer_pause(pl->consumer, false) == 0) {
                        pl->st.paused = false;
                        ne_log(NE_LOG_DEBUG, "pipeline", "resumed: in_flight=%zu", n);
                }
        }
}

static void set_lag(void *opaque, const char *topic, int32_t partition, int64_t lag)
{
        struct ne_pipeline *pl = opaque;
        if (lag >= 0)
                pl->lag_sum += lag;
        /* -E2BIG past the partition bound only loses that series: nothing to decide here. */
        if (pl->metrics)
                (void)ne_metrics_lag_set(pl->metrics, topic, partition, lag);
}

static void tick(struct ne_pipeline *pl)
{
        long now = ne_pl_now_ms();
        unsigned int interval = pl->cfg->stats_interval_s;
        if (interval > 0 && now >= pl->next_stats_ms) {
                uint64_t done = pl->st.enriched + pl->st.dead_lettered;
                if (pl->next_stats_ms != 0)
                        ne_log(NE_LOG_INFO, "pipeline",
                               "stats: consumed=%" PRIu64 " enriched=%" PRIu64
                               " dead_lettered=%" PRIu64 " failed=%" PRIu64
                               " in_flight=%zu paused=%d pauses=%" PRIu64 " rate=%.1f/s",
                               pl->st.consumed, pl->st.enriched, pl->st.dead_lettered,
                               pl->st.failed, pl->st.in_flight, pl->st.paused, pl->st.pauses,
                               (double)(done - pl->stats_last_done) / interval);
                pl->stats_last_done = done;
                pl->next_stats_ms = now + (long)interval * 1000;
        }
        if (now >= pl->next_trim_ms) {
                /* glibc keeps freed memory in each thread's arena: after bursts (librdkafka's
                 * fetch buffers, dead-letter copies) RSS climbed from 26 to 72 MiB over a
                 * million malformed inputs while malloc had 1.2 MiB in use. Handing the free
                 * pages back every 10 s keeps RSS tracking what is live (~20 MiB). */
                pl->next_trim_ms = now + TRIM_INTERVAL_MS;
                malloc_trim(0);
        }
        if (now >= pl->next_tick_ms) {
                pl->next_tick_ms = now + 1000;
                pl->lag_sum = 0;
                ne_consumer_lag(pl->consumer, set_lag, pl);
                pl->st.lag = pl->lag_sum;
                if (pl->hooks.on_tick)
                        pl->hooks.on_tick(pl->hooks.opaque, &pl->st);
        }
}

static void check_fatal(struct ne_pipeline *pl)
{
        struct ne_diag diag;
        ne_diag_clear(&diag);
        if (!pl->error && ne_producer_is_fatal(pl->producer, &diag))
                ne_pl_fail(pl, -ENOTRECOVERABLE, "%s", diag.msg);
}

int ne_pipeline_poll(struct ne_pipeline *pl, int timeout_ms)
{
        struct ne_diag diag;
        struct ne_kafka_msg msg;
        if (pl->metrics)
                ne_metrics_heartbeat(pl->metrics);
        if (pl->error)
                return pl->error;
        ne_producer_poll(pl->producer, 0);
        check_fatal(pl);
        ne_pl_harvest(pl, 0);
        ne_pl_store_offsets(pl);
        flow_control(pl);
        if (pl->st.paused) {
                /* Nothing to fetch: finish work and wait for delivery reports instead. The
                 * consumer is still polled below so rebalances and the poll interval are
                 * served. */
                if (pl->ring_len > 0)
                        ne_pl_harvest(pl, timeout_ms);
                else
                        ne_producer_poll(pl->producer, timeout_ms);
                timeout_ms = 0;
        }
        for (int i = 0; i < POLL_BATCH && !pl->error; i++) {
                if (pl->ring_len == pl->ring_cap) {
                        ne_pl_harvest(pl, timeout_ms > 0 ? timeout_ms : 1);
                        if (pl->ring_len == pl->ring_cap)
                                break;
                }
                /* Block in the consumer only when no work is pending; else wait for the
                 * workers below. */
                int t = i == 0 && pl->ring_len == 0 ? timeout_ms : 0;
                ne_diag_clear(&diag);
                int r = ne_consumer_poll(pl->consumer, t, &msg, &diag);
                if (r < 0) {
                        ne_pl_fail(pl, r, "%s", diag.msg);
                        break;
                }
                if (r == 0)
                        break;
                dispatch(pl, &msg);
                ne_pl_harvest(pl, 0);
                if (ne_offsets_in_flight_total(pl->offs) >= pl->max_in_flight)
                        break;
        }
        if (pl->ring_len > 0)
                ne_pl_harvest(pl, timeout_ms);
        pl->st.in_flight = ne_offsets_in_flight_total(pl->offs);
        tick(pl);
        return pl->error;
}

int ne_pipeline_run(struct ne_pipeline *pl, const volatile sig_atomic_t *stop)
{
        while (!*stop) {
                int r = ne_pipeline_poll(pl, 100);
                if (r < 0)
                        return r;
        }
        return 0;
}

int ne_pipeline_close(struct ne_pipeline *pl)
{
        struct ne_diag diag;
        int r = 0;
        if (pl->closed)
                return pl->error;
        pl->closed = true;
        long deadline = ne_pl_now_ms() + (long)pl->cfg->shutdown_timeout_ms;
        /* Finish what the workers have, in order, then stop them. */
        while (!pl->error && pl->ring_len > 0 && ne_pl_now_ms() < deadline) {
                ne_pl_harvest(pl, 20);
                ne_producer_poll(pl->producer, 0);
        }
        if (pl->ring_len > 0)
                ne_log(NE_LOG_WARNING, "pipeline", "shutdown: inputs left unprocessed: %zu",
                       pl->ring_len);
        abandon_ring(pl);
        while (ne_producer_outq_len(pl->producer) > 0 && ne_pl_now_ms() < deadline)
                ne_producer_poll(pl->producer, 20);
        long left = deadline - ne_pl_now_ms();
        if (ne_producer_flush(pl->producer, left > 0 ? (int)left : 0) < 0) {
                ne_log(NE_LOG_WARNING, "pipeline", "shutdown: flush timed out: unsent=%zu",
                       ne_producer_outq_len(pl->producer));
                ne_producer_purge(pl->producer); /* their inputs stay uncommitted */
                r = -ETIMEDOUT;
        }
        check_fatal(pl);
        ne_pl_store_offsets(pl);
        ne_diag_clear(&diag);
        /* A failed commit costs duplicates after a restart, never a loss: not an error. */
        if (ne_consumer_commit(pl->consumer, &diag) < 0)
                ne_log(NE_LOG_WARNING, "pipeline", "shutdown: %s", diag.msg);
        /* Leaving the group revokes everything through on_revoke (nothing left to drain). */
        ne_consumer_close(pl->consumer);
        pl->st.in_flight = ne_offsets_in_flight_total(pl->offs);
        ne_log(NE_LOG_INFO, "pipeline",
               "stopped: consumed=%" PRIu64 " enriched=%" PRIu64 " dead_lettered=%" PRIu64
               " failed=%" PRIu64 " uncommitted=%zu",
               pl->st.consumed, pl->st.enriched, pl->st.dead_lettered, pl->st.failed,
               pl->st.in_flight);
        return pl->error ? pl->error : r;
}

void ne_pipeline_get_stats(const struct ne_pipeline *pl, struct ne_pipeline_stats *ret)
{
        *ret = pl->st;
        ret->in_flight = ne_offsets_in_flight_total(pl->offs);
}

/* pipeline.workers: 0 = one per online CPU; 1 = inline on the polling thread, as before the
 * pool existed (no threads, no hand-over). */
static unsigned int worker_threads(const struct ne_config *cfg)
{
        long n = cfg->workers;
        if (n == 0) {
                n = sysconf(_SC_NPROCESSORS_ONLN);
                if (n < 1)
                        n = 1;
                if (n > 256)
                        n = 256;
        }
        return n == 1 ? 0 : (unsigned int)n;
}

int ne_pipeline_new(const struct ne_config *cfg, const struct ne_processor *proc,
                    const struct ne_pipeline_hooks *hooks, struct ne_pipeline **ret,
                    struct ne_diag *diag)
{
        if (!cfg->output_topic || !*cfg->output_topic || !cfg->dead_letter_topic ||
            !*cfg->dead_letter_topic)
                return ne_diag_set(diag, -EINVAL,
                                   "output.topic and dead_letter.topic are "
                                   "required");
        struct ne_pipeline *pl = calloc(1, sizeof(*pl));
        if (!pl)
                return -ENOMEM;
        pl->cfg = cfg;
        pl->proc = proc;
        if (hooks) {
                pl->hooks = *hooks;
                pl->metrics = hooks->metrics;
        }
        for (int r = 0; r < NE_DLQ__COUNT; r++) {
                /* Looked up once: an unknown code counts as "other" (SIZE_MAX). */
                int idx = pl->metrics && ne_dlq_reason_code((enum ne_dlq_reason)r)
                              ? ne_metrics_dead_letter_reason(
                                    pl->metrics, ne_dlq_reason_code((enum ne_dlq_reason)r))
                              : -ENOENT;
                pl->reason_idx[r] = idx >= 0 ? (size_t)idx : SIZE_MAX;
        }
        pl->max_in_flight = cfg->max_in_flight > 0 ? cfg->max_in_flight : 1;
        pl->resume_at = pl->max_in_flight / 2;
        unsigned int threads = worker_threads(cfg);
        /* Enough queued work per worker to hide uneven article sizes, never more than the
         * in-flight limit allows. Inline processing needs one slot. */
        size_t cap = threads == 0 ? 1 : (size_t)threads * RING_PER_WORKER;
        if (cap > RING_MAX)
                cap = RING_MAX;
        if (cap > pl->max_in_flight)
                cap = pl->max_in_flight;
        pl->ring_cap = cap;
        int r = -ENOMEM;
        pl->ring = calloc(cap, sizeof(*pl->ring));
        if (!pl->ring)
                goto err_free;
        r = ne_offsets_new(&pl->offs);
        if (r < 0)
                goto err_free;
        r = ne_workers_new(proc, threads, &pl->workers);
        if (r < 0) {
                ne_diag_set(diag, r, "processor %s: workers: %s", proc->ops->name, strerror(-r));
                goto err_free;
        }
        struct ne_producer_cbs pcbs = {
            .opaque = pl, .metrics = pl->metrics, .on_delivery = ne_pl_on_delivery};
        r = ne_producer_new(cfg, &pcbs, &pl->producer, diag);
        if (r < 0)
                goto err_free;
        struct ne_consumer_cbs ccbs = {
            .opaque = pl, .metrics = pl->metrics, .on_assign = ne_pl_on_assign, .on_revoke = ne_pl_on_revoke};
        r = ne_consumer_new(cfg, &ccbs, &pl->consumer, diag);
        if (r < 0)
                goto err_free;
        ne_log(NE_LOG_INFO, "pipeline", "workers: threads=%u window=%zu", threads, cap);
        *ret = pl;
        return 0;
err_free:
        ne_pipeline_free(pl);
        return r;
}

void ne_pipeline_free(struct ne_pipeline *pl)
{
        if (!pl)
                return;
        /* Messages first (they belong to the consumer), then the consumer: its close may
         * call on_revoke, which uses the producer. */
        abandon_ring(pl);
        ne_consumer_free(pl->consumer);
        if (pl->producer) {
                ne_producer_purge(pl->producer); /* frees the inflight records via reports */
                ne_producer_free(pl->producer);
        }
        ne_offsets_free(pl->offs);
        if (pl->ring)
                for (size_t i = 0; i < pl->ring_cap; i++)
                        ne_proc_result_release(&pl->ring[i].work.res);
        free(pl->ring);
        free(pl);
}
