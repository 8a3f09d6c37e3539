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

#include "ne/kafka.h"
#include "ne/log.h"
#include "ne/offsets.h"
#include "ne/pipeline.h"
#include "ne/workers.h"

/* How long a produce call may wait for room in librdkafka's local queue. */
#define PRODUCE_BLOCK_MS 30000
/* Messages taken per ne_pipeline_poll before delivery reports are served again. */
#define POLL_BATCH 64
/* How often tick() returns free heap pages to the kernel. */
#define TRIM_INTERVAL_MS 10000
/* Messages being processed (or processed, waiting for their turn to be produced) per worker. */
#define RING_PER_WORKER 32
#define RING_MAX 1024
/* The header carrying W3C trace context. */
#define TRACEPARENT "traceparent"

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

static long now_ms(void)
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
static void fail(struct ne_pipeline *pl, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(struct ne_pipeline *pl, int err, const char *fmt, ...)
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

static void harvest(struct ne_pipeline *pl, int wait_ms);

/* ---- offsets ----------------------------------------------------------------------------- */

static void store_offsets(struct ne_pipeline *pl)
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
        long deadline = now_ms() + budget_ms;
        while (!pl->error && pl->ring_len > 0 && now_ms() < deadline) {
                harvest(pl, 20);
                ne_producer_poll(pl->producer, 0);
        }
        while (!pl->error && in_flight_of(pl, tps, n) > 0 && now_ms() < deadline)
                ne_producer_poll(pl->producer, 20);
        size_t left = in_flight_of(pl, tps, n);
        if (left > 0)
                ne_log(NE_LOG_WARNING, "pipeline",
                       "revoke: partitions given up with inputs in flight: in_flight=%zu "
                       "(they will be processed again by the next owner)",
                       left);
}

/* ---- Kafka layer callbacks ---------------------------------------------------------------- */

static void on_assign(void *opaque, const struct ne_kafka_tp *tps, size_t n)
{
        struct ne_pipeline *pl = opaque;
        pl->st.rebalances++;
        for (size_t i = 0; i < n; i++)
                if (ne_offsets_assign(pl->offs, tps[i].topic, tps[i].partition) < 0)
                        fail(pl, -ENOMEM, "assign: out of memory");
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

static void on_revoke(void *opaque, const struct ne_kafka_tp *tps, size_t n, bool lost)
{
        struct ne_pipeline *pl = opaque;
        struct ne_diag diag;
        pl->st.rebalances++;
        if (!lost) {
                /* At-least-once across owners: finish and commit what we started before the
                 * next owner starts from the committed position. */
                drain(pl, tps, n, (long)pl->cfg->shutdown_timeout_ms);
                store_offsets(pl);
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

/* The input's last event was reported: acknowledge it unless one of its events failed. */
static void finish_input(struct ne_pipeline *pl, struct inflight *inf)
{
        struct ne_metrics *m = pl->metrics;
        if (m)
                ne_metrics_in_flight_add(m, -1);
        if (!inf->failed) {
                int r =
                    ne_offsets_ack(pl->offs, inf->topic, inf->partition, inf->epoch, inf->offset);
                if (r < 0)
                        ne_log(NE_LOG_DEBUG, "pipeline",
                               "late delivery report ignored: topic=%s partition=%d "
                               "offset=%" PRId64,
                               inf->topic, (int)inf->partition, inf->offset);
                if (inf->dead_letter)
                        pl->st.dead_lettered++;
                else
                        pl->st.enriched++;
                if (m) {
                        uint64_t now = ne_metrics_now_ns();
                        ne_metrics_observe_ns(m, NE_STAGE_PRODUCE, now - inf->produced_ns);
                        ne_metrics_observe_ns(m, NE_STAGE_END_TO_END, now - inf->consumed_ns);
                        if (inf->dead_letter)
                                ne_metrics_dead_letter(m, pl->reason_idx[inf->reason]);
                        else
                                ne_metrics_inc(m, NE_METRIC_PRODUCED);
                }
        }
        free(inf);
}

static void on_delivery(void *opaque, void *msg_opaque, int err, const char *errstr)
{
        struct ne_pipeline *pl = opaque;
        struct inflight *inf = msg_opaque;
        if (err != 0) {
                /* librdkafka retried what was retriable; this input's offset must never be
                 * stored, so stop here rather than let later acks of its partition pile up. */
                if (pl->metrics)
                        ne_metrics_inc(pl->metrics, NE_METRIC_PRODUCE_ERRORS);
                if (!inf->failed)
                        pl->st.failed++;
                inf->failed = true;
                fail(pl, -EIO,
                     "delivery failed: topic=%s partition=%d offset=%" PRId64 " dead_letter=%d: %s",
                     inf->topic, (int)inf->partition, inf->offset, inf->dead_letter, errstr);
        }
        if (--inf->pending == 0)
                finish_input(pl, inf);
}

/* ---- producing ---------------------------------------------------------------------------- */

static struct inflight *inflight_new(const struct ne_pipeline *pl, const struct job *job, bool dlq)
{
        size_t tlen = strlen(job->msg.topic);
        struct inflight *inf = malloc(sizeof(*inf) + tlen + 1);
        if (!inf)
                return NULL;
        enum ne_dlq_reason reason = job->work.res.reason;
        inf->epoch = job->epoch;
        inf->offset = job->msg.offset;
        inf->partition = job->msg.partition;
        inf->dead_letter = dlq;
        inf->failed = false;
        inf->pending = 1; /* held while producing, so no report can finish it early */
        inf->reason = (unsigned)reason < NE_DLQ__COUNT ? reason : NE_DLQ_NONE;
        inf->consumed_ns = job->consumed_ns;
        inf->produced_ns = pl->metrics ? ne_metrics_now_ns() : 0;
        memcpy(inf->topic, job->msg.topic, tlen + 1);
        return inf;
}

/* Enqueues one event of the input; on failure marks the input failed and stops. */
static int produce_one(struct ne_pipeline *pl, struct inflight *inf, const struct ne_kafka_msg *msg,
                       struct ne_produce_req *req)
{
        struct ne_diag diag;
        ne_diag_clear(&diag);
        req->carry = msg;
        req->msg_opaque = inf;
        inf->pending++;
        int r = ne_producer_produce(pl->producer, req, PRODUCE_BLOCK_MS, &diag);
        if (r < 0) {
                inf->pending--;
                inf->failed = true;
                fail(pl, r, "%s: topic=%s partition=%d offset=%" PRId64, diag.msg, msg->topic,
                     (int)msg->partition, msg->offset);
        }
        return r;
}

/* Lets go of the hold taken by inflight_new once every event is enqueued. */
static void produced_all(struct ne_pipeline *pl, struct inflight *inf)
{
        if (--inf->pending == 0)
                finish_input(pl, inf);
}

/* The enriched event and each extra event, with the input's headers (but the processor's
 * traceparent, when it made one) and `ne.schema` naming each event's schema. */
static void produce_enriched(struct ne_pipeline *pl, struct job *job)
{
        const struct ne_proc_result *res = &job->work.res;
        struct inflight *inf = inflight_new(pl, job, false);
        if (!inf) {
                fail(pl, -ENOMEM, "produce: out of memory");
                return;
        }
        const char *schema = pl->proc->ops->schema_name;
        size_t tplen = strnlen(res->traceparent, sizeof(res->traceparent));
        struct ne_kafka_header hdrs[] = {{"ne.schema", schema, strlen(schema)},
                                         {TRACEPARENT, res->traceparent, tplen}};
        struct ne_produce_req req = {
            .topic = pl->cfg->output_topic,
            .key = res->key.data,
            .key_len = res->key.len,
            .value = res->value.data,
            .value_len = res->value.len,
            .carry_skip = tplen ? TRACEPARENT : NULL,
            .headers = hdrs,
            .n_headers = tplen ? 2 : 1,
        };
        int r = produce_one(pl, inf, &job->msg, &req);
        size_t n_extra = res->n_extra < NE_PROC_MAX_EXTRA ? res->n_extra : NE_PROC_MAX_EXTRA;
        for (size_t i = 0; r == 0 && i < n_extra; i++) {
                const struct ne_proc_extra *x = &res->extra[i];
                if (!x->topic || !*x->topic) {
                        inf->failed = true; /* a processor bug: never acknowledge the input */
                        fail(pl, -EINVAL, "processor %s: extra event %zu has no topic",
                             pl->proc->ops->name, i);
                        break;
                }
                const char *xs = x->schema_name ? x->schema_name : schema;
                hdrs[0] = (struct ne_kafka_header){"ne.schema", xs, strlen(xs)};
                req.topic = x->topic;
                req.key = x->key.data;
                req.key_len = x->key.len;
                req.value = x->value.data;
                req.value_len = x->value.len;
                r = produce_one(pl, inf, &job->msg, &req);
        }
        produced_all(pl, inf);
}

/* The detail sent in ne.detail and logged: the processor's message, plus the byte offset. */
static void detail_of(const struct ne_diag *diag, char *out, size_t size)
{
        /* Codecs often name the byte in the message already; say it once. */
        if (diag->offset >= 0 && !strstr(diag->msg, "byte"))
                snprintf(out, size, "%s (at byte %ld)", diag->msg[0] ? diag->msg : "invalid",
                         diag->offset);
        else
                snprintf(out, size, "%s", diag->msg[0] ? diag->msg : "invalid");
}

static void produce_dead_letter(struct ne_pipeline *pl, struct job *job)
{
        static struct ne_log_ratelimit rl;
        const struct ne_kafka_msg *msg = &job->msg;
        const struct ne_proc_result *res = &job->work.res;
        char detail[600], part[16], off[24];
        const char *reason = ne_dlq_reason_code(res->reason);
        if (!reason)
                reason = "unknown";
        detail_of(&res->diag, detail, sizeof(detail));
        snprintf(part, sizeof(part), "%d", (int)msg->partition);
        snprintf(off, sizeof(off), "%" PRId64, msg->offset);
        struct ne_kafka_header hdrs[] = {
            {"ne.reason", reason, strlen(reason)},
            {"ne.detail", detail, strlen(detail)},
            {"ne.source.topic", msg->topic, strlen(msg->topic)},
            {"ne.source.partition", part, strlen(part)},
            {"ne.source.offset", off, strlen(off)},
        };
        /* The input goes out byte for byte, under its own key: a dead-letter consumer can
         * fix and replay it. */
        struct ne_produce_req req = {
            .topic = pl->cfg->dead_letter_topic,
            .key = msg->key,
            .key_len = msg->key_len,
            .value = msg->value,
            .value_len = msg->value_len,
            .headers = hdrs,
            .n_headers = sizeof(hdrs) / sizeof(hdrs[0]),
        };
        for (char *c = detail; *c; c++)
                if (*c == '"' || *c == '\n')
                        *c = '\'';
        ne_log_ratelimited(&rl, 10, 10, NE_LOG_WARNING, "pipeline",
                           "dead-lettered: reason=%s topic=%s partition=%d offset=%" PRId64
                           " detail=\"%s\"",
                           reason, msg->topic, (int)msg->partition, msg->offset, detail);
        struct inflight *inf = inflight_new(pl, job, true);
        if (!inf) {
                fail(pl, -ENOMEM, "produce: out of memory");
                return;
        }
        produce_one(pl, inf, msg, &req);
        produced_all(pl, inf);
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
                 * on its way. */
                pl->st.skipped++;
                ne_kafka_msg_release(msg);
                return;
        }
        if (r < 0) {
                fail(pl, r, "offset tracking: out of memory");
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
        if (ne_kafka_msg_header(&job->msg, TRACEPARENT, &tp, &tplen) < 0)
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
                produce_enriched(pl, job);
                break;
        case NE_OUTCOME_DEAD_LETTER:
                produce_dead_letter(pl, job);
                break;
        case NE_OUTCOME_RETRY:
        case NE_OUTCOME_FATAL:
        default:
                /* The input stays in flight forever, so no offset at or past it is stored. */
                fail(pl, -EPROTO,
                     "processor %s failed: topic=%s partition=%d offset=%" PRId64 " outcome=%s: %s",
                     pl->proc->ops->name, job->msg.topic, (int)job->msg.partition, job->msg.offset,
                     job->work.outcome == NE_OUTCOME_RETRY ? "retry" : "fatal", res->diag.msg);
                break;
        }
}

/* Produces finished jobs from the ring's head, in consumption order, waiting up to wait_ms
 * for the head to finish (once). Stops at the first unfinished job, or once the pipeline
 * failed: nothing after a failed input is produced. */
static void harvest(struct ne_pipeline *pl, int wait_ms)
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
        long now = now_ms();
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
                fail(pl, -ENOTRECOVERABLE, "%s", diag.msg);
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
        harvest(pl, 0);
        store_offsets(pl);
        flow_control(pl);
        if (pl->st.paused) {
                /* Nothing to fetch: finish work and wait for delivery reports instead. The
                 * consumer is still polled below so rebalances and the poll interval are
                 * served. */
                if (pl->ring_len > 0)
                        harvest(pl, timeout_ms);
                else
                        ne_producer_poll(pl->producer, timeout_ms);
                timeout_ms = 0;
        }
        for (int i = 0; i < POLL_BATCH && !pl->error; i++) {
                if (pl->ring_len == pl->ring_cap) {
                        harvest(pl, timeout_ms > 0 ? timeout_ms : 1);
                        if (pl->ring_len == pl->ring_cap)
                                break;
                }
                /* Block in the consumer only when no work is pending; else wait for the
                 * workers below. */
                int t = i == 0 && pl->ring_len == 0 ? timeout_ms : 0;
                ne_diag_clear(&diag);
                int r = ne_consumer_poll(pl->consumer, t, &msg, &diag);
                if (r < 0) {
                        fail(pl, r, "%s", diag.msg);
                        break;
                }
                if (r == 0)
                        break;
                dispatch(pl, &msg);
                harvest(pl, 0);
                if (ne_offsets_in_flight_total(pl->offs) >= pl->max_in_flight)
                        break;
        }
        if (pl->ring_len > 0)
                harvest(pl, timeout_ms);
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
        long deadline = now_ms() + (long)pl->cfg->shutdown_timeout_ms;
        /* Finish what the workers have, in order, then stop them. */
        while (!pl->error && pl->ring_len > 0 && now_ms() < deadline) {
                harvest(pl, 20);
                ne_producer_poll(pl->producer, 0);
        }
        if (pl->ring_len > 0)
                ne_log(NE_LOG_WARNING, "pipeline", "shutdown: inputs left unprocessed: %zu",
                       pl->ring_len);
        abandon_ring(pl);
        while (ne_producer_outq_len(pl->producer) > 0 && now_ms() < deadline)
                ne_producer_poll(pl->producer, 20);
        long left = deadline - now_ms();
        if (ne_producer_flush(pl->producer, left > 0 ? (int)left : 0) < 0) {
                ne_log(NE_LOG_WARNING, "pipeline", "shutdown: flush timed out: unsent=%zu",
                       ne_producer_outq_len(pl->producer));
                ne_producer_purge(pl->producer); /* their inputs stay uncommitted */
                r = -ETIMEDOUT;
        }
        check_fatal(pl);
        store_offsets(pl);
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
        struct ne_producer_cbs pcbs = {.opaque = pl, .on_delivery = on_delivery};
        r = ne_producer_new(cfg, &pcbs, &pl->producer, diag);
        if (r < 0)
                goto err_free;
        struct ne_consumer_cbs ccbs = {
            .opaque = pl, .on_assign = on_assign, .on_revoke = on_revoke};
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
