/* The config file parser: splits `key = value` lines, hands table keys to the typed setters of
 * config_map.c, collects `schema.<id>` and `kafka.*` entries, then checks what involves more
 * than one key (required keys, topic loops, the output schema id, input.max_bytes against the
 * producer's message.max.bytes). Syntax: `#` starts a comment only at the start of a line (so a
 * `#` inside a value, e.g. a password, is kept); values run unquoted to the end of the line and
 * may be wrapped in double quotes to keep leading or trailing spaces. Every key may appear once.
 * Must not log, and must never put the value of a secret key into a diag. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_map.h"
#include "ne/config.h"

#define MAX_SCHEMAS 1024
#define MAX_KAFKA 1024

struct parser {
        struct ne_config *cfg;
        char *base_dir; /* directory of the config file, NULL when parsing anonymous text */
        struct ne_diag *diag;
        int line;
};

/* Fills the "where" of a diag whose msg is already set; returns err. */
static int at(struct ne_diag *diag, int err, const char *key, int line)
{
        if (diag) {
                /* Keys are shorter than diag->key (parse_line checks); truncate just in case. */
                size_t n = key ? strlen(key) : 0;
                if (n >= sizeof(diag->key))
                        n = sizeof(diag->key) - 1;
                memcpy(diag->key, key ? key : "", n);
                diag->key[n] = '\0';
                diag->line = line;
        }
        return err;
}

static size_t row_index(const struct ne_config_map *row)
{
        return (size_t)(row - ne_config_map);
}

/* The nearest table key or prefix, if it is near enough to be a plausible typo. */
static void suggest(const char *key, char *buf, size_t size)
{
        size_t best = SIZE_MAX;
        buf[0] = '\0';
        for (size_t i = 0; i < ne_config_map_len; i++) {
                const struct ne_config_map *row = &ne_config_map[i];
                size_t d;
                if (ne_config_map_is_prefix(row)) {
                        /* Compare only the first component: "kafak.acks" ~ "kafka." */
                        const char *dot = strchr(key, '.');
                        if (!dot || (size_t)(dot - key) + 1 >= 64)
                                continue;
                        char head[64];
                        snprintf(head, sizeof(head), "%.*s", (int)(dot - key + 1), key);
                        d = ne_config_edit_distance(head, row->key);
                        if (d < best && d <= 2) {
                                best = d;
                                snprintf(buf, size, "%s%s", row->key, dot + 1);
                        }
                        continue;
                }
                d = ne_config_edit_distance(key, row->key);
                size_t limit = strlen(row->key) / 4 > 2 ? strlen(row->key) / 4 : 2;
                if (d < best && d <= limit) {
                        best = d;
                        snprintf(buf, size, "%s", row->key);
                }
        }
}

static int unknown_key(struct parser *p, const char *key)
{
        char hint[160];
        suggest(key, hint, sizeof(hint));
        if (hint[0])
                ne_diag_set(p->diag, -EINVAL, "unknown key '%s' at line %d; did you mean '%s'?",
                            key, p->line, hint);
        else
                ne_diag_set(p->diag, -EINVAL, "unknown key '%s' at line %d", key, p->line);
        return at(p->diag, -EINVAL, key, p->line);
}

static int add_schema(struct parser *p, const char *key, const char *value)
{
        struct ne_config *cfg = p->cfg;
        unsigned long long id;
        if (ne_config_parse_u64(key + strlen("schema."), &id) < 0 || id < 1 || id > INT32_MAX ||
            key[strlen("schema.")] == '0') {
                ne_diag_set(p->diag, -EINVAL,
                            "schema id '%s' is not a positive 32-bit integer without leading "
                            "zeros",
                            key + strlen("schema."));
                return at(p->diag, -EINVAL, key, p->line);
        }
        for (size_t i = 0; i < cfg->n_schemas; i++) {
                if (cfg->schemas[i].id == (int32_t)id) {
                        ne_diag_set(p->diag, -EINVAL, "duplicate key (first set at line %d)",
                                    cfg->schemas[i].line);
                        return at(p->diag, -EINVAL, key, p->line);
                }
        }
        if (!*value) {
                ne_diag_set(p->diag, -EINVAL, "empty path");
                return at(p->diag, -EINVAL, key, p->line);
        }
        if (cfg->n_schemas >= MAX_SCHEMAS) {
                ne_diag_set(p->diag, -EINVAL, "more than %d schemas", MAX_SCHEMAS);
                return at(p->diag, -EINVAL, key, p->line);
        }
        struct ne_config_schema *grown =
            realloc(cfg->schemas, (cfg->n_schemas + 1) * sizeof(*cfg->schemas));
        if (!grown)
                return -ENOMEM;
        cfg->schemas = grown;
        char *path;
        if (ne_config_resolve_path(p->base_dir, value, &path) < 0)
                return -ENOMEM;
        cfg->schemas[cfg->n_schemas++] =
            (struct ne_config_schema){.id = (int32_t)id, .path = path, .line = p->line};
        return 0;
}

static int add_kafka(struct parser *p, const char *key, const char *value)
{
        struct ne_config *cfg = p->cfg;
        enum ne_kafka_scope scope = NE_KAFKA_BOTH;
        const char *name = key + strlen("kafka.");
        if (strncmp(name, "consumer.", 9) == 0) {
                scope = NE_KAFKA_CONSUMER;
                name += 9;
        } else if (strncmp(name, "producer.", 9) == 0) {
                scope = NE_KAFKA_PRODUCER;
                name += 9;
        }
        if (!*name) {
                ne_diag_set(p->diag, -EINVAL, "no librdkafka property name after the prefix");
                return at(p->diag, -EINVAL, key, p->line);
        }
        for (size_t i = 0; i < cfg->n_kafka; i++) {
                if (cfg->kafka[i].scope == scope && strcmp(cfg->kafka[i].name, name) == 0) {
                        ne_diag_set(p->diag, -EINVAL, "duplicate key (first set at line %d)",
                                    cfg->kafka[i].line);
                        return at(p->diag, -EINVAL, key, p->line);
                }
        }
        if (cfg->n_kafka >= MAX_KAFKA) {
                ne_diag_set(p->diag, -EINVAL, "more than %d kafka properties", MAX_KAFKA);
                return at(p->diag, -EINVAL, key, p->line);
        }
        struct ne_config_kafka *grown =
            realloc(cfg->kafka, (cfg->n_kafka + 1) * sizeof(*cfg->kafka));
        if (!grown)
                return -ENOMEM;
        cfg->kafka = grown;
        char *n = strdup(name), *v = strdup(value);
        if (!n || !v) {
                free(n);
                free(v);
                return -ENOMEM;
        }
        cfg->kafka[cfg->n_kafka++] =
            (struct ne_config_kafka){.scope = scope, .name = n, .value = v, .line = p->line};
        return 0;
}

static int set_key(struct parser *p, const char *key, const char *value)
{
        const struct ne_config_map *row = ne_config_map_find(key);
        if (row) {
                int *line = &p->cfg->key_lines[row_index(row)];
                if (*line) {
                        ne_diag_set(p->diag, -EINVAL, "duplicate key (first set at line %d)",
                                    *line);
                        return at(p->diag, -EINVAL, key, p->line);
                }
                int r = ne_config_map_set(row, p->cfg, value, p->base_dir, p->diag);
                if (r < 0)
                        return at(p->diag, r, key, p->line);
                *line = p->line;
                return 0;
        }
        if (strncmp(key, "schema.", 7) == 0)
                return add_schema(p, key, value);
        if (strncmp(key, "kafka.", 6) == 0)
                return add_kafka(p, key, value);
        if (strncmp(key, "route.", 6) == 0) {
                int r = ne_config_route_set(p->cfg, key, value, p->line, p->diag);
                return r < 0 ? at(p->diag, r, key, p->line) : 0;
        }
        return unknown_key(p, key);
}

static char *trim(char *s)
{
        while (isspace((unsigned char)*s))
                s++;
        size_t n = strlen(s);
        while (n && isspace((unsigned char)s[n - 1]))
                s[--n] = '\0';
        return s;
}

/* One line, NUL-terminated and writable, without its newline. */
static int parse_line(struct parser *p, char *line)
{
        char *s = trim(line);
        if (!*s || *s == '#')
                return 0;
        char *eq = strchr(s, '=');
        if (!eq) {
                ne_diag_set(p->diag, -EINVAL, "expected 'key = value'");
                return at(p->diag, -EINVAL, "", p->line);
        }
        *eq = '\0';
        char *key = trim(s), *value = trim(eq + 1);
        if (!*key) {
                ne_diag_set(p->diag, -EINVAL, "missing key before '='");
                return at(p->diag, -EINVAL, "", p->line);
        }
        if (strlen(key) >= sizeof(p->diag->key)) {
                ne_diag_set(p->diag, -EINVAL, "key longer than %zu bytes",
                            sizeof(p->diag->key) - 1);
                return at(p->diag, -EINVAL, "", p->line);
        }
        for (const char *c = key; *c; c++) {
                if (!isgraph((unsigned char)*c)) {
                        ne_diag_set(p->diag, -EINVAL, "key contains a space or control byte");
                        return at(p->diag, -EINVAL, key, p->line);
                }
        }
        size_t vlen = strlen(value);
        if (value[0] == '"') {
                if (vlen < 2 || value[vlen - 1] != '"') {
                        ne_diag_set(p->diag, -EINVAL, "unterminated double quote in value");
                        return at(p->diag, -EINVAL, key, p->line);
                }
                value[vlen - 1] = '\0';
                value++;
        }
        return set_key(p, key, value);
}

static int parse_lines(struct parser *p, const char *text, size_t len)
{
        char buf[NE_CONFIG_MAX_LINE + 1];
        size_t pos = 0;
        while (pos < len) {
                const char *nl = memchr(text + pos, '\n', len - pos);
                size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
                p->line++;
                if (n > NE_CONFIG_MAX_LINE) {
                        ne_diag_set(p->diag, -EINVAL, "line longer than %d bytes",
                                    NE_CONFIG_MAX_LINE);
                        return at(p->diag, -EINVAL, "", p->line);
                }
                if (memchr(text + pos, '\0', n)) {
                        ne_diag_set(p->diag, -EINVAL, "NUL byte in line");
                        return at(p->diag, -EINVAL, "", p->line);
                }
                memcpy(buf, text + pos, n);
                buf[n] = '\0';
                int r = parse_line(p, buf);
                if (r < 0)
                        return r;
                pos += n + 1;
        }
        return 0;
}

/* The last kafka entry named `name` that reaches `scope` (file order: later wins). */
static const struct ne_config_kafka *kafka_find(const struct ne_config *cfg,
                                                enum ne_kafka_scope scope, const char *name)
{
        const struct ne_config_kafka *found = NULL;
        for (size_t i = 0; i < cfg->n_kafka; i++) {
                const struct ne_config_kafka *kc = &cfg->kafka[i];
                if ((kc->scope == NE_KAFKA_BOTH || kc->scope == scope) &&
                    strcmp(kc->name, name) == 0)
                        found = kc;
        }
        return found;
}

static bool has_bootstrap(const struct ne_config *cfg, enum ne_kafka_scope scope)
{
        return kafka_find(cfg, scope, "bootstrap.servers") ||
               kafka_find(cfg, scope, "metadata.broker.list");
}

static int check_required(struct ne_config *cfg, struct ne_diag *diag)
{
        for (size_t i = 0; i < ne_config_map_len; i++) {
                const struct ne_config_map *row = &ne_config_map[i];
                if ((row->flags & NE_CM_REQUIRED) && !cfg->key_lines[i]) {
                        ne_diag_set(diag, -EINVAL, "missing required key");
                        return at(diag, -EINVAL, row->key, 0);
                }
        }
        if (!has_bootstrap(cfg, NE_KAFKA_CONSUMER) || !has_bootstrap(cfg, NE_KAFKA_PRODUCER)) {
                ne_diag_set(diag, -EINVAL,
                            "missing required key (broker list for consumer "
                            "and producer)");
                return at(diag, -EINVAL, "kafka.bootstrap.servers", 0);
        }
        if (!kafka_find(cfg, NE_KAFKA_CONSUMER, "group.id")) {
                ne_diag_set(diag, -EINVAL, "missing required key (or kafka.consumer.group.id)");
                return at(diag, -EINVAL, "kafka.group.id", 0);
        }
        return 0;
}

static int key_line(const struct ne_config *cfg, const char *key)
{
        const struct ne_config_map *row = ne_config_map_find(key);
        return row ? cfg->key_lines[row_index(row)] : 0;
}

static int check_topics(const struct ne_config *cfg, struct ne_diag *diag)
{
        for (size_t i = 0; i < cfg->n_input_topics; i++) {
                if (strcmp(cfg->input_topics[i], cfg->output_topic) == 0) {
                        ne_diag_set(diag, -EINVAL,
                                    "'%s' is also an input topic: enriched events would be "
                                    "consumed again",
                                    cfg->output_topic);
                        return at(diag, -EINVAL, "output.topic", key_line(cfg, "output.topic"));
                }
                if (strcmp(cfg->input_topics[i], cfg->dead_letter_topic) == 0) {
                        ne_diag_set(diag, -EINVAL,
                                    "'%s' is also an input topic: dead letters would be "
                                    "consumed again",
                                    cfg->dead_letter_topic);
                        return at(diag, -EINVAL, "dead_letter.topic",
                                  key_line(cfg, "dead_letter.topic"));
                }
        }
        if (strcmp(cfg->output_topic, cfg->dead_letter_topic) == 0) {
                ne_diag_set(diag, -EINVAL,
                            "'%s' is also output.topic: readers of enriched events would get "
                            "dead letters",
                            cfg->dead_letter_topic);
                return at(diag, -EINVAL, "dead_letter.topic", key_line(cfg, "dead_letter.topic"));
        }
        return 0;
}

static int check_schema_id(const struct ne_config *cfg, struct ne_diag *diag)
{
        char have[256] = "";
        for (size_t i = 0; i < cfg->n_schemas; i++) {
                if (cfg->schemas[i].id == cfg->output_schema_id)
                        return 0;
                size_t len = strlen(have);
                snprintf(have + len, sizeof(have) - len, "%s%ld", len ? ", " : "",
                         (long)cfg->schemas[i].id);
        }
        ne_diag_set(diag, -EINVAL, "schema id %ld has no schema.%ld key (schema ids: %s)",
                    (long)cfg->output_schema_id, (long)cfg->output_schema_id,
                    have[0] ? have : "none");
        return at(diag, -EINVAL, "output.schema_id", key_line(cfg, "output.schema_id"));
}

/* Sets cfg->message_max_bytes and checks that an input of input.max_bytes still fits in a dead
 * letter. A value librdkafka would reject is left for ne_kafka_conf_check() to report. */
static int check_message_max_bytes(struct ne_config *cfg, struct ne_diag *diag)
{
        const struct ne_config_kafka *kc = kafka_find(cfg, NE_KAFKA_PRODUCER, "message.max.bytes");
        unsigned long long mmb;
        if (!kc || ne_config_parse_u64(kc->value, &mmb) < 0 || mmb > SIZE_MAX) {
                size_t derived = cfg->input_max_bytes + NE_CONFIG_DLQ_HEADROOM;
                cfg->message_max_bytes = derived > NE_CONFIG_RDKAFKA_MESSAGE_MAX_BYTES
                                             ? derived
                                             : NE_CONFIG_RDKAFKA_MESSAGE_MAX_BYTES;
                cfg->message_max_bytes_line = 0;
                return 0;
        }
        cfg->message_max_bytes = (size_t)mmb;
        cfg->message_max_bytes_line = kc->line;
        if (mmb >= NE_CONFIG_DLQ_HEADROOM && cfg->input_max_bytes <= mmb - NE_CONFIG_DLQ_HEADROOM)
                return 0;
        ne_diag_set(diag, -EINVAL,
                    "input.max_bytes (%zu) must leave %zu bytes of dead-letter headroom below "
                    "the producer's message.max.bytes (%llu, line %d): lower input.max_bytes "
                    "or raise message.max.bytes to at least %zu",
                    cfg->input_max_bytes, NE_CONFIG_DLQ_HEADROOM, mmb, kc->line,
                    cfg->input_max_bytes + NE_CONFIG_DLQ_HEADROOM);
        int line = key_line(cfg, "input.max_bytes");
        if (line)
                return at(diag, -EINVAL, "input.max_bytes", line);
        char key[160];
        return at(diag, -EINVAL, ne_config_kafka_key(kc, key, sizeof(key)), kc->line);
}

static bool schema_listed(const struct ne_config *cfg, int32_t id)
{
        for (size_t i = 0; i < cfg->n_schemas; i++)
                if (cfg->schemas[i].id == id)
                        return true;
        return false;
}

/* alerts.*: both of rules_file and topic or neither; the topic is new; an Avro alert needs a
 * schema.<id> for its frames (the registry only renumbers it). */
static int check_alerts(const struct ne_config *cfg, struct ne_diag *diag)
{
        bool rules = cfg->alerts_rules_file[0], topic = cfg->alerts_topic[0];
        if (rules != topic) {
                const char *key = rules ? "alerts.topic" : "alerts.rules_file";
                ne_diag_set(diag, -EINVAL,
                            "missing: alerts.rules_file and alerts.topic go "
                            "together");
                return at(diag, -EINVAL, key,
                          key_line(cfg, rules ? "alerts.rules_file" : "alerts.topic"));
        }
        if (!topic)
                return 0;
        int line = key_line(cfg, "alerts.topic");
        if (ne_config_check_topic(cfg->alerts_topic, diag) < 0)
                return at(diag, -EINVAL, "alerts.topic", line);
        bool clash = strcmp(cfg->alerts_topic, cfg->output_topic) == 0 ||
                     strcmp(cfg->alerts_topic, cfg->dead_letter_topic) == 0;
        for (size_t i = 0; i < cfg->n_input_topics; i++)
                clash = clash || strcmp(cfg->alerts_topic, cfg->input_topics[i]) == 0;
        if (clash) {
                ne_diag_set(diag, -EINVAL,
                            "'%s' is already the input, output or dead-letter topic: alerts "
                            "need a topic of their own",
                            cfg->alerts_topic);
                return at(diag, -EINVAL, "alerts.topic", line);
        }
        if (cfg->output_format == NE_FORMAT_AVRO && !schema_listed(cfg, cfg->alerts_schema_id)) {
                ne_diag_set(diag, -EINVAL,
                            "Avro alerts need alerts.schema_id set to a schema.<id> key whose "
                            "file is entity_alert.avsc (%ld has none)",
                            (long)cfg->alerts_schema_id);
                return at(diag, -EINVAL, "alerts.schema_id", key_line(cfg, "alerts.schema_id"));
        }
        return 0;
}

static int check_config(struct ne_config *cfg, struct ne_diag *diag)
{
        int r = check_required(cfg, diag);
        if (r < 0)
                return r;
        r = check_topics(cfg, diag);
        if (r < 0)
                return r;
        r = check_schema_id(cfg, diag);
        if (r < 0)
                return r;
        r = check_alerts(cfg, diag);
        if (r < 0)
                return r;
        r = ne_config_routes_check(cfg, diag);
        if (r < 0)
                return r;
        return check_message_max_bytes(cfg, diag);
}

static int dir_of(const char *name, char **ret)
{
        const char *slash = strrchr(name, '/');
        char *dir;
        if (!slash)
                dir = strdup(".");
        else if (slash == name)
                dir = strdup("/");
        else
                dir = strndup(name, (size_t)(slash - name));
        if (!dir)
                return -ENOMEM;
        *ret = dir;
        return 0;
}

int ne_config_new_default(struct ne_config **ret)
{
        struct ne_config *cfg = calloc(1, sizeof(*cfg));
        if (!cfg)
                return -ENOMEM;
        int r = -ENOMEM;
        cfg->key_lines = calloc(ne_config_map_len, sizeof(*cfg->key_lines));
        if (!cfg->key_lines)
                goto err_free_cfg;
        for (size_t i = 0; i < ne_config_map_len; i++) {
                const struct ne_config_map *row = &ne_config_map[i];
                if (!row->def)
                        continue;
                r = ne_config_map_set(row, cfg, row->def, NULL, NULL);
                if (r < 0)
                        goto err_free_cfg;
        }
        cfg->message_max_bytes = cfg->input_max_bytes + NE_CONFIG_DLQ_HEADROOM;
        if (cfg->message_max_bytes < NE_CONFIG_RDKAFKA_MESSAGE_MAX_BYTES)
                cfg->message_max_bytes = NE_CONFIG_RDKAFKA_MESSAGE_MAX_BYTES;
        *ret = cfg;
        return 0;
err_free_cfg:
        ne_config_free(cfg);
        return r;
}

int ne_config_parse(const char *text, size_t len, const char *name, struct ne_config **ret,
                    struct ne_diag *diag)
{
        struct ne_diag scratch;
        if (!diag)
                diag = &scratch;
        ne_diag_clear(diag);
        if (len > NE_CONFIG_MAX_FILE_BYTES)
                return ne_diag_set(diag, -EFBIG, "config larger than %zu bytes",
                                   NE_CONFIG_MAX_FILE_BYTES);
        struct parser p = {.diag = diag};
        int r = ne_config_new_default(&p.cfg);
        if (r < 0)
                return ne_diag_set(diag, r, "out of memory");
        if (name) {
                p.cfg->path = strdup(name);
                if (!p.cfg->path || dir_of(name, &p.base_dir) < 0) {
                        r = ne_diag_set(diag, -ENOMEM, "out of memory");
                        goto err_free_cfg;
                }
        }
        r = parse_lines(&p, text, len);
        if (r == 0)
                r = check_config(p.cfg, diag);
        if (r == -ENOMEM)
                ne_diag_set(diag, r, "out of memory");
        if (r < 0)
                goto err_free_cfg;
        free(p.base_dir);
        *ret = p.cfg;
        return 0;
err_free_cfg:
        free(p.base_dir);
        ne_config_free(p.cfg);
        return r;
}

int ne_config_load(const char *path, struct ne_config **ret, struct ne_diag *diag)
{
        ne_diag_clear(diag);
        FILE *f = fopen(path, "r");
        if (!f) {
                int r = -errno;
                return ne_diag_set(diag, r, "cannot open: %s", strerror(-r));
        }
        char *text = malloc(NE_CONFIG_MAX_FILE_BYTES + 1);
        if (!text) {
                fclose(f);
                return ne_diag_set(diag, -ENOMEM, "out of memory");
        }
        size_t len = fread(text, 1, NE_CONFIG_MAX_FILE_BYTES + 1, f);
        int r = 0;
        if (ferror(f))
                r = ne_diag_set(diag, -EIO, "cannot read: %s", strerror(errno));
        fclose(f);
        if (r == 0)
                r = ne_config_parse(text, len, path, ret, diag);
        free(text);
        return r;
}

void ne_config_free(struct ne_config *cfg)
{
        if (!cfg)
                return;
        for (size_t i = 0; i < ne_config_map_len; i++)
                ne_config_map_clear(&ne_config_map[i], cfg);
        for (size_t i = 0; i < cfg->n_schemas; i++)
                free(cfg->schemas[i].path);
        free(cfg->schemas);
        for (size_t i = 0; i < cfg->n_kafka; i++) {
                free(cfg->kafka[i].name);
                free(cfg->kafka[i].value);
        }
        free(cfg->kafka);
        ne_config_routes_free(cfg);
        free(cfg->key_lines);
        free(cfg->path);
        free(cfg);
}

int ne_config_key_line(const struct ne_config *cfg, const char *key)
{
        return cfg && cfg->key_lines ? key_line(cfg, key) : 0;
}

bool ne_config_key_is_secret(const char *key)
{
        static const char *const words[] = {"password", "secret", "sasl", "ssl.key", "user_info"};
        size_t n = strlen(key);
        for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
                size_t wn = strlen(words[w]);
                for (size_t i = 0; i + wn <= n; i++)
                        if (strncasecmp(key + i, words[w], wn) == 0)
                                return true;
        }
        return false;
}

const char *ne_config_kafka_key(const struct ne_config_kafka *kc, char *buf, size_t size)
{
        static const char *const scopes[] = {[NE_KAFKA_BOTH] = "",
                                             [NE_KAFKA_CONSUMER] = "consumer.",
                                             [NE_KAFKA_PRODUCER] = "producer."};
        snprintf(buf, size, "kafka.%s%s", scopes[kc->scope], kc->name);
        return buf;
}
