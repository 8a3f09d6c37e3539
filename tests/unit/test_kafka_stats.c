/* Tests for daemon/kafka/client_stats.c: the produce-retry count read from librdkafka's
 * statistics JSON (per partition txmsgs - msgs, never negative), malformed documents refused
 * without touching the out-parameter, and the commit-result classification counting only real
 * failures into the metrics. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../daemon/kafka/internal.h"
#include "ne/metrics.h"

static uint64_t retries(const char *json)
{
        uint64_t n = 12345;
        cr_assert_eq(ne_kafka_stats_tx_retries(json, strlen(json), &n), 0, "%s", json);
        return n;
}

Test(kafka_stats, tx_retries)
{
        cr_assert_eq(retries("{\"topics\":{}}"), 0);
        cr_assert_eq(retries("{\"brokers\":{}}"), 0, "no topics at all");
        cr_assert_eq(retries("{\"topics\":{\"out\":{\"partitions\":{"
                             "\"0\":{\"txmsgs\":150,\"msgs\":30},"
                             "\"1\":{\"txmsgs\":300,\"msgs\":150},"
                             "\"-1\":{\"txmsgs\":0,\"msgs\":1}}},"
                             "\"dlq\":{\"partitions\":{\"0\":{\"txmsgs\":7,\"msgs\":5}}}}}"),
                     120 + 150 + 2);
        /* Messages queued but not sent yet make msgs larger: counted as 0, not negative. */
        cr_assert_eq(
            retries("{\"topics\":{\"out\":{\"partitions\":{"
                    "\"0\":{\"txmsgs\":10,\"msgs\":50},\"1\":{\"txmsgs\":4,\"msgs\":1}}}}}"),
            3);
        /* Wrong types are skipped, not trusted. */
        cr_assert_eq(retries("{\"topics\":{\"out\":{\"partitions\":{"
                             "\"0\":{\"txmsgs\":\"9\",\"msgs\":1},\"1\":[1,2]}}}}"),
                     0);
}

Test(kafka_stats, malformed)
{
        uint64_t n = 77;
        const char *bad[] = {"", "{", "{\"topics\":", "not json"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                cr_assert_eq(ne_kafka_stats_tx_retries(bad[i], strlen(bad[i]), &n), -EINVAL, "'%s'",
                             bad[i]);
                cr_assert_eq(n, 77);
        }
        /* The length bounds the parse: a valid prefix of a longer buffer. */
        const char *two = "{\"topics\":{}}garbage";
        cr_assert_eq(ne_kafka_stats_tx_retries(two, 13, &n), 0);
}

static uint64_t commit_errors(struct ne_metrics *m)
{
        struct ne_buf out = {0};
        cr_assert_eq(ne_metrics_render(m, &out), 0);
        cr_assert_eq(ne_buf_append(&out, "", 1), 0); /* a terminator for strstr */
        const char *k = "\nnewsenrichd_kafka_commit_errors_total ";
        const char *p = strstr(out.data, k);
        cr_assert_not_null(p);
        uint64_t v = strtoull(p + strlen(k), NULL, 10);
        ne_buf_release(&out);
        return v;
}

Test(kafka_stats, commit_results)
{
        struct ne_metrics *m = NULL;
        cr_assert_eq(ne_metrics_new(&(struct ne_metrics_info){0}, &m), 0);
        rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(2);
        rd_kafka_topic_partition_list_add(parts, "in", 0);
        rd_kafka_topic_partition_list_add(parts, "in", 1);

        ne_kafka_commit_result(m, RD_KAFKA_RESP_ERR_NO_ERROR, parts);
        ne_kafka_commit_result(m, RD_KAFKA_RESP_ERR__NO_OFFSET, NULL); /* nothing to commit */
        cr_assert_eq(commit_errors(m), 0);
        ne_kafka_commit_result(m, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, parts);
        cr_assert_eq(commit_errors(m), 1);
        parts->elems[1].err = RD_KAFKA_RESP_ERR_NOT_COORDINATOR; /* one partition failed */
        ne_kafka_commit_result(m, RD_KAFKA_RESP_ERR_NO_ERROR, parts);
        cr_assert_eq(commit_errors(m), 2);
        ne_kafka_commit_result(NULL, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, NULL); /* no metrics */
        ne_kafka_count_error(NULL);
        ne_kafka_count_error(m);

        rd_kafka_topic_partition_list_destroy(parts);
        ne_metrics_free(m);
}
