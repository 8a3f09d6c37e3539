/* Unit tests for the librdkafka conf builder and checker (daemon/kafka/conf.c): librdkafka's
 * errors reported against the key and line as written, forced properties and their aliases,
 * scoping of kafka.consumer./kafka.producer., the derived message.max.bytes, the dry client
 * construction, and redaction of secret values in librdkafka's messages. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../../daemon/kafka/conf.h"
#include "ne/config.h"
#include "ne/kafka_conf.h"

/* Seven lines; tables below append theirs from line 8. */
#define BASE                                                                                       \
        "input.topics = in\n"                                                                      \
        "output.topic = out\n"                                                                     \
        "dead_letter.topic = dlq\n"                                                                \
        "output.schema_id = 1\n"                                                                   \
        "schema.1 = s.avsc\n"                                                                      \
        "kafka.bootstrap.servers = localhost:9092\n"                                               \
        "kafka.consumer.group.id = g\n"

static struct ne_config *parse_ok(const char *text)
{
        struct ne_config *cfg = NULL;
        struct ne_diag diag;
        cr_assert_eq(ne_config_parse(text, strlen(text), NULL, &cfg, &diag), 0, "%d: %s: %s",
                     diag.line, diag.key, diag.msg);
        return cfg;
}

static void get(rd_kafka_conf_t *conf, const char *name, char *buf, size_t size)
{
        size_t n = size;
        cr_assert_eq(rd_kafka_conf_get(conf, name, buf, &n), RD_KAFKA_CONF_OK, "%s", name);
}

/* Criterion re-executes the binary per test, so parameters hold no pointers. */
struct bad_case {
        char lines[200]; /* appended to BASE from line 8 */
        char key[64];
        int line;
        char msg[96];
};

static struct bad_case bad_cases[] = {
    /* librdkafka's own error text, against the key as written */
    {"kafka.producer.compression.type = bogus\n", "kafka.producer.compression.type", 8,
     "Invalid value \"bogus\" for configuration property"},
    {"kafka.no.such.property = 1\n", "kafka.no.such.property", 8, "No such configuration property"},
    {"kafka.producer.linger.sm = 5\n", "kafka.producer.linger.sm", 8,
     "No such configuration property: \"linger.sm\"; did you mean 'linger.ms'?"},
    {"kafka.consumer.group.di = g\n", "kafka.consumer.group.di", 8, "did you mean 'group.id'?"},
    {"kafka.bootstrap.server = b\n", "kafka.bootstrap.server", 8,
     "did you mean 'bootstrap.servers'?"},
    {"kafka.acks.x = 1\n", "kafka.acks.x", 8, "No such configuration property"},
    {"kafka.consumer.fetch.wait.max.sm = 1\n", "kafka.consumer.fetch.wait.max.sm", 8,
     "did you mean 'fetch.wait.max.ms'?"},
    {"kafka.client.id = x\nkafka.consumer.session.timeout.ms = soon\n",
     "kafka.consumer.session.timeout.ms", 9, "Invalid value"},
    {"kafka.socket.timeout.ms = 1\n", "kafka.socket.timeout.ms", 8,
     "value 1 is outside allowed range 10..300000"},
    {"kafka.enable.ssl.certificate.verification = maybe\n",
     "kafka.enable.ssl.certificate.verification", 8, "Expected bool value"},
    /* forced properties, directly, through aliases and through other spellings */
    {"kafka.enable.idempotence = false\n", "kafka.enable.idempotence", 8,
     "requires enable.idempotence=true on the producer"},
    {"kafka.producer.enable.idempotence = 0\n", "kafka.producer.enable.idempotence", 8,
     "requires enable.idempotence=true"},
    {"kafka.producer.acks = 1\n", "kafka.producer.acks", 8, "requires acks=all"},
    {"kafka.request.required.acks = 0\n", "kafka.request.required.acks", 8, "requires acks=all"},
    {"kafka.consumer.enable.auto.offset.store = true\n", "kafka.consumer.enable.auto.offset.store",
     8, "requires enable.auto.offset.store=false on the consumer"},
    {"kafka.enable.auto.offset.store = 1\n", "kafka.enable.auto.offset.store", 8, "at-least-once"},
    {"kafka.producer.transactional.id = tx\n", "kafka.producer.transactional.id", 8,
     "requires transactional.id unset"},
    /* checks librdkafka only makes when a client is created: the key its message names */
    {"kafka.producer.max.in.flight = 100\n", "kafka.producer.max.in.flight", 8,
     "`max.in.flight` must be set <= 5 when `enable.idempotence` is true"},
};

ParameterizedTestParameters(kafka_conf, bad)
{
        return cr_make_param_array(struct bad_case, bad_cases,
                                   sizeof(bad_cases) / sizeof(bad_cases[0]));
}

ParameterizedTest(struct bad_case *tc, kafka_conf, bad)
{
        char text[1024];
        snprintf(text, sizeof(text), "%s%s", BASE, tc->lines);
        struct ne_config *cfg = parse_ok(text);
        struct ne_diag diag;
        cr_assert_eq(ne_kafka_conf_check(cfg, &diag), -EINVAL, "accepted:\n%s", tc->lines);
        cr_expect_str_eq(diag.key, tc->key, "key '%s' (%s)", diag.key, diag.msg);
        cr_expect_eq(diag.line, tc->line, "line %d (%s)", diag.line, diag.msg);
        cr_expect(strstr(diag.msg, tc->msg) != NULL, "'%s' not in '%s'", tc->msg, diag.msg);
        cr_expect(strchr(diag.msg, '\n') == NULL, "diag is not one line: '%s'", diag.msg);
        ne_config_free(cfg);
}

struct good_case {
        char lines[200];
};

static struct good_case good_cases[] = {
    {""},
    {"kafka.enable.idempotence = true\n"},
    {"kafka.producer.enable.idempotence = t\n"},
    {"kafka.producer.acks = -1\n"},
    {"kafka.acks = all\n"},
    {"kafka.request.required.acks = all\n"},
    {"kafka.consumer.enable.auto.offset.store = false\n"},
    {"kafka.consumer.enable.auto.commit = false\n"},
    {"kafka.producer.max.in.flight = 5\nkafka.producer.linger.ms = 20\n"},
    {"kafka.producer.compression.type = zstd\nkafka.consumer.auto.offset.reset = earliest\n"},
    {"kafka.session.timeout.ms = 3000\nkafka.heartbeat.interval.ms = 500\n"},
    /* consumer-only properties go to the consumer only, so the producer accepts them */
    {"kafka.consumer.isolation.level = read_committed\n"},
};

ParameterizedTestParameters(kafka_conf, good)
{
        return cr_make_param_array(struct good_case, good_cases,
                                   sizeof(good_cases) / sizeof(good_cases[0]));
}

ParameterizedTest(struct good_case *tc, kafka_conf, good)
{
        char text[1024];
        snprintf(text, sizeof(text), "%s%s", BASE, tc->lines);
        struct ne_config *cfg = parse_ok(text);
        struct ne_diag diag;
        cr_assert_eq(ne_kafka_conf_check(cfg, &diag), 0, "%d: %s: %s", diag.line, diag.key,
                     diag.msg);
        ne_config_free(cfg);
}

Test(kafka_conf, build_scopes_forced_and_derived)
{
        struct ne_config *cfg = parse_ok(BASE "kafka.producer.linger.ms = 77\n"
                                              "kafka.consumer.fetch.wait.max.ms = 123\n"
                                              "kafka.client.id = both\n");
        char v[256];
        rd_kafka_conf_t *conf;
        struct ne_diag diag;

        cr_assert_eq(ne_kafka_conf_build(cfg, NE_KAFKA_PRODUCER, &conf, &diag), 0, "%s", diag.msg);
        get(conf, "linger.ms", v, sizeof(v));
        cr_assert_str_eq(v, "77");
        get(conf, "fetch.wait.max.ms", v, sizeof(v));
        cr_assert_str_neq(v, "123");
        get(conf, "client.id", v, sizeof(v));
        cr_assert_str_eq(v, "both");
        get(conf, "bootstrap.servers", v, sizeof(v));
        cr_assert_str_eq(v, "localhost:9092");
        get(conf, "enable.idempotence", v, sizeof(v));
        cr_assert_str_eq(v, "true");
        get(conf, "acks", v, sizeof(v));
        cr_assert_str_eq(v, "-1");
        get(conf, "message.max.bytes", v, sizeof(v));
        cr_assert_str_eq(v, "1114112");
        rd_kafka_conf_destroy(conf);

        cr_assert_eq(ne_kafka_conf_build(cfg, NE_KAFKA_CONSUMER, &conf, &diag), 0, "%s", diag.msg);
        get(conf, "fetch.wait.max.ms", v, sizeof(v));
        cr_assert_str_eq(v, "123");
        get(conf, "linger.ms", v, sizeof(v));
        cr_assert_str_neq(v, "77");
        get(conf, "group.id", v, sizeof(v));
        cr_assert_str_eq(v, "g");
        get(conf, "enable.auto.offset.store", v, sizeof(v));
        cr_assert_str_eq(v, "false");
        rd_kafka_conf_destroy(conf);

        cr_assert_eq(ne_kafka_conf_build(cfg, NE_KAFKA_BOTH, &conf, &diag), -EINVAL);
        ne_config_free(cfg);
}

Test(kafka_conf, explicit_message_max_bytes_is_kept)
{
        struct ne_config *cfg = parse_ok(BASE "kafka.producer.message.max.bytes = 2000000\n");
        rd_kafka_conf_t *conf;
        char v[64];
        cr_assert_eq(ne_kafka_conf_build(cfg, NE_KAFKA_PRODUCER, &conf, NULL), 0);
        get(conf, "message.max.bytes", v, sizeof(v));
        cr_assert_str_eq(v, "2000000");
        rd_kafka_conf_destroy(conf);
        ne_config_free(cfg);
}

Test(kafka_conf, bad_message_max_bytes_reported_by_librdkafka)
{
        /* Not a number: the parser leaves it to librdkafka, which names the key and line. */
        struct ne_config *cfg = parse_ok(BASE "kafka.message.max.bytes = lots\n");
        struct ne_diag diag;
        cr_assert_eq(ne_kafka_conf_check(cfg, &diag), -EINVAL);
        cr_assert_str_eq(diag.key, "kafka.message.max.bytes");
        cr_assert_eq(diag.line, 8);
        ne_config_free(cfg);
}

Test(kafka_conf, cross_property_error_names_the_line_librdkafka_blames)
{
        /* librdkafka checks the CA file only when it creates the client; the error names
         * ssl.ca.location, so the operator is sent to that line, not to "kafka". */
        struct ne_config *cfg = parse_ok(BASE "kafka.security.protocol = SSL\n"
                                              "kafka.ssl.ca.location = /nonexistent/ca.pem\n");
        struct ne_diag diag;
        cr_assert_eq(ne_kafka_conf_check(cfg, &diag), -EINVAL);
        cr_assert_str_eq(diag.key, "kafka.ssl.ca.location", "%s", diag.msg);
        cr_assert_eq(diag.line, 9);
        cr_assert(strstr(diag.msg, "ssl.ca.location") != NULL, "%s", diag.msg);
        ne_config_free(cfg);
}

Test(kafka_conf, secret_values_are_redacted_from_librdkafka_errors)
{
        /* librdkafka quotes the mechanism when it creates the client. */
        struct ne_config *cfg = parse_ok(BASE "kafka.security.protocol = SASL_PLAINTEXT\n"
                                              "kafka.sasl.mechanisms = S3CR3T-MECH\n"
                                              "kafka.sasl.password = hunter2\n");
        struct ne_diag diag;
        cr_assert_eq(ne_kafka_conf_check(cfg, &diag), -EINVAL);
        cr_assert(strstr(diag.msg, "S3CR3T") == NULL, "leaked: %s", diag.msg);
        cr_assert(strstr(diag.msg, "(redacted)") != NULL, "%s", diag.msg);
        ne_config_free(cfg);
}

Test(kafka_conf, forced_table_is_consistent)
{
        /* Every forced value must itself be accepted by librdkafka for its scope. */
        for (size_t i = 0; i < ne_kafka_forced_len; i++) {
                cr_assert(ne_kafka_forced[i].scope == NE_KAFKA_CONSUMER ||
                          ne_kafka_forced[i].scope == NE_KAFKA_PRODUCER);
                cr_assert_not_null(ne_kafka_forced[i].why);
        }
        struct ne_config *cfg = parse_ok(BASE);
        rd_kafka_conf_t *conf;
        cr_assert_eq(ne_kafka_conf_build(cfg, NE_KAFKA_PRODUCER, &conf, NULL), 0);
        rd_kafka_conf_destroy(conf);
        ne_config_free(cfg);
}

Test(kafka_conf, example_config_passes)
{
        const char *dir = getenv("NE_SOURCE_DIR");
        char path[4096];
        snprintf(path, sizeof(path), "%s/config/newsenrichd.conf", dir ? dir : NE_SOURCE_DIR);
        struct ne_config *cfg = NULL;
        struct ne_diag diag;
        cr_assert_eq(ne_config_load(path, &cfg, &diag), 0, "%d: %s", diag.line, diag.msg);
        cr_assert_eq(ne_kafka_conf_check(cfg, &diag), 0, "%s:%d: %s: %s", path, diag.line, diag.key,
                     diag.msg);
        ne_config_free(cfg);
}
