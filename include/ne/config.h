/* The daemon's configuration: a file of `key = value` lines (`#` starts a comment line), parsed
 * against one declarative table of known keys (daemon/config_map.c: key, type, default, help)
 * that also gives `newsenrichd run --help-config`. Unknown keys are errors. Keys under `kafka.`
 * are passed to librdkafka unvalidated here (daemon/kafka/ validates them against librdkafka,
 * reporting the key and line): `kafka.X` goes to consumer and producer, `kafka.consumer.X` and
 * `kafka.producer.X` to one of them. Must not log: errors carry key and line in struct ne_diag. */
#ifndef NE_CONFIG_H
#define NE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ne/codec.h"
#include "ne/diag.h"
#include "ne/log.h"

enum ne_kafka_scope {
        NE_KAFKA_BOTH = 0,
        NE_KAFKA_CONSUMER,
        NE_KAFKA_PRODUCER,
};

/* One librdkafka property as written in the file. */
struct ne_config_kafka {
        enum ne_kafka_scope scope;
        char *name;   /* librdkafka property name, prefix stripped; owned */
        char *value;  /* owned */
        int line;     /* 1-based line in the file */
};

/* One extra output topic selected by a rule (`route.<name>.<field>` keys). An article goes
 * there (a copy of its enriched event) when every condition the route sets holds. */
struct ne_config_route {
        char *name;        /* <name>; owned */
        char *topic;       /* route.<name>.topic: required; owned */
        char *topic_code;  /* route.<name>.topic_code: e.g. medtop:15000000, or NULL; owned */
        double min_score;  /* route.<name>.min_score: the topic's score must be >= this */
        int entity_type;   /* route.<name>.entity = TYPE[:name]: enum ne_entity_type, -1 none */
        char *entity_name; /* the name after "TYPE:", or NULL for any entity of the type */
        int line;          /* line of the first key of this route */
};

/* One schema id -> .avsc mapping (`schema.<id> = path`). */
struct ne_config_schema {
        int32_t id;
        char *path;   /* owned; relative paths resolved against the config file's directory */
        int line;
};

struct ne_config {
        char *path;                      /* file it came from, or NULL */

        char **input_topics;             /* input.topics, comma-separated, >= 1 */
        size_t n_input_topics;
        size_t input_max_bytes;          /* input.max_bytes: larger inputs are dead-lettered */
        unsigned int input_max_depth;    /* input.json_max_depth */

        char *output_topic;              /* output.topic */
        enum ne_format output_format;    /* output.format = avro | json */
        int32_t output_schema_id;        /* output.schema_id: must be in the schema table */
        char *dead_letter_topic;         /* dead_letter.topic */

        struct ne_config_schema *schemas; /* schema.<id> */
        size_t n_schemas;

        char *ner_model;                 /* models.ner: path, or "" for none */
        char *topic_model;               /* models.topics: path, or "" for none */
        double topic_threshold;          /* enrich.topic_threshold */
        unsigned int topic_top_k;        /* enrich.topic_top_k */
        unsigned int max_entities;       /* enrich.max_entities */

        unsigned int workers;            /* pipeline.workers: 0 = number of online CPUs */
        unsigned int max_in_flight;      /* pipeline.max_in_flight: pause consumption above */
        unsigned int shutdown_timeout_ms; /* pipeline.shutdown_timeout_ms: flush budget */

        enum ne_log_level log_level;     /* log.level */
        unsigned int stats_interval_s;   /* log.stats_interval_s: periodic summary line */

        char *http_listen;               /* http.listen: address, default 127.0.0.1 */
        unsigned int http_port;          /* http.port: 0 = no HTTP endpoint */

        struct ne_config_kafka *kafka;   /* kafka.* pass-through, in file order */
        size_t n_kafka;

        /* Added by the config module after the original contract. */
        size_t message_max_bytes;        /* effective producer message.max.bytes: the last
                                          * kafka.[producer.]message.max.bytes, else derived as
                                          * max(librdkafka's 1000000, input.max_bytes +
                                          * NE_CONFIG_DLQ_HEADROOM); ne_kafka_conf_build() sets
                                          * the derived value on the producer */
        int message_max_bytes_line;      /* line that set it, 0 when derived */
        int *key_lines;                  /* private: line of each table key, 0 = default; read
                                          * with ne_config_key_line() */

        /* Added for alerts, routing and the schema registry (after the original contract). */
        char *alerts_rules_file;         /* alerts.rules_file: path, "" = no alerts */
        char *alerts_topic;              /* alerts.topic: "" = no alerts */
        int32_t alerts_schema_id;        /* alerts.schema_id: schema.<id> of entity_alert.avsc;
                                          * 0 = none (json output, or the registry assigns) */
        struct ne_config_route *routes;  /* route.<name>.*, in order of first appearance */
        size_t n_routes;
        char *registry_url;              /* registry.url: "" = no schema registry */
        char *registry_basic_auth_user_info; /* registry.basic_auth_user_info: secret */
        unsigned int registry_timeout_ms; /* registry.timeout_ms */
        unsigned int registry_max_attempts; /* registry.max_attempts */
};

/* Parses the file at `path`. Returns 0 and a new config in *ret; -ENOENT/-EIO for the file;
 * -EINVAL with diag->key and diag->line for an unknown key, a bad value, or a rule broken
 * across keys (e.g. input.max_bytes not below the producer's message.max.bytes). */
int ne_config_load(const char *path, struct ne_config **ret, struct ne_diag *diag);

/* Same, from text in memory; `name` is used to resolve relative paths (may be NULL). */
int ne_config_parse(const char *text, size_t len, const char *name, struct ne_config **ret,
                    struct ne_diag *diag);

/* A config with every default and no schemas, topics or models; for demo and tests. */
int ne_config_new_default(struct ne_config **ret);

/* Writes the table of known keys with types, defaults and help to `out` (a FILE *). */
void ne_config_print_help(void *out);

void ne_config_free(struct ne_config *cfg);

/* ---- Added by the config module; everything above is the original contract. ---- */

/* Room a dead letter (ne.* headers, key) needs beyond input.max_bytes inside the producer's
 * message.max.bytes; the parser rejects a config that does not leave it. */
#define NE_CONFIG_DLQ_HEADROOM ((size_t)64 * 1024)

/* librdkafka's default message.max.bytes (producer). */
#define NE_CONFIG_RDKAFKA_MESSAGE_MAX_BYTES ((size_t)1000000)

/* Limits on what a config file may hold. */
#define NE_CONFIG_MAX_FILE_BYTES ((size_t)1024 * 1024)
#define NE_CONFIG_MAX_LINE 8192

/* 1-based line that set the table key `key` (e.g. "output.topic"), 0 when it kept its default
 * or is not a table key. */
int ne_config_key_line(const struct ne_config *cfg, const char *key);

/* True for keys whose values must never be printed: those containing "password", "secret",
 * "sasl", "ssl.key" or "user_info" (case-insensitive). */
bool ne_config_key_is_secret(const char *key);

/* At most this many route.<name> groups (well below NE_PROC_MAX_EXTRA, so routed copies
 * always fit beside alerts). */
#define NE_CONFIG_MAX_ROUTES 16

/* Writes the key as written in the file for a kafka entry ("kafka.producer.acks") into buf;
 * returns buf. */
const char *ne_config_kafka_key(const struct ne_config_kafka *kc, char *buf, size_t size);

/* Writes the effective configuration as `key = value` lines to `out` (a FILE *), every key of
 * the table with its value or default, then schemas and kafka properties; values of secret
 * keys print as "(redacted)". */
void ne_config_dump(const struct ne_config *cfg, void *out);

#endif
