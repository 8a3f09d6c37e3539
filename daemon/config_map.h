/* The declarative table of configuration keys (private to the config module): one row per key
 * with its type, default (in file syntax, parsed by the same code as a file value), the offset
 * of its field in struct ne_config, bounds and help. The parser, the defaults,
 * ne_config_print_help() and value validation are all driven by this one table, as Fluent Bit's
 * config_map is, so a key cannot be documented differently from how it is parsed. Must not log. */
#ifndef NE_CONFIG_MAP_H
#define NE_CONFIG_MAP_H

#include <stdbool.h>
#include <stddef.h>

#include "ne/config.h"
#include "ne/diag.h"

enum ne_cm_type {
        NE_CM_STRING,  /* char *, owned */
        NE_CM_STRLIST, /* char ** + size_t count (count_offset), comma-separated */
        NE_CM_UINT,    /* unsigned int, decimal */
        NE_CM_INT32,   /* int32_t, decimal */
        NE_CM_SIZE,    /* size_t, bytes with optional KiB/MiB/GiB suffix */
        NE_CM_DOUBLE,  /* double, finite */
        NE_CM_ENUM,    /* int-sized enum, one of `enums` */
        NE_CM_SCHEMA,  /* prefix row: schema.<id> = path */
        NE_CM_KAFKA,   /* prefix row: kafka.[consumer.|producer.]<property> = value */
        NE_CM_ROUTE,   /* prefix row: route.<name>.<field> = value (config_route.c) */
};

/* Row flags. */
#define NE_CM_REQUIRED 0x1u /* no default: the file must set it */
#define NE_CM_TOPIC 0x2u    /* each value must be a legal Kafka topic name */
#define NE_CM_PATH 0x4u     /* relative paths are resolved against the config file's directory */

struct ne_cm_enum {
        const char *name;
        int value;
};

struct ne_config_map {
        const char *key; /* full key, or the prefix ("schema.", "kafka.") */
        enum ne_cm_type type;
        unsigned int flags;
        const char *def;     /* default in file syntax; NULL for required and prefix rows */
        size_t offset;       /* of the field in struct ne_config */
        size_t count_offset; /* NE_CM_STRLIST: of the size_t element count */
        double min, max;     /* inclusive bounds of numeric types */
        const struct ne_cm_enum *enums; /* NE_CM_ENUM: terminated by a NULL name */
        const char *help;
};

extern const struct ne_config_map ne_config_map[];
extern const size_t ne_config_map_len;

/* The row for an exact (non-prefix) key, or NULL. */
const struct ne_config_map *ne_config_map_find(const char *key);

/* Parses `value` as the row's type, checks bounds, and stores it in the row's field of `cfg`,
 * freeing what the field held. `base_dir` (may be NULL) resolves relative NE_CM_PATH values.
 * Returns 0, -ENOMEM, or -EINVAL with the reason in diag->msg (key and line are the caller's
 * to fill). Not for prefix rows. */
int ne_config_map_set(const struct ne_config_map *row, struct ne_config *cfg, const char *value,
                      const char *base_dir, struct ne_diag *diag);

/* Frees what the row's field of `cfg` owns (strings, lists) and zeroes it. */
void ne_config_map_clear(const struct ne_config_map *row, struct ne_config *cfg);

/* Writes a human-readable rendering of the row's current value in `cfg` to `out` (FILE *). */
void ne_config_map_print_value(const struct ne_config_map *row, const struct ne_config *cfg,
                               void *out);

/* Strict number parsers shared with the schema.<id> and kafka checks. Return 0 or -EINVAL
 * (-ERANGE when the digits overflow); *ret written on success. */
int ne_config_parse_u64(const char *s, unsigned long long *ret);
int ne_config_parse_size(const char *s, unsigned long long *ret);

/* Levenshtein distance between two keys, for did-you-mean hints; SIZE_MAX when either is longer
 * than 128 bytes. */
size_t ne_config_edit_distance(const char *a, const char *b);

/* Resolves `path` against `base_dir` unless it is absolute, empty, or base_dir is NULL.
 * Returns 0 and a new string in *ret, or -ENOMEM. */
int ne_config_resolve_path(const char *base_dir, const char *path, char **ret);

/* True for prefix rows (schema., kafka., route.), which have no field of their own. */
static inline bool ne_config_map_is_prefix(const struct ne_config_map *row)
{
        return row->type == NE_CM_SCHEMA || row->type == NE_CM_KAFKA || row->type == NE_CM_ROUTE;
}

/* 0 for a legal Kafka topic name, else -EINVAL with diag->msg. */
int ne_config_check_topic(const char *s, struct ne_diag *diag);

/* config_route.c: stores one route.<name>.<field> = value key; `key` starts with "route.".
 * Returns 0, -ENOMEM, or -EINVAL with diag->msg set (key and line are the caller's). */
int ne_config_route_set(struct ne_config *cfg, const char *key, const char *value, int line,
                        struct ne_diag *diag);

/* Checks every route has a topic and a condition and that no route topic is an input, the
 * output, the dead-letter or the alert topic. 0 or -EINVAL with diag (key and line set). */
int ne_config_routes_check(const struct ne_config *cfg, struct ne_diag *diag);

/* Frees cfg->routes. */
void ne_config_routes_free(struct ne_config *cfg);

#endif
