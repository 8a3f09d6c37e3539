/* Unit tests for the config parser (daemon/config.c, config_map.c, config_print.c): defaults,
 * every value type, a table of broken configs with the key and line each must be reported at,
 * rules across keys, path resolution, secret redaction, and the shipped example config. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ne/config.h"

/* Seven lines; tables below append their line as line 8. */
#define BASE                                                                                       \
        "input.topics = in\n"                                                                      \
        "output.topic = out\n"                                                                     \
        "dead_letter.topic = dlq\n"                                                                \
        "output.schema_id = 1\n"                                                                   \
        "schema.1 = s.avsc\n"                                                                      \
        "kafka.bootstrap.servers = localhost:9092\n"                                               \
        "kafka.group.id = g\n"

static struct ne_config *parse_ok(const char *text, const char *name)
{
        struct ne_config *cfg = NULL;
        struct ne_diag diag;
        int r = ne_config_parse(text, strlen(text), name, &cfg, &diag);
        cr_assert_eq(r, 0, "parse failed: %s:%d: %s: %s", name ? name : "-", diag.line, diag.key,
                     diag.msg);
        cr_assert_not_null(cfg);
        return cfg;
}

Test(config, minimal_has_every_default)
{
        struct ne_config *cfg = parse_ok(BASE, NULL);
        cr_assert_eq(cfg->n_input_topics, 1);
        cr_assert_str_eq(cfg->input_topics[0], "in");
        cr_assert_eq(cfg->input_max_bytes, 1048576);
        cr_assert_eq(cfg->input_max_depth, 64);
        cr_assert_str_eq(cfg->output_topic, "out");
        cr_assert_eq(cfg->output_format, NE_FORMAT_AVRO);
        cr_assert_eq(cfg->output_schema_id, 1);
        cr_assert_str_eq(cfg->dead_letter_topic, "dlq");
        cr_assert_eq(cfg->n_schemas, 1);
        cr_assert_eq(cfg->schemas[0].id, 1);
        cr_assert_str_eq(cfg->schemas[0].path, "s.avsc");
        cr_assert_eq(cfg->schemas[0].line, 5);
        cr_assert_str_eq(cfg->ner_model, "");
        cr_assert_str_eq(cfg->topic_model, "");
        cr_assert_float_eq(cfg->topic_threshold, 0.3, 1e-12);
        cr_assert_eq(cfg->topic_top_k, 3);
        cr_assert_eq(cfg->max_entities, 100);
        cr_assert_eq(cfg->workers, 0);
        cr_assert_eq(cfg->max_in_flight, 1000);
        cr_assert_eq(cfg->shutdown_timeout_ms, 10000);
        cr_assert_eq(cfg->log_level, NE_LOG_INFO);
        cr_assert_eq(cfg->stats_interval_s, 60);
        cr_assert_str_eq(cfg->http_listen, "127.0.0.1");
        cr_assert_eq(cfg->http_port, 0);
        cr_assert_eq(cfg->n_kafka, 2);
        cr_assert_eq(cfg->kafka[0].scope, NE_KAFKA_BOTH);
        cr_assert_str_eq(cfg->kafka[0].name, "bootstrap.servers");
        cr_assert_str_eq(cfg->kafka[0].value, "localhost:9092");
        cr_assert_eq(cfg->kafka[0].line, 6);
        /* Derived so that the defaults work together: 1 MiB + 64 KiB of headroom. */
        cr_assert_eq(cfg->message_max_bytes, 1048576 + 65536);
        cr_assert_eq(cfg->message_max_bytes_line, 0);
        cr_assert_eq(ne_config_key_line(cfg, "output.topic"), 2);
        cr_assert_eq(ne_config_key_line(cfg, "input.max_bytes"), 0);
        cr_assert_eq(ne_config_key_line(cfg, "no.such"), 0);
        cr_assert_null(cfg->path);
        ne_config_free(cfg);
}

Test(config, new_default_matches_table)
{
        struct ne_config *cfg = NULL;
        cr_assert_eq(ne_config_new_default(&cfg), 0);
        cr_assert_eq(cfg->input_max_bytes, 1048576);
        cr_assert_eq(cfg->max_in_flight, 1000);
        cr_assert_eq(cfg->log_level, NE_LOG_INFO);
        cr_assert_str_eq(cfg->http_listen, "127.0.0.1");
        cr_assert_null(cfg->output_topic);
        cr_assert_eq(cfg->n_input_topics, 0);
        cr_assert_eq(cfg->n_schemas, 0);
        cr_assert_eq(cfg->n_kafka, 0);
        ne_config_free(cfg);
        ne_config_free(NULL);
}

Test(config, every_key_set)
{
        const char *text = "# a comment\n"
                           "   # an indented comment\n"
                           "\n"
                           "input.topics = a, b ,c\n"
                           "input.max_bytes = 512KiB\n"
                           "input.json_max_depth = 10\n"
                           "output.topic = out\n"
                           "output.format = json\n"
                           "output.schema_id = 2147483647\n"
                           "dead_letter.topic = dlq\n"
                           "schema.2147483647 = /abs/enriched.avsc\n"
                           "schema.7 = rel/published.avsc\n"
                           "models.ner = \"  ner.model  \"\n"
                           "models.topics = /m/topics.model\n"
                           "enrich.topic_threshold = 0.125\n"
                           "enrich.topic_top_k = 0\n"
                           "enrich.max_entities = 10000\n"
                           "pipeline.workers = 4\n"
                           "pipeline.max_in_flight = 1\n"
                           "pipeline.shutdown_timeout_ms = 0\n"
                           "log.level = debug\n"
                           "log.stats_interval_s = 0\n"
                           "http.listen = ::1\n"
                           "http.port = 65535\n"
                           "\tkafka.bootstrap.servers\t=\tb:9092\t\r\n"
                           "kafka.consumer.group.id = grp\n"
                           "kafka.producer.linger.ms = 5\n"
                           "kafka.sasl.password = pa#ss = word\n";
        struct ne_config *cfg = parse_ok(text, "/etc/ne/x.conf");
        cr_assert_eq(cfg->n_input_topics, 3);
        cr_assert_str_eq(cfg->input_topics[1], "b");
        cr_assert_str_eq(cfg->input_topics[2], "c");
        cr_assert_eq(cfg->input_max_bytes, 524288);
        cr_assert_eq(cfg->input_max_depth, 10);
        cr_assert_eq(cfg->output_format, NE_FORMAT_JSON);
        cr_assert_eq(cfg->output_schema_id, 2147483647);
        cr_assert_eq(cfg->n_schemas, 2);
        cr_assert_str_eq(cfg->schemas[0].path, "/abs/enriched.avsc");
        cr_assert_str_eq(cfg->schemas[1].path, "/etc/ne/rel/published.avsc");
        cr_assert_eq(cfg->schemas[1].id, 7);
        cr_assert_eq(cfg->schemas[1].line, 12);
        cr_assert_str_eq(cfg->ner_model, "/etc/ne/  ner.model  ");
        cr_assert_str_eq(cfg->topic_model, "/m/topics.model");
        cr_assert_float_eq(cfg->topic_threshold, 0.125, 1e-12);
        cr_assert_eq(cfg->topic_top_k, 0);
        cr_assert_eq(cfg->max_entities, 10000);
        cr_assert_eq(cfg->workers, 4);
        cr_assert_eq(cfg->max_in_flight, 1);
        cr_assert_eq(cfg->shutdown_timeout_ms, 0);
        cr_assert_eq(cfg->log_level, NE_LOG_DEBUG);
        cr_assert_eq(cfg->stats_interval_s, 0);
        cr_assert_str_eq(cfg->http_listen, "::1");
        cr_assert_eq(cfg->http_port, 65535);
        cr_assert_eq(cfg->n_kafka, 4);
        cr_assert_str_eq(cfg->kafka[0].value, "b:9092");
        cr_assert_eq(cfg->kafka[1].scope, NE_KAFKA_CONSUMER);
        cr_assert_str_eq(cfg->kafka[1].name, "group.id");
        cr_assert_eq(cfg->kafka[2].scope, NE_KAFKA_PRODUCER);
        cr_assert_str_eq(cfg->kafka[2].name, "linger.ms");
        /* `#` and `=` inside a value are part of it: comments are whole lines only. */
        cr_assert_str_eq(cfg->kafka[3].value, "pa#ss = word");
        cr_assert_str_eq(cfg->path, "/etc/ne/x.conf");
        cr_assert_eq(ne_config_key_line(cfg, "http.port"), 24);
        ne_config_free(cfg);
}

/* Criterion re-executes the binary for each test (BoxFort), so parameters must not hold
 * pointers: with ASLR the strings would sit elsewhere in the child. Strings are inline. */
struct size_case {
        char value[32];
        size_t bytes;
};

static struct size_case size_cases[] = {
    {"1048576", 1048576}, {"1MiB", 1048576},     {"512KiB", 524288}, {"1 MiB", 1048576},
    {"1024B", 1024},      {"256MiB", 268435456}, {"2048", 2048},     {"0001024", 1024},
};

ParameterizedTestParameters(config, size_suffixes)
{
        return cr_make_param_array(struct size_case, size_cases,
                                   sizeof(size_cases) / sizeof(size_cases[0]));
}

ParameterizedTest(struct size_case *tc, config, size_suffixes)
{
        char text[512];
        snprintf(text, sizeof(text),
                 BASE "input.max_bytes = %s\nkafka.producer.message.max.bytes = 1000000000\n",
                 tc->value);
        struct ne_config *cfg = parse_ok(text, NULL);
        cr_assert_eq(cfg->input_max_bytes, tc->bytes, "%s -> %zu", tc->value, cfg->input_max_bytes);
        cr_assert_eq(cfg->message_max_bytes, 1000000000);
        cr_assert_eq(cfg->message_max_bytes_line, 9);
        ne_config_free(cfg);
}

struct bad_case {
        char text[400];
        char key[64]; /* expected diag.key */
        int line;     /* expected diag.line */
        char msg[96]; /* substring expected in diag.msg */
};

static struct bad_case bad_cases[] = {
    /* unknown keys, with and without a suggestion */
    {BASE "input.topcs = x\n", "input.topcs", 8,
     "unknown key 'input.topcs' at line 8; did you mean 'input.topics'?"},
    {BASE "foo.bar = 1\n", "foo.bar", 8, "unknown key 'foo.bar' at line 8"},
    {BASE "kafak.acks = 1\n", "kafak.acks", 8, "did you mean 'kafka.acks'?"},
    {BASE "schemas.2 = x\n", "schemas.2", 8, "did you mean 'schema.2'?"},
    {BASE "pipeline.worker = 2\n", "pipeline.worker", 8, "did you mean 'pipeline.workers'?"},
    /* line syntax */
    {BASE "just words\n", "", 8, "expected 'key = value'"},
    {BASE " = value\n", "", 8, "missing key"},
    {BASE "models.ner = \"abc\n", "models.ner", 8, "unterminated double quote"},
    {BASE "bad key = 1\n", "bad key", 8, "space"},
    /* numbers */
    {BASE "pipeline.workers = abc\n", "pipeline.workers", 8, "not a non-negative decimal"},
    {BASE "pipeline.workers = -1\n", "pipeline.workers", 8, "not a non-negative decimal"},
    {BASE "pipeline.workers = 0x10\n", "pipeline.workers", 8, "not a non-negative decimal"},
    {BASE "pipeline.workers = 2 \"\n", "pipeline.workers", 8, "not a non-negative decimal"},
    {BASE "pipeline.workers = 257\n", "pipeline.workers", 8, "out of range"},
    {BASE "http.port = 70000\n", "http.port", 8, "out of range [0, 65535]"},
    {BASE "http.port =\n", "http.port", 8, "empty value"},
    {BASE "pipeline.max_in_flight = 0\n", "pipeline.max_in_flight", 8, "out of range"},
    {BASE "pipeline.max_in_flight = 99999999999999999999999\n", "pipeline.max_in_flight", 8,
     "out of range"},
    {BASE "enrich.topic_threshold = 1.5\n", "enrich.topic_threshold", 8, "out of range"},
    {BASE "enrich.topic_threshold = -0.1\n", "enrich.topic_threshold", 8, "out of range"},
    {BASE "enrich.topic_threshold = nan\n", "enrich.topic_threshold", 8, "not a decimal"},
    {BASE "enrich.topic_threshold = 0x1p-2\n", "enrich.topic_threshold", 8, "not a decimal"},
    {BASE "enrich.topic_threshold = 0.3x\n", "enrich.topic_threshold", 8, "not a decimal"},
    {BASE "input.max_bytes = 1MB\n", "input.max_bytes", 8, "not a size"},
    {BASE "input.max_bytes = 1.5MiB\n", "input.max_bytes", 8, "not a size"},
    {BASE "input.max_bytes = 100\n", "input.max_bytes", 8, "out of range"},
    {BASE "input.max_bytes = 99999999999GiB\n", "input.max_bytes", 8, "out of range"},
    /* enums, strings, lists */
    {BASE "output.format = xml\n", "output.format", 8, "'xml' is not one of: avro, json"},
    {BASE "log.level = verbose\n", "log.level", 8, "not one of: err, warning, notice"},
    {BASE "log.level = INFO\n", "log.level", 8, "not one of"},
    {BASE "http.listen = localhost\n", "http.listen", 8, "not a numeric IPv4 or IPv6"},
    {"input.topics = a,,b\n", "input.topics", 1, "empty element 2"},
    {"input.topics = a,b,a\n", "input.topics", 1, "'a' is listed twice"},
    {"input.topics = \n", "input.topics", 1, "empty element 1"},
    {"input.topics = a/b\n", "input.topics", 1, "not a valid topic name"},
    {"output.topic = ..\n", "output.topic", 1, "not a valid topic name"},
    /* duplicates */
    {BASE "output.topic = out2\n", "output.topic", 8, "duplicate key (first set at line 2)"},
    {BASE "kafka.group.id = h\n", "kafka.group.id", 8, "duplicate key (first set at line 7)"},
    {BASE "schema.1 = t.avsc\n", "schema.1", 8, "duplicate key (first set at line 5)"},
    /* schema ids */
    {BASE "schema.abc = x.avsc\n", "schema.abc", 8, "not a positive 32-bit integer"},
    {BASE "schema.0 = x.avsc\n", "schema.0", 8, "not a positive 32-bit integer"},
    {BASE "schema.-3 = x.avsc\n", "schema.-3", 8, "not a positive 32-bit integer"},
    {BASE "schema.2147483648 = x.avsc\n", "schema.2147483648", 8, "not a positive"},
    {BASE "schema.01 = x.avsc\n", "schema.01", 8, "leading zeros"},
    {BASE "schema. = x.avsc\n", "schema.", 8, "not a positive 32-bit integer"},
    {BASE "schema.2 =\n", "schema.2", 8, "empty path"},
    {BASE "kafka.producer. = 1\n", "kafka.producer.", 8, "no librdkafka property name"},
    /* required keys */
    {"output.topic = out\ndead_letter.topic = dlq\noutput.schema_id = 1\nschema.1 = s\n"
     "kafka.bootstrap.servers = b\nkafka.group.id = g\n",
     "input.topics", 0, "missing required key"},
    {"input.topics = in\ndead_letter.topic = dlq\noutput.schema_id = 1\nschema.1 = s\n"
     "kafka.bootstrap.servers = b\nkafka.group.id = g\n",
     "output.topic", 0, "missing required key"},
    {"input.topics = in\noutput.topic = out\noutput.schema_id = 1\nschema.1 = s\n"
     "kafka.bootstrap.servers = b\nkafka.group.id = g\n",
     "dead_letter.topic", 0, "missing required key"},
    {"input.topics = in\noutput.topic = out\ndead_letter.topic = dlq\nschema.1 = s\n"
     "kafka.bootstrap.servers = b\nkafka.group.id = g\n",
     "output.schema_id", 0, "missing required key"},
    {"input.topics = in\noutput.topic = out\ndead_letter.topic = dlq\n"
     "output.schema_id = 1\nschema.1 = s\nkafka.group.id = g\n",
     "kafka.bootstrap.servers", 0, "missing required key"},
    {"input.topics = in\noutput.topic = out\ndead_letter.topic = dlq\n"
     "output.schema_id = 1\nschema.1 = s\nkafka.consumer.bootstrap.servers = b\n"
     "kafka.group.id = g\n",
     "kafka.bootstrap.servers", 0, "for consumer and producer"},
    {"input.topics = in\noutput.topic = out\ndead_letter.topic = dlq\n"
     "output.schema_id = 1\nschema.1 = s\nkafka.bootstrap.servers = b\n"
     "kafka.producer.group.id = g\n",
     "kafka.group.id", 0, "missing required key"},
    /* rules across keys */
    {"input.topics = in\noutput.topic = out\ndead_letter.topic = dlq\n"
     "output.schema_id = 2\nschema.1 = s\nkafka.bootstrap.servers = b\nkafka.group.id = g\n",
     "output.schema_id", 4, "schema id 2 has no schema.2 key (schema ids: 1)"},
    {"input.topics = in,out\noutput.topic = out\ndead_letter.topic = dlq\n"
     "output.schema_id = 1\nschema.1 = s\nkafka.bootstrap.servers = b\nkafka.group.id = g\n",
     "output.topic", 2, "'out' is also an input topic"},
    {"input.topics = in,dlq\noutput.topic = out\ndead_letter.topic = dlq\n"
     "output.schema_id = 1\nschema.1 = s\nkafka.bootstrap.servers = b\nkafka.group.id = g\n",
     "dead_letter.topic", 3, "'dlq' is also an input topic"},
    {"input.topics = in\noutput.topic = out\ndead_letter.topic = out\n"
     "output.schema_id = 1\nschema.1 = s\nkafka.bootstrap.servers = b\nkafka.group.id = g\n",
     "dead_letter.topic", 3, "also output.topic"},
    {BASE "kafka.producer.message.max.bytes = 1000000\n", "kafka.producer.message.max.bytes", 8,
     "input.max_bytes (1048576) must leave 65536 bytes"},
    {BASE "kafka.message.max.bytes = 1114111\n", "kafka.message.max.bytes", 8, "at least 1114112"},
    {BASE "input.max_bytes = 2MiB\nkafka.message.max.bytes = 2000000\n", "input.max_bytes", 8,
     "message.max.bytes (2000000, line 9)"},
    /* producer scope wins when later in the file; the consumer's does not count */
    {BASE "kafka.message.max.bytes = 9000000\nkafka.producer.message.max.bytes = 1000\n",
     "kafka.producer.message.max.bytes", 9, "must leave"},
};

ParameterizedTestParameters(config, bad)
{
        return cr_make_param_array(struct bad_case, bad_cases,
                                   sizeof(bad_cases) / sizeof(bad_cases[0]));
}

ParameterizedTest(struct bad_case *tc, config, bad)
{
        struct ne_config *cfg = NULL;
        struct ne_diag diag;
        int r = ne_config_parse(tc->text, strlen(tc->text), "t.conf", &cfg, &diag);
        cr_assert_eq(r, -EINVAL, "expected -EINVAL, got %d for:\n%s", r, tc->text);
        cr_assert_null(cfg);
        cr_expect_str_eq(diag.key, tc->key, "key '%s' != '%s' (%s)", diag.key, tc->key, diag.msg);
        cr_expect_eq(diag.line, tc->line, "line %d != %d (%s)", diag.line, tc->line, diag.msg);
        cr_expect(strstr(diag.msg, tc->msg) != NULL, "'%s' not in '%s'", tc->msg, diag.msg);
}

Test(config, consumer_message_max_bytes_is_not_the_producers)
{
        struct ne_config *cfg = parse_ok(BASE "kafka.consumer.message.max.bytes = 1000\n", NULL);
        cr_assert_eq(cfg->message_max_bytes_line, 0);
        cr_assert_eq(cfg->message_max_bytes, 1048576 + 65536);
        ne_config_free(cfg);
}

Test(config, small_input_keeps_librdkafka_default)
{
        struct ne_config *cfg = parse_ok(BASE "input.max_bytes = 100KiB\n", NULL);
        cr_assert_eq(cfg->message_max_bytes, 1000000);
        ne_config_free(cfg);
}

Test(config, nul_byte_and_long_line_rejected)
{
        struct ne_config *cfg = NULL;
        struct ne_diag diag;
        const char text[] = BASE "http.port = 1\0 2\n";
        cr_assert_eq(ne_config_parse(text, sizeof(text) - 1, NULL, &cfg, &diag), -EINVAL);
        cr_assert_eq(diag.line, 8);
        cr_assert(strstr(diag.msg, "NUL") != NULL);

        size_t n = NE_CONFIG_MAX_LINE + 100;
        char *big = malloc(n + 1);
        cr_assert_not_null(big);
        memset(big, 'x', n);
        memcpy(big, "models.ner = ", 13);
        big[n] = '\0';
        cr_assert_eq(ne_config_parse(big, n, NULL, &cfg, &diag), -EINVAL);
        cr_assert_eq(diag.line, 1);
        cr_assert(strstr(diag.msg, "longer than") != NULL);
        free(big);

        cr_assert_eq(ne_config_parse("", NE_CONFIG_MAX_FILE_BYTES + 1, NULL, &cfg, &diag), -EFBIG);
        cr_assert_null(cfg);
}

Test(config, relative_paths_follow_the_config_file)
{
        static const struct {
                const char *name, *value, *want;
        } cases[] = {
            {"/etc/ne/x.conf", "s.avsc", "/etc/ne/s.avsc"},
            {"/etc/ne/x.conf", "../share/s.avsc", "/etc/ne/../share/s.avsc"},
            {"/etc/ne/x.conf", "/usr/share/s.avsc", "/usr/share/s.avsc"},
            {"x.conf", "s.avsc", "./s.avsc"},
            {"/x.conf", "s.avsc", "//s.avsc"},
            {NULL, "s.avsc", "s.avsc"},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char text[512];
                snprintf(text, sizeof(text), BASE "schema.9 = %s\nmodels.topics = %s\n",
                         cases[i].value, cases[i].value);
                struct ne_config *cfg = parse_ok(text, cases[i].name);
                cr_assert_str_eq(cfg->schemas[1].path, cases[i].want, "%s + %s", cases[i].name,
                                 cases[i].value);
                cr_assert_str_eq(cfg->topic_model, cases[i].want);
                ne_config_free(cfg);
        }
}

Test(config, empty_model_path_stays_empty)
{
        struct ne_config *cfg = parse_ok(BASE "models.ner =\nmodels.topics = \"\"\n", "/a/b.conf");
        cr_assert_str_eq(cfg->ner_model, "");
        cr_assert_str_eq(cfg->topic_model, "");
        ne_config_free(cfg);
}

struct secret_case {
        char key[64];
        bool secret;
};

static struct secret_case secret_cases[] = {
    {"kafka.sasl.password", true},
    {"kafka.sasl.username", true},
    {"kafka.consumer.sasl.mechanisms", true},
    {"kafka.ssl.key.password", true},
    {"kafka.ssl.key.location", true},
    {"kafka.ssl.keystore.password", true},
    {"kafka.SASL.OAUTHBEARER.CLIENT.SECRET", true},
    {"kafka.sasl.oauthbearer.client.secret", true},
    {"kafka.bootstrap.servers", false},
    {"kafka.ssl.ca.location", false},
    {"output.topic", false},
};

ParameterizedTestParameters(config, secret_keys)
{
        return cr_make_param_array(struct secret_case, secret_cases,
                                   sizeof(secret_cases) / sizeof(secret_cases[0]));
}

ParameterizedTest(struct secret_case *tc, config, secret_keys)
{
        cr_assert_eq(ne_config_key_is_secret(tc->key), tc->secret, "%s", tc->key);
}

static char *dump(const struct ne_config *cfg)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        cr_assert_not_null(f);
        ne_config_dump(cfg, f);
        fclose(f);
        return buf;
}

Test(config, dump_redacts_secrets)
{
        struct ne_config *cfg = parse_ok(BASE "kafka.sasl.password = hunter2\n"
                                              "kafka.producer.ssl.key.password = swordfish\n"
                                              "kafka.sasl.username = alice\n"
                                              "kafka.client.id = visible-id\n",
                                         NULL);
        char *text = dump(cfg);
        cr_assert(strstr(text, "hunter2") == NULL, "%s", text);
        cr_assert(strstr(text, "swordfish") == NULL);
        cr_assert(strstr(text, "alice") == NULL);
        cr_assert(strstr(text, "kafka.sasl.password = (redacted)\n") != NULL);
        cr_assert(strstr(text, "kafka.producer.ssl.key.password = (redacted)\n") != NULL);
        cr_assert(strstr(text, "kafka.client.id = visible-id\n") != NULL);
        cr_assert(strstr(text, "input.max_bytes = 1048576\n") != NULL);
        cr_assert(strstr(text, "output.format = avro\n") != NULL);
        cr_assert(strstr(text, "enrich.topic_threshold = 0.3\n") != NULL);
        free(text);
        ne_config_free(cfg);
}

Test(config, duplicate_secret_does_not_echo_value)
{
        const char *text = BASE "kafka.sasl.password = hunter2\nkafka.sasl.password = hunter3\n";
        struct ne_config *cfg = NULL;
        struct ne_diag diag;
        cr_assert_eq(ne_config_parse(text, strlen(text), NULL, &cfg, &diag), -EINVAL);
        cr_assert_str_eq(diag.key, "kafka.sasl.password");
        cr_assert_eq(diag.line, 9);
        cr_assert(strstr(diag.msg, "hunter") == NULL);
}

Test(config, help_lists_every_key)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        cr_assert_not_null(f);
        ne_config_print_help(f);
        fclose(f);
        struct ne_config *cfg = NULL;
        cr_assert_eq(ne_config_new_default(&cfg), 0);
        char *keys = dump(cfg);
        /* Every `key = ` line of the dump is a table key and must be in the help. */
        for (char *line = strtok(keys, "\n"); line; line = strtok(NULL, "\n")) {
                char *eq = strstr(line, " = ");
                if (line[0] == '#' || !eq)
                        continue;
                *eq = '\0';
                char want[160];
                snprintf(want, sizeof(want), "\n%s (", line);
                cr_assert(strstr(buf, want) != NULL, "help misses %s", line);
        }
        cr_assert(strstr(buf, "input.max_bytes (size 1024..268435456, default \"1MiB\")") != NULL);
        cr_assert(strstr(buf, "output.format (one of avro|json, default \"avro\")") != NULL);
        cr_assert(strstr(buf, "schema.<id>") != NULL);
        cr_assert(strstr(buf, "kafka.[consumer.|producer.]<property>") != NULL);
        free(keys);
        free(buf);
        ne_config_free(cfg);
}

Test(config, load_reports_missing_file)
{
        struct ne_config *cfg = NULL;
        struct ne_diag diag;
        cr_assert_eq(ne_config_load("/nonexistent/ne.conf", &cfg, &diag), -ENOENT);
        cr_assert_null(cfg);
        cr_assert(strstr(diag.msg, "cannot open") != NULL);
}

static char *read_text(const char *path)
{
        FILE *f = fopen(path, "r");
        cr_assert_not_null(f, "%s", path);
        char *buf = malloc(NE_CONFIG_MAX_FILE_BYTES + 1);
        cr_assert_not_null(buf);
        size_t n = fread(buf, 1, NE_CONFIG_MAX_FILE_BYTES, f);
        buf[n] = '\0';
        fclose(f);
        return buf;
}

static const char *source_dir(void)
{
        const char *dir = getenv("NE_SOURCE_DIR");
        return dir ? dir : NE_SOURCE_DIR;
}

Test(config, example_config_parses_and_documents_every_key)
{
        char path[4096];
        snprintf(path, sizeof(path), "%s/config/newsenrichd.conf", source_dir());
        struct ne_config *cfg = NULL;
        struct ne_diag diag;
        cr_assert_eq(ne_config_load(path, &cfg, &diag), 0, "%s:%d: %s: %s", path, diag.line,
                     diag.key, diag.msg);
        cr_assert_str_eq(cfg->schemas[0].path,
                         "/usr/share/newsenrichd/schemas/article_enriched.avsc");

        /* Every table key appears as `key = ` or `#key = `. */
        struct ne_config *def = NULL;
        cr_assert_eq(ne_config_new_default(&def), 0);
        char *keys = dump(def);
        char *text = read_text(path);
        for (char *line = strtok(keys, "\n"); line; line = strtok(NULL, "\n")) {
                char *eq = strstr(line, " = ");
                if (line[0] == '#' || !eq)
                        continue;
                eq[3] = '\0';
                char commented[200];
                snprintf(commented, sizeof(commented), "\n#%s", line);
                char set[200];
                snprintf(set, sizeof(set), "\n%s", line);
                eq[2] = '\0'; /* "key =" for empty defaults written as `#models.ner =` */
                char bare[200];
                snprintf(bare, sizeof(bare), "\n#%s\n", line);
                cr_assert(strstr(text, commented) || strstr(text, set) || strstr(text, bare),
                          "config/newsenrichd.conf does not document %s", line);
        }

        /* Uncommenting every `#key = default` line must not change the config: the documented
         * defaults are the real ones. */
        size_t tn = strlen(text);
        char *uncommented = malloc(tn + 1);
        cr_assert_not_null(uncommented);
        size_t out = 0;
        for (size_t i = 0; i < tn; i++) {
                bool bol = i == 0 || text[i - 1] == '\n';
                if (bol && text[i] == '#' && i + 1 < tn &&
                    (text[i + 1] >= 'a' && text[i + 1] <= 'z') &&
                    strncmp(text + i + 1, "kafka.", 6) != 0)
                        continue;
                uncommented[out++] = text[i];
        }
        struct ne_config *all = NULL;
        cr_assert_eq(ne_config_parse(uncommented, out, path, &all, &diag), 0, "%d: %s: %s",
                     diag.line, diag.key, diag.msg);
        char *a = dump(cfg), *b = dump(all);
        cr_assert_str_eq(a, b);
        free(a);
        free(b);
        free(uncommented);
        ne_config_free(all);
        free(text);
        free(keys);
        ne_config_free(def);
        ne_config_free(cfg);
}
