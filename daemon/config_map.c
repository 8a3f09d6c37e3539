/* The table of configuration keys and the typed value parsers it drives. Adding a key is adding
 * a row here and a field in struct ne_config; the parser (config.c), the defaults, the help text
 * and the validation all follow from the row. Value parsing is strict (no signs, no hex, no
 * trailing junk, bounds inclusive) because a typo in a daemon config should stop the daemon at
 * start-up, not change its behaviour. Must not log: failures go to struct ne_diag. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_map.h"

#define OFF(field) offsetof(struct ne_config, field)

/* Each element of a list counts against this, whatever the row's bounds say. */
#define MAX_LIST 256
#define MAX_TOPIC_NAME 249

static const struct ne_cm_enum formats[] = {
    {"avro", NE_FORMAT_AVRO},
    {"json", NE_FORMAT_JSON},
    {NULL, 0},
};

static const struct ne_cm_enum levels[] = {
    {"err", NE_LOG_ERR},   {"warning", NE_LOG_WARNING}, {"notice", NE_LOG_NOTICE},
    {"info", NE_LOG_INFO}, {"debug", NE_LOG_DEBUG},     {NULL, 0},
};

/* Enums are stored through an int (memcpy), which is only right if they are int-sized. */
_Static_assert(sizeof(enum ne_format) == sizeof(int), "enum ne_format is not int-sized");
_Static_assert(sizeof(enum ne_log_level) == sizeof(int), "enum ne_log_level is not int-sized");

#define ADDR_FLAG 0x100u /* private: must be a numeric IPv4/IPv6 address */

/* Designated initializers: a row names what it sets; bounds are inclusive. */
const struct ne_config_map ne_config_map[] = {
    {.key = "input.topics",
     .type = NE_CM_STRLIST,
     .flags = NE_CM_REQUIRED | NE_CM_TOPIC,
     .offset = OFF(input_topics),
     .count_offset = OFF(n_input_topics),
     .min = 1,
     .max = MAX_LIST,
     .help = "Topics to consume, comma-separated plain names (no regex subscriptions)."},
    {.key = "input.max_bytes",
     .type = NE_CM_SIZE,
     .def = "1MiB",
     .offset = OFF(input_max_bytes),
     .min = 1024,
     .max = 256.0 * 1024 * 1024,
     .help = "Payloads larger than this are dead-lettered as too_large without decoding. Must "
             "stay 64 KiB below the producer's message.max.bytes."},
    {.key = "input.json_max_depth",
     .type = NE_CM_UINT,
     .def = "64",
     .offset = OFF(input_max_depth),
     .min = 1,
     .max = 1024,
     .help = "JSON inputs nested deeper than this are dead-lettered as bad_json."},
    {.key = "output.topic",
     .type = NE_CM_STRING,
     .flags = NE_CM_REQUIRED | NE_CM_TOPIC,
     .offset = OFF(output_topic),
     .help = "Topic the enriched events are produced to; must not be an input topic."},
    {.key = "output.format",
     .type = NE_CM_ENUM,
     .def = "avro",
     .offset = OFF(output_format),
     .enums = formats,
     .help = "Wire format of enriched events: Confluent-framed Avro, or one JSON object."},
    {.key = "output.schema_id",
     .type = NE_CM_INT32,
     .flags = NE_CM_REQUIRED,
     .offset = OFF(output_schema_id),
     .min = 1,
     .max = INT32_MAX,
     .help = "Schema id written into the Confluent frame of enriched events; must be one of the "
             "schema.<id> keys."},
    {.key = "dead_letter.topic",
     .type = NE_CM_STRING,
     .flags = NE_CM_REQUIRED | NE_CM_TOPIC,
     .offset = OFF(dead_letter_topic),
     .help = "Topic for inputs that cannot be processed, with ne.* headers saying why; must "
             "not be an input topic or the output topic."},
    {.key = "schema.",
     .type = NE_CM_SCHEMA,
     .flags = NE_CM_PATH,
     .min = 1,
     .max = INT32_MAX,
     .help = "schema.<id> = path of an .avsc file registered under schema id <id> (a positive "
             "32-bit integer); relative paths are resolved against the config file's "
             "directory."},
    {.key = "models.ner",
     .type = NE_CM_STRING,
     .flags = NE_CM_PATH,
     .def = "",
     .offset = OFF(ner_model),
     .help = "Named-entity model file; empty for none. Relative to the config file's "
             "directory."},
    {.key = "models.topics",
     .type = NE_CM_STRING,
     .flags = NE_CM_PATH,
     .def = "",
     .offset = OFF(topic_model),
     .help = "Topic model file; empty for none. Relative to the config file's directory."},
    {.key = "enrich.topic_threshold",
     .type = NE_CM_DOUBLE,
     .def = "0.3",
     .offset = OFF(topic_threshold),
     .min = 0,
     .max = 1,
     .help = "Topics scoring below this are not reported."},
    {.key = "enrich.topic_top_k",
     .type = NE_CM_UINT,
     .def = "3",
     .offset = OFF(topic_top_k),
     .min = 0,
     .max = 64,
     .help = "At most this many topics per article."},
    {.key = "enrich.max_entities",
     .type = NE_CM_UINT,
     .def = "100",
     .offset = OFF(max_entities),
     .min = 0,
     .max = 10000,
     .help = "At most this many entities per article."},
    {.key = "pipeline.workers",
     .type = NE_CM_UINT,
     .def = "0",
     .offset = OFF(workers),
     .min = 0,
     .max = 256,
     .help = "Enrichment threads; 0 = number of online CPUs."},
    {.key = "pipeline.max_in_flight",
     .type = NE_CM_UINT,
     .def = "1000",
     .offset = OFF(max_in_flight),
     .min = 1,
     .max = 1000000,
     .help = "Consumption pauses while more messages than this are between consume and "
             "delivery report."},
    {.key = "pipeline.shutdown_timeout_ms",
     .type = NE_CM_UINT,
     .def = "10000",
     .offset = OFF(shutdown_timeout_ms),
     .min = 0,
     .max = 600000,
     .help = "On shutdown, how long to wait for in-flight messages to be delivered before "
             "closing; undelivered messages are not committed and are consumed again on "
             "restart."},
    {.key = "log.level",
     .type = NE_CM_ENUM,
     .def = "info",
     .offset = OFF(log_level),
     .enums = levels,
     .help = "Lines above this level are dropped."},
    {.key = "log.stats_interval_s",
     .type = NE_CM_UINT,
     .def = "60",
     .offset = OFF(stats_interval_s),
     .min = 0,
     .max = 86400,
     .help = "Seconds between periodic summary lines; 0 = none."},
    {.key = "http.listen",
     .type = NE_CM_STRING,
     .flags = ADDR_FLAG,
     .def = "127.0.0.1",
     .offset = OFF(http_listen),
     .help = "Numeric IPv4 or IPv6 address of the HTTP health/metrics endpoint."},
    {.key = "http.port",
     .type = NE_CM_UINT,
     .def = "0",
     .offset = OFF(http_port),
     .min = 0,
     .max = 65535,
     .help = "TCP port of the HTTP endpoint; 0 = no endpoint."},
    {.key = "alerts.rules_file",
     .type = NE_CM_STRING,
     .flags = NE_CM_PATH,
     .def = "",
     .offset = OFF(alerts_rules_file),
     .help = "JSON alert rules file (see include/ne/alerts.h); empty = no alerts. Re-read on "
             "SIGHUP. Requires alerts.topic."},
    {.key = "alerts.topic",
     .type = NE_CM_STRING,
     .def = "",
     .offset = OFF(alerts_topic),
     .help = "Topic the EntityAlert events go to, keyed by alert id; must differ from the "
             "input, output and dead-letter topics. Requires alerts.rules_file."},
    {.key = "alerts.schema_id",
     .type = NE_CM_INT32,
     .def = "0",
     .offset = OFF(alerts_schema_id),
     .min = 0,
     .max = INT32_MAX,
     .help = "With output.format = avro: a schema.<id> key whose file is entity_alert.avsc; "
             "its id is written in alert frames unless registry.url is set (then the registry's "
             "id is). 0 = none (allowed for json output only)."},
    {.key = "route.",
     .type = NE_CM_ROUTE,
     .help = "route.<name>.topic = T sends a copy of the enriched event to T when the route's "
             "conditions hold: route.<name>.topic_code = C (with route.<name>.min_score = S, "
             "default 0) and/or route.<name>.entity = TYPE or TYPE:Name (PER, ORG, LOC, MISC; "
             "name compared case-insensitively). At most 16 routes."},
    {.key = "registry.url",
     .type = NE_CM_STRING,
     .def = "",
     .offset = OFF(registry_url),
     .help = "Confluent Schema Registry base URL(s), comma-separated; empty = none. When set, "
             "the output (and alert) schemas are registered under <topic>-value at start-up "
             "and their ids used, and input schema ids missing from schema.<id> are fetched."},
    {.key = "registry.basic_auth_user_info",
     .type = NE_CM_STRING,
     .def = "",
     .offset = OFF(registry_basic_auth_user_info),
     .help = "user:password for the registry's HTTP basic auth; secret (never printed)."},
    {.key = "registry.timeout_ms",
     .type = NE_CM_UINT,
     .def = "5000",
     .offset = OFF(registry_timeout_ms),
     .min = 100,
     .max = 60000,
     .help = "One HTTP attempt to the registry, connect included."},
    {.key = "registry.max_attempts",
     .type = NE_CM_UINT,
     .def = "3",
     .offset = OFF(registry_max_attempts),
     .min = 1,
     .max = 10,
     .help = "Attempts per registry call across all URLs."},
    {.key = "kafka.",
     .type = NE_CM_KAFKA,
     .help = "kafka.<property> is passed to librdkafka for consumer and producer, "
             "kafka.consumer.<property> and kafka.producer.<property> to one of them, validated "
             "by librdkafka. Required: kafka.bootstrap.servers and kafka.group.id (or "
             "kafka.consumer.group.id). The daemon forces enable.idempotence=true, acks=all "
             "and no transactional.id on the producer and enable.auto.offset.store=false on "
             "the consumer; contradicting settings are rejected."},
};

const size_t ne_config_map_len = sizeof(ne_config_map) / sizeof(ne_config_map[0]);

const struct ne_config_map *ne_config_map_find(const char *key)
{
        for (size_t i = 0; i < ne_config_map_len; i++) {
                const struct ne_config_map *row = &ne_config_map[i];
                if (!ne_config_map_is_prefix(row) && strcmp(row->key, key) == 0)
                        return row;
        }
        return NULL;
}

int ne_config_parse_u64(const char *s, unsigned long long *ret)
{
        unsigned long long v = 0;
        if (!isdigit((unsigned char)*s))
                return -EINVAL;
        for (; isdigit((unsigned char)*s); s++) {
                unsigned d = (unsigned)(*s - '0');
                if (v > (ULLONG_MAX - d) / 10)
                        return -ERANGE;
                v = v * 10 + d;
        }
        if (*s)
                return -EINVAL;
        *ret = v;
        return 0;
}

int ne_config_parse_size(const char *s, unsigned long long *ret)
{
        static const struct {
                const char *suffix;
                unsigned long long mult;
        } units[] = {
            {"", 1}, {"B", 1}, {"KiB", 1ull << 10}, {"MiB", 1ull << 20}, {"GiB", 1ull << 30},
        };
        char digits[32];
        size_t n = 0;
        while (isdigit((unsigned char)s[n]))
                n++;
        if (n == 0 || n >= sizeof(digits))
                return n == 0 ? -EINVAL : -ERANGE;
        memcpy(digits, s, n);
        digits[n] = '\0';
        const char *suffix = s + n;
        if (*suffix == ' ')
                suffix++;
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
                if (strcmp(suffix, units[i].suffix) != 0)
                        continue;
                unsigned long long v;
                int r = ne_config_parse_u64(digits, &v);
                if (r < 0)
                        return r;
                if (v > ULLONG_MAX / units[i].mult)
                        return -ERANGE;
                *ret = v * units[i].mult;
                return 0;
        }
        return -EINVAL;
}

#define EDIT_MAX 128

size_t ne_config_edit_distance(const char *a, const char *b)
{
        size_t la = strlen(a), lb = strlen(b);
        size_t prev[EDIT_MAX + 1], cur[EDIT_MAX + 1];
        if (la > EDIT_MAX || lb > EDIT_MAX)
                return SIZE_MAX;
        for (size_t j = 0; j <= lb; j++)
                prev[j] = j;
        for (size_t i = 1; i <= la; i++) {
                cur[0] = i;
                for (size_t j = 1; j <= lb; j++) {
                        size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
                        size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
                        cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
                }
                memcpy(prev, cur, (lb + 1) * sizeof(prev[0]));
        }
        return prev[lb];
}

int ne_config_resolve_path(const char *base_dir, const char *path, char **ret)
{
        char *s;
        if (!base_dir || !*base_dir || !*path || path[0] == '/') {
                s = strdup(path);
        } else {
                size_t n = strlen(base_dir) + 1 + strlen(path) + 1;
                s = malloc(n);
                if (s)
                        snprintf(s, n, "%s/%s", base_dir, path);
        }
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

static bool is_topic_name(const char *s)
{
        size_t n = strlen(s);
        if (n == 0 || n > MAX_TOPIC_NAME || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
                return false;
        for (; *s; s++)
                if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' && *s != '-')
                        return false;
        return true;
}

int ne_config_check_topic(const char *s, struct ne_diag *diag)
{
        if (is_topic_name(s))
                return 0;
        return ne_diag_set(diag, -EINVAL, "'%s' is not a valid topic name (1-%d of [a-zA-Z0-9._-])",
                           s, MAX_TOPIC_NAME);
}

static void free_list(char **list, size_t n)
{
        for (size_t i = 0; list && i < n; i++)
                free(list[i]);
        free(list);
}

static char *trimmed_dup(const char *s, size_t n)
{
        while (n && isspace((unsigned char)*s)) {
                s++;
                n--;
        }
        while (n && isspace((unsigned char)s[n - 1]))
                n--;
        return strndup(s, n);
}

static int set_list(const struct ne_config_map *row, struct ne_config *cfg, const char *value,
                    struct ne_diag *diag)
{
        char **list = NULL;
        size_t n = 0;
        int r = 0;
        const char *p = value;
        for (;;) {
                const char *comma = strchr(p, ',');
                size_t len = comma ? (size_t)(comma - p) : strlen(p);
                if (n >= (size_t)row->max) {
                        r = ne_diag_set(diag, -EINVAL, "more than %.0f elements", row->max);
                        goto err;
                }
                char **grown = realloc(list, (n + 1) * sizeof(*list));
                if (!grown) {
                        r = -ENOMEM;
                        goto err;
                }
                list = grown;
                list[n] = trimmed_dup(p, len);
                if (!list[n]) {
                        r = -ENOMEM;
                        goto err;
                }
                n++;
                if (!*list[n - 1]) {
                        r = ne_diag_set(diag, -EINVAL, "empty element %zu in list", n);
                        goto err;
                }
                if (row->flags & NE_CM_TOPIC) {
                        r = ne_config_check_topic(list[n - 1], diag);
                        if (r < 0)
                                goto err;
                }
                for (size_t i = 0; i + 1 < n; i++) {
                        if (strcmp(list[i], list[n - 1]) == 0) {
                                r = ne_diag_set(diag, -EINVAL, "'%s' is listed twice", list[i]);
                                goto err;
                        }
                }
                if (!comma)
                        break;
                p = comma + 1;
        }
        if (n < (size_t)row->min) {
                r = ne_diag_set(diag, -EINVAL, "needs at least %.0f element(s)", row->min);
                goto err;
        }
        ne_config_map_clear(row, cfg);
        memcpy((char *)cfg + row->offset, &list, sizeof(list));
        memcpy((char *)cfg + row->count_offset, &n, sizeof(n));
        return 0;
err:
        free_list(list, n);
        return r;
}

static int set_string(const struct ne_config_map *row, struct ne_config *cfg, const char *value,
                      const char *base_dir, struct ne_diag *diag)
{
        char *s;
        if (row->flags & NE_CM_TOPIC) {
                int r = ne_config_check_topic(value, diag);
                if (r < 0)
                        return r;
        }
        if (row->flags & ADDR_FLAG) {
                unsigned char addr[16];
                if (inet_pton(AF_INET, value, addr) != 1 && inet_pton(AF_INET6, value, addr) != 1)
                        return ne_diag_set(diag, -EINVAL,
                                           "'%s' is not a numeric IPv4 or IPv6 address", value);
        }
        if (row->flags & NE_CM_PATH) {
                int r = ne_config_resolve_path(base_dir, value, &s);
                if (r < 0)
                        return r;
        } else {
                s = strdup(value);
                if (!s)
                        return -ENOMEM;
        }
        ne_config_map_clear(row, cfg);
        memcpy((char *)cfg + row->offset, &s, sizeof(s));
        return 0;
}

static int out_of_range(const struct ne_config_map *row, const char *value, struct ne_diag *diag)
{
        return ne_diag_set(diag, -EINVAL, "%s is out of range [%.15g, %.15g]", value, row->min,
                           row->max);
}

static int set_integer(const struct ne_config_map *row, struct ne_config *cfg, const char *value,
                       struct ne_diag *diag)
{
        unsigned long long v;
        int r = row->type == NE_CM_SIZE ? ne_config_parse_size(value, &v)
                                        : ne_config_parse_u64(value, &v);
        if (r == -ERANGE)
                return out_of_range(row, value, diag);
        if (r < 0 && row->type == NE_CM_SIZE)
                return ne_diag_set(diag, -EINVAL,
                                   "'%s' is not a size (bytes, optionally with B, KiB, MiB or "
                                   "GiB: 1048576, 1MiB, 512KiB)",
                                   value);
        if (r < 0)
                return ne_diag_set(diag, -EINVAL, "'%s' is not a non-negative decimal integer",
                                   value);
        if ((double)v < row->min || (double)v > row->max)
                return out_of_range(row, value, diag);
        char *field = (char *)cfg + row->offset;
        if (row->type == NE_CM_UINT) {
                unsigned int u = (unsigned int)v;
                memcpy(field, &u, sizeof(u));
        } else if (row->type == NE_CM_INT32) {
                int32_t i = (int32_t)v;
                memcpy(field, &i, sizeof(i));
        } else {
                size_t z = (size_t)v;
                memcpy(field, &z, sizeof(z));
        }
        return 0;
}

static int set_double(const struct ne_config_map *row, struct ne_config *cfg, const char *value,
                      struct ne_diag *diag)
{
        char *end;
        errno = 0;
        double d = strtod(value, &end);
        /* strtod accepts leading space, hex floats, "inf" and "nan": a config number is
         * none of those. */
        if (end == value || *end || errno == ERANGE || !isfinite(d) ||
            !(isdigit((unsigned char)value[0]) || value[0] == '.' || value[0] == '-') ||
            strpbrk(value, "xXnN"))
                return ne_diag_set(diag, -EINVAL, "'%s' is not a decimal number", value);
        if (d < row->min || d > row->max)
                return out_of_range(row, value, diag);
        memcpy((char *)cfg + row->offset, &d, sizeof(d));
        return 0;
}

static int set_enum(const struct ne_config_map *row, struct ne_config *cfg, const char *value,
                    struct ne_diag *diag)
{
        char names[256] = "";
        for (const struct ne_cm_enum *e = row->enums; e->name; e++) {
                if (strcmp(e->name, value) == 0) {
                        memcpy((char *)cfg + row->offset, &e->value, sizeof(e->value));
                        return 0;
                }
                size_t len = strlen(names);
                snprintf(names + len, sizeof(names) - len, "%s%s", len ? ", " : "", e->name);
        }
        return ne_diag_set(diag, -EINVAL, "'%s' is not one of: %s", value, names);
}

int ne_config_map_set(const struct ne_config_map *row, struct ne_config *cfg, const char *value,
                      const char *base_dir, struct ne_diag *diag)
{
        switch (row->type) {
        case NE_CM_STRING:
                return set_string(row, cfg, value, base_dir, diag);
        case NE_CM_STRLIST:
                return set_list(row, cfg, value, diag);
        case NE_CM_UINT:
        case NE_CM_INT32:
        case NE_CM_SIZE:
                if (!*value)
                        return ne_diag_set(diag, -EINVAL, "empty value");
                return set_integer(row, cfg, value, diag);
        case NE_CM_DOUBLE:
                return set_double(row, cfg, value, diag);
        case NE_CM_ENUM:
                return set_enum(row, cfg, value, diag);
        case NE_CM_SCHEMA:
        case NE_CM_KAFKA:
        case NE_CM_ROUTE:
                break;
        }
        return ne_diag_set(diag, -EINVAL, "internal error: prefix row has no field");
}

void ne_config_map_clear(const struct ne_config_map *row, struct ne_config *cfg)
{
        char *field = (char *)cfg + row->offset;
        if (row->type == NE_CM_STRING) {
                char *s;
                memcpy(&s, field, sizeof(s));
                free(s);
                s = NULL;
                memcpy(field, &s, sizeof(s));
        } else if (row->type == NE_CM_STRLIST) {
                char **list;
                size_t n;
                memcpy(&list, field, sizeof(list));
                memcpy(&n, (char *)cfg + row->count_offset, sizeof(n));
                free_list(list, n);
                list = NULL;
                n = 0;
                memcpy(field, &list, sizeof(list));
                memcpy((char *)cfg + row->count_offset, &n, sizeof(n));
        }
}

void ne_config_map_print_value(const struct ne_config_map *row, const struct ne_config *cfg,
                               void *out)
{
        FILE *f = out;
        const char *field = (const char *)cfg + row->offset;
        switch (row->type) {
        case NE_CM_STRING: {
                const char *s;
                memcpy(&s, field, sizeof(s));
                fprintf(f, "%s", s ? s : "");
                break;
        }
        case NE_CM_STRLIST: {
                char **list;
                size_t n;
                memcpy(&list, field, sizeof(list));
                memcpy(&n, (const char *)cfg + row->count_offset, sizeof(n));
                for (size_t i = 0; i < n; i++)
                        fprintf(f, "%s%s", i ? "," : "", list[i]);
                break;
        }
        case NE_CM_UINT: {
                unsigned int u;
                memcpy(&u, field, sizeof(u));
                fprintf(f, "%u", u);
                break;
        }
        case NE_CM_INT32: {
                int32_t i;
                memcpy(&i, field, sizeof(i));
                fprintf(f, "%ld", (long)i);
                break;
        }
        case NE_CM_SIZE: {
                size_t z;
                memcpy(&z, field, sizeof(z));
                fprintf(f, "%zu", z);
                break;
        }
        case NE_CM_DOUBLE: {
                double d;
                memcpy(&d, field, sizeof(d));
                fprintf(f, "%g", d);
                break;
        }
        case NE_CM_ENUM: {
                int v;
                memcpy(&v, field, sizeof(v));
                for (const struct ne_cm_enum *e = row->enums; e->name; e++)
                        if (e->value == v)
                                fprintf(f, "%s", e->name);
                break;
        }
        case NE_CM_SCHEMA:
        case NE_CM_KAFKA:
        case NE_CM_ROUTE:
                break;
        }
}
