/* TEMPORARY (kafka branch only): minimal stand-in for the config helper's conf.c. */
#include <errno.h>

#include "conf_tmp.h"

int ne_kafka_conf_build(const struct ne_config *cfg, enum ne_kafka_scope scope,
                        rd_kafka_conf_t **ret, struct ne_diag *diag)
{
        char errstr[512];
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        if (!conf)
                return -ENOMEM;
        for (size_t i = 0; i < cfg->n_kafka; i++) {
                const struct ne_config_kafka *k = &cfg->kafka[i];
                if (k->scope != NE_KAFKA_BOTH && k->scope != scope)
                        continue;
                if (rd_kafka_conf_set(conf, k->name, k->value, errstr, sizeof(errstr)) !=
                    RD_KAFKA_CONF_OK) {
                        rd_kafka_conf_destroy(conf);
                        return ne_diag_set(diag, -EINVAL, "kafka.%s: %s", k->name, errstr);
                }
        }
        *ret = conf;
        return 0;
}
