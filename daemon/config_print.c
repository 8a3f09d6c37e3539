/* Human-readable renderings of the configuration, both driven by the key table: the key
 * reference (ne_config_print_help, behind `check-config --keys`) and the effective-config dump
 * (ne_config_dump). Secret values never leave this file unredacted. Writes only to the FILE *
 * it is given. */
#include <stdio.h>
#include <string.h>

#include "config_map.h"
#include "ne/config.h"
#include "ne/enrichment.h"

#define HELP_WIDTH 92

static const char *type_name(const struct ne_config_map *row)
{
        switch (row->type) {
        case NE_CM_STRING:
                return row->flags & NE_CM_TOPIC  ? "topic"
                       : row->flags & NE_CM_PATH ? "path"
                                                 : "string";
        case NE_CM_STRLIST:
                return row->flags & NE_CM_TOPIC ? "list of topics" : "list";
        case NE_CM_UINT:
        case NE_CM_INT32:
                return "integer";
        case NE_CM_SIZE:
                return "size";
        case NE_CM_DOUBLE:
                return "number";
        case NE_CM_ENUM:
                return "one of";
        case NE_CM_SCHEMA:
                return "path";
        case NE_CM_KAFKA:
                return "librdkafka property";
        case NE_CM_ROUTE:
                return "route field";
        }
        return "?";
}

/* Word-wraps `text` at HELP_WIDTH with a 8-space indent. */
static void print_wrapped(FILE *f, const char *text)
{
        const char *p = text;
        while (*p) {
                size_t n = strlen(p);
                if (n > HELP_WIDTH - 8) {
                        n = HELP_WIDTH - 8;
                        while (n > 0 && p[n] != ' ')
                                n--;
                        if (n == 0)
                                n = HELP_WIDTH - 8;
                }
                fprintf(f, "        %.*s\n", (int)n, p);
                p += n;
                while (*p == ' ')
                        p++;
        }
}

void ne_config_print_help(void *out)
{
        FILE *f = out;
        fprintf(f, "Configuration keys ('key = value' lines; '#' starts a comment line):\n\n");
        for (size_t i = 0; i < ne_config_map_len; i++) {
                const struct ne_config_map *row = &ne_config_map[i];
                if (row->type == NE_CM_SCHEMA)
                        fprintf(f, "schema.<id> (%s", type_name(row));
                else if (row->type == NE_CM_KAFKA)
                        fprintf(f, "kafka.[consumer.|producer.]<property> (%s", type_name(row));
                else if (row->type == NE_CM_ROUTE)
                        fprintf(f, "route.<name>.<topic|topic_code|min_score|entity> (%s",
                                type_name(row));
                else
                        fprintf(f, "%s (%s", row->key, type_name(row));
                if (row->type == NE_CM_ENUM) {
                        for (const struct ne_cm_enum *e = row->enums; e->name; e++)
                                fprintf(f, "%s%s", e == row->enums ? " " : "|", e->name);
                } else if (row->type == NE_CM_UINT || row->type == NE_CM_INT32 ||
                           row->type == NE_CM_SIZE || row->type == NE_CM_DOUBLE) {
                        fprintf(f, " %.15g..%.15g", row->min, row->max);
                }
                if (row->flags & NE_CM_REQUIRED)
                        fprintf(f, ", required");
                else if (row->def)
                        fprintf(f, ", default \"%s\"", row->def);
                fprintf(f, ")\n");
                print_wrapped(f, row->help);
        }
}

void ne_config_dump(const struct ne_config *cfg, void *out)
{
        FILE *f = out;
        for (size_t i = 0; i < ne_config_map_len; i++) {
                const struct ne_config_map *row = &ne_config_map[i];
                if (ne_config_map_is_prefix(row))
                        continue;
                fprintf(f, "%s = ", row->key);
                if (ne_config_key_is_secret(row->key))
                        fprintf(f, "(redacted)");
                else
                        ne_config_map_print_value(row, cfg, f);
                fprintf(f, "\n");
        }
        for (size_t i = 0; i < cfg->n_schemas; i++)
                fprintf(f, "schema.%ld = %s\n", (long)cfg->schemas[i].id, cfg->schemas[i].path);
        for (size_t i = 0; i < cfg->n_routes; i++) {
                const struct ne_config_route *rt = &cfg->routes[i];
                fprintf(f, "route.%s.topic = %s\n", rt->name, rt->topic ? rt->topic : "");
                if (rt->topic_code)
                        fprintf(f, "route.%s.topic_code = %s\nroute.%s.min_score = %g\n", rt->name,
                                rt->topic_code, rt->name, rt->min_score);
                if (rt->entity_type >= 0)
                        fprintf(f, "route.%s.entity = %s%s%s\n", rt->name,
                                ne_entity_type_name((enum ne_entity_type)rt->entity_type),
                                rt->entity_name ? ":" : "", rt->entity_name ? rt->entity_name : "");
        }
        for (size_t i = 0; i < cfg->n_kafka; i++) {
                char key[160];
                ne_config_kafka_key(&cfg->kafka[i], key, sizeof(key));
                fprintf(f, "%s = %s\n", key,
                        ne_config_key_is_secret(key) ? "(redacted)" : cfg->kafka[i].value);
        }
        fprintf(f, "# effective producer message.max.bytes = %zu (%s)\n", cfg->message_max_bytes,
                cfg->message_max_bytes_line ? "set" : "derived from input.max_bytes");
}
