/* Avro schema compatibility, the rules: decides whether data written with one schema resolves
 * against another by the Avro specification's "Schema Resolution" section, walking both cJSON
 * trees side by side (avro-c 1.11 neither keeps field defaults nor exposes them), and the
 * backward/forward/full directions on top. The walk may assume well-formed input:
 * schema_compat_parse.c admits only schemas avro-c accepts and the walk can resolve. Must not
 * log and must not modify a parsed schema: parsed schemas are shared read-only. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "ne/schema_compat.h"
#include "schema_compat_internal.h"

static bool pairs_has(const struct ne_sc_pairs *p, const cJSON *w, const cJSON *r)
{
        for (size_t i = 0; i < p->n; i++)
                if (p->v[i].w == w && p->v[i].r == r)
                        return true;
        return false;
}

static int pairs_push(struct ne_sc_pairs *p, const cJSON *w, const cJSON *r)
{
        if (p->n == p->cap) {
                size_t cap = p->cap ? 2 * p->cap : 16;
                struct ne_sc_pair *v = realloc(p->v, cap * sizeof(*v));
                if (!v)
                        return -ENOMEM;
                p->v = v;
                p->cap = cap;
        }
        p->v[p->n++] = (struct ne_sc_pair){w, r};
        return 0;
}

static bool promotes(enum ne_sc_kind w, enum ne_sc_kind r)
{
        switch (w) {
        case NE_SC_INT:
                return r == NE_SC_LONG || r == NE_SC_FLOAT || r == NE_SC_DOUBLE;
        case NE_SC_LONG:
                return r == NE_SC_FLOAT || r == NE_SC_DOUBLE;
        case NE_SC_FLOAT:
                return r == NE_SC_DOUBLE;
        case NE_SC_STRING:
                return r == NE_SC_BYTES;
        case NE_SC_BYTES:
                return r == NE_SC_STRING;
        default:
                return false;
        }
}

/* Named types match by unqualified name, or the writer's name against a reader alias. */
static bool names_match(const struct ne_sc_type *w, const struct ne_sc_type *r)
{
        const char *wn = ne_sc_unqualified(w->named->fullname);
        if (strcmp(wn, ne_sc_unqualified(r->named->fullname)) == 0)
                return true;
        const cJSON *a;
        cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(
                                  r->def, "aliases")) if (cJSON_IsString(a) &&
                                                          strcmp(ne_sc_unqualified(a->valuestring),
                                                                 wn) == 0) return true;
        return false;
}

static int check(struct ne_sc_ctx *c, const struct ne_sc_type *w, const struct ne_sc_type *r,
                 unsigned depth);

static int check_child(struct ne_sc_ctx *c, const struct ne_sc_type *w, const struct ne_sc_type *r,
                       const char *key, const char *seg, unsigned depth)
{
        struct ne_sc_type wc, rc;
        int ret =
            ne_sc_resolve(c->ws, cJSON_GetObjectItemCaseSensitive(w->def, key), w->ns, depth, &wc);
        if (ret >= 0)
                ret = ne_sc_resolve(c->rs, cJSON_GetObjectItemCaseSensitive(r->def, key), r->ns,
                                    depth, &rc);
        if (ret < 0)
                return ret;
        size_t old = ne_sc_path_push(c, "", seg);
        ret = check(c, &wc, &rc, depth + 1);
        if (ret > 0)
                ne_sc_path_pop(c, old);
        return ret;
}

static int check_enum(struct ne_sc_ctx *c, const struct ne_sc_type *w, const struct ne_sc_type *r)
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
                        return ne_sc_incompatible(
                            c,
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
                const char *n = ne_sc_str_member(f, "name");
                if (n && strcmp(n, name) == 0)
                        return f;
        }
        return NULL;
}

static int check_field(struct ne_sc_ctx *c, const struct ne_sc_type *w, const struct ne_sc_type *r,
                       const cJSON *rf, unsigned depth)
{
        const cJSON *wfields = cJSON_GetObjectItemCaseSensitive(w->def, "fields");
        const char *name = ne_sc_str_member(rf, "name");
        const cJSON *wf = find_field(wfields, name);
        const cJSON *a;
        cJSON_ArrayForEach(
            a, cJSON_GetObjectItemCaseSensitive(rf, "aliases")) if (!wf && cJSON_IsString(a)) wf =
            find_field(wfields, a->valuestring);
        struct ne_sc_type rt, wt;
        int ret =
            ne_sc_resolve(c->rs, cJSON_GetObjectItemCaseSensitive(rf, "type"), r->ns, depth, &rt);
        if (ret < 0)
                return ret;
        size_t old = ne_sc_path_push(c, ".", name);
        if (wf) {
                ret = ne_sc_resolve(c->ws, cJSON_GetObjectItemCaseSensitive(wf, "type"), w->ns,
                                    depth, &wt);
                if (ret >= 0)
                        ret = check(c, &wt, &rt, depth + 1);
        } else {
                const cJSON *def = cJSON_GetObjectItemCaseSensitive(rf, "default");
                if (!def)
                        ret = ne_sc_incompatible(c,
                                                 "reader field has no default and writer lacks it");
                else if (!ne_sc_default_ok(c->rs, &rt, def, depth + 1))
                        ret =
                            ne_sc_incompatible(c, "writer lacks the field and the reader's default "
                                                  "does not match its type");
                else
                        ret = 1;
        }
        if (ret > 0)
                ne_sc_path_pop(c, old);
        return ret;
}

static int check_record(struct ne_sc_ctx *c, const struct ne_sc_type *w, const struct ne_sc_type *r,
                        unsigned depth)
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

static int check_writer_union(struct ne_sc_ctx *c, const struct ne_sc_type *w,
                              const struct ne_sc_type *r, unsigned depth)
{
        /* any branch may have been written: each must resolve */
        const cJSON *b;
        cJSON_ArrayForEach(b, w->def)
        {
                struct ne_sc_type wb;
                int ret = ne_sc_resolve(c->ws, b, w->ns, depth, &wb);
                if (ret < 0)
                        return ret;
                ret = check(c, &wb, r, depth + 1);
                if (ret <= 0)
                        return ret;
        }
        return 1;
}

static bool branch_matches(const struct ne_sc_type *w, const struct ne_sc_type *rb, bool exact)
{
        if (w->kind == rb->kind)
                return w->named ? names_match(w, rb) : true;
        return !exact && ne_sc_is_primitive(w->kind) && promotes(w->kind, rb->kind);
}

static int check_reader_union(struct ne_sc_ctx *c, const struct ne_sc_type *w,
                              const struct ne_sc_type *r, unsigned depth)
{
        /* the spec resolves against the first reader branch that matches; like the Java
         * implementation, prefer a branch of the same type over one reached by promotion */
        for (int exact = 1; exact >= 0; exact--) {
                const cJSON *b;
                cJSON_ArrayForEach(b, r->def)
                {
                        struct ne_sc_type rb;
                        int ret = ne_sc_resolve(c->rs, b, r->ns, depth, &rb);
                        if (ret < 0)
                                return ret;
                        if (branch_matches(w, &rb, exact))
                                return check(c, w, &rb, depth + 1);
                }
        }
        char d[160];
        return ne_sc_incompatible(c, "writer type %s matches no branch of the reader union",
                                  ne_sc_describe(w, d, sizeof(d)));
}

static int check(struct ne_sc_ctx *c, const struct ne_sc_type *w, const struct ne_sc_type *r,
                 unsigned depth)
{
        char dw[160], dr[160];
        if (depth > NE_SCHEMA_COMPAT_MAX_DEPTH)
                return ne_diag_set(c->why, -ELOOP, "%s: types nest deeper than %d", c->path,
                                   NE_SCHEMA_COMPAT_MAX_DEPTH);
        if (w->kind == NE_SC_UNION)
                return check_writer_union(c, w, r, depth);
        if (r->kind == NE_SC_UNION)
                return check_reader_union(c, w, r, depth);
        if (w->kind != r->kind && !(ne_sc_is_primitive(w->kind) && promotes(w->kind, r->kind)))
                return ne_sc_incompatible(c, "writer type %s cannot be read as %s",
                                          ne_sc_describe(w, dw, sizeof(dw)),
                                          ne_sc_describe(r, dr, sizeof(dr)));
        if (w->named && !names_match(w, r))
                return ne_sc_incompatible(c, "writer %s and reader %s differ in name",
                                          ne_sc_describe(w, dw, sizeof(dw)),
                                          ne_sc_describe(r, dr, sizeof(dr)));
        switch (w->kind) {
        case NE_SC_ARRAY:
                return check_child(c, w, r, "items", "[]", depth);
        case NE_SC_MAP:
                return check_child(c, w, r, "values", "{}", depth);
        case NE_SC_ENUM:
                return check_enum(c, w, r);
        case NE_SC_FIXED: {
                const cJSON *ws = cJSON_GetObjectItemCaseSensitive(w->def, "size");
                const cJSON *rs = cJSON_GetObjectItemCaseSensitive(r->def, "size");
                if (!cJSON_IsNumber(ws) || !cJSON_IsNumber(rs) ||
                    ws->valuedouble != rs->valuedouble)
                        return ne_sc_incompatible(c,
                                                  "fixed %s has size %g in the writer, %g in the "
                                                  "reader",
                                                  ne_sc_unqualified(w->named->fullname),
                                                  cJSON_IsNumber(ws) ? ws->valuedouble : -1.0,
                                                  cJSON_IsNumber(rs) ? rs->valuedouble : -1.0);
                return 1;
        }
        case NE_SC_RECORD:
                return check_record(c, w, r, depth);
        default:
                return 1;
        }
}

int ne_schema_compat_can_read(const struct ne_compat_schema *reader,
                              const struct ne_compat_schema *writer, struct ne_diag *why)
{
        struct ne_sc_ctx c = {.ws = writer, .rs = reader, .why = why};
        struct ne_sc_type w, r;
        int ret = ne_sc_resolve(writer, writer->root, "", 0, &w);
        if (ret >= 0)
                ret = ne_sc_resolve(reader, reader->root, "", 0, &r);
        if (ret < 0)
                return ne_diag_set(why, ret, "cannot resolve the top-level type");
        if (r.named)
                ne_sc_path_push(&c, "", ne_sc_unqualified(r.named->fullname));
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
