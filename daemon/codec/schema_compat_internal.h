/* Internals of the Avro schema compatibility checker, shared by its files only:
 * schema_compat_parse.c (text -> tree + index), schema_compat_names.c (named-type index, type
 * resolution), schema_compat_default.c (field defaults), schema_compat.c (resolution rules,
 * directions) and schema_compat_report.c (field path, reasons). Not part of the public API
 * (include/ne/schema_compat.h). */
#ifndef NE_SCHEMA_COMPAT_INTERNAL_H
#define NE_SCHEMA_COMPAT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "ne/diag.h"
#include "ne/schema_compat.h"

/* Avro type kinds; the primitives come first (ne_sc_is_primitive). */
enum ne_sc_kind {
        NE_SC_NULL,
        NE_SC_BOOLEAN,
        NE_SC_INT,
        NE_SC_LONG,
        NE_SC_FLOAT,
        NE_SC_DOUBLE,
        NE_SC_BYTES,
        NE_SC_STRING,
        NE_SC_RECORD,
        NE_SC_ENUM,
        NE_SC_FIXED,
        NE_SC_ARRAY,
        NE_SC_MAP,
        NE_SC_UNION,
};

/* A named type (record, enum, fixed) with its full name and the namespace that names used
 * inside it resolve against. */
struct ne_sc_named {
        char *fullname;
        char *ns;
        const cJSON *def;
};

/* Owns root and names; read-only once ne_schema_compat_parse() returned it. */
struct ne_compat_schema {
        cJSON *root;
        struct ne_sc_named *names;
        size_t n_names;
        size_t cap_names;
        /* set when ne_sc_collect() fails with -ENOTUNIQ; borrowed from root */
        const char *dup_field;
};

/* A type after following a name reference: its kind and defining JSON node. */
struct ne_sc_type {
        enum ne_sc_kind kind;
        const cJSON *def; /* defining object, union array, or NULL for a bare primitive */
        const struct ne_sc_named *named; /* record, enum, fixed only */
        const char *ns;                  /* namespace in effect inside this type */
};

static inline bool ne_sc_is_primitive(enum ne_sc_kind k)
{
        return k <= NE_SC_STRING;
}

/* Pairs of (writer, reader) record definitions met during one walk. */
struct ne_sc_pair {
        const cJSON *w;
        const cJSON *r;
};

struct ne_sc_pairs {
        struct ne_sc_pair *v;
        size_t n;
        size_t cap;
};

/* The state of one ne_schema_compat_can_read() walk. */
struct ne_sc_ctx {
        const struct ne_compat_schema *ws;
        const struct ne_compat_schema *rs;
        struct ne_sc_pairs active; /* record pairs being checked: meeting one again is recursion */
        struct ne_sc_pairs done;   /* record pairs found compatible */
        char path[256];
        size_t path_len;
        struct ne_diag *why;
};

/* kind -> "null", "record", ... */
extern const char *const ne_sc_kind_names[];

/* The string member `key` of a JSON object, or NULL. Borrows from obj. */
const char *ne_sc_str_member(const cJSON *obj, const char *key);

/* The part of a full name after its last dot. Borrows from name. */
const char *ne_sc_unqualified(const char *name);

/* Sorts strs[0..n) and returns a string that occurs twice (borrowed), or NULL. */
const char *ne_sc_first_duplicate(const char **strs, size_t n);

/* Records every named type of the tree under `node`, in definition order, with its namespace
 * `ns`. Stops at the first error: -EINVAL for a record, enum or fixed without a name,
 * -ENOTUNIQ for a record with two fields of one name (the name in s->dup_field), -ELOOP beyond
 * NE_SCHEMA_COMPAT_MAX_DEPTH, -ENOMEM; what was recorded before stays in s. */
int ne_sc_collect(struct ne_compat_schema *s, const cJSON *node, const char *ns, unsigned depth);

/* Looks for a full name recorded twice. Returns 0, 1 with the name in *ret_name (borrowed from
 * s), or -ENOMEM. */
int ne_sc_find_duplicate_name(const struct ne_compat_schema *s, const char **ret_name);

/* Follows a type node (name reference, primitive, complex object, union array) inside
 * namespace `ns` to its definition in *ret (pointers borrowed from s). -EINVAL for an unknown
 * name, -ELOOP beyond NE_SCHEMA_COMPAT_MAX_DEPTH. */
int ne_sc_resolve(const struct ne_compat_schema *s, const cJSON *node, const char *ns,
                  unsigned depth, struct ne_sc_type *ret);

/* Does JSON value `v` fit type `t` as a default? A union's default belongs to its first
 * branch. */
bool ne_sc_default_ok(const struct ne_compat_schema *s, const struct ne_sc_type *t, const cJSON *v,
                      unsigned depth);

/* Appends prefix + seg to the walk's field path (truncated at its size); returns the length to
 * restore with ne_sc_path_pop(). */
size_t ne_sc_path_push(struct ne_sc_ctx *c, const char *prefix, const char *seg);
void ne_sc_path_pop(struct ne_sc_ctx *c, size_t old);

/* Fills c->why with "<path>: <reason>" and its key with the path when c->why is not NULL.
 * Returns 0, the "incompatible" result, so callers can return it. */
int ne_sc_incompatible(struct ne_sc_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "record Foo", "int": t for humans, written into buf. Returns buf. */
const char *ne_sc_describe(const struct ne_sc_type *t, char *buf, size_t size);

#endif
