/* Avro schema compatibility: decides whether data written with one schema resolves against
 * another by the rules of the Avro specification's "Schema Resolution" section. The walk runs
 * over the cJSON tree of each .avsc, because avro-c 1.11 neither keeps field defaults nor
 * exposes them; avro-c is used only to confirm each schema is valid Avro before the walk, so
 * the walk may assume well-formed input. Must not log and must not modify a parsed schema:
 * parsed schemas are shared read-only. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <avro.h>
#include <cJSON.h>

#include "ne/schema_compat.h"

enum kind {
        K_NULL,
        K_BOOLEAN,
        K_INT,
        K_LONG,
        K_FLOAT,
        K_DOUBLE,
        K_BYTES,
        K_STRING,
        K_RECORD,
        K_ENUM,
        K_FIXED,
        K_ARRAY,
        K_MAP,
        K_UNION,
};

static const char *const kind_names[] = {
    [K_NULL] = "null",     [K_BOOLEAN] = "boolean", [K_INT] = "int",     [K_LONG] = "long",
    [K_FLOAT] = "float",   [K_DOUBLE] = "double",   [K_BYTES] = "bytes", [K_STRING] = "string",
    [K_RECORD] = "record", [K_ENUM] = "enum",       [K_FIXED] = "fixed", [K_ARRAY] = "array",
    [K_MAP] = "map",       [K_UNION] = "union",
};

/* A named type (record, enum, fixed) with its full name and the namespace that names used
 * inside it resolve against. */
struct named {
        char *fullname;
        char *ns;
        const cJSON *def;
};

struct ne_compat_schema {
        cJSON *root;
        struct named *names;
        size_t n_names;
        size_t cap_names;
        const char *dup_field; /* set when collect() fails with -ENOTUNIQ; borrowed from root */
};

/* A type after following a name reference: its kind and defining JSON node. */
struct type {
        enum kind kind;
        const cJSON *def;          /* defining object, union array, or NULL for a bare primitive */
        const struct named *named; /* record, enum, fixed only */
        const char *ns;            /* namespace in effect inside this type */
};

static bool is_primitive(enum kind k)
{
        return k <= K_STRING;
}

static int primitive_kind(const char *name)
{
        for (int k = K_NULL; k <= K_STRING; k++)
                if (strcmp(name, kind_names[k]) == 0)
                        return k;
        return -1;
}

static const char *str_member(const cJSON *obj, const char *key)
{
        const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
        return cJSON_IsString(item) ? item->valuestring : NULL;
}

static const char *unqualified(const char *name)
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

static const struct named *find_named_by_ref(const struct ne_compat_schema *s, const char *name,
                                             const char *ns)
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

static const struct named *find_named_by_def(const struct ne_compat_schema *s, const cJSON *def)
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
                     const struct named **ret)
{
        const char *name = str_member(def, "name");
        const char *own_ns = str_member(def, "namespace");
        if (!name)
                return -EINVAL;
        if (s->n_names == s->cap_names) {
                size_t cap = s->cap_names ? 2 * s->cap_names : 16;
                struct named *n = realloc(s->names, cap * sizeof(*n));
                if (!n)
                        return -ENOMEM;
                s->names = n;
                s->cap_names = cap;
        }
        struct named *e = &s->names[s->n_names];
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
static const char *first_duplicate(const char **strs, size_t n)
{
        qsort(strs, n, sizeof(*strs), cmp_str);
        for (size_t i = 1; i < n; i++)
                if (strcmp(strs[i - 1], strs[i]) == 0)
                        return strs[i];
        return NULL;
}

/* Looks for a JSON object that gives one key twice. avro-c's JSON parser keeps the last value
 * of a repeated key and cJSON finds the first, so such a text would be validated as one schema
 * and checked as another (found by fuzzing: "type" given twice). Returns 0, 1 with the key in
 * *ret_key, or -ENOMEM. Recursion is bounded by cJSON's nesting limit. */
static int find_duplicate_key(const cJSON *node, const char **ret_key)
{
        const cJSON *c;
        size_t n = 0;
        cJSON_ArrayForEach(c, node)
        {
                int r = find_duplicate_key(c, ret_key);
                if (r != 0)
                        return r;
                n++;
        }
        if (!cJSON_IsObject(node) || n < 2)
                return 0;
        const char **keys = malloc(n * sizeof(*keys));
        if (!keys)
                return -ENOMEM;
        size_t i = 0;
        cJSON_ArrayForEach(c, node) keys[i++] = c->string;
        const char *dup = first_duplicate(keys, n);
        free(keys);
        if (!dup)
                return 0;
        *ret_key = dup;
        return 1;
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
                const char *name = str_member(f, "name");
                if (name && i < n)
                        names[i++] = name;
        }
        const char *dup = first_duplicate(names, i);
        free(names);
        if (!dup)
                return 0;
        s->dup_field = dup;
        return -ENOTUNIQ;
}

/* Looks for a full name defined twice. Returns 0, 1 with the name in *ret_name (borrowed from
 * s), or -ENOMEM. */
static int find_duplicate_name(const struct ne_compat_schema *s, const char **ret_name)
{
        if (s->n_names < 2)
                return 0;
        const char **names = malloc(s->n_names * sizeof(*names));
        if (!names)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_names; i++)
                names[i] = s->names[i].fullname;
        const char *dup = first_duplicate(names, s->n_names);
        free(names);
        if (!dup)
                return 0;
        *ret_name = dup;
        return 1;
}

/* Records every named type of the tree, in definition order, with its namespace. */
static int collect(struct ne_compat_schema *s, const cJSON *node, const char *ns, unsigned depth)
{
        if (depth > NE_SCHEMA_COMPAT_MAX_DEPTH)
                return -ELOOP;
        if (cJSON_IsArray(node)) {
                const cJSON *b;
                cJSON_ArrayForEach(b, node)
                {
                        int r = collect(s, b, ns, depth + 1);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        if (!cJSON_IsObject(node))
                return 0;
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(node, "type");
        if (!cJSON_IsString(type))
                return collect(s, type, ns, depth + 1);
        const char *t = type->valuestring;
        if (strcmp(t, "record") == 0 || strcmp(t, "error") == 0 || strcmp(t, "enum") == 0 ||
            strcmp(t, "fixed") == 0) {
                const struct named *e;
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
                        r = collect(s, cJSON_GetObjectItemCaseSensitive(f, "type"), inner,
                                    depth + 1);
                        if (r < 0)
                                break;
                }
                free(inner);
                return r < 0 ? r : 0;
        }
        if (strcmp(t, "array") == 0)
                return collect(s, cJSON_GetObjectItemCaseSensitive(node, "items"), ns, depth + 1);
        if (strcmp(t, "map") == 0)
                return collect(s, cJSON_GetObjectItemCaseSensitive(node, "values"), ns, depth + 1);
        return 0;
}

/* Follows a type node (name reference, primitive, complex object, union array) to its
 * definition. -EINVAL for an unknown name: avro-c validated the schema, so only a
 * disagreement between avro-c and this walk gets there. */
static int resolve(const struct ne_compat_schema *s, const cJSON *node, const char *ns,
                   unsigned depth, struct type *ret)
{
        struct type t = {.ns = ns};
        if (depth > NE_SCHEMA_COMPAT_MAX_DEPTH)
                return -ELOOP;
        if (cJSON_IsArray(node)) {
                t.kind = K_UNION;
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
                        return resolve(s, type, ns, depth + 1, ret);
                name = type->valuestring;
                t.def = node;
                if (strcmp(name, "array") == 0 || strcmp(name, "map") == 0) {
                        t.kind = name[0] == 'a' ? K_ARRAY : K_MAP;
                        *ret = t;
                        return 0;
                }
                bool rec = strcmp(name, "record") == 0 || strcmp(name, "error") == 0;
                if (rec || strcmp(name, "enum") == 0 || strcmp(name, "fixed") == 0) {
                        t.kind = rec ? K_RECORD : name[0] == 'e' ? K_ENUM : K_FIXED;
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
                t.kind = (enum kind)k;
                *ret = t;
                return 0;
        }
        const struct named *e = find_named_by_ref(s, name, ns);
        if (!e)
                return -EINVAL;
        return resolve(s, e->def, e->ns, depth + 1, ret);
}

/* ---- parsing ---------------------------------------------------------------------------- */

void ne_schema_compat_free(struct ne_compat_schema *schema)
{
        if (!schema)
                return;
        for (size_t i = 0; i < schema->n_names; i++) {
                free(schema->names[i].fullname);
                free(schema->names[i].ns);
        }
        free(schema->names);
        cJSON_Delete(schema->root);
        free(schema);
}

static int line_of(const char *text, size_t pos)
{
        int line = 1;
        for (size_t i = 0; i < pos; i++)
                line += text[i] == '\n';
        return line;
}

int ne_schema_compat_parse(const char *json, size_t len, struct ne_compat_schema **ret,
                           struct ne_diag *diag)
{
        struct ne_compat_schema *s = NULL;
        avro_schema_t avs = NULL;
        int r;

        if (len > NE_SCHEMA_COMPAT_MAX_BYTES)
                return ne_diag_set(diag, -EFBIG, "schema is %zu bytes, limit %d", len,
                                   NE_SCHEMA_COMPAT_MAX_BYTES);
        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        const char *end = NULL;
        s->root = cJSON_ParseWithLengthOpts(json, len, &end, false);
        if (!s->root) {
                size_t pos = end && end >= json ? (size_t)(end - json) : 0;
                if (pos > len)
                        pos = len;
                r = ne_diag_set(diag, -EINVAL, "schema is not valid JSON near byte %zu", pos);
                if (diag) {
                        diag->line = line_of(json, pos);
                        diag->offset = (long)pos;
                }
                goto err_free;
        }
        for (size_t pos = (size_t)(end - json); pos < len; pos++)
                if (json[pos] != ' ' && json[pos] != '\t' && json[pos] != '\n' &&
                    json[pos] != '\r') {
                        r = ne_diag_set(diag, -EINVAL, "trailing data after the schema JSON");
                        if (diag) {
                                diag->line = line_of(json, pos);
                                diag->offset = (long)pos;
                        }
                        goto err_free;
                }
        const char *dup = NULL;
        r = find_duplicate_key(s->root, &dup);
        if (r < 0)
                goto err_free;
        if (r > 0) {
                r = ne_diag_set(diag, -EINVAL, "duplicate key \"%.64s\" in a JSON object", dup);
                goto err_free;
        }
        /* Index the named types before avro-c sees the text: avro-c 1.11 leaks the type it
         * was building when a name is defined twice (found by fuzzing), so redefinitions and
         * repeated field names, which it would accept, are refused here first. Only a text
         * indexed completely goes on to avro-c: collect() stops at its first error, and a
         * redefinition it never reached would leak in avro-c (found by fuzzing: a nameless
         * record after a name defined twice). */
        r = collect(s, s->root, "", 0);
        if (r == -ENOMEM)
                goto err_free;
        if (r == -ENOTUNIQ) {
                r = ne_diag_set(diag, -EINVAL, "a record has two fields named \"%.64s\"",
                                s->dup_field);
                goto err_free;
        }
        int collected = r;
        r = find_duplicate_name(s, &dup);
        if (r < 0)
                goto err_free;
        if (r > 0) {
                r = ne_diag_set(diag, -EINVAL, "type \"%.64s\" is defined twice", dup);
                goto err_free;
        }
        if (collected == -EINVAL) {
                r = ne_diag_set(diag, -EINVAL, "a record, enum or fixed type has no name");
                goto err_free;
        }
        if (collected == -ELOOP) {
                r = ne_diag_set(diag, -ELOOP, "types nest deeper than %d",
                                NE_SCHEMA_COMPAT_MAX_DEPTH);
                goto err_free;
        }
        if (collected < 0) {
                r = ne_diag_set(diag, collected, "cannot index the schema's named types");
                goto err_free;
        }
        if (avro_schema_from_json_length(json, len, &avs) != 0) {
                r = ne_diag_set(diag, -EINVAL, "not a valid Avro schema: %s", avro_strerror());
                goto err_free;
        }
        avro_schema_decref(avs);
        /* Accept only what the walk understands: a schema must read its own data. This turns a
         * disagreement with avro-c over names into a parse error instead of a false "not
         * compatible" later (found by fuzzing: avro-c takes the name ".L" as "L"). */
        struct ne_diag why;
        ne_diag_clear(&why);
        r = ne_schema_compat_can_read(s, s, &why);
        if (r == -ENOMEM)
                goto err_free;
        if (r != 1 && r != -ELOOP) {
                r = ne_diag_set(diag, -EINVAL, "schema not understood by the checker: %s", why.msg);
                goto err_free;
        }
        *ret = s;
        return 0;
err_free:
        ne_schema_compat_free(s);
        return r;
}

int ne_schema_compat_load(const char *path, struct ne_compat_schema **ret, struct ne_diag *diag)
{
        char *text = NULL;
        size_t len = 0;
        int r;
        FILE *f = fopen(path, "rb");
        if (!f) {
                r = -errno;
                return ne_diag_set(diag, r, "%s: %s", path, strerror(-r));
        }
        text = malloc(NE_SCHEMA_COMPAT_MAX_BYTES + 1);
        if (!text) {
                r = -ENOMEM;
                goto out;
        }
        len = fread(text, 1, NE_SCHEMA_COMPAT_MAX_BYTES + 1, f);
        if (ferror(f)) {
                r = ne_diag_set(diag, -EIO, "%s: read error", path);
                goto out;
        }
        if (len > NE_SCHEMA_COMPAT_MAX_BYTES) {
                r = ne_diag_set(diag, -EFBIG, "%s: larger than %d bytes", path,
                                NE_SCHEMA_COMPAT_MAX_BYTES);
                goto out;
        }
        r = ne_schema_compat_parse(text, len, ret, diag);
        if (r < 0 && diag) {
                char msg[sizeof(diag->msg)];
                snprintf(msg, sizeof(msg), "%s", diag->msg);
                ne_diag_set(diag, r, "%s: %s", path, msg);
        }
out:
        free(text);
        fclose(f);
        return r;
}

/* ---- default values --------------------------------------------------------------------- */

static bool default_ok(const struct ne_compat_schema *s, const struct type *t, const cJSON *v,
                       unsigned depth);

static bool default_record_ok(const struct ne_compat_schema *s, const struct type *t,
                              const cJSON *v, unsigned depth)
{
        if (!cJSON_IsObject(v))
                return false;
        const cJSON *f;
        cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(t->def, "fields"))
        {
                const char *name = str_member(f, "name");
                const cJSON *fv = name ? cJSON_GetObjectItemCaseSensitive(v, name) : NULL;
                if (!fv) {
                        if (!cJSON_GetObjectItemCaseSensitive(f, "default"))
                                return false;
                        continue;
                }
                struct type ft;
                if (resolve(s, cJSON_GetObjectItemCaseSensitive(f, "type"), t->ns, depth + 1, &ft) <
                        0 ||
                    !default_ok(s, &ft, fv, depth + 1))
                        return false;
        }
        return true;
}

/* Does JSON value `v` fit type `t` as a default (spec "Complex Types", field defaults)? A
 * union's default belongs to its first branch. */
static bool default_ok(const struct ne_compat_schema *s, const struct type *t, const cJSON *v,
                       unsigned depth)
{
        struct type sub;
        const cJSON *item;
        if (depth > NE_SCHEMA_COMPAT_MAX_DEPTH)
                return false;
        switch (t->kind) {
        case K_NULL:
                return cJSON_IsNull(v);
        case K_BOOLEAN:
                return cJSON_IsBool(v);
        case K_INT:
                return cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
                       v->valuedouble >= -2147483648.0 && v->valuedouble <= 2147483647.0;
        case K_LONG:
                return cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble);
        case K_FLOAT:
        case K_DOUBLE:
                return cJSON_IsNumber(v);
        case K_BYTES:
        case K_STRING:
        case K_FIXED:
                return cJSON_IsString(v);
        case K_ENUM:
                if (!cJSON_IsString(v))
                        return false;
                cJSON_ArrayForEach(
                    item, cJSON_GetObjectItemCaseSensitive(
                              t->def, "symbols")) if (cJSON_IsString(item) &&
                                                      strcmp(item->valuestring, v->valuestring) ==
                                                          0) return true;
                return false;
        case K_ARRAY:
        case K_MAP:
                if (t->kind == K_ARRAY ? !cJSON_IsArray(v) : !cJSON_IsObject(v))
                        return false;
                if (resolve(s,
                            cJSON_GetObjectItemCaseSensitive(t->def, t->kind == K_ARRAY ? "items"
                                                                                        : "values"),
                            t->ns, depth + 1, &sub) < 0)
                        return false;
                cJSON_ArrayForEach(item, v) if (!default_ok(s, &sub, item, depth + 1)) return false;
                return true;
        case K_UNION:
                if (resolve(s, cJSON_GetArrayItem(t->def, 0), t->ns, depth + 1, &sub) < 0)
                        return false;
                return default_ok(s, &sub, v, depth + 1);
        case K_RECORD:
                return default_record_ok(s, t, v, depth);
        }
        return false;
}

/* ---- resolution ------------------------------------------------------------------------- */

struct pair {
        const cJSON *w;
        const cJSON *r;
};

struct pairs {
        struct pair *v;
        size_t n;
        size_t cap;
};

struct ctx {
        const struct ne_compat_schema *ws;
        const struct ne_compat_schema *rs;
        struct pairs active; /* record pairs being checked: meeting one again is recursion */
        struct pairs done;   /* record pairs found compatible */
        char path[256];
        size_t path_len;
        struct ne_diag *why;
};

static bool pairs_has(const struct pairs *p, const cJSON *w, const cJSON *r)
{
        for (size_t i = 0; i < p->n; i++)
                if (p->v[i].w == w && p->v[i].r == r)
                        return true;
        return false;
}

static int pairs_push(struct pairs *p, const cJSON *w, const cJSON *r)
{
        if (p->n == p->cap) {
                size_t cap = p->cap ? 2 * p->cap : 16;
                struct pair *v = realloc(p->v, cap * sizeof(*v));
                if (!v)
                        return -ENOMEM;
                p->v = v;
                p->cap = cap;
        }
        p->v[p->n++] = (struct pair){w, r};
        return 0;
}

/* Appends prefix + seg to the path; returns the length to restore with path_pop(). */
static size_t path_push(struct ctx *c, const char *prefix, const char *seg)
{
        size_t old = c->path_len;
        if (c->path_len < sizeof(c->path)) {
                int n = snprintf(c->path + c->path_len, sizeof(c->path) - c->path_len, "%s%s",
                                 prefix, seg);
                if (n > 0)
                        c->path_len += (size_t)n;
                if (c->path_len >= sizeof(c->path))
                        c->path_len = sizeof(c->path) - 1;
        }
        return old;
}

static void path_pop(struct ctx *c, size_t old)
{
        c->path_len = old;
        c->path[old] = '\0';
}

__attribute__((format(printf, 2, 3))) static int incompatible(struct ctx *c, const char *fmt, ...)
{
        if (!c->why)
                return 0;
        char reason[384];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(reason, sizeof(reason), fmt, ap);
        va_end(ap);
        ne_diag_set(c->why, 0, "%s: %s", c->path_len ? c->path : "<root>", reason);
        size_t n = c->path_len < sizeof(c->why->key) - 1 ? c->path_len : sizeof(c->why->key) - 1;
        memcpy(c->why->key, c->path, n);
        c->why->key[n] = '\0';
        return 0;
}

static const char *describe(const struct type *t, char *buf, size_t size)
{
        if (t->named)
                snprintf(buf, size, "%s %s", kind_names[t->kind], unqualified(t->named->fullname));
        else
                snprintf(buf, size, "%s", kind_names[t->kind]);
        return buf;
}

static bool promotes(enum kind w, enum kind r)
{
        switch (w) {
        case K_INT:
                return r == K_LONG || r == K_FLOAT || r == K_DOUBLE;
        case K_LONG:
                return r == K_FLOAT || r == K_DOUBLE;
        case K_FLOAT:
                return r == K_DOUBLE;
        case K_STRING:
                return r == K_BYTES;
        case K_BYTES:
                return r == K_STRING;
        default:
                return false;
        }
}

/* Named types match by unqualified name, or the writer's name against a reader alias. */
static bool names_match(const struct type *w, const struct type *r)
{
        const char *wn = unqualified(w->named->fullname);
        if (strcmp(wn, unqualified(r->named->fullname)) == 0)
                return true;
        const cJSON *a;
        cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(
                                  r->def, "aliases")) if (cJSON_IsString(a) &&
                                                          strcmp(unqualified(a->valuestring), wn) ==
                                                              0) return true;
        return false;
}

static int check(struct ctx *c, const struct type *w, const struct type *r, unsigned depth);

static int check_child(struct ctx *c, const struct type *w, const struct type *r, const char *key,
                       const char *seg, unsigned depth)
{
        struct type wc, rc;
        int ret = resolve(c->ws, cJSON_GetObjectItemCaseSensitive(w->def, key), w->ns, depth, &wc);
        if (ret >= 0)
                ret = resolve(c->rs, cJSON_GetObjectItemCaseSensitive(r->def, key), r->ns, depth,
                              &rc);
        if (ret < 0)
                return ret;
        size_t old = path_push(c, "", seg);
        ret = check(c, &wc, &rc, depth + 1);
        if (ret > 0)
                path_pop(c, old);
        return ret;
}

static int check_enum(struct ctx *c, const struct type *w, const struct type *r)
{
        const cJSON *ws, *rs;
        bool has_default = cJSON_GetObjectItemCaseSensitive(r->def, "default") != NULL;
        cJSON_ArrayForEach(ws, cJSON_GetObjectItemCaseSensitive(w->def, "symbols"))
        {
                bool found = false;
                cJSON_ArrayForEach(
                    rs, cJSON_GetObjectItemCaseSensitive(
                            r->def, "symbols")) if (strcmp(rs->valuestring, ws->valuestring) == 0)
                    found = true;
                if (!found && !has_default)
                        return incompatible(c,
                                            "writer enum symbol %s is not in the reader enum, "
                                            "which has no default",
                                            ws->valuestring);
        }
        return 1;
}

static const cJSON *find_field(const cJSON *fields, const char *name)
{
        const cJSON *f;
        cJSON_ArrayForEach(f, fields)
        {
                const char *n = str_member(f, "name");
                if (n && strcmp(n, name) == 0)
                        return f;
        }
        return NULL;
}

static int check_field(struct ctx *c, const struct type *w, const struct type *r, const cJSON *rf,
                       unsigned depth)
{
        const cJSON *wfields = cJSON_GetObjectItemCaseSensitive(w->def, "fields");
        const char *name = str_member(rf, "name");
        const cJSON *wf = find_field(wfields, name);
        const cJSON *a;
        cJSON_ArrayForEach(
            a, cJSON_GetObjectItemCaseSensitive(rf, "aliases")) if (!wf && cJSON_IsString(a)) wf =
            find_field(wfields, a->valuestring);
        struct type rt, wt;
        int ret = resolve(c->rs, cJSON_GetObjectItemCaseSensitive(rf, "type"), r->ns, depth, &rt);
        if (ret < 0)
                return ret;
        size_t old = path_push(c, ".", name);
        if (wf) {
                ret =
                    resolve(c->ws, cJSON_GetObjectItemCaseSensitive(wf, "type"), w->ns, depth, &wt);
                if (ret >= 0)
                        ret = check(c, &wt, &rt, depth + 1);
        } else {
                const cJSON *def = cJSON_GetObjectItemCaseSensitive(rf, "default");
                if (!def)
                        ret = incompatible(c, "reader field has no default and writer lacks it");
                else if (!default_ok(c->rs, &rt, def, depth + 1))
                        ret = incompatible(c, "writer lacks the field and the reader's default "
                                              "does not match its type");
                else
                        ret = 1;
        }
        if (ret > 0)
                path_pop(c, old);
        return ret;
}

static int check_record(struct ctx *c, const struct type *w, const struct type *r, unsigned depth)
{
        /* a pair met again while still being checked is a recursive type: assume it resolves
         * (any real mismatch shows up on the first visit); a pair checked before did resolve */
        if (pairs_has(&c->active, w->def, r->def) || pairs_has(&c->done, w->def, r->def))
                return 1;
        int ret = pairs_push(&c->active, w->def, r->def);
        if (ret < 0)
                return ret;
        const cJSON *rf;
        cJSON_ArrayForEach(rf, cJSON_GetObjectItemCaseSensitive(r->def, "fields"))
        {
                ret = check_field(c, w, r, rf, depth);
                if (ret <= 0)
                        return ret;
        }
        c->active.n--;
        ret = pairs_push(&c->done, w->def, r->def);
        return ret < 0 ? ret : 1;
}

static int check_writer_union(struct ctx *c, const struct type *w, const struct type *r,
                              unsigned depth)
{
        /* any branch may have been written: each must resolve */
        const cJSON *b;
        cJSON_ArrayForEach(b, w->def)
        {
                struct type wb;
                int ret = resolve(c->ws, b, w->ns, depth, &wb);
                if (ret < 0)
                        return ret;
                ret = check(c, &wb, r, depth + 1);
                if (ret <= 0)
                        return ret;
        }
        return 1;
}

static bool branch_matches(const struct type *w, const struct type *rb, bool exact)
{
        if (w->kind == rb->kind)
                return w->named ? names_match(w, rb) : true;
        return !exact && is_primitive(w->kind) && promotes(w->kind, rb->kind);
}

static int check_reader_union(struct ctx *c, const struct type *w, const struct type *r,
                              unsigned depth)
{
        /* the spec resolves against the first reader branch that matches; like the Java
         * implementation, prefer a branch of the same type over one reached by promotion */
        for (int exact = 1; exact >= 0; exact--) {
                const cJSON *b;
                cJSON_ArrayForEach(b, r->def)
                {
                        struct type rb;
                        int ret = resolve(c->rs, b, r->ns, depth, &rb);
                        if (ret < 0)
                                return ret;
                        if (branch_matches(w, &rb, exact))
                                return check(c, w, &rb, depth + 1);
                }
        }
        char d[160];
        return incompatible(c, "writer type %s matches no branch of the reader union",
                            describe(w, d, sizeof(d)));
}

static int check(struct ctx *c, const struct type *w, const struct type *r, unsigned depth)
{
        char dw[160], dr[160];
        if (depth > NE_SCHEMA_COMPAT_MAX_DEPTH)
                return ne_diag_set(c->why, -ELOOP, "%s: types nest deeper than %d", c->path,
                                   NE_SCHEMA_COMPAT_MAX_DEPTH);
        if (w->kind == K_UNION)
                return check_writer_union(c, w, r, depth);
        if (r->kind == K_UNION)
                return check_reader_union(c, w, r, depth);
        if (w->kind != r->kind && !(is_primitive(w->kind) && promotes(w->kind, r->kind)))
                return incompatible(c, "writer type %s cannot be read as %s",
                                    describe(w, dw, sizeof(dw)), describe(r, dr, sizeof(dr)));
        if (w->named && !names_match(w, r))
                return incompatible(c, "writer %s and reader %s differ in name",
                                    describe(w, dw, sizeof(dw)), describe(r, dr, sizeof(dr)));
        switch (w->kind) {
        case K_ARRAY:
                return check_child(c, w, r, "items", "[]", depth);
        case K_MAP:
                return check_child(c, w, r, "values", "{}", depth);
        case K_ENUM:
                return check_enum(c, w, r);
        case K_FIXED: {
                const cJSON *ws = cJSON_GetObjectItemCaseSensitive(w->def, "size");
                const cJSON *rs = cJSON_GetObjectItemCaseSensitive(r->def, "size");
                if (!cJSON_IsNumber(ws) || !cJSON_IsNumber(rs) ||
                    ws->valuedouble != rs->valuedouble)
                        return incompatible(c,
                                            "fixed %s has size %g in the writer, %g in the "
                                            "reader",
                                            unqualified(w->named->fullname),
                                            cJSON_IsNumber(ws) ? ws->valuedouble : -1.0,
                                            cJSON_IsNumber(rs) ? rs->valuedouble : -1.0);
                return 1;
        }
        case K_RECORD:
                return check_record(c, w, r, depth);
        default:
                return 1;
        }
}

int ne_schema_compat_can_read(const struct ne_compat_schema *reader,
                              const struct ne_compat_schema *writer, struct ne_diag *why)
{
        struct ctx c = {.ws = writer, .rs = reader, .why = why};
        struct type w, r;
        int ret = resolve(writer, writer->root, "", 0, &w);
        if (ret >= 0)
                ret = resolve(reader, reader->root, "", 0, &r);
        if (ret < 0)
                return ne_diag_set(why, ret, "cannot resolve the top-level type");
        if (r.named)
                path_push(&c, "", unqualified(r.named->fullname));
        ret = check(&c, &w, &r, 0);
        if (ret == -ENOMEM)
                ne_diag_set(why, ret, "out of memory");
        free(c.active.v);
        free(c.done.v);
        return ret;
}

/* ---- directions ------------------------------------------------------------------------- */

static const char *const direction_names[] = {
    [NE_COMPAT_BACKWARD] = "backward",
    [NE_COMPAT_FORWARD] = "forward",
    [NE_COMPAT_FULL] = "full",
};

const char *ne_compat_direction_name(enum ne_compat_direction dir)
{
        if ((unsigned)dir > NE_COMPAT_FULL)
                return NULL;
        return direction_names[dir];
}

int ne_compat_direction_parse(const char *name, enum ne_compat_direction *ret)
{
        for (int d = NE_COMPAT_BACKWARD; d <= NE_COMPAT_FULL; d++)
                if (strcmp(name, direction_names[d]) == 0) {
                        *ret = (enum ne_compat_direction)d;
                        return 0;
                }
        return -EINVAL;
}

int ne_schema_compat_check(const struct ne_compat_schema *old_schema,
                           const struct ne_compat_schema *new_schema, enum ne_compat_direction dir,
                           struct ne_diag *why)
{
        int r;
        if (dir == NE_COMPAT_BACKWARD)
                return ne_schema_compat_can_read(new_schema, old_schema, why);
        if (dir == NE_COMPAT_FORWARD)
                return ne_schema_compat_can_read(old_schema, new_schema, why);
        const char *failed = "backward";
        r = ne_schema_compat_can_read(new_schema, old_schema, why);
        if (r == 1) {
                failed = "forward";
                r = ne_schema_compat_can_read(old_schema, new_schema, why);
        }
        if (r == 0 && why) {
                char msg[sizeof(why->msg)];
                snprintf(msg, sizeof(msg), "%s", why->msg);
                ne_diag_set(why, 0, "%s: %s", failed, msg);
        }
        return r;
}
