/* Producing what a processed input asks for - its enriched event and the processor's extra
 * events, or a dead letter carrying the input byte for byte - and the delivery reports that
 * acknowledge the input once its last event is in. An input with a failed event is never
 * acknowledged, so no offset at or past it is ever stored. Part of the pipeline (see
 * pipeline.c); runs on the polling thread. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ne/log.h"
#include "pipeline_internal.h"

/* How long a produce call may wait for room in librdkafka's local queue. */
#define PRODUCE_BLOCK_MS 30000

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

void ne_pl_on_delivery(void *opaque, void *msg_opaque, int err, const char *errstr)
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
                ne_pl_fail(pl, -EIO,
                     "delivery failed: topic=%s partition=%d offset=%" PRId64 " dead_letter=%d: %s",
                     inf->topic, (int)inf->partition, inf->offset, inf->dead_letter, errstr);
        }
        if (--inf->pending == 0)
                finish_input(pl, inf);
}

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
                ne_pl_fail(pl, r, "%s: topic=%s partition=%d offset=%" PRId64, diag.msg, msg->topic,
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
void ne_pl_produce_enriched(struct ne_pipeline *pl, struct job *job)
{
        const struct ne_proc_result *res = &job->work.res;
        struct inflight *inf = inflight_new(pl, job, false);
        if (!inf) {
                ne_pl_fail(pl, -ENOMEM, "produce: out of memory");
                return;
        }
        const char *schema = pl->proc->ops->schema_name;
        size_t tplen = strnlen(res->traceparent, sizeof(res->traceparent));
        struct ne_kafka_header hdrs[] = {{"ne.schema", schema, strlen(schema)},
                                         {NE_PL_TRACEPARENT, res->traceparent, tplen}};
        struct ne_produce_req req = {
            .topic = pl->cfg->output_topic,
            .key = res->key.data,
            .key_len = res->key.len,
            .value = res->value.data,
            .value_len = res->value.len,
            .carry_skip = tplen ? NE_PL_TRACEPARENT : NULL,
            .headers = hdrs,
            .n_headers = tplen ? 2 : 1,
        };
        int r = produce_one(pl, inf, &job->msg, &req);
        size_t n_extra = res->n_extra < NE_PROC_MAX_EXTRA ? res->n_extra : NE_PROC_MAX_EXTRA;
        for (size_t i = 0; r == 0 && i < n_extra; i++) {
                const struct ne_proc_extra *x = &res->extra[i];
                if (!x->topic || !*x->topic) {
                        inf->failed = true; /* a processor bug: never acknowledge the input */
                        ne_pl_fail(pl, -EINVAL, "processor %s: extra event %zu has no topic",
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

void ne_pl_produce_dead_letter(struct ne_pipeline *pl, struct job *job)
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
                ne_pl_fail(pl, -ENOMEM, "produce: out of memory");
                return;
        }
        produce_one(pl, inf, msg, &req);
        produced_all(pl, inf);
}

