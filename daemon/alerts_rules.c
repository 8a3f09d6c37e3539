/* The alert rules file parser: JSON text in, a validated read-only struct ne_alert_rules out.
 * Strict, because a typo in a rule should stop a reload rather than silently alert on nothing:
 * unknown and duplicate fields, wrong types, empty rules and out-of-range scores are errors,
 * reported with the field path and the line of the offending value. cJSON keeps no positions,
 * so the line is found by re-walking the (already valid) text along the path. Never logs. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "ne/alerts.h"
#include "ne/utf8.h"

/* ---- locating a path in the JSON text --------------------------------------------------- */

struct seg {
        const char *key; /* object member, or NULL for an array element */
        size_t index;
};

#define MAX_SEGS 8

static size_t skip_ws(const char *t, size_t len, size_t p)
{
        while (p < len && (t[p] == ' ' || t[p] == '\t' || t[p] == '\n' || t[p] == '\r'))
                p++;
        return p;
}

static size_t skip_string(const char *t, size_t len, size_t p)
{
        for (p++; p < len && t[p] != '"'; p++)
                if (t[p] == '\\')
                        p++;
        return p < len ? p + 1 : len;
}

/* Skips one JSON value starting at p (text already known valid). */
static size_t skip_value(const char *t, size_t len, size_t p)
{
        if (p >= len)
                return len;
        if (t[p] == '"')
                return skip_string(t, len, p);
        if (t[p] != '{' && t[p] != '[') {
                while (p < len && !strchr(",}] \t\r\n", t[p]))
                        p++;
                return p;
        }
        int depth = 0;
        for (; p < len; p++) {
                if (t[p] == '"') {
                        p = skip_string(t, len, p) - 1;
                } else if (t[p] == '{' || t[p] == '[') {
                        depth++;
                } else if (t[p] == '}' || t[p] == ']') {
                        if (--depth == 0)
                                return p + 1;
                }
        }
        return len;
}

/* Byte offset of the value at the path, or of the deepest enclosing value found. */
static size_t locate(const char *t, size_t len, const struct seg *segs, int n)
{
        size_t p = skip_ws(t, len, 0);
        for (int i = 0; i < n && p < len; i++) {
                if (segs[i].key) {
                        if (t[p] != '{')
                                return p;
                        size_t klen = strlen(segs[i].key), q = p + 1;
                        bool found = false;
                        while (!found) {
                                q = skip_ws(t, len, q);
                                if (q >= len || t[q] != '"')
                                        return p;
                                size_t kend = skip_string(t, len, q);
                                found = kend - q - 2 == klen &&
                                        memcmp(t + q + 1, segs[i].key, klen) == 0;
                                q = skip_ws(t, len, skip_ws(t, len, kend) + 1);
                                if (!found) {
                                        q = skip_ws(t, len, skip_value(t, len, q));
                                        if (q < len && t[q] == ',')
                                                q++;
                                }
                        }
                        p = q;
                } else {
                        if (t[p] != '[')
                                return p;
                        size_t q = p + 1;
                        for (size_t j = 0; j < segs[i].index; j++) {
                                q = skip_ws(t, len, skip_value(t, len, skip_ws(t, len, q)));
                                if (q >= len || t[q] != ',')
                                        return p;
                                q++;
                        }
                        p = skip_ws(t, len, q);
                }
        }
        return p;
}

static int line_at(const char *t, size_t len, size_t pos)
{
        int line = 1;
        for (size_t i = 0; i < pos && i < len; i++)
                line += t[i] == '\n';
        return line;
}

/* ---- parse context ---------------------------------------------------------------------- */

struct pctx {
        const char *text;
        size_t len;
        struct ne_diag *diag;
        struct seg segs[MAX_SEGS];
        int n;
};

static void push_key(struct pctx *c, const char *key)
{
        c->segs[c->n++] = (struct seg){key, 0};
}

static void push_index(struct pctx *c, size_t index)
{
        c->segs[c->n++] = (struct seg){NULL, index};
}

static void pop(struct pctx *c)
{
        c->n--;
}

static void path_string(const struct pctx *c, char *out, size_t size)
{
        size_t n = 0;
        out[0] = '\0';
        for (int i = 0; i < c->n && n < size; i++) {
                int k = c->segs[i].key
                            ? snprintf(out + n, size - n, "%s%s", n ? "." : "", c->segs[i].key)
                            : snprintf(out + n, size - n, "[%zu]", c->segs[i].index);
                if (k < 0)
                        break;
                n += (size_t)k;
        }
}

/* Fills diag with "<path>: <reason>", the path as key and the line of the path's value. */
__attribute__((format(printf, 3, 4))) static int fail(struct pctx *c, int err, const char *fmt, ...)
{
        if (!c->diag)
                return err;
        char path[sizeof(c->diag->key)], reason[384];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(reason, sizeof(reason), fmt, ap);
        va_end(ap);
        path_string(c, path, sizeof(path));
        ne_diag_set(c->diag, err, "%s: %s", path[0] ? path : "<top>", reason);
        memcpy(c->diag->key, path, sizeof(path));
        size_t pos = locate(c->text, c->len, c->segs, c->n);
        c->diag->line = line_at(c->text, c->len, pos);
        c->diag->offset = (long)pos;
        return err;
}

/* Rejects members not in `allowed` (NULL-terminated) and repeated members. */
static int check_members(struct pctx *c, const cJSON *obj, const char *const *allowed)
{
        const cJSON *m;
        cJSON_ArrayForEach(m, obj)
        {
                bool known = false;
                for (const char *const *a = allowed; *a; a++)
                        known |= strcmp(*a, m->string) == 0;
                push_key(c, m->string);
                if (!known)
                        return fail(c, -EINVAL, "unknown field");
                for (const cJSON *prev = obj->child; prev != m; prev = prev->next)
                        if (strcmp(prev->string, m->string) == 0)
                                return fail(c, -EINVAL, "duplicate field");
                pop(c);
        }
        return 0;
}

/* Validates the string member `key` of obj (pushed on the path while checking). *ret_s is
 * borrowed from the cJSON tree; NULL when absent and not required. */
static int get_string(struct pctx *c, const cJSON *obj, const char *key, bool required, size_t max,
                      const char **ret_s)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
        *ret_s = NULL;
        push_key(c, key);
        if (!v) {
                pop(c);
                return required ? fail(c, -EINVAL, "missing required field '%s'", key) : 0;
        }
        if (!cJSON_IsString(v))
                return fail(c, -EINVAL, "must be a string");
        size_t n = strlen(v->valuestring), bad;
        if (n == 0)
                return fail(c, -EINVAL, "must not be empty");
        if (n > max)
                return fail(c, -EINVAL, "longer than %zu bytes", max);
        if (!ne_utf8_is_valid(v->valuestring, n, &bad))
                return fail(c, -EINVAL, "not valid UTF-8 at byte %zu", bad);
        pop(c);
        *ret_s = v->valuestring;
        return 0;
}

/* Returns the array member `key` (NULL when absent) after checking type and size; leaves
 * the key pushed on success so callers can push element indexes. */
static int get_array(struct pctx *c, const cJSON *obj, const char *key, const cJSON **ret)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
        push_key(c, key);
        *ret = v;
        if (!v)
                return 0;
        if (!cJSON_IsArray(v))
                return fail(c, -EINVAL, "must be an array");
        if (cJSON_GetArraySize(v) > NE_ALERT_MAX_CONDITIONS)
                return fail(c, -EINVAL, "more than %d conditions", NE_ALERT_MAX_CONDITIONS);
        return 0;
}

static int fold_dup(struct pctx *c, const char *s, char **ret)
{
        struct ne_buf b = {0};
        if (ne_alert_fold(s, strlen(s), true, &b) < 0) {
                ne_buf_release(&b);
                return -ENOMEM;
        }
        if (b.len == 0) {
                ne_buf_release(&b);
                return fail(c, -EINVAL, "must hold more than white space");
        }
        *ret = b.data;
        return 0;
}

/* ---- rules ------------------------------------------------------------------------------ */

static int parse_entities(struct pctx *c, const cJSON *obj, struct ne_alert_rule *rule)
{
        static const char *const allowed[] = {"name", "type", NULL};
        const cJSON *arr, *e;
        int r = get_array(c, obj, "entities", &arr);
        if (r < 0 || !arr)
                goto out;
        rule->entities = calloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(*rule->entities));
        if (!rule->entities)
                return -ENOMEM;
        cJSON_ArrayForEach(e, arr)
        {
                struct ne_alert_entity_cond *ec = &rule->entities[rule->n_entities];
                const char *name, *type;
                push_index(c, rule->n_entities);
                if (!cJSON_IsObject(e))
                        return fail(c, -EINVAL, "must be an object with name and type");
                if ((r = check_members(c, e, allowed)) < 0 ||
                    (r = get_string(c, e, "name", true, NE_ALERT_MAX_STRING_BYTES, &name)) < 0 ||
                    (r = get_string(c, e, "type", false, 8, &type)) < 0)
                        return r;
                ec->type = -1;
                for (int t = 0; type && t < NE_ENT__COUNT; t++)
                        if (strcmp(type, ne_entity_type_name((enum ne_entity_type)t)) == 0)
                                ec->type = t;
                if (type && ec->type < 0) {
                        push_key(c, "type");
                        return fail(c, -EINVAL, "unknown entity type '%s' (PER, ORG, LOC, MISC)",
                                    type);
                }
                ec->name = strdup(name);
                if (!ec->name)
                        return -ENOMEM;
                rule->n_entities++;
                push_key(c, "name");
                if ((r = fold_dup(c, name, &ec->folded)) < 0)
                        return r;
                pop(c);
                pop(c);
        }
out:
        if (r >= 0)
                pop(c);
        return r;
}

static int parse_topics(struct pctx *c, const cJSON *obj, struct ne_alert_rule *rule)
{
        static const char *const allowed[] = {"code", "min_score", NULL};
        const cJSON *arr, *t;
        int r = get_array(c, obj, "topics", &arr);
        if (r < 0 || !arr)
                goto out;
        rule->topics = calloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(*rule->topics));
        if (!rule->topics)
                return -ENOMEM;
        cJSON_ArrayForEach(t, arr)
        {
                struct ne_alert_topic_cond *tc = &rule->topics[rule->n_topics];
                const char *code;
                push_index(c, rule->n_topics);
                if (!cJSON_IsObject(t))
                        return fail(c, -EINVAL, "must be an object with code and min_score");
                if ((r = check_members(c, t, allowed)) < 0 ||
                    (r = get_string(c, t, "code", true, NE_ALERT_MAX_STRING_BYTES, &code)) < 0)
                        return r;
                const cJSON *ms = cJSON_GetObjectItemCaseSensitive(t, "min_score");
                if (ms) {
                        push_key(c, "min_score");
                        if (!cJSON_IsNumber(ms) || !(ms->valuedouble >= 0.0) ||
                            ms->valuedouble > 1.0)
                                return fail(c, -EINVAL, "must be a number from 0 to 1");
                        pop(c);
                        tc->min_score = (float)ms->valuedouble;
                }
                tc->code = strdup(code);
                if (!tc->code)
                        return -ENOMEM;
                rule->n_topics++;
                pop(c);
        }
out:
        if (r >= 0)
                pop(c);
        return r;
}

static int parse_keywords(struct pctx *c, const cJSON *obj, struct ne_alert_rule *rule)
{
        const cJSON *arr, *k;
        int r = get_array(c, obj, "keywords", &arr);
        if (r < 0 || !arr)
                goto out;
        rule->keywords = calloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(*rule->keywords));
        if (!rule->keywords)
                return -ENOMEM;
        cJSON_ArrayForEach(k, arr)
        {
                struct ne_alert_keyword *kw = &rule->keywords[rule->n_keywords];
                size_t bad, n;
                push_index(c, rule->n_keywords);
                if (!cJSON_IsString(k))
                        return fail(c, -EINVAL, "must be a string");
                n = strlen(k->valuestring);
                if (n > NE_ALERT_MAX_STRING_BYTES)
                        return fail(c, -EINVAL, "longer than %d bytes", NE_ALERT_MAX_STRING_BYTES);
                if (!ne_utf8_is_valid(k->valuestring, n, &bad))
                        return fail(c, -EINVAL, "not valid UTF-8 at byte %zu", bad);
                kw->text = strdup(k->valuestring);
                if (!kw->text)
                        return -ENOMEM;
                rule->n_keywords++;
                if ((r = fold_dup(c, k->valuestring, &kw->folded)) < 0)
                        return r;
                pop(c);
        }
out:
        if (r >= 0)
                pop(c);
        return r;
}

static int parse_rule(struct pctx *c, const cJSON *obj, struct ne_alert_rule *rule)
{
        static const char *const allowed[] = {"id",     "description", "match", "entities",
                                              "topics", "keywords",    NULL};
        const char *id, *desc, *match;
        int r;
        if (!cJSON_IsObject(obj))
                return fail(c, -EINVAL, "a rule must be an object");
        if ((r = check_members(c, obj, allowed)) < 0 ||
            (r = get_string(c, obj, "id", true, NE_ALERT_MAX_ID_BYTES, &id)) < 0 ||
            (r = get_string(c, obj, "description", false, 4096, &desc)) < 0 ||
            (r = get_string(c, obj, "match", false, 8, &match)) < 0)
                return r;
        for (const char *p = id; *p; p++)
                if ((unsigned char)*p < 0x20 || *p == 0x7F) {
                        push_key(c, "id");
                        return fail(c, -EINVAL, "must not contain control characters");
                }
        rule->id = strdup(id);
        if (!rule->id)
                return -ENOMEM;
        rule->match = NE_ALERT_MATCH_ALL;
        if (match && strcmp(match, "any") == 0) {
                rule->match = NE_ALERT_MATCH_ANY;
        } else if (match && strcmp(match, "all") != 0) {
                push_key(c, "match");
                return fail(c, -EINVAL, "must be \"all\" or \"any\", not \"%s\"", match);
        }
        if ((r = parse_entities(c, obj, rule)) < 0 || (r = parse_topics(c, obj, rule)) < 0 ||
            (r = parse_keywords(c, obj, rule)) < 0)
                return r;
        if (rule->n_entities + rule->n_topics + rule->n_keywords == 0)
                return fail(c, -EINVAL, "rule '%s' has no entities, topics or keywords", id);
        return 0;
}

struct id_ref {
        const char *id;
        size_t index;
};

static int cmp_id_ref(const void *a, const void *b)
{
        const struct id_ref *x = a, *y = b;
        int r = strcmp(x->id, y->id);
        return r ? r : (x->index > y->index) - (x->index < y->index);
}

/* Rule ids name alerts and dashboards: two rules with one id would merge their alerts. */
static int check_unique_ids(struct pctx *c, const struct ne_alert_rules *rules)
{
        if (rules->n_rules < 2)
                return 0;
        struct id_ref *v = malloc(rules->n_rules * sizeof(*v));
        if (!v)
                return -ENOMEM;
        for (size_t i = 0; i < rules->n_rules; i++)
                v[i] = (struct id_ref){rules->rules[i].id, i};
        qsort(v, rules->n_rules, sizeof(*v), cmp_id_ref);
        int r = 0;
        for (size_t i = 1; i < rules->n_rules && r == 0; i++)
                if (strcmp(v[i - 1].id, v[i].id) == 0) {
                        push_key(c, "rules");
                        push_index(c, v[i].index);
                        push_key(c, "id");
                        r = fail(c, -EINVAL, "duplicate rule id '%s' (first at rules[%zu])",
                                 v[i].id, v[i - 1].index);
                }
        free(v);
        return r;
}

void ne_alert_rules_free(struct ne_alert_rules *rules)
{
        if (!rules)
                return;
        for (size_t i = 0; i < rules->n_rules; i++) {
                struct ne_alert_rule *rule = &rules->rules[i];
                free(rule->id);
                for (size_t k = 0; k < rule->n_entities; k++) {
                        free(rule->entities[k].name);
                        free(rule->entities[k].folded);
                }
                free(rule->entities);
                for (size_t k = 0; k < rule->n_topics; k++)
                        free(rule->topics[k].code);
                free(rule->topics);
                for (size_t k = 0; k < rule->n_keywords; k++) {
                        free(rule->keywords[k].text);
                        free(rule->keywords[k].folded);
                }
                free(rule->keywords);
        }
        free(rules->rules);
        free(rules);
}

int ne_alert_rules_parse(const char *text, size_t len, struct ne_alert_rules **ret,
                         struct ne_diag *diag)
{
        struct pctx c = {.text = text, .len = len, .diag = diag};
        struct ne_alert_rules *rules = NULL;
        cJSON *root = NULL;
        const char *end = NULL;
        int r;

        if (len > NE_ALERT_MAX_FILE_BYTES)
                return ne_diag_set(diag, -EFBIG, "rules file is %zu bytes, limit %d", len,
                                   NE_ALERT_MAX_FILE_BYTES);
        root = cJSON_ParseWithLengthOpts(text, len, &end, false);
        size_t pos = end && end >= text ? (size_t)(end - text) : 0;
        if (root)
                pos = skip_ws(text, len, pos);
        if (!root || pos < len) {
                if (pos > len)
                        pos = len;
                r = ne_diag_set(diag, -EINVAL, "%s near byte %zu",
                                root ? "trailing data after the JSON value" : "JSON syntax error",
                                pos);
                if (diag) {
                        diag->line = line_at(text, len, pos);
                        diag->offset = (long)pos;
                }
                goto err_free;
        }
        static const char *const allowed[] = {"rules", NULL};
        if (!cJSON_IsObject(root)) {
                r = fail(&c, -EINVAL, "must be an object with a \"rules\" array");
                goto err_free;
        }
        if ((r = check_members(&c, root, allowed)) < 0)
                goto err_free;
        const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "rules");
        push_key(&c, "rules");
        if (!cJSON_IsArray(arr)) {
                r = fail(&c, -EINVAL, arr ? "must be an array" : "missing required field");
                goto err_free;
        }
        int n = cJSON_GetArraySize(arr);
        if (n > NE_ALERT_MAX_RULES) {
                r = fail(&c, -E2BIG, "%d rules, limit %d", n, NE_ALERT_MAX_RULES);
                goto err_free;
        }
        rules = calloc(1, sizeof(*rules));
        if (!rules || !(rules->rules = calloc((size_t)n + 1, sizeof(*rules->rules)))) {
                r = -ENOMEM;
                goto err_free;
        }
        const cJSON *item;
        cJSON_ArrayForEach(item, arr)
        {
                push_index(&c, rules->n_rules);
                /* count the rule first so that ne_alert_rules_free sees a half-built one */
                r = parse_rule(&c, item, &rules->rules[rules->n_rules++]);
                if (r < 0)
                        goto err_free;
                pop(&c);
        }
        pop(&c);
        if ((r = check_unique_ids(&c, rules)) < 0)
                goto err_free;
        cJSON_Delete(root);
        *ret = rules;
        return 0;
err_free:
        if (r == -ENOMEM)
                ne_diag_set(diag, r, "out of memory");
        ne_alert_rules_free(rules);
        cJSON_Delete(root);
        return r;
}

int ne_alert_rules_load(const char *path, struct ne_alert_rules **ret, struct ne_diag *diag)
{
        int r;
        char *text = NULL;
        FILE *f = fopen(path, "rb");
        if (!f) {
                r = -errno;
                return ne_diag_set(diag, r, "%s: %s", path, strerror(-r));
        }
        text = malloc(NE_ALERT_MAX_FILE_BYTES + 1);
        if (!text) {
                r = -ENOMEM;
                goto out;
        }
        size_t len = fread(text, 1, NE_ALERT_MAX_FILE_BYTES + 1, f);
        if (ferror(f))
                r = ne_diag_set(diag, -EIO, "%s: read error", path);
        else
                r = ne_alert_rules_parse(text, len, ret, diag);
out:
        free(text);
        fclose(f);
        return r;
}
