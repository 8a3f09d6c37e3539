/* The in-process librdkafka mock cluster, and one-shot write/read helpers used by `demo`, the
 * `mock-cluster` command and tests. The mock runs on librdkafka's own threads; this file only
 * starts, configures and stops it. The helpers use no consumer group, so they never wait for a
 * group join. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "internal.h"

#include <librdkafka/rdkafka_mock.h> /* after rdkafka.h, which internal.h includes */

#include "ne/mock.h"
#include "ne/mock_cmd.h"

struct ne_mock_cluster {
        rd_kafka_t *rk; /* the handle that owns the cluster; never used to produce */
        rd_kafka_mock_cluster_t *mcluster;
        int brokers; /* ids 1..brokers */
};

static rd_kafka_conf_t *quiet_conf(void)
{
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        if (conf)
                rd_kafka_conf_set_log_cb(conf, ne_kafka_log_cb);
        return conf;
}

int ne_mock_cluster_new(int brokers, struct ne_mock_cluster **ret, struct ne_diag *diag)
{
        char errstr[512];
        if (brokers < 1 || brokers > 16)
                return ne_diag_set(diag, -EINVAL, "brokers must be 1..16, not %d", brokers);
        struct ne_mock_cluster *mc = calloc(1, sizeof(*mc));
        rd_kafka_conf_t *conf = quiet_conf();
        /* The owning handle never connects anywhere: silence its "no bootstrap.servers". */
        if (conf)
                rd_kafka_conf_set(conf, "log_level", "4", NULL, 0);
        if (!mc || !conf) {
                free(mc);
                if (conf)
                        rd_kafka_conf_destroy(conf);
                return -ENOMEM;
        }
        mc->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!mc->rk) {
                rd_kafka_conf_destroy(conf);
                free(mc);
                return ne_diag_set(diag, -EIO, "mock cluster handle: %s", errstr);
        }
        mc->mcluster = rd_kafka_mock_cluster_new(mc->rk, brokers);
        if (!mc->mcluster) {
                rd_kafka_destroy(mc->rk);
                free(mc);
                return ne_diag_set(diag, -EIO, "mock cluster could not start");
        }
        mc->brokers = brokers;
        *ret = mc;
        return 0;
}

int ne_mock_cluster_create_topic(struct ne_mock_cluster *mc, const char *topic, int partitions,
                                 struct ne_diag *diag)
{
        if (partitions < 1 || partitions > 1000)
                return ne_diag_set(diag, -EINVAL, "%s: partitions must be 1..1000", topic);
        rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mc->mcluster, topic, partitions, 1);
        if (err)
                return ne_diag_set(diag, -EIO, "create topic %s: %s", topic, rd_kafka_err2str(err));
        return 0;
}

const char *ne_mock_cluster_bootstraps(const struct ne_mock_cluster *mc)
{
        return rd_kafka_mock_cluster_bootstraps(mc->mcluster);
}

void ne_mock_cluster_fail_produce(struct ne_mock_cluster *mc, size_t n)
{
        for (size_t i = 0; i < n; i++)
                rd_kafka_mock_push_request_errors(mc->mcluster, 0 /* Produce */, 1,
                                                  RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
}

/* A librdkafka error name ("NOT_LEADER_OR_FOLLOWER", with or without "ERR_" or
 * "RD_KAFKA_RESP_ERR_") or number; internal (negative, client-side) codes are refused, since a
 * broker never sends them. */
static int resolve_error(const char *name, rd_kafka_resp_err_t *ret, struct ne_diag *diag)
{
        const struct rd_kafka_err_desc *descs;
        size_t n;
        char *end;
        long v = strtol(name, &end, 10);
        if (*name && !*end) {
                if (v < 0 || v > 1000)
                        return ne_diag_set(diag, -EINVAL, "error code %ld is not a broker error",
                                           v);
                *ret = (rd_kafka_resp_err_t)v;
                return 0;
        }
        if (strncasecmp(name, "RD_KAFKA_RESP_", 14) == 0)
                name += 14;
        if (strncasecmp(name, "ERR_", 4) == 0)
                name += 4;
        /* Kafka renamed error 6 in KIP-392; librdkafka 2.0 still knows only the old name. */
        if (strcasecmp(name, "NOT_LEADER_OR_FOLLOWER") == 0)
                name = "NOT_LEADER_FOR_PARTITION";
        rd_kafka_get_err_descs(&descs, &n);
        for (size_t i = 0; i < n; i++)
                if (descs[i].name && descs[i].code >= 0 && strcasecmp(descs[i].name, name) == 0) {
                        *ret = descs[i].code;
                        return 0;
                }
        return ne_diag_set(diag, -EINVAL, "unknown broker error '%s'", name);
}

static int check_broker(const struct ne_mock_cluster *mc, int32_t broker, struct ne_diag *diag)
{
        if (broker < 1 || broker > mc->brokers)
                return ne_diag_set(diag, -EINVAL, "no broker %d (brokers are 1..%d)", (int)broker,
                                   mc->brokers);
        return 0;
}

int ne_mock_cluster_apply(struct ne_mock_cluster *mc, const struct ne_mock_cmd *cmd,
                          struct ne_diag *diag)
{
        rd_kafka_mock_cluster_t *m = mc->mcluster;
        rd_kafka_resp_err_t code = RD_KAFKA_RESP_ERR_NO_ERROR, err = RD_KAFKA_RESP_ERR_NO_ERROR;
        int r;
        switch (cmd->kind) {
        case NE_MOCK_CMD_PING:
                return 0;
        case NE_MOCK_CMD_REQUEST_ERRORS:
                if ((r = resolve_error(cmd->error, &code, diag)) < 0)
                        return r;
                for (int i = 0; i < cmd->count; i++)
                        rd_kafka_mock_push_request_errors(m, cmd->api, 1, code);
                return 0;
        case NE_MOCK_CMD_BROKER_ERRORS:
                if ((r = check_broker(mc, cmd->broker, diag)) < 0 ||
                    (r = resolve_error(cmd->error, &code, diag)) < 0)
                        return r;
                for (int i = 0; i < cmd->count && !err; i++)
                        err = rd_kafka_mock_broker_push_request_error_rtts(m, cmd->broker, cmd->api,
                                                                           1, code, cmd->rtt_ms);
                break;
        case NE_MOCK_CMD_CLEAR_ERRORS:
                rd_kafka_mock_clear_request_errors(m, cmd->api);
                return 0;
        case NE_MOCK_CMD_BROKER_DOWN:
        case NE_MOCK_CMD_BROKER_UP:
        case NE_MOCK_CMD_RTT:
                if ((r = check_broker(mc, cmd->broker, diag)) < 0)
                        return r;
                if (cmd->kind == NE_MOCK_CMD_BROKER_DOWN)
                        err = rd_kafka_mock_broker_set_down(m, cmd->broker);
                else if (cmd->kind == NE_MOCK_CMD_BROKER_UP)
                        err = rd_kafka_mock_broker_set_up(m, cmd->broker);
                else
                        err = rd_kafka_mock_broker_set_rtt(m, cmd->broker, cmd->rtt_ms);
                break;
        case NE_MOCK_CMD_LEADER:
                if (cmd->broker != -1 && (r = check_broker(mc, cmd->broker, diag)) < 0)
                        return r;
                err = rd_kafka_mock_partition_set_leader(m, cmd->name, cmd->partition, cmd->broker);
                break;
        case NE_MOCK_CMD_COORDINATOR:
                if ((r = check_broker(mc, cmd->broker, diag)) < 0)
                        return r;
                err = rd_kafka_mock_coordinator_set(m, cmd->coord_type, cmd->name, cmd->broker);
                break;
        case NE_MOCK_CMD_TOPIC_ERROR:
                if ((r = resolve_error(cmd->error, &code, diag)) < 0)
                        return r;
                rd_kafka_mock_topic_set_error(m, cmd->name, code);
                return 0;
        default:
                return ne_diag_set(diag, -EINVAL, "unknown command kind %d", (int)cmd->kind);
        }
        if (err)
                return ne_diag_set(diag, -EIO, "%s", rd_kafka_err2str(err));
        return 0;
}

void ne_mock_cluster_free(struct ne_mock_cluster *mc)
{
        if (!mc)
                return;
        if (mc->mcluster)
                rd_kafka_mock_cluster_destroy(mc->mcluster);
        if (mc->rk)
                rd_kafka_destroy(mc->rk);
        free(mc);
}

static long now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void write_dr(rd_kafka_t *rk, const rd_kafka_message_t *rkm, void *opaque)
{
        int *failed = opaque;
        (void)rk;
        if (rkm->err)
                (*failed)++;
}

static rd_kafka_t *client(rd_kafka_type_t type, const char *bootstraps, struct ne_diag *diag,
                          void *opaque)
{
        char errstr[512];
        rd_kafka_conf_t *conf = quiet_conf();
        if (!conf)
                return NULL;
        /* librdkafka 2.0 wants a group.id even for assign(); a private one that never commits
         * and never joins leaves real groups alone. */
        static unsigned int seq;
        char group[64];
        snprintf(group, sizeof(group), "newsenrichd-reader-%ld-%u", (long)getpid(), ++seq);
        if (ne_kafka_conf_set(conf, "bootstrap.servers", bootstraps, diag) < 0 ||
            (type == RD_KAFKA_CONSUMER &&
             (ne_kafka_conf_set(conf, "enable.auto.commit", "false", diag) < 0 ||
              ne_kafka_conf_set(conf, "group.id", group, diag) < 0))) {
                rd_kafka_conf_destroy(conf);
                return NULL;
        }
        rd_kafka_conf_set_opaque(conf, opaque);
        if (type == RD_KAFKA_PRODUCER)
                rd_kafka_conf_set_dr_msg_cb(conf, write_dr);
        rd_kafka_t *rk = rd_kafka_new(type, conf, errstr, sizeof(errstr));
        if (!rk) {
                rd_kafka_conf_destroy(conf);
                ne_diag_set(diag, -EIO, "%s", errstr);
        }
        return rk;
}

int ne_kafka_write(const char *bootstraps, const char *topic, const struct ne_kafka_record *recs,
                   size_t n, int timeout_ms, struct ne_diag *diag)
{
        int failed = 0, r = 0;
        rd_kafka_t *rk = client(RD_KAFKA_PRODUCER, bootstraps, diag, &failed);
        if (!rk)
                return -EIO;
        long deadline = now_ms() + timeout_ms;
        for (size_t i = 0; i < n; i++) {
                rd_kafka_resp_err_t err;
                for (;;) {
                        rd_kafka_headers_t *hdrs = NULL;
                        if (recs[i].n_headers > 0) {
                                hdrs = ne_kafka_headers_build(NULL, NULL, recs[i].headers,
                                                              recs[i].n_headers);
                                if (!hdrs) {
                                        r = -ENOMEM;
                                        goto out;
                                }
                        }
                        err = rd_kafka_producev(
                            rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(recs[i].partition),
                            RD_KAFKA_V_KEY((void *)recs[i].key, recs[i].key_len),
                            RD_KAFKA_V_VALUE((void *)recs[i].value, recs[i].value_len),
                            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(hdrs),
                            RD_KAFKA_V_END);
                        if (err && hdrs)
                                rd_kafka_headers_destroy(hdrs); /* only kept on success */
                        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || now_ms() > deadline)
                                break;
                        rd_kafka_poll(rk, 50);
                }
                if (err) {
                        r = ne_diag_set(diag, -EIO, "write %s: %s", topic, rd_kafka_err2str(err));
                        goto out;
                }
        }
        long left = deadline - now_ms();
        if (rd_kafka_flush(rk, left > 0 ? (int)left : 0)) {
                r = ne_diag_set(diag, -ETIMEDOUT, "write %s: not acknowledged in time", topic);
                goto out;
        }
        if (failed)
                r = ne_diag_set(diag, -EIO, "write %s: %d deliveries failed", topic, failed);
out:
        rd_kafka_destroy(rk);
        return r;
}

static int assign_all(rd_kafka_t *rk, const char *topic, int timeout_ms, struct ne_diag *diag)
{
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
        if (!rkt)
                return -ENOMEM;
        rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, timeout_ms);
        rd_kafka_topic_destroy(rkt);
        if (err)
                return ne_diag_set(diag, -EIO, "metadata %s: %s", topic, rd_kafka_err2str(err));
        int r = 0;
        if (md->topic_cnt != 1 || md->topics[0].err || md->topics[0].partition_cnt < 1) {
                r = ne_diag_set(diag, -ENOENT, "topic %s not found", topic);
                goto out;
        }
        rd_kafka_topic_partition_list_t *parts =
            rd_kafka_topic_partition_list_new(md->topics[0].partition_cnt);
        if (!parts) {
                r = -ENOMEM;
                goto out;
        }
        for (int i = 0; i < md->topics[0].partition_cnt; i++)
                rd_kafka_topic_partition_list_add(parts, topic, md->topics[0].partitions[i].id)
                    ->offset = RD_KAFKA_OFFSET_BEGINNING;
        err = rd_kafka_assign(rk, parts);
        rd_kafka_topic_partition_list_destroy(parts);
        if (err)
                r = ne_diag_set(diag, -EIO, "assign %s: %s", topic, rd_kafka_err2str(err));
out:
        rd_kafka_metadata_destroy(md);
        return r;
}

int ne_kafka_read(const char *bootstraps, const char *topic, size_t want, int timeout_ms,
                  int (*cb)(void *opaque, const struct ne_kafka_msg *msg), void *opaque,
                  struct ne_diag *diag)
{
        rd_kafka_t *rk = client(RD_KAFKA_CONSUMER, bootstraps, diag, NULL);
        if (!rk)
                return -EIO;
        long deadline = now_ms() + timeout_ms;
        size_t seen = 0;
        int r = assign_all(rk, topic, timeout_ms, diag);
        while (r == 0 && seen < want) {
                long left = deadline - now_ms();
                if (left <= 0)
                        break;
                rd_kafka_message_t *rkm = rd_kafka_consumer_poll(rk, left > 100 ? 100 : (int)left);
                if (!rkm)
                        continue;
                if (rkm->err) {
                        rd_kafka_message_destroy(rkm);
                        continue;
                }
                struct ne_kafka_msg msg;
                ne_kafka_msg_wrap(&msg, rkm);
                seen++;
                int stop = cb ? cb(opaque, &msg) : 0;
                ne_kafka_msg_release(&msg);
                if (stop)
                        break;
        }
        rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);
        return r < 0 ? r : (int)seen;
}
