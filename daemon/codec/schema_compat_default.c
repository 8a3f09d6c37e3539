/* Field defaults for the schema compatibility checker: does a JSON value fit a type as that
 * type's default (spec "Complex Types")? Needed when the writer lacks a field the reader has.
 * Pure; bounded by NE_SCHEMA_COMPAT_MAX_DEPTH. */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include <cJSON.h>

#include "schema_compat_internal.h"

static bool default_record_ok(const struct ne_compat_schema *s, const struct ne_sc_type *t,
                              const cJSON *v, unsigned depth)
{
        if (!cJSON_IsObject(v))
                return false;
        const cJSON *f;
        cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(t->def, "fields"))
        {
                const char *name = ne_sc_str_member(f, "name");
                const cJSON *fv = name ? cJSON_GetObjectItemCaseSensitive(v, name) : NULL;
                if (!fv) {
                        if (!cJSON_GetObjectItemCaseSensitive(f, "default"))
                                return false;
                        continue;
                }
                struct ne_sc_type ft;
                if (ne_sc_resolve(s, cJSON_GetObjectItemCaseSensitive(f, "type"), t->ns, depth + 1,
                                  &ft) < 0 ||
                    !ne_sc_default_ok(s, &ft, fv, depth + 1))
                        return false;
        }
        return true;
}

/* Does JSON value `v` fit type `t` as a default (spec "Complex Types", field defaults)? A
 * union's default belongs to its first branch. */
bool ne_sc_default_ok(const struct ne_compat_schema *s, const struct ne_sc_type *t, const cJSON *v,
                      unsigned depth)
{
        struct ne_sc_type sub;
        const cJSON *item;
        if (depth > NE_SCHEMA_COMPAT_MAX_DEPTH)
                return false;
        switch (t->kind) {
        case NE_SC_NULL:
                return cJSON_IsNull(v);
        case NE_SC_BOOLEAN:
                return cJSON_IsBool(v);
        case NE_SC_INT:
                return cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
                       v->valuedouble >= -2147483648.0 && v->valuedouble <= 2147483647.0;
        case NE_SC_LONG:
                return cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble);
        case NE_SC_FLOAT:
        case NE_SC_DOUBLE:
                return cJSON_IsNumber(v);
        case NE_SC_BYTES:
        case NE_SC_STRING:
        case NE_SC_FIXED:
                return cJSON_IsString(v);
        case NE_SC_ENUM:
                if (!cJSON_IsString(v))
                        return false;
                cJSON_ArrayForEach(
                    item, cJSON_GetObjectItemCaseSensitive(
                              t->def, "symbols")) if (cJSON_IsString(item) &&
                                                      strcmp(item->valuestring, v->valuestring) ==
                                                          0) return true;
                return false;
        case NE_SC_ARRAY:
        case NE_SC_MAP:
                if (t->kind == NE_SC_ARRAY ? !cJSON_IsArray(v) : !cJSON_IsObject(v))
                        return false;
                if (ne_sc_resolve(s,
                                  cJSON_GetObjectItemCaseSensitive(
                                      t->def, t->kind == NE_SC_ARRAY ? "items" : "values"),
                                  t->ns, depth + 1, &sub) < 0)
                        return false;
                cJSON_ArrayForEach(item,
                                   v) if (!ne_sc_default_ok(s, &sub, item, depth + 1)) return false;
                return true;
        case NE_SC_UNION:
                if (ne_sc_resolve(s, cJSON_GetArrayItem(t->def, 0), t->ns, depth + 1, &sub) < 0)
                        return false;
                return ne_sc_default_ok(s, &sub, v, depth + 1);
        case NE_SC_RECORD:
                return default_record_ok(s, t, v, depth);
        }
        return false;
}
