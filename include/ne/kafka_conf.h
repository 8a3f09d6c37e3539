/* Validation of the `kafka.*` pass-through properties of a config against librdkafka, without
 * connecting to anything: for check-config and for `run` before it starts the pipeline. The
 * builder that returns librdkafka conf objects is in daemon/kafka/conf.h, so that librdkafka
 * types stay inside daemon/kafka/. Must not log: failures go to struct ne_diag. */
#ifndef NE_KAFKA_CONF_H
#define NE_KAFKA_CONF_H

#include "ne/config.h"
#include "ne/diag.h"

/* Builds the consumer and the producer configuration from `cfg` (each property as written,
 * `kafka.X` to both, `kafka.consumer.X` / `kafka.producer.X` to one), rejects settings that
 * contradict the properties the daemon forces (daemon/kafka/conf.h lists them), then creates
 * and destroys a client of each kind with no brokers, which runs librdkafka's checks across
 * properties (e.g. max.in.flight with idempotence, unreadable ssl.* files) and starts no
 * connection. Returns 0, -ENOMEM, or -EINVAL with diag->key the key as written in the file
 * ("kafka.producer.acks"), diag->line its line and diag->msg librdkafka's error text (values of
 * secret keys redacted); a failure that librdkafka does not tie to one property has key
 * "kafka" and line 0. Borrows cfg. Any thread; starts and joins librdkafka's threads. */
int ne_kafka_conf_check(const struct ne_config *cfg, struct ne_diag *diag);

#endif
