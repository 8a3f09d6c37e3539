/* Avro schema compatibility by the resolution rules of the Avro specification ("Schema
 * Resolution"): can data written with one schema be read with another? Used by
 * `newsenrichd schema-check` and, later, before registering a schema revision. Pure: no I/O but
 * reading the .avsc file in ne_schema_compat_load(), no logging; detail goes to struct ne_diag.
 *
 * The check runs over the schema's JSON tree (cJSON) because avro-c 1.11 does not expose field
 * defaults; avro-c only confirms that each schema is a valid Avro schema. */
#ifndef NE_SCHEMA_COMPAT_H
#define NE_SCHEMA_COMPAT_H

#include <stddef.h>

#include "ne/diag.h"

/* Largest .avsc accepted, and deepest nesting of types the checker follows. */
#define NE_SCHEMA_COMPAT_MAX_BYTES (1024 * 1024)
#define NE_SCHEMA_COMPAT_MAX_DEPTH 64

/* A parsed schema: its JSON tree plus a table of its named types. Read-only once parsed. */
struct ne_compat_schema;

/* Parses schema JSON text (len bytes, need not be NUL-terminated). On success returns 0 and a
 * new schema in *ret (free with ne_schema_compat_free). -EINVAL when the text is not JSON or
 * not a valid Avro schema (detail in diag: message, line for JSON syntax errors), -ELOOP when
 * types nest deeper than NE_SCHEMA_COMPAT_MAX_DEPTH, -EFBIG above NE_SCHEMA_COMPAT_MAX_BYTES,
 * -ENOMEM. */
int ne_schema_compat_parse(const char *json, size_t len, struct ne_compat_schema **ret,
                           struct ne_diag *diag);

/* Same, from the file at `path`. Adds -ENOENT/-EACCES/-EIO for the file. */
int ne_schema_compat_load(const char *path, struct ne_compat_schema **ret, struct ne_diag *diag);

/* Accepts NULL. */
void ne_schema_compat_free(struct ne_compat_schema *schema);

/* Can data written with `writer` be read with `reader`? Returns 1 when it can, 0 when it cannot
 * (then why->msg reads "<field path>: <reason>", e.g. "ArticlePublished.language: reader field
 * has no default and writer lacks it", and why->key holds the field path), or a negative errno:
 * -ELOOP when types nest deeper than NE_SCHEMA_COMPAT_MAX_DEPTH, -ENOMEM. Borrows both schemas;
 * safe to call from several threads at once. */
int ne_schema_compat_can_read(const struct ne_compat_schema *reader,
                              const struct ne_compat_schema *writer, struct ne_diag *why);

enum ne_compat_direction {
        NE_COMPAT_BACKWARD = 0, /* the new schema reads data written with the old one */
        NE_COMPAT_FORWARD = 1,  /* the old schema reads data written with the new one */
        NE_COMPAT_FULL = 2,     /* both */
};

/* "backward", "forward", "full" <-> the enum. Parse returns 0 or -EINVAL. */
const char *ne_compat_direction_name(enum ne_compat_direction dir);
int ne_compat_direction_parse(const char *name, enum ne_compat_direction *ret);

/* Is `new_schema` compatible with `old_schema` in direction `dir`? Same returns as
 * ne_schema_compat_can_read(); for FULL the reason is that of the first failing direction,
 * prefixed "backward: " or "forward: ". */
int ne_schema_compat_check(const struct ne_compat_schema *old_schema,
                           const struct ne_compat_schema *new_schema, enum ne_compat_direction dir,
                           struct ne_diag *why);

#endif
