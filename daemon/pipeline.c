/* The data path: consume -> process -> produce -> (delivery report) -> ack offset -> store ->
 * commit. Decides what happens to each input (enriched event or dead letter), keeps the
 * at-least-once promise through ne_offsets (stored positions never pass an input whose event
 * is not acknowledged), applies back-pressure by pausing the consumer, drains before giving up
 * partitions, and logs decisions. It holds no Kafka types: the Kafka layer calls back into it
 * through the callback structs it passes down. Processing is one call per message on a
 * per-thread processor context, so a worker pool can take it over later. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ne/kafka.h"
#include "ne/log.h"
#include "ne/offsets.h"
#include "ne/pipeline.h"

/* How long a produce call may wait for room in librdkafka's local queue. */
#define PRODUCE_BLOCK_MS 30000
/* Messages taken per ne_pipeline_poll before delivery reports are served again. */
#define POLL_BATCH 64
/* Attempts for a processor outcome of RETRY before the pipeline gives up. */
#define PROCESS_ATTEMPTS 4

/* What a delivery report must find again: the input it stands for. */
struct inflight {
        uint64_t epoch;
        int64_t offset;
        int32_t partition;
        bool dead_letter;
        enum ne_dlq_reason reason; /* dead letters: for the per-reason counter */
        uint64_t consumed_ns;      /* for the end-to-end and produce stage timings */
        uint64_t produced_ns;
        char topic[];
};

struct ne_pipeline {
        const struct ne_config *cfg;
        const struct ne_processor *proc;
        void *ctx;
        struct ne_pipeline_hooks hooks;
        struct ne_consumer *consumer;
        struct ne_producer *producer;
        struct ne_offsets *offs;
        struct ne_proc_result res;
        struct ne_pipeline_stats st;
        struct ne_metrics *metrics;       /* optional */
        size_t reason_idx[NE_DLQ__COUNT]; /* dead-letter reason -> metrics label index */
        unsigned int n_assigned;
        uint64_t consumed_ns; /* when the message being handled was taken */
        int error;            /* first error that stopped the pipeline; 0 while healthy */
        bool closed;
        size_t max_in_flight;
        size_t resume_at;
        long next_tick_ms;
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

/* Serves delivery reports until the given partitions have nothing in flight, the budget runs
 * out, or the pipeline failed (a failed input never drains). */
static void drain(struct ne_pipeline *pl, const struct ne_kafka_tp *tps, size_t n, long budget_ms)
{
        long deadline = now_ms() + budget_ms;
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

static void count_delivery(struct ne_pipeline *pl, const struct inflight *inf, bool ok)
{
        struct ne_metrics *m = pl->metrics;
        if (!m)
                return;
        ne_metrics_in_flight_add(m, -1);
        if (!ok) {
                ne_metrics_inc(m, NE_METRIC_PRODUCE_ERRORS);
                return;
        }
        uint64_t now = ne_metrics_now_ns();
        ne_metrics_observe_ns(m, NE_STAGE_PRODUCE, now - inf->produced_ns);
        ne_metrics_observe_ns(m, NE_STAGE_END_TO_END, now - inf->consumed_ns);
        if (inf->dead_letter)
                ne_metrics_dead_letter(m, pl->reason_idx[inf->reason]);
        else
                ne_metrics_inc(m, NE_METRIC_PRODUCED);
}

static void on_delivery(void *opaque, void *msg_opaque, int err, const char *errstr)
{
        struct ne_pipeline *pl = opaque;
        struct inflight *inf = msg_opaque;
        count_delivery(pl, inf, err == 0);
        if (err == 0) {
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
        } else {
                /* librdkafka retried what was retriable; this input's offset must never be
                 * stored, so stop here rather than let later acks of its partition pile up. */
                pl->st.failed++;
                fail(pl, -EIO,
                     "delivery failed: topic=%s partition=%d offset=%" PRId64 " dead_letter=%d: %s",
                     inf->topic, (int)inf->partition, inf->offset, inf->dead_letter, errstr);
        }
        free(inf);
}

/* ---- producing ---------------------------------------------------------------------------- */

static struct inflight *inflight_new(const struct ne_pipeline *pl, const struct ne_kafka_msg *msg,
                                     uint64_t epoch, bool dlq)
{
        size_t tlen = strlen(msg->topic);
        struct inflight *inf = malloc(sizeof(*inf) + tlen + 1);
        if (!inf)
                return NULL;
        inf->epoch = epoch;
        inf->offset = msg->offset;
        inf->partition = msg->partition;
        inf->dead_letter = dlq;
        inf->reason = (unsigned)pl->res.reason < NE_DLQ__COUNT ? pl->res.reason : NE_DLQ_NONE;
        inf->consumed_ns = pl->consumed_ns;
        inf->produced_ns = pl->metrics ? ne_metrics_now_ns() : 0;
        memcpy(inf->topic, msg->topic, tlen + 1);
        return inf;
}

static void produce(struct ne_pipeline *pl, const struct ne_kafka_msg *msg, uint64_t epoch,
                    bool dlq, struct ne_produce_req *req)
{
        struct ne_diag diag;
        ne_diag_clear(&diag);
        req->carry = msg;
        req->msg_opaque = inflight_new(pl, msg, epoch, dlq);
        if (!req->msg_opaque) {
                fail(pl, -ENOMEM, "produce: out of memory");
                return;
        }
        int r = ne_producer_produce(pl->producer, req, PRODUCE_BLOCK_MS, &diag);
        if (r < 0) {
                free(req->msg_opaque);
                fail(pl, r, "%s: topic=%s partition=%d offset=%" PRId64, diag.msg, msg->topic,
                     (int)msg->partition, msg->offset);
        }
}

static void produce_enriched(struct ne_pipeline *pl, const struct ne_kafka_msg *msg, uint64_t epoch)
{
        const char *schema = pl->proc->ops->schema_name;
        struct ne_kafka_header hdrs[] = {{"ne.schema", schema, strlen(schema)}};
        struct ne_produce_req req = {
            .topic = pl->cfg->output_topic,
            .key = pl->res.key.data,
            .key_len = pl->res.key.len,
            .value = pl->res.value.data,
            .value_len = pl->res.value.len,
            .headers = hdrs,
            .n_headers = 1,
        };
        produce(pl, msg, epoch, false, &req);
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

static void produce_dead_letter(struct ne_pipeline *pl, const struct ne_kafka_msg *msg,
                                uint64_t epoch)
{
        static struct ne_log_ratelimit rl;
        char detail[600], part[16], off[24];
        const char *reason = ne_dlq_reason_code(pl->res.reason);
        if (!reason)
                reason = "unknown";
        detail_of(&pl->res.diag, detail, sizeof(detail));
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
        produce(pl, msg, epoch, true, &req);
}

/* ---- processing --------------------------------------------------------------------------- */

static enum ne_outcome process(struct ne_pipeline *pl, const struct ne_kafka_msg *msg)
{
        struct ne_proc_input in = {
            .topic = msg->topic,
            .partition = msg->partition,
            .offset = msg->offset,
            .key = msg->key,
            .key_len = msg->key_len,
            .value = msg->value,
            .value_len = msg->value_len,
        };
        enum ne_outcome out = NE_OUTCOME_FATAL;
        for (int attempt = 0; attempt < PROCESS_ATTEMPTS; attempt++) {
                if (attempt > 0)
                        ne_producer_poll(pl->producer, 100 << attempt); /* back off, serve DRs */
                ne_diag_clear(&pl->res.diag);
                pl->res.reason = NE_DLQ_NONE;
                pl->res.decode_ns = pl->res.enrich_ns = pl->res.encode_ns = 0;
                out = pl->proc->ops->process(pl->ctx, &in, &pl->res);
                if (out != NE_OUTCOME_RETRY)
                        break;
        }
        return out;
}

static void handle(struct ne_pipeline *pl, const struct ne_kafka_msg *msg)
{
        uint64_t epoch;
        int r = ne_offsets_track(pl->offs, msg->topic, msg->partition, msg->offset, &epoch);
        if (r == -EINVAL) {
                /* At or below an offset already taken on this assignment: its event is made or
                 * on its way. */
                pl->st.skipped++;
                return;
        }
        if (r < 0) {
                fail(pl, r, "offset tracking: out of memory");
                return;
        }
        pl->st.consumed++;
        struct ne_metrics *m = pl->metrics;
        if (m) {
                pl->consumed_ns = ne_metrics_now_ns();
                ne_metrics_inc(m, NE_METRIC_CONSUMED);
                ne_metrics_in_flight_add(m, 1);
        }
        enum ne_outcome out = process(pl, msg);
        if (m) {
                if (pl->res.decode_ns)
                        ne_metrics_observe_ns(m, NE_STAGE_DECODE, pl->res.decode_ns);
                if (pl->res.enrich_ns)
                        ne_metrics_observe_ns(m, NE_STAGE_ENRICH, pl->res.enrich_ns);
                if (pl->res.encode_ns)
                        ne_metrics_observe_ns(m, NE_STAGE_ENCODE, pl->res.encode_ns);
        }
        switch (out) {
        case NE_OUTCOME_OK:
                produce_enriched(pl, msg, epoch);
                break;
        case NE_OUTCOME_DEAD_LETTER:
                produce_dead_letter(pl, msg, epoch);
                break;
        case NE_OUTCOME_RETRY:
        case NE_OUTCOME_FATAL:
        default:
                /* The input stays in flight forever, so no offset at or past it is stored. */
                fail(pl, -EPROTO,
                     "processor %s failed: topic=%s partition=%d offset=%" PRId64 " outcome=%s: %s",
                     pl->proc->ops->name, msg->topic, (int)msg->partition, msg->offset,
                     out == NE_OUTCOME_RETRY ? "retry" : "fatal", pl->res.diag.msg);
                break;
        }
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
        /* -E2BIG past the partition bound only loses that series: nothing to decide here. */
        (void)ne_metrics_lag_set(opaque, topic, partition, lag);
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
        if (now >= pl->next_tick_ms) {
                pl->next_tick_ms = now + 1000;
                if (pl->metrics)
                        ne_consumer_lag(pl->consumer, set_lag, pl->metrics);
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
        store_offsets(pl);
        flow_control(pl);
        if (pl->st.paused) {
                /* Nothing to fetch: wait for delivery reports instead. The consumer is still
                 * polled below so rebalances and the poll interval are served. */
                ne_producer_poll(pl->producer, timeout_ms);
                timeout_ms = 0;
        }
        for (int i = 0; i < POLL_BATCH && !pl->error; i++) {
                ne_diag_clear(&diag);
                int r = ne_consumer_poll(pl->consumer, i == 0 ? timeout_ms : 0, &msg, &diag);
                if (r < 0) {
                        fail(pl, r, "%s", diag.msg);
                        break;
                }
                if (r == 0)
                        break;
                handle(pl, &msg);
                ne_kafka_msg_release(&msg);
                if (ne_offsets_in_flight_total(pl->offs) >= pl->max_in_flight)
                        break;
        }
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
        int r = ne_offsets_new(&pl->offs);
        if (r < 0)
                goto err_free;
        r = proc->ops->ctx_new(proc->shared, &pl->ctx);
        if (r < 0) {
                ne_diag_set(diag, r, "processor %s: context: %s", proc->ops->name, strerror(-r));
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
        /* Consumer first: its close may call on_revoke, which uses the producer. */
        ne_consumer_free(pl->consumer);
        if (pl->producer) {
                ne_producer_purge(pl->producer); /* frees the inflight records via reports */
                ne_producer_free(pl->producer);
        }
        if (pl->ctx)
                pl->proc->ops->ctx_free(pl->ctx);
        ne_offsets_free(pl->offs);
        ne_proc_result_release(&pl->res);
        free(pl);
}
