/* A librdkafka mock cluster in this process (rdkafka_mock.h), for `mock-cluster`, `demo` and
 * tests, plus two one-shot helpers that write records to and read records from any cluster
 * without a consumer group. Brokers listen on 127.0.0.1 on random ports. The mock keeps at most
 * 5 MiB or 100,000 message sets per partition: older data silently disappears. */
#ifndef NE_MOCK_H
#define NE_MOCK_H

#include <stddef.h>
#include <stdint.h>

#include "ne/diag.h"
#include "ne/kafka.h"

struct ne_mock_cluster;

/* Starts a cluster of `brokers` (1..16) brokers; it runs on librdkafka's threads until freed.
 * Returns 0 or a negative errno with diag. */
int ne_mock_cluster_new(int brokers, struct ne_mock_cluster **ret, struct ne_diag *diag);

/* Creates a topic with `partitions` partitions (replication factor 1). 0 or -EINVAL/-EIO. */
int ne_mock_cluster_create_topic(struct ne_mock_cluster *mc, const char *topic, int partitions,
                                 struct ne_diag *diag);

/* The bootstrap servers, "127.0.0.1:port,..."; borrowed, valid while the cluster lives. */
const char *ne_mock_cluster_bootstraps(const struct ne_mock_cluster *mc);

/* Makes the next `n` produce requests to the cluster fail with a non-retriable error
 * (TOPIC_AUTHORIZATION_FAILED), for testing that failed deliveries are never committed past.
 * Must be called in the process that owns the cluster. */
void ne_mock_cluster_fail_produce(struct ne_mock_cluster *mc, size_t n);

struct ne_mock_cmd; /* ne/mock_cmd.h */

/* Carries out one parsed control command (fault injection; see ne/mock_cmd.h). Returns 0, or
 * -EINVAL (unknown error name, no such broker) or -EIO (the mock refused: unknown topic or
 * partition) with diag; never aborts. Any thread; the mock applies it on its own thread. */
int ne_mock_cluster_apply(struct ne_mock_cluster *mc, const struct ne_mock_cmd *cmd,
                          struct ne_diag *diag);

/* Stops the cluster; accepts NULL. */
void ne_mock_cluster_free(struct ne_mock_cluster *mc);

/* One record for ne_kafka_write(). */
struct ne_kafka_record {
        const void *key; /* NULL: no key */
        size_t key_len;
        const void *value;
        size_t value_len;
        int32_t partition;                     /* -1: by key (librdkafka's default partitioner) */
        const struct ne_kafka_header *headers; /* may be NULL */
        size_t n_headers;
};

/* Produces `n` records to `topic` on `bootstraps` and waits until all are acknowledged or
 * timeout_ms passes. Returns 0, -ETIMEDOUT or -EIO with diag. */
int ne_kafka_write(const char *bootstraps, const char *topic, const struct ne_kafka_record *recs,
                   size_t n, int timeout_ms, struct ne_diag *diag);

/* Reads `topic` from the beginning of every partition (no consumer group) and calls `cb` for
 * each message until `want` messages were seen or timeout_ms passed. `cb` returns 0 to go on,
 * non-zero to stop. Returns the number of messages seen, or a negative errno with diag. */
int ne_kafka_read(const char *bootstraps, const char *topic, size_t want, int timeout_ms,
                  int (*cb)(void *opaque, const struct ne_kafka_msg *msg), void *opaque,
                  struct ne_diag *diag);

#endif
