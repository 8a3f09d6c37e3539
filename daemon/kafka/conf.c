/* librdkafka configuration objects from a parsed config: the pass-through `kafka.*` properties
 * set one by one so librdkafka's own error text can be reported against the key and line they
 * came from, the properties at-least-once delivery depends on forced, and a dry construction of
 * each client kind to run librdkafka's checks across properties. Knows nothing of the pipeline
 * and does not connect. Must not log, and must not put a secret value into a diag. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../config_map.h"
#include "conf.h"
#include "ne/kafka_conf.h"

const struct ne_kafka_forced ne_kafka_forced[] = {
    {NE_KAFKA_PRODUCER, "enable.idempotence", "true",
     "retries must neither duplicate nor reorder events"},
    {NE_KAFKA_PRODUCER, "acks", "all",
     "an event counts as delivered only once every in-sync replica has it"},
    {NE_KAFKA_PRODUCER, "transactional.id", NULL, "the producer does not use transactions"},
    {NE_KAFKA_CONSUMER, "enable.auto.offset.store", "false",
     "offsets are stored only after the event for them is delivered (at-least-once)"},
};

const size_t ne_kafka_forced_len = sizeof(ne_kafka_forced) / sizeof(ne_kafka_forced[0]);

#define MAX_FORCED 8
#define VALUE_MAX 256

/* The value of a forced property as librdkafka renders it, so that "1", "true" and "t" (or
 * "all" and "-1") compare equal. */
static void canonical(const rd_kafka_conf_t *conf, const char *name, char *buf, size_t size)
{
        size_t n = size;
        if (rd_kafka_conf_get(conf, name, buf, &n) != RD_KAFKA_CONF_OK)
                buf[0] = '\0';
}

/* Replaces every occurrence of `value` in `text` (NUL-terminated, `size` bytes of room) with
 * "(redacted)", truncating if the result does not fit. */
static void redact(char *text, size_t size, const char *value)
{
        static const char mark[] = "(redacted)";
        size_t vlen = strlen(value);
        char *hit = vlen ? strstr(text, value) : NULL;
        while (hit) {
                size_t head = (size_t)(hit - text), tail = strlen(hit + vlen);
                if (head + sizeof(mark) - 1 >= size) {
                        text[head] = '\0';
                        return;
                }
                size_t keep = tail;
                if (head + sizeof(mark) - 1 + keep >= size)
                        keep = size - 1 - head - (sizeof(mark) - 1);
                memmove(hit + sizeof(mark) - 1, hit + vlen, keep);
                memcpy(hit, mark, sizeof(mark) - 1);
                hit[sizeof(mark) - 1 + keep] = '\0';
                hit = strstr(hit + sizeof(mark) - 1, value);
        }
}

/* Sets diag->msg to prefix + librdkafka's error text with the value of every secret kafka.*
 * key of cfg removed: librdkafka quotes values in some messages. */
static void set_errstr(struct ne_diag *diag, const struct ne_config *cfg, const char *prefix,
                       const char *errstr)
{
        if (!diag)
                return;
        char text[sizeof(diag->msg)];
        snprintf(text, sizeof(text), "%s%s", prefix, errstr);
        /* Some librdkafka messages end in a newline; a diag is one line. */
        size_t n = strlen(text);
        while (n && (text[n - 1] == '\n' || text[n - 1] == ' '))
                text[--n] = '\0';
        for (size_t i = 0; i < cfg->n_kafka; i++) {
                char key[160];
                if (ne_config_key_is_secret(ne_config_kafka_key(&cfg->kafka[i], key, sizeof(key))))
                        redact(text, sizeof(text), cfg->kafka[i].value);
        }
        ne_diag_set(diag, -EINVAL, "%s", text);
}

/* Properties rd_kafka_conf_dump() leaves out (no default) and common aliases it does not list. */
static const char *const undumped[] = {
    "bootstrap.servers",
    "group.id",
    "group.instance.id",
    "sasl.username",
    "sasl.password",
    "ssl.ca.location",
    "ssl.certificate.location",
    "ssl.key.location",
    "ssl.key.password",
    "transactional.id",
    "debug",
    "linger.ms",
    "acks",
    "compression.type",
    "retries",
    "metadata.broker.list",
};

static void consider(const char *name, const char *cand, size_t *best, char *buf, size_t size)
{
        size_t d = ne_config_edit_distance(name, cand);
        if (d < *best && d <= 2 && d < strlen(cand) / 2) {
                *best = d;
                snprintf(buf, size, "%s", cand);
        }
}

/* The librdkafka property nearest to an unknown `name`, or "". */
static void suggest_property(const char *name, char *buf, size_t size)
{
        size_t best = SIZE_MAX, n;
        buf[0] = '\0';
        for (size_t i = 0; i < sizeof(undumped) / sizeof(undumped[0]); i++)
                consider(name, undumped[i], &best, buf, size);
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        if (conf) {
                const char **d = rd_kafka_conf_dump(conf, &n);
                for (size_t i = 0; d && i < n; i += 2)
                        consider(name, d[i], &best, buf, size);
                if (d)
                        rd_kafka_conf_dump_free(d, n);
                rd_kafka_conf_destroy(conf);
        }
        rd_kafka_topic_conf_t *tconf = rd_kafka_topic_conf_new();
        if (tconf) {
                const char **d = rd_kafka_topic_conf_dump(tconf, &n);
                for (size_t i = 0; d && i < n; i += 2)
                        consider(name, d[i], &best, buf, size);
                if (d)
                        rd_kafka_conf_dump_free(d, n);
                rd_kafka_topic_conf_destroy(tconf);
        }
}

static int at(struct ne_diag *diag, const struct ne_config_kafka *kc)
{
        if (diag) {
                char key[160];
                ne_config_kafka_key(kc, key, sizeof(key));
                snprintf(diag->key, sizeof(diag->key), "%.127s", key);
                diag->line = kc->line;
        }
        return -EINVAL;
}

static const char *scope_name(enum ne_kafka_scope scope)
{
        return scope == NE_KAFKA_CONSUMER ? "consumer" : "producer";
}

/* After the user's property `kc` was set: has it changed a forced property? */
static int check_forced(rd_kafka_conf_t *conf, enum ne_kafka_scope scope,
                        char expected[][VALUE_MAX], const struct ne_config_kafka *kc,
                        struct ne_diag *diag)
{
        size_t k = 0;
        for (size_t i = 0; i < ne_kafka_forced_len; i++) {
                const struct ne_kafka_forced *fp = &ne_kafka_forced[i];
                if (fp->scope != scope)
                        continue;
                char now[VALUE_MAX];
                canonical(conf, fp->name, now, sizeof(now));
                if (strcmp(now, expected[k++]) == 0)
                        continue;
                if (fp->value)
                        ne_diag_set(diag, -EINVAL,
                                    "the daemon requires %s=%s on the %s (%s); remove this "
                                    "setting",
                                    fp->name, fp->value, scope_name(scope), fp->why);
                else
                        ne_diag_set(diag, -EINVAL,
                                    "the daemon requires %s unset on the %s (%s); remove this "
                                    "setting",
                                    fp->name, scope_name(scope), fp->why);
                return at(diag, kc);
        }
        return 0;
}

static int set_forced(rd_kafka_conf_t *conf, enum ne_kafka_scope scope, char expected[][VALUE_MAX],
                      struct ne_diag *diag)
{
        char errstr[512];
        size_t k = 0;
        for (size_t i = 0; i < ne_kafka_forced_len; i++) {
                const struct ne_kafka_forced *fp = &ne_kafka_forced[i];
                if (fp->scope != scope)
                        continue;
                if (k >= MAX_FORCED)
                        return ne_diag_set(diag, -EINVAL, "internal: too many forced properties");
                if (fp->value && rd_kafka_conf_set(conf, fp->name, fp->value, errstr,
                                                   sizeof(errstr)) != RD_KAFKA_CONF_OK)
                        return ne_diag_set(diag, -EINVAL, "internal: forcing %s: %s", fp->name,
                                           errstr);
                canonical(conf, fp->name, expected[k++], VALUE_MAX);
        }
        return 0;
}

int ne_kafka_conf_build(const struct ne_config *cfg, enum ne_kafka_scope scope,
                        rd_kafka_conf_t **ret, struct ne_diag *diag)
{
        char expected[MAX_FORCED][VALUE_MAX];
        char errstr[512];
        if (scope != NE_KAFKA_CONSUMER && scope != NE_KAFKA_PRODUCER)
                return ne_diag_set(diag, -EINVAL, "scope must be consumer or producer");
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        if (!conf)
                return ne_diag_set(diag, -ENOMEM, "out of memory");
        int r = set_forced(conf, scope, expected, diag);
        if (r < 0)
                goto err_destroy;
        for (size_t i = 0; i < cfg->n_kafka; i++) {
                const struct ne_config_kafka *kc = &cfg->kafka[i];
                if (kc->scope != NE_KAFKA_BOTH && kc->scope != scope)
                        continue;
                rd_kafka_conf_res_t res =
                    rd_kafka_conf_set(conf, kc->name, kc->value, errstr, sizeof(errstr));
                if (res != RD_KAFKA_CONF_OK) {
                        char hint[128];
                        if (res == RD_KAFKA_CONF_UNKNOWN)
                                suggest_property(kc->name, hint, sizeof(hint));
                        else
                                hint[0] = '\0';
                        if (hint[0]) {
                                size_t len = strlen(errstr);
                                snprintf(errstr + len, sizeof(errstr) - len, "; did you mean '%s'?",
                                         hint);
                        }
                        set_errstr(diag, cfg, "", errstr);
                        r = at(diag, kc);
                        goto err_destroy;
                }
                r = check_forced(conf, scope, expected, kc, diag);
                if (r < 0)
                        goto err_destroy;
        }
        if (scope == NE_KAFKA_PRODUCER && cfg->message_max_bytes_line == 0 &&
            cfg->message_max_bytes > 0) {
                char v[32];
                snprintf(v, sizeof(v), "%zu", cfg->message_max_bytes);
                if (rd_kafka_conf_set(conf, "message.max.bytes", v, errstr, sizeof(errstr)) !=
                    RD_KAFKA_CONF_OK) {
                        r = ne_diag_set(diag, -EINVAL,
                                        "message.max.bytes derived from input.max_bytes: %s",
                                        errstr);
                        if (diag) {
                                snprintf(diag->key, sizeof(diag->key), "input.max_bytes");
                                diag->line = ne_config_key_line(cfg, "input.max_bytes");
                        }
                        goto err_destroy;
                }
        }
        *ret = conf;
        return 0;
err_destroy:
        rd_kafka_conf_destroy(conf);
        return r;
}

static void discard_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
        (void)rk;
        (void)level;
        (void)fac;
        (void)buf;
}

/* Points diag at the kafka.* line whose property librdkafka's cross-property error names (the
 * longest name found, so "ssl.key.location" wins over "ssl.key"), or at "kafka" without a line
 * when it names none: an operator should land on the line to fix. */
static void blame(const struct ne_config *cfg, enum ne_kafka_scope scope, const char *errstr,
                  struct ne_diag *diag)
{
        const struct ne_config_kafka *best = NULL;
        size_t best_len = 0;
        for (size_t i = 0; i < cfg->n_kafka; i++) {
                const struct ne_config_kafka *kc = &cfg->kafka[i];
                size_t len = strlen(kc->name);
                if ((kc->scope == NE_KAFKA_BOTH || kc->scope == scope) && len > best_len &&
                    strstr(errstr, kc->name)) {
                        best = kc;
                        best_len = len;
                }
        }
        if (best) {
                at(diag, best);
        } else if (diag) {
                snprintf(diag->key, sizeof(diag->key), "kafka");
                diag->line = 0;
        }
}

/* Creates and destroys a client from (a copy of) conf with no brokers: librdkafka checks the
 * properties against each other only in rd_kafka_new(). */
static int dry_run(const struct ne_config *cfg, rd_kafka_conf_t *conf, rd_kafka_type_t type,
                   struct ne_diag *diag)
{
        char errstr[512];
        /* An empty broker list: the client starts but never connects. */
        if (rd_kafka_conf_set(conf, "bootstrap.servers", "", errstr, sizeof(errstr)) !=
            RD_KAFKA_CONF_OK) {
                rd_kafka_conf_destroy(conf);
                return ne_diag_set(diag, -EINVAL, "internal: clearing bootstrap.servers: %s",
                                   errstr);
        }
        rd_kafka_conf_set_log_cb(conf, discard_log);
        rd_kafka_t *rk = rd_kafka_new(type, conf, errstr, sizeof(errstr));
        if (!rk) {
                rd_kafka_conf_destroy(conf);
                set_errstr(diag, cfg,
                           type == RD_KAFKA_CONSUMER
                               ? "librdkafka rejects the consumer configuration: "
                               : "librdkafka rejects the producer configuration: ",
                           errstr);
                blame(cfg, type == RD_KAFKA_CONSUMER ? NE_KAFKA_CONSUMER : NE_KAFKA_PRODUCER,
                      errstr, diag);
                return -EINVAL;
        }
        /* rd_kafka_new() took conf. */
        rd_kafka_destroy_flags(rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
        return 0;
}

int ne_kafka_conf_check(const struct ne_config *cfg, struct ne_diag *diag)
{
        static const struct {
                enum ne_kafka_scope scope;
                rd_kafka_type_t type;
        } kinds[] = {
            {NE_KAFKA_CONSUMER, RD_KAFKA_CONSUMER},
            {NE_KAFKA_PRODUCER, RD_KAFKA_PRODUCER},
        };
        ne_diag_clear(diag);
        for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
                rd_kafka_conf_t *conf = NULL; /* analyzers cannot see ne_diag_set() returns err */
                int r = ne_kafka_conf_build(cfg, kinds[i].scope, &conf, diag);
                if (r < 0)
                        return r;
                r = dry_run(cfg, conf, kinds[i].type, diag); /* takes conf */
                if (r < 0)
                        return r;
        }
        return 0;
}
