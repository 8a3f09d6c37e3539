/* What the librdkafka clients report about broker trouble, turned into the daemon's metrics:
 * error callbacks (brokers down, transport errors), failed offset commits, and produce
 * retries, which librdkafka performs silently and only shows in its statistics JSON. Counts and
 * logs once per event class, rate-limited; decides nothing. */
#include <cJSON.h>
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "ne/log.h"
#include "ne/metrics.h"

void ne_kafka_count_error(struct ne_metrics *m)
{
        if (m)
                ne_metrics_inc(m, NE_METRIC_KAFKA_CLIENT_ERRORS);
}

void ne_kafka_commit_result(struct ne_metrics *m, rd_kafka_resp_err_t err,
                            const rd_kafka_topic_partition_list_t *offsets)
{
        static struct ne_log_ratelimit rl;
        /* _NO_OFFSET: there was nothing new to commit, which is not a failure. */
        if (err == RD_KAFKA_RESP_ERR__NO_OFFSET)
                return;
        if (!err && offsets) {
                for (int i = 0; i < offsets->cnt && !err; i++)
                        err = offsets->elems[i].err;
        }
        if (!err)
                return;
        if (m)
                ne_metrics_inc(m, NE_METRIC_KAFKA_COMMIT_ERRORS);
        /* A failed commit costs duplicates after a restart, never a loss; the next one retries. */
        ne_log_ratelimited(&rl, 5, 10, NE_LOG_WARNING, "kafka",
                           "consumer: offset commit failed, will retry: %s",
                           rd_kafka_err2name(err));
}

/* Per partition, txmsgs counts every transmission and msgs every message produced, so their
 * difference is the messages sent again. Messages not yet sent make it smaller, never larger:
 * the caller only adds growth. (brokers[].txretries counts whole requests only, and stays 0
 * when a broker answers with a partition-level error, as it does for NOT_LEADER.) */
int ne_kafka_stats_tx_retries(const char *json, size_t len, uint64_t *ret)
{
        cJSON *doc = cJSON_ParseWithLength(json, len);
        if (!doc)
                return -EINVAL;
        uint64_t sum = 0;
        const cJSON *topics = cJSON_GetObjectItemCaseSensitive(doc, "topics");
        const cJSON *t, *p;
        cJSON_ArrayForEach(t, topics)
        {
                cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(t, "partitions"))
                {
                        const cJSON *tx = cJSON_GetObjectItemCaseSensitive(p, "txmsgs");
                        const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(p, "msgs");
                        if (cJSON_IsNumber(tx) && cJSON_IsNumber(msgs) &&
                            tx->valuedouble > msgs->valuedouble)
                                sum += (uint64_t)(tx->valuedouble - msgs->valuedouble);
                }
        }
        cJSON_Delete(doc);
        *ret = sum;
        return 0;
}
