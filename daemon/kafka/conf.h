/* Private to daemon/kafka/: turns the `kafka.*` entries of a config into librdkafka conf
 * objects. The rest of the daemon uses include/ne/kafka_conf.h and never sees librdkafka types.
 * Must not log: failures go to struct ne_diag. */
#ifndef NE_KAFKA_CONF_PRIVATE_H
#define NE_KAFKA_CONF_PRIVATE_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>

#include "ne/config.h"
#include "ne/diag.h"

/* A property the daemon's at-least-once delivery depends on. ne_kafka_conf_build() sets it on
 * every conf of its scope before the user's properties, and rejects any user property (or alias,
 * such as request.required.acks for acks) that changes it, with that key and line. `value` NULL
 * means the property must stay at librdkafka's default (not set at all).
 *
 * Forced today:
 *  - producer enable.idempotence = true: retries neither duplicate nor reorder events.
 *  - producer acks = all: a delivery report means every in-sync replica has the event.
 *  - producer transactional.id unset: the producer does not use transactions.
 *  - consumer enable.auto.offset.store = false: an offset is stored only after the enriched
 *    event (or dead letter) for it has been delivered.
 * The kafka module adds its own callbacks and settings the user cannot express in the file
 * (dr_msg_cb, rebalance_cb, opaque...) after ne_kafka_conf_build() returns. */
struct ne_kafka_forced {
        enum ne_kafka_scope scope; /* NE_KAFKA_CONSUMER or NE_KAFKA_PRODUCER */
        const char *name;
        const char *value;
        const char *why; /* ends the error message: "... (why)" */
};

extern const struct ne_kafka_forced ne_kafka_forced[];
extern const size_t ne_kafka_forced_len;

/* Returns in *ret a new conf for `scope` (NE_KAFKA_CONSUMER or NE_KAFKA_PRODUCER; the caller
 * owns it and hands it to rd_kafka_new or destroys it) holding the forced properties, then the
 * `kafka.X` and `kafka.<scope>.X` entries of cfg in file order, then, for the producer when the
 * file does not set message.max.bytes, cfg->message_max_bytes. Returns 0, -ENOMEM, or -EINVAL
 * with diag key (as written in the file), line and librdkafka's error text (values of secret
 * keys redacted). -EINVAL without a key for scope NE_KAFKA_BOTH. Borrows cfg. */
int ne_kafka_conf_build(const struct ne_config *cfg, enum ne_kafka_scope scope,
                        rd_kafka_conf_t **ret, struct ne_diag *diag);

#endif
