/* Glue shared by the consumer, producer and mock files: librdkafka logging into ne_log, error
 * code mapping, conf helpers, and the header and message views. Decides nothing. */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "ne/log.h"

void ne_kafka_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
        /* syslog levels: librdkafka's 0..7 map onto ours, clamped to the range we know. */
        enum ne_log_level l = level <= 3 ? NE_LOG_ERR : (enum ne_log_level)(level > 7 ? 7 : level);
        ne_log(l, "kafka", "%s: %s: %s", rk ? rd_kafka_name(rk) : "-", fac, buf);
}

int ne_kafka_conf_set(rd_kafka_conf_t *conf, const char *name, const char *value,
                      struct ne_diag *diag)
{
        char errstr[256];
        if (rd_kafka_conf_set(conf, name, value, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK)
                return ne_diag_set(diag, -EINVAL, "%s=%s: %s", name, value, errstr);
        return 0;
}

bool ne_kafka_conf_user_set(const struct ne_config *cfg, enum ne_kafka_scope scope,
                            const char *name, const char **ret_value)
{
        bool found = false;
        for (size_t i = 0; i < cfg->n_kafka; i++) {
                const struct ne_config_kafka *k = &cfg->kafka[i];
                if ((k->scope == NE_KAFKA_BOTH || k->scope == scope) &&
                    strcmp(k->name, name) == 0) {
                        found = true;
                        if (ret_value)
                                *ret_value = k->value; /* the last one wins, as in librdkafka */
                }
        }
        return found;
}

int ne_kafka_err_to_errno(rd_kafka_resp_err_t err)
{
        switch (err) {
        case RD_KAFKA_RESP_ERR_NO_ERROR:
                return 0;
        case RD_KAFKA_RESP_ERR__QUEUE_FULL:
                return -ENOBUFS;
        case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
                return -EMSGSIZE;
        case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
        case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
        case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
                return -ENOENT;
        case RD_KAFKA_RESP_ERR__TIMED_OUT:
        case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
                return -ETIMEDOUT;
        case RD_KAFKA_RESP_ERR__FATAL:
                return -ENOTRECOVERABLE;
        case RD_KAFKA_RESP_ERR__INVALID_ARG:
                return -EINVAL;
        default:
                return -EIO;
        }
}

void ne_kafka_msg_wrap(struct ne_kafka_msg *msg, rd_kafka_message_t *rkm)
{
        rd_kafka_timestamp_type_t tstype;
        *msg = (struct ne_kafka_msg){
            .topic = rkm->rkt ? rd_kafka_topic_name(rkm->rkt) : "",
            .partition = rkm->partition,
            .offset = rkm->offset,
            .key = rkm->key,
            .key_len = rkm->key_len,
            .value = rkm->payload,
            .value_len = rkm->len,
            .timestamp_ms = rd_kafka_message_timestamp(rkm, &tstype),
            .priv = rkm,
        };
}

void ne_kafka_msg_release(struct ne_kafka_msg *msg)
{
        if (!msg || !msg->priv)
                return;
        rd_kafka_message_destroy(msg->priv);
        msg->priv = NULL;
}

int ne_kafka_msg_header(const struct ne_kafka_msg *msg, const char *name, const void **ret_value,
                        size_t *ret_len)
{
        rd_kafka_headers_t *hdrs;
        if (!msg->priv || rd_kafka_message_headers(msg->priv, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR)
                return -ENOENT;
        const void *v;
        size_t len;
        if (rd_kafka_header_get_last(hdrs, name, &v, &len) != RD_KAFKA_RESP_ERR_NO_ERROR)
                return -ENOENT;
        *ret_value = v;
        *ret_len = len;
        return 0;
}

size_t ne_kafka_msg_header_count(const struct ne_kafka_msg *msg)
{
        rd_kafka_headers_t *hdrs;
        if (!msg->priv || rd_kafka_message_headers(msg->priv, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR)
                return 0;
        return rd_kafka_header_cnt(hdrs);
}

rd_kafka_headers_t *ne_kafka_headers_build(const struct ne_kafka_msg *carry,
                                           const struct ne_kafka_header *extra, size_t n_extra)
{
        rd_kafka_headers_t *in = NULL;
        size_t n_in = 0;
        if (carry && carry->priv &&
            rd_kafka_message_headers(carry->priv, &in) == RD_KAFKA_RESP_ERR_NO_ERROR)
                n_in = rd_kafka_header_cnt(in);
        rd_kafka_headers_t *hdrs = rd_kafka_headers_new(n_in + n_extra);
        if (!hdrs)
                return NULL;
        for (size_t i = 0; i < n_in; i++) {
                const char *name;
                const void *v;
                size_t len;
                if (rd_kafka_header_get_all(in, i, &name, &v, &len) != RD_KAFKA_RESP_ERR_NO_ERROR)
                        break;
                /* Our own headers describe this hop; an input's ne.* (say, a dead letter fed
                 * back in) would contradict them. */
                if (strncmp(name, "ne.", 3) == 0)
                        continue;
                if (rd_kafka_header_add(hdrs, name, -1, v, (ssize_t)len) !=
                    RD_KAFKA_RESP_ERR_NO_ERROR)
                        goto err_free;
        }
        for (size_t i = 0; i < n_extra; i++)
                if (rd_kafka_header_add(hdrs, extra[i].name, -1, extra[i].value,
                                        (ssize_t)extra[i].len) != RD_KAFKA_RESP_ERR_NO_ERROR)
                        goto err_free;
        return hdrs;
err_free:
        rd_kafka_headers_destroy(hdrs);
        return NULL;
}
