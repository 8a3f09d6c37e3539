/* TEMPORARY (kafka branch only): the declaration the config helper's daemon/kafka/conf.h
 * provides. Deleted before the branch is handed over; code includes "conf.h" then. */
#ifndef NE_KAFKA_CONF_TMP_H
#define NE_KAFKA_CONF_TMP_H

#include <librdkafka/rdkafka.h>

#include "ne/config.h"
#include "ne/diag.h"

int ne_kafka_conf_build(const struct ne_config *cfg, enum ne_kafka_scope scope,
                        rd_kafka_conf_t **ret, struct ne_diag *diag);

#endif
