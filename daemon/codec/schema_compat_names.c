/* The named-type index and type resolution of the schema compatibility checker: records every
 * record, enum and fixed of a parsed .avsc with its full name and namespace (spec "Names"),
 * refuses what the index cannot represent (repeated field or type names), and follows a type
 * node (name reference, primitive, complex object, union) to its definition. Knows nothing of
 * the resolution rules; must not modify the tree. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "schema_compat_internal.h"

const char *const ne_sc_kind_names[] = {
    [NE_SC_NULL] = "null",   [NE_SC_BOOLEAN] = "boolean", [NE_SC_INT] = "int",
    [NE_SC_LONG] = "long",   [NE_SC_FLOAT] = "float",     [NE_SC_DOUBLE] = "double",
    [NE_SC_BYTES] = "bytes", [NE_SC_STRING] = "string",   [NE_SC_RECORD] = "record",
    [NE_SC_ENUM] = "enum",   [NE_SC_FIXED] = "fixed",     [NE_SC_ARRAY] = "array",
    [NE_SC_MAP] = "map",     [NE_SC_UNION] = "union",
};

static int primitive_kind(const char *name)
{
        for (int k = NE_SC_NULL; k <= NE_SC_STRING; k++)
                if (strcmp(name, ne_sc_kind_names[k]) == 0)
                        return k;
        return -1;
}

const char *ne_sc_str_member(const cJSON *obj, const char *key)
{
        const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
        return cJSON_IsString(item) ? item->valuestring : NULL;
}

const char *ne_sc_unqualified(const char *name)
{
        const char *dot = strrchr(name, '.');
        return dot ? dot + 1 : name;
}

/* Is `full` equal to ns + "." + name (or to name when ns is empty)? */
static bool fullname_eq(const char *full, const char *ns, const char *name)
{
        if (!ns || !*ns)
                return strcmp(full, name) == 0;
        size_t nl = strlen(ns);
        return strncmp(full, ns, nl) == 0 && full[nl] == '.' && strcmp(full + nl + 1, name) == 0;
}

static const struct ne_sc_named *find_named_by_ref(const struct ne_compat_schema *s,
                                                   const char *name, const char *ns)
{
        bool qualified = strchr(name, '.') != NULL;
        for (size_t i = 0; i < s->n_names; i++)
                if (fullname_eq(s->names[i].fullname, qualified ? NULL : ns, name))
                        return &s->names[i];
        /* an unqualified reference may also name a type in the null namespace */
        if (!qualified && ns && *ns)
                for (size_t i = 0; i < s->n_names; i++)
                        if (strcmp(s->names[i].fullname, name) == 0)
                                return &s->names[i];
        return NULL;
}

static const struct ne_sc_named *find_named_by_def(const struct ne_compat_schema *s,
                                                   const cJSON *def)
{
        for (size_t i = 0; i < s->n_names; i++)
                if (s->names[i].def == def)
                        return &s->names[i];
        return NULL;
}

static char *dup_range(const char *s, size_t n)
{
        char *d = malloc(n + 1);
        if (!d)
                return NULL;
        memcpy(d, s, n);
        d[n] = '\0';
        return d;
}

/* Registers the named type defined by `def` inside namespace `ns` (spec "Names"). */
static int add_named(struct ne_compat_schema *s, const cJSON *def, const char *ns,
                     const struct ne_sc_named **ret)
{
        const char *name = ne_sc_str_member(def, "name");
        const char *own_ns = ne_sc_str_member(def, "namespace");
        if (!name)
                return -EINVAL;
        if (s->n_names == s->cap_names) {
                size_t cap = s->cap_names ? 2 * s->cap_names : 16;
                struct ne_sc_named *n = realloc(s->names, cap * sizeof(*n));
                if (!n)
                        return -ENOMEM;
                s->names = n;
                s->cap_names = cap;
        }
        struct ne_sc_named *e = &s->names[s->n_names];
        const char *dot = strrchr(name, '.');
        if (dot) {
                e->fullname = strdup(name);
                e->ns = dup_range(name, (size_t)(dot - name));
        } else {
                const char *use_ns = own_ns ? own_ns : (ns ? ns : "");
                size_t nl = strlen(use_ns), ml = strlen(name);
                e->ns = strdup(use_ns);
                e->fullname = malloc(nl + ml + 2);
                if (e->fullname) {
                        if (nl)
                                snprintf(e->fullname, nl + ml + 2, "%s.%s", use_ns, name);
                        else
                                memcpy(e->fullname, name, ml + 1);
                }
        }
        if (!e->fullname || !e->ns) {
                free(e->fullname);
                free(e->ns);
                return -ENOMEM;
        }
        e->def = def;
        s->n_names++;
        *ret = e;
        return 0;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorts strs[0..n) and returns a string that occurs twice, or NULL. */
const char *ne_sc_first_duplicate(const char **strs, size_t n)
{
        qsort(strs, n, sizeof(*strs), cmp_str);
        for (size_t i = 1; i < n; i++)
                if (strcmp(strs[i - 1], strs[i]) == 0)
                        return strs[i];
        return NULL;
}

/* Field names must be unique in a record (spec "Complex Types"), but avro-c 1.11 accepts a
 * repeated one and the walk would then compare the wrong field (found by fuzzing). Returns 0,
 * -ENOTUNIQ with the name in s->dup_field, or -ENOMEM. */
static int check_field_names(struct ne_compat_schema *s, const cJSON *fields)
{
        size_t n = (size_t)cJSON_GetArraySize(fields), i = 0;
        if (n < 2)
                return 0;
        const char **names = malloc(n * sizeof(*names));
        if (!names)
                return -ENOMEM;
        const cJSON *f;
        cJSON_ArrayForEach(f, fields)
        {
                const char *name = ne_sc_str_member(f, "name");
                if (name && i < n)
                        names[i++] = name;
        }
        const char *dup = ne_sc_first_duplicate(names, i);
        free(names);
        if (!dup)
                return 0;
        s->dup_field = dup;
        return -ENOTUNIQ;
}

/* Looks for a full name defined twice. Returns 0, 1 with the name in *ret_name (borrowed from
 * s), or -ENOMEM. */
int ne_sc_find_duplicate_name(const struct ne_compat_schema *s, const char **ret_name)
{
        if (s->n_names < 2)
                return 0;
        const char **names = malloc(s->n_names * sizeof(*names));
        if (!names)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_names; i++)
                names[i] = s->names[i].fullname;
        const char *dup = ne_sc_first_duplicate(names, s->n_names);
        free(names);
        if (!dup)
                return 0;
        *ret_name = dup;
        return 1;
}

/* Records every named type of the tree, in definition order, with its namespace. */
int ne_sc_collect(struct ne_compat_schema *s, const cJSON *node, const char *ns, unsigned depth)
{
        if (depth > NE_SCHEMA_COMPAT_MAX_DEPTH)
                return -ELOOP;
        if (cJSON_IsArray(node)) {
                const cJSON *b;
                cJSON_ArrayForEach(b, node)
                {
                        int r = ne_sc_collect(s, b, ns, depth + 1);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        if (!cJSON_IsObject(node))
                return 0;
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(node, "type");
        if (!cJSON_IsString(type))
                return ne_sc_collect(s, type, ns, depth + 1);
        const char *t = type->valuestring;
        if (strcmp(t, "record") == 0 || strcmp(t, "error") == 0 || strcmp(t, "enum") == 0 ||
            strcmp(t, "fixed") == 0) {
                const struct ne_sc_named *e;
                int r = add_named(s, node, ns, &e);
                if (r < 0)
                        return r;
                if (strcmp(t, "enum") == 0 || strcmp(t, "fixed") == 0)
                        return 0;
                r = check_field_names(s, cJSON_GetObjectItemCaseSensitive(node, "fields"));
                if (r < 0)
                        return r;
                /* pointers into s->names move on realloc: copy the namespace first */
                char *inner = strdup(e->ns);
                if (!inner)
                        return -ENOMEM;
                const cJSON *f;
                cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(node, "fields"))
                {
                        r = ne_sc_collect(s, cJSON_GetObjectItemCaseSensitive(f, "type"), inner,
                                          depth + 1);
                        if (r < 0)
                                break;
                }
                free(inner);
                return r < 0 ? r : 0;
        }
        if (strcmp(t, "array") == 0)
                return ne_sc_collect(s, cJSON_GetObjectItemCaseSensitive(node, "items"), ns,
                                     depth + 1);
        if (strcmp(t, "map") == 0)
                return ne_sc_collect(s, cJSON_GetObjectItemCaseSensitive(node, "values"), ns,
                                     depth + 1);
        return 0;
}

/* Follows a type node (name reference, primitive, complex object, union array) to its
 * definition. -EINVAL for an unknown name: avro-c validated the schema, so only a
 * disagreement between avro-c and this walk gets there. */
int ne_sc_resolve(const struct ne_compat_schema *s, const cJSON *node, const char *ns,
                  unsigned depth, struct ne_sc_type *ret)
{
        struct ne_sc_type t = {.ns = ns};
        if (depth > NE_SCHEMA_COMPAT_MAX_DEPTH)
                return -ELOOP;
        if (cJSON_IsArray(node)) {
                t.kind = NE_SC_UNION;
                t.def = node;
                *ret = t;
                return 0;
        }
        const char *name = NULL;
        if (cJSON_IsString(node)) {
                name = node->valuestring;
        } else if (cJSON_IsObject(node)) {
                const cJSON *type = cJSON_GetObjectItemCaseSensitive(node, "type");
                if (!cJSON_IsString(type))
                        return ne_sc_resolve(s, type, ns, depth + 1, ret);
                name = type->valuestring;
                t.def = node;
                if (strcmp(name, "array") == 0 || strcmp(name, "map") == 0) {
                        t.kind = name[0] == 'a' ? NE_SC_ARRAY : NE_SC_MAP;
                        *ret = t;
                        return 0;
                }
                bool rec = strcmp(name, "record") == 0 || strcmp(name, "error") == 0;
                if (rec || strcmp(name, "enum") == 0 || strcmp(name, "fixed") == 0) {
                        t.kind = rec ? NE_SC_RECORD : name[0] == 'e' ? NE_SC_ENUM : NE_SC_FIXED;
                        t.named = find_named_by_def(s, node);
                        if (!t.named)
                                return -EINVAL;
                        t.ns = t.named->ns;
                        *ret = t;
                        return 0;
                }
        } else {
                return -EINVAL;
        }
        int k = primitive_kind(name);
        if (k >= 0) {
                t.kind = (enum ne_sc_kind)k;
                *ret = t;
                return 0;
        }
        const struct ne_sc_named *e = find_named_by_ref(s, name, ns);
        if (!e)
                return -EINVAL;
        return ne_sc_resolve(s, e->def, e->ns, depth + 1, ret);
}
