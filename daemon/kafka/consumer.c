/* The consumer-group consumer: subscribes to the input topics, hands messages to its owner,
 * stores offsets only when told to (enable.auto.offset.store=false), and turns librdkafka's
 * rebalance callback into on_assign/on_revoke calls so the owner can drain and commit before
 * partitions are given up. Eager and cooperative rebalancing are both handled. Must not decide
 * what happens to a message. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "ne/log.h"
#include "part_state.h"

struct ne_consumer {
        rd_kafka_t *rk;
        struct ne_consumer_cbs cbs;
        struct ne_part_state *parts; /* see part_state.h: which partitions may be paused */
        bool paused;
        bool closed;
        bool fatal;
};

/* The partitions of a librdkafka list as our borrowed view. NULL with n > 0 means ENOMEM. */
static struct ne_kafka_tp *tps_of(const rd_kafka_topic_partition_list_t *parts)
{
        if (parts->cnt <= 0)
                return NULL;
        struct ne_kafka_tp *tps = calloc((size_t)parts->cnt, sizeof(*tps));
        if (!tps)
                return NULL;
        for (int i = 0; i < parts->cnt; i++)
                tps[i] = (struct ne_kafka_tp){.topic = parts->elems[i].topic,
                                              .partition = parts->elems[i].partition};
        return tps;
}

static void log_rk_error(const char *what, rd_kafka_error_t *error)
{
        if (!error)
                return;
        ne_log(NE_LOG_ERR, "kafka", "%s failed: %s", what, rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
}

static void on_assign(struct ne_consumer *c, rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts,
                      bool coop)
{
        struct ne_kafka_tp *tps = tps_of(parts);
        if (c->cbs.on_assign && (tps || parts->cnt == 0))
                c->cbs.on_assign(c->cbs.opaque, tps, (size_t)parts->cnt);
        free(tps);
        /* No pause or resume here: between assign and the start of a partition's fetch either
         * one can cancel that start for good (part_state.h). A new partition is paused, if
         * need be, when its first message arrives. */
        for (int i = 0; i < parts->cnt; i++)
                if (ne_part_state_assign(c->parts, parts->elems[i].topic,
                                         parts->elems[i].partition) < 0)
                        ne_log(NE_LOG_ERR, "kafka",
                               "partition state: topic=%s partition=%d: cannot track; it will "
                               "not be paused for back-pressure",
                               parts->elems[i].topic, (int)parts->elems[i].partition);
        if (coop) {
                log_rk_error("incremental assign", rd_kafka_incremental_assign(rk, parts));
        } else {
                rd_kafka_resp_err_t err = rd_kafka_assign(rk, parts);
                if (err)
                        ne_log(NE_LOG_ERR, "kafka", "assign failed: %s", rd_kafka_err2str(err));
        }
        ne_log(NE_LOG_INFO, "kafka", "partitions assigned: count=%d protocol=%s", parts->cnt,
               coop ? "cooperative" : "eager");
}

/* Resumes the partitions of `parts` we paused, while they are still assigned, and forgets them:
 * librdkafka keeps the application pause flag across revoke and re-assign, and a resume of an
 * unassigned partition does not reach it, so a partition revoked while paused would come back
 * paused for good. */
static void release_parts(struct ne_consumer *c, rd_kafka_t *rk,
                          const rd_kafka_topic_partition_list_t *parts)
{
        rd_kafka_topic_partition_list_t *paused = rd_kafka_topic_partition_list_new(parts->cnt);
        for (int i = 0; i < parts->cnt; i++) {
                const rd_kafka_topic_partition_t *tp = &parts->elems[i];
                uint8_t *flags = ne_part_state_get(c->parts, tp->topic, tp->partition);
                if (!flags)
                        continue;
                if ((*flags & NE_PART_PAUSED) && paused)
                        rd_kafka_topic_partition_list_add(paused, tp->topic, tp->partition);
                *flags = 0;
        }
        if (paused && paused->cnt > 0)
                rd_kafka_resume_partitions(rk, paused);
        if (paused)
                rd_kafka_topic_partition_list_destroy(paused);
}

static void on_revoke(struct ne_consumer *c, rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts,
                      bool coop)
{
        bool lost = rd_kafka_assignment_lost(rk);
        struct ne_kafka_tp *tps = tps_of(parts);
        if (c->cbs.on_revoke && (tps || parts->cnt == 0))
                c->cbs.on_revoke(c->cbs.opaque, tps, (size_t)parts->cnt, lost);
        free(tps);
        release_parts(c, rk, parts);
        if (coop) {
                log_rk_error("incremental unassign", rd_kafka_incremental_unassign(rk, parts));
        } else {
                rd_kafka_resp_err_t err = rd_kafka_assign(rk, NULL);
                if (err)
                        ne_log(NE_LOG_ERR, "kafka", "unassign failed: %s", rd_kafka_err2str(err));
        }
        ne_log(NE_LOG_INFO, "kafka", "partitions revoked: count=%d lost=%d", parts->cnt, lost);
}

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
        struct ne_consumer *c = opaque;
        bool coop = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
        switch (err) {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
                on_assign(c, rk, parts, coop);
                break;
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
                on_revoke(c, rk, parts, coop);
                break;
        default:
                ne_log(NE_LOG_ERR, "kafka", "rebalance failed: %s", rd_kafka_err2str(err));
                if (coop)
                        log_rk_error("incremental unassign",
                                     rd_kafka_incremental_unassign(rk, parts));
                else
                        rd_kafka_assign(rk, NULL);
                break;
        }
}

static void error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
        struct ne_consumer *c = opaque;
        static struct ne_log_ratelimit rl;
        (void)rk;
        if (err == RD_KAFKA_RESP_ERR__FATAL) {
                c->fatal = true;
                return; /* reported by ne_consumer_poll with the underlying error */
        }
        ne_kafka_count_error(c->cbs.metrics);
        /* Everything else (brokers down, resolution failures) librdkafka retries by itself. */
        ne_log_ratelimited(&rl, 5, 10, NE_LOG_WARNING, "kafka", "consumer: %s: %s",
                           rd_kafka_err2name(err), reason);
}

/* Auto-commits and ne_consumer_commit alike end here (served by consumer_poll). */
static void offset_commit_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                             rd_kafka_topic_partition_list_t *offsets, void *opaque)
{
        struct ne_consumer *c = opaque;
        (void)rk;
        ne_kafka_commit_result(c->cbs.metrics, err, offsets);
}

static int set_defaults(const struct ne_config *cfg, rd_kafka_conf_t *conf, struct ne_diag *diag)
{
        /* enable.auto.offset.store=false is forced by ne_kafka_conf_build(); set it again so
         * this file alone shows the at-least-once rule holds. */
        int r = ne_kafka_conf_set(conf, "enable.auto.offset.store", "false", diag);
        if (r == 0 && !ne_kafka_conf_user_set(cfg, NE_KAFKA_CONSUMER, "group.id", NULL))
                r = ne_kafka_conf_set(conf, "group.id", "newsenrichd", diag);
        if (r == 0 && !ne_kafka_conf_user_set(cfg, NE_KAFKA_CONSUMER, "auto.offset.reset", NULL))
                r = ne_kafka_conf_set(conf, "auto.offset.reset", "earliest", diag);
        if (r == 0 && !ne_kafka_conf_user_set(cfg, NE_KAFKA_CONSUMER, "client.id", NULL))
                r = ne_kafka_conf_set(conf, "client.id", "newsenrichd-consumer", diag);
        return r;
}

static int subscribe(struct ne_consumer *c, const struct ne_config *cfg, struct ne_diag *diag)
{
        int r = 0;
        rd_kafka_topic_partition_list_t *topics =
            rd_kafka_topic_partition_list_new((int)cfg->n_input_topics);
        if (!topics)
                return -ENOMEM;
        for (size_t i = 0; i < cfg->n_input_topics; i++)
                rd_kafka_topic_partition_list_add(topics, cfg->input_topics[i],
                                                  RD_KAFKA_PARTITION_UA);
        rd_kafka_resp_err_t err = rd_kafka_subscribe(c->rk, topics);
        if (err)
                r = ne_diag_set(diag, ne_kafka_err_to_errno(err), "subscribe: %s",
                                rd_kafka_err2str(err));
        rd_kafka_topic_partition_list_destroy(topics);
        return r;
}

int ne_consumer_new(const struct ne_config *cfg, const struct ne_consumer_cbs *cbs,
                    struct ne_consumer **ret, struct ne_diag *diag)
{
        char errstr[512];
        rd_kafka_conf_t *conf = NULL;
        int r;
        if (cfg->n_input_topics == 0)
                return ne_diag_set(diag, -EINVAL, "no input topics");
        struct ne_consumer *c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        if (cbs)
                c->cbs = *cbs;
        r = ne_part_state_new(&c->parts);
        if (r < 0)
                goto err_free;
        r = ne_kafka_conf_build(cfg, NE_KAFKA_CONSUMER, &conf, diag);
        if (r < 0)
                goto err_free;
        r = set_defaults(cfg, conf, diag);
        if (r < 0)
                goto err_conf;
        rd_kafka_conf_set_opaque(conf, c);
        rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
        rd_kafka_conf_set_error_cb(conf, error_cb);
        rd_kafka_conf_set_offset_commit_cb(conf, offset_commit_cb);
        rd_kafka_conf_set_log_cb(conf, ne_kafka_log_cb);
        c->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
        if (!c->rk) {
                r = ne_diag_set(diag, -EINVAL, "consumer: %s", errstr);
                goto err_conf;
        }
        conf = NULL; /* rd_kafka_new took it */
        /* One queue for messages, rebalances, errors and logs: all served by consumer_poll. */
        rd_kafka_poll_set_consumer(c->rk);
        r = subscribe(c, cfg, diag);
        if (r < 0)
                goto err_free;
        *ret = c;
        return 0;
err_conf:
        rd_kafka_conf_destroy(conf);
err_free:
        if (c->rk)
                rd_kafka_destroy(c->rk);
        ne_part_state_free(c->parts);
        free(c);
        return r;
}

static int fatal_error(struct ne_consumer *c, struct ne_diag *diag)
{
        char errstr[512];
        rd_kafka_resp_err_t err = rd_kafka_fatal_error(c->rk, errstr, sizeof(errstr));
        return ne_diag_set(diag, -ENOTRECOVERABLE, "consumer fatal error: %s: %s",
                           rd_kafka_err2name(err), errstr);
}

/* Marks the message's partition as fetching; while the consumer is paused, pauses it now that
 * its fetch has started (the first message of a partition that was not fetching yet when the
 * rest were paused). */
static void first_message_of(struct ne_consumer *c, const rd_kafka_message_t *rkm)
{
        uint8_t *flags = ne_part_state_get(c->parts, rd_kafka_topic_name(rkm->rkt), rkm->partition);
        if (!flags || (*flags & NE_PART_STARTED))
                return;
        *flags |= NE_PART_STARTED;
        if (!c->paused)
                return;
        rd_kafka_topic_partition_list_t *one = rd_kafka_topic_partition_list_new(1);
        if (!one)
                return;
        rd_kafka_topic_partition_list_add(one, rd_kafka_topic_name(rkm->rkt), rkm->partition);
        if (rd_kafka_pause_partitions(c->rk, one) == RD_KAFKA_RESP_ERR_NO_ERROR)
                *flags |= NE_PART_PAUSED;
        rd_kafka_topic_partition_list_destroy(one);
}

int ne_consumer_poll(struct ne_consumer *c, int timeout_ms, struct ne_kafka_msg *ret_msg,
                     struct ne_diag *diag)
{
        static struct ne_log_ratelimit rl;
        if (c->fatal)
                return fatal_error(c, diag);
        rd_kafka_message_t *rkm = rd_kafka_consumer_poll(c->rk, timeout_ms);
        if (!rkm)
                return c->fatal ? fatal_error(c, diag) : 0;
        if (rkm->err) {
                rd_kafka_resp_err_t err = rkm->err;
                if (err == RD_KAFKA_RESP_ERR__FATAL) {
                        rd_kafka_message_destroy(rkm);
                        return fatal_error(c, diag);
                }
                if (err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                        ne_log_ratelimited(&rl, 5, 10, NE_LOG_WARNING, "kafka",
                                           "consumer: %s: topic=%s partition=%d: %s",
                                           rd_kafka_err2name(err),
                                           rkm->rkt ? rd_kafka_topic_name(rkm->rkt) : "-",
                                           (int)rkm->partition, rd_kafka_message_errstr(rkm));
                rd_kafka_message_destroy(rkm);
                return 0;
        }
        first_message_of(c, rkm);
        ne_kafka_msg_wrap(ret_msg, rkm);
        return 1;
}

int ne_consumer_store(struct ne_consumer *c, const struct ne_offset_pos *pos, size_t n)
{
        if (n == 0)
                return 0;
        rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new((int)n);
        if (!list)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                rd_kafka_topic_partition_list_add(list, pos[i].topic, pos[i].partition)->offset =
                    pos[i].offset;
        /* Per-partition errors (partition no longer assigned) are expected around rebalances
         * and harmless: the new owner starts from the last commit. */
        rd_kafka_resp_err_t err = rd_kafka_offsets_store(c->rk, list);
        rd_kafka_topic_partition_list_destroy(list);
        if (err && err != RD_KAFKA_RESP_ERR__STATE && err != RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION)
                return -EIO;
        return 0;
}

int ne_consumer_commit(struct ne_consumer *c, struct ne_diag *diag)
{
        rd_kafka_resp_err_t err = rd_kafka_commit(c->rk, NULL, 0);
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET)
                return 0;
        return ne_diag_set(diag, -EIO, "commit: %s", rd_kafka_err2str(err));
}

struct flip {
        rd_kafka_topic_partition_list_t *list;
        bool pause;
};

static void collect(void *opaque, const char *topic, int32_t partition, uint8_t *flags)
{
        struct flip *f = opaque;
        if (f->pause == !!(*flags & NE_PART_PAUSED))
                return;
        if (f->pause)
                *flags |= NE_PART_PAUSED;
        else
                *flags &= (uint8_t)~NE_PART_PAUSED;
        rd_kafka_topic_partition_list_add(f->list, topic, partition);
}

int ne_consumer_pause(struct ne_consumer *c, bool pause)
{
        /* Only partitions that are fetching (have delivered a message since assignment):
         * see part_state.h. The others are paused by first_message_of(). */
        struct flip f = {.list = rd_kafka_topic_partition_list_new(16), .pause = pause};
        if (!f.list)
                return -ENOMEM;
        c->paused = pause;
        ne_part_state_each(c->parts, NE_PART_ASSIGNED | (pause ? NE_PART_STARTED : NE_PART_PAUSED),
                           collect, &f);
        rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
        if (f.list->cnt > 0)
                err = pause ? rd_kafka_pause_partitions(c->rk, f.list)
                            : rd_kafka_resume_partitions(c->rk, f.list);
        rd_kafka_topic_partition_list_destroy(f.list);
        return err ? -EIO : 0;
}

int ne_consumer_lag(struct ne_consumer *c,
                    void (*cb)(void *opaque, const char *topic, int32_t partition, int64_t lag),
                    void *opaque)
{
        rd_kafka_topic_partition_list_t *parts = NULL;
        if (rd_kafka_assignment(c->rk, &parts))
                return -EIO;
        rd_kafka_position(c->rk, parts); /* fills each element's offset; errors per element */
        for (int i = 0; i < parts->cnt; i++) {
                const rd_kafka_topic_partition_t *tp = &parts->elems[i];
                int64_t lo = -1, hi = -1, lag = -1;
                if (rd_kafka_get_watermark_offsets(c->rk, tp->topic, tp->partition, &lo, &hi) ==
                        RD_KAFKA_RESP_ERR_NO_ERROR &&
                    hi >= 0 && tp->offset >= 0)
                        lag = hi > tp->offset ? hi - tp->offset : 0;
                cb(opaque, tp->topic, tp->partition, lag);
        }
        int n = parts->cnt;
        rd_kafka_topic_partition_list_destroy(parts);
        return n;
}

int ne_consumer_close(struct ne_consumer *c)
{
        if (c->closed)
                return 0;
        c->closed = true;
        rd_kafka_resp_err_t err = rd_kafka_consumer_close(c->rk);
        if (err) {
                ne_log(NE_LOG_ERR, "kafka", "consumer close: %s", rd_kafka_err2str(err));
                return -EIO;
        }
        return 0;
}

void ne_consumer_free(struct ne_consumer *c)
{
        if (!c)
                return;
        if (c->rk) {
                ne_consumer_close(c);
                rd_kafka_destroy(c->rk);
        }
        ne_part_state_free(c->parts);
        free(c);
}
