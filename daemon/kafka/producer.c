/* The idempotent producer for enriched events and dead letters. enable.idempotence=true and
 * acks=all are forced (by ne_kafka_conf_build): the pipeline stores an input offset only after
 * the broker has the event for it, and idempotence keeps librdkafka's internal retries free of
 * duplicates and reordering per partition. Every produced message gets exactly one delivery
 * report, passed to the owner; a failed report is final (librdkafka already retried what was
 * retriable). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "ne/log.h"
#include "ne/metrics.h"

struct ne_producer {
        rd_kafka_t *rk;
        struct ne_producer_cbs cbs;
        bool fatal;
        uint64_t tx_retries; /* the last statistics' sum, to add only the growth */
};

static void dr_msg_cb(rd_kafka_t *rk, const rd_kafka_message_t *rkm, void *opaque)
{
        struct ne_producer *p = opaque;
        (void)rk;
        if (!p->cbs.on_delivery)
                return;
        int err = rkm->err ? ne_kafka_err_to_errno(rkm->err) : 0;
        if (rkm->err && err == 0)
                err = -EIO;
        p->cbs.on_delivery(p->cbs.opaque, rkm->_private, err,
                           rkm->err ? rd_kafka_err2str(rkm->err) : "");
}

static void error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
        struct ne_producer *p = opaque;
        static struct ne_log_ratelimit rl;
        (void)rk;
        if (err == RD_KAFKA_RESP_ERR__FATAL) {
                p->fatal = true;
                return; /* the owner asks ne_producer_is_fatal and reports the real cause */
        }
        ne_kafka_count_error(p->cbs.metrics);
        ne_log_ratelimited(&rl, 5, 10, NE_LOG_WARNING, "kafka", "producer: %s: %s",
                           rd_kafka_err2name(err), reason);
}

/* Served by rd_kafka_poll on the owner's thread; returns 0 so librdkafka frees the JSON. */
static int stats_cb(rd_kafka_t *rk, char *json, size_t len, void *opaque)
{
        struct ne_producer *p = opaque;
        uint64_t sum;
        (void)rk;
        if (p->cbs.metrics && ne_kafka_stats_tx_retries(json, len, &sum) == 0 &&
            sum > p->tx_retries) {
                ne_metrics_add(p->cbs.metrics, NE_METRIC_KAFKA_PRODUCE_RETRIES,
                               sum - p->tx_retries);
                p->tx_retries = sum;
        }
        return 0;
}

int ne_producer_new(const struct ne_config *cfg, const struct ne_producer_cbs *cbs,
                    struct ne_producer **ret, struct ne_diag *diag)
{
        char errstr[512];
        rd_kafka_conf_t *conf = NULL;
        int r;
        struct ne_producer *p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        if (cbs)
                p->cbs = *cbs;
        r = ne_kafka_conf_build(cfg, NE_KAFKA_PRODUCER, &conf, diag);
        if (r < 0)
                goto err_free;
        /* enable.idempotence=true and acks=all are forced by ne_kafka_conf_build(), which
         * rejects a config that tries otherwise (daemon/kafka/conf.h). */
        if (!ne_kafka_conf_user_set(cfg, NE_KAFKA_PRODUCER, "client.id", NULL))
                r = ne_kafka_conf_set(conf, "client.id", "newsenrichd-producer", diag);
        if (r < 0)
                goto err_conf;
        /* Batching defaults, unless the user sets them. tests/bench/throughput.sh (pass-through
         * rows with COMPARE_PRODUCER=1) saw no difference beyond its noise between linger.ms 0,
         * 5 and 20 or between lz4 and none, in articles/s or in CPU per article (0.042-0.054
         * ms), against the mock cluster; so linger.ms is pinned at librdkafka's current 5 ms
         * (older versions used 0.5 ms), far below the 50 ms latency budget, and lz4 is on
         * because article text compresses well at a CPU cost the benchmark could not see. */
        static const char *const defaults[][2] = {{"linger.ms", "5"}, {"compression.type", "lz4"}};
        for (size_t i = 0; r == 0 && i < sizeof(defaults) / sizeof(defaults[0]); i++)
                if (!ne_kafka_conf_user_set(cfg, NE_KAFKA_PRODUCER, defaults[i][0], NULL))
                        r = ne_kafka_conf_set(conf, defaults[i][0], defaults[i][1], diag);
        if (r < 0)
                goto err_conf;
        if (r == 0 && p->cbs.metrics &&
            !ne_kafka_conf_user_set(cfg, NE_KAFKA_PRODUCER, "statistics.interval.ms", NULL))
                r = ne_kafka_conf_set(conf, "statistics.interval.ms", "1000", diag);
        if (r < 0)
                goto err_conf;
        if (p->cbs.metrics)
                rd_kafka_conf_set_stats_cb(conf, stats_cb);
        rd_kafka_conf_set_opaque(conf, p);
        rd_kafka_conf_set_dr_msg_cb(conf, dr_msg_cb);
        rd_kafka_conf_set_error_cb(conf, error_cb);
        rd_kafka_conf_set_log_cb(conf, ne_kafka_log_cb);
        p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!p->rk) {
                r = ne_diag_set(diag, -EINVAL, "producer: %s", errstr);
                goto err_conf;
        }
        *ret = p;
        return 0;
err_conf:
        rd_kafka_conf_destroy(conf);
err_free:
        free(p);
        return r;
}

static long now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int ne_producer_produce(struct ne_producer *p, const struct ne_produce_req *req, int block_ms,
                        struct ne_diag *diag)
{
        if (p->fatal) {
                ne_producer_is_fatal(p, diag);
                return -ENOTRECOVERABLE;
        }
        rd_kafka_headers_t *hdrs =
            ne_kafka_headers_build(req->carry, req->carry_skip, req->headers, req->n_headers);
        if (!hdrs)
                return -ENOMEM;
        rd_kafka_vu_t vus[] = {
            {.vtype = RD_KAFKA_VTYPE_TOPIC, .u.cstr = req->topic},
            {.vtype = RD_KAFKA_VTYPE_KEY, .u.mem = {(void *)req->key, req->key_len}},
            {.vtype = RD_KAFKA_VTYPE_VALUE, .u.mem = {(void *)req->value, req->value_len}},
            {.vtype = RD_KAFKA_VTYPE_MSGFLAGS, .u.i = RD_KAFKA_MSG_F_COPY},
            {.vtype = RD_KAFKA_VTYPE_HEADERS, .u.headers = hdrs},
            {.vtype = RD_KAFKA_VTYPE_OPAQUE, .u.ptr = req->msg_opaque},
        };
        long deadline = now_ms() + (block_ms > 0 ? block_ms : 0);
        for (;;) {
                rd_kafka_error_t *error =
                    rd_kafka_produceva(p->rk, vus, sizeof(vus) / sizeof(vus[0]));
                if (!error)
                        return 0; /* the headers now belong to the message */
                rd_kafka_resp_err_t err = rd_kafka_error_code(error);
                /* librdkafka's own classification; a full local queue counts as retriable. */
                bool retriable =
                    rd_kafka_error_is_retriable(error) || err == RD_KAFKA_RESP_ERR__QUEUE_FULL;
                bool fatal = rd_kafka_error_is_fatal(error);
                int r = fatal ? -ENOTRECOVERABLE : ne_kafka_err_to_errno(err);
                ne_diag_set(diag, r, "produce to %s: %s", req->topic, rd_kafka_error_string(error));
                rd_kafka_error_destroy(error);
                /* A full local queue drains as delivery reports are served: serve them and try
                 * again until the budget is spent. Errors after enqueueing are retried inside
                 * librdkafka and arrive as one final delivery report. */
                if (!retriable || fatal || now_ms() >= deadline) {
                        rd_kafka_headers_destroy(hdrs);
                        return r;
                }
                rd_kafka_poll(p->rk, 50);
        }
}

int ne_producer_poll(struct ne_producer *p, int timeout_ms)
{
        return rd_kafka_poll(p->rk, timeout_ms);
}

int ne_producer_flush(struct ne_producer *p, int timeout_ms)
{
        return rd_kafka_flush(p->rk, timeout_ms) ? -ETIMEDOUT : 0;
}

void ne_producer_purge(struct ne_producer *p)
{
        rd_kafka_purge(p->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        /* Purged messages report through the normal delivery path: serve them all. */
        for (int i = 0; i < 50 && rd_kafka_outq_len(p->rk) > 0; i++)
                rd_kafka_poll(p->rk, 100);
        rd_kafka_poll(p->rk, 0);
}

size_t ne_producer_outq_len(struct ne_producer *p)
{
        int n = rd_kafka_outq_len(p->rk);
        return n > 0 ? (size_t)n : 0;
}

bool ne_producer_is_fatal(struct ne_producer *p, struct ne_diag *diag)
{
        char errstr[512];
        rd_kafka_resp_err_t err = rd_kafka_fatal_error(p->rk, errstr, sizeof(errstr));
        if (!err)
                return false;
        p->fatal = true;
        ne_diag_set(diag, -ENOTRECOVERABLE, "producer fatal error: %s: %s", rd_kafka_err2name(err),
                    errstr);
        return true;
}

void ne_producer_free(struct ne_producer *p)
{
        if (!p)
                return;
        if (p->rk)
                rd_kafka_destroy(p->rk);
        free(p);
}
