/* Helpers shared by the files of daemon/kafka/ and nothing else: the only place outside
 * librdkafka itself where rd_kafka types meet ours. */
#ifndef NE_KAFKA_INTERNAL_H
#define NE_KAFKA_INTERNAL_H

#include <stdbool.h>

#include <librdkafka/rdkafka.h>

#include "conf.h"
#include "ne/config.h"
#include "ne/diag.h"
#include "ne/kafka.h"

/* Routes librdkafka's log lines through ne_log (module "kafka"). */
void ne_kafka_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf);

/* Sets one property; on failure fills diag and returns -EINVAL. */
int ne_kafka_conf_set(rd_kafka_conf_t *conf, const char *name, const char *value,
                      struct ne_diag *diag);

/* True when the config file sets librdkafka property `name` for `scope` (directly or via
 * plain kafka.X). */
bool ne_kafka_conf_user_set(const struct ne_config *cfg, enum ne_kafka_scope scope,
                            const char *name, const char **ret_value);

/* A librdkafka error code as a negative errno, for our return values. */
int ne_kafka_err_to_errno(rd_kafka_resp_err_t err);

/* Fills *msg as a view of rkm, which it takes ownership of (released with the view). */
void ne_kafka_msg_wrap(struct ne_kafka_msg *msg, rd_kafka_message_t *rkm);

/* A new header list: the carried input's headers except ne.* and `skip` (a header name, or
 * NULL), then `extra`. NULL on ENOMEM. */
rd_kafka_headers_t *ne_kafka_headers_build(const struct ne_kafka_msg *carry, const char *skip,
                                           const struct ne_kafka_header *extra, size_t n_extra);

struct ne_metrics;

/* daemon/kafka/client_stats.c. Counts one librdkafka error callback; `m` may be NULL. */
void ne_kafka_count_error(struct ne_metrics *m);

/* An offset commit's result (offset_commit_cb): counts and logs (rate-limited) a failure of
 * the request or of any partition in `offsets` (may be NULL); "nothing to commit" is none. */
void ne_kafka_commit_result(struct ne_metrics *m, rd_kafka_resp_err_t err,
                            const rd_kafka_topic_partition_list_t *offsets);

/* Messages transmitted more than once so far, from a librdkafka statistics document (per
 * partition txmsgs - msgs, summed). 0 or -EINVAL. */
int ne_kafka_stats_tx_retries(const char *json, size_t len, uint64_t *ret);

#endif
