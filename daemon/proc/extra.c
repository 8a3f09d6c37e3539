/* The extra events of one input: an EntityAlert per matching alert rule and a copy of the
 * enriched event per matching route. Slots of res->extra keep their buffers across calls, so
 * after warm-up this allocates nothing but what matching and encoding do. */
#include <avro.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

static struct ne_proc_extra *next_slot(struct ne_proc_result *res)
{
        if (res->n_extra >= NE_PROC_MAX_EXTRA)
                return NULL;
        struct ne_proc_extra *x = &res->extra[res->n_extra];
        ne_buf_reset(&x->key);
        ne_buf_reset(&x->value);
        return x;
}

static bool route_matches(const struct ne_proc_route *rt, const struct ne_enrichment *enr)
{
        if (!enr)
                return false;
        if (rt->topic_code) {
                bool hit = false;
                for (size_t i = 0; i < enr->n_topics && !hit; i++)
                        hit = strcmp(enr->topics[i].code, rt->topic_code) == 0 &&
                              enr->topics[i].score >= rt->min_score;
                if (!hit)
                        return false;
        }
        if (rt->entity_type >= 0) {
                bool hit = false;
                for (size_t i = 0; i < enr->n_entities && !hit; i++)
                        hit = (int)enr->entities[i].type == rt->entity_type &&
                              (!rt->entity_name ||
                               strcasecmp(enr->entities[i].name, rt->entity_name) == 0);
                if (!hit)
                        return false;
        }
        return true;
}

int ne_proc_add_routes(const struct ne_proc_shared *sh, const struct ne_enrichment *enr,
                       struct ne_proc_result *res)
{
        for (size_t i = 0; i < sh->n_routes; i++) {
                const struct ne_proc_route *rt = &sh->routes[i];
                if (!route_matches(rt, enr))
                        continue;
                struct ne_proc_extra *x = next_slot(res);
                if (!x)
                        return 0;
                if (ne_buf_append(&x->key, res->key.data, res->key.len) < 0 ||
                    ne_buf_append(&x->value, res->value.data, res->value.len) < 0)
                        return -ENOMEM;
                x->topic = rt->topic;
                x->schema_name = sh->proc.ops->schema_name;
                res->n_extra++;
        }
        return 0;
}

int ne_proc_add_alerts(const struct ne_proc_shared *sh, const struct ne_alert_rules *rules,
                       struct ne_alert_encoder *aenc, const struct ne_article *art,
                       const struct ne_enrichment *enr, const struct ne_lineage *lin,
                       int64_t now_ms, struct ne_proc_result *res, struct ne_diag *diag)
{
        if (!rules || !aenc)
                return 0;
        struct ne_alert_match *m = NULL;
        size_t n = 0;
        int r = ne_alert_rules_match(rules, art, enr, &m, &n);
        if (r < 0)
                return r;
        /* Beyond NE_PROC_MAX_EXTRA per article the remaining matches are not sent: a rule set
         * that fires that often on one article is a mistake, and the bound keeps one input's
         * fan-out (and its commit) finite. */
        for (size_t i = 0; i < n && r == 0; i++) {
                struct ne_proc_extra *x = next_slot(res);
                if (!x)
                        break;
                r = ne_alert_encode(aenc, &m[i], art, enr, lin, now_ms, &x->value, diag);
                if (r == 0)
                        r = ne_buf_append_str(&x->key, m[i].alert_id);
                if (r == 0) {
                        x->topic = sh->alert_topic;
                        x->schema_name = NE_ALERT_SCHEMA_NAME;
                        res->n_extra++;
                }
        }
        ne_alert_matches_free(m, n);
        return r;
}

int ne_proc_check_alert_schema(const char *json, size_t len, const char *path, struct ne_diag *diag)
{
        avro_schema_t schema;
        if (avro_schema_from_json_length(json, len, &schema) != 0)
                return ne_diag_set(diag, -EINVAL, "%s: not an Avro schema: %s", path,
                                   avro_strerror());
        const char *name = avro_schema_type_name(schema);
        const char *ns = is_avro_record(schema) ? avro_schema_namespace(schema) : NULL;
        char full[256];
        snprintf(full, sizeof(full), "%s%s%s", ns ? ns : "", ns ? "." : "", name ? name : "?");
        avro_schema_decref(schema);
        if (strcmp(full, NE_ALERT_SCHEMA_NAME) != 0)
                return ne_diag_set(diag, -EINVAL, "%s is %s, not the alert schema %s", path, full,
                                   NE_ALERT_SCHEMA_NAME);
        return 0;
}
