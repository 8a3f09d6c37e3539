/* The `route.<name>.<field>` keys: extra output topics chosen per article by a topic code (with
 * a minimum score) and/or an entity type (optionally with a name). The keys of one route may
 * come in any order; a route exists from its first key on. The checks across keys (a topic and
 * at least one condition per route; no loops into the input or onto another output) run after
 * the whole file is read. Must not log. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_map.h"
#include "ne/enrichment.h"

#define MAX_ROUTE_NAME 64

static bool name_ok(const char *s, size_t n)
{
        if (n == 0 || n > MAX_ROUTE_NAME)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-'))
                        return false;
        }
        return true;
}

static int find_or_add(struct ne_config *cfg, const char *name, size_t n, int line,
                       struct ne_config_route **ret, struct ne_diag *diag)
{
        for (size_t i = 0; i < cfg->n_routes; i++) {
                if (strlen(cfg->routes[i].name) == n && memcmp(cfg->routes[i].name, name, n) == 0) {
                        *ret = &cfg->routes[i];
                        return 0;
                }
        }
        if (cfg->n_routes >= NE_CONFIG_MAX_ROUTES)
                return ne_diag_set(diag, -EINVAL, "more than %d routes", NE_CONFIG_MAX_ROUTES);
        struct ne_config_route *grown =
            realloc(cfg->routes, (cfg->n_routes + 1) * sizeof(*cfg->routes));
        if (!grown)
                return -ENOMEM;
        cfg->routes = grown;
        char *dup = strndup(name, n);
        if (!dup)
                return -ENOMEM;
        cfg->routes[cfg->n_routes] =
            (struct ne_config_route){.name = dup, .entity_type = -1, .line = line};
        *ret = &cfg->routes[cfg->n_routes++];
        return 0;
}

static int set_entity(struct ne_config_route *rt, const char *value, struct ne_diag *diag)
{
        const char *colon = strchr(value, ':');
        size_t tlen = colon ? (size_t)(colon - value) : strlen(value);
        int type = -1;
        for (int t = 0; t < NE_ENT__COUNT; t++) {
                const char *tn = ne_entity_type_name((enum ne_entity_type)t);
                if (strlen(tn) == tlen && memcmp(tn, value, tlen) == 0)
                        type = t;
        }
        if (type < 0)
                return ne_diag_set(diag, -EINVAL,
                                   "'%s' is not TYPE or TYPE:Name (TYPE one of PER, ORG, LOC, "
                                   "MISC)",
                                   value);
        if (colon && (!colon[1] || strlen(colon + 1) > 256))
                return ne_diag_set(diag, -EINVAL, "entity name after ':' must be 1-256 bytes");
        char *name = colon ? strdup(colon + 1) : NULL;
        if (colon && !name)
                return -ENOMEM;
        free(rt->entity_name);
        rt->entity_name = name;
        rt->entity_type = type;
        return 0;
}

static int set_string(char **field, const char *value, struct ne_diag *diag)
{
        if (!*value || strlen(value) > 256)
                return ne_diag_set(diag, -EINVAL, "value must be 1-256 bytes");
        char *s = strdup(value);
        if (!s)
                return -ENOMEM;
        free(*field);
        *field = s;
        return 0;
}

int ne_config_route_set(struct ne_config *cfg, const char *key, const char *value, int line,
                        struct ne_diag *diag)
{
        const char *name = key + strlen("route.");
        const char *dot = strchr(name, '.');
        if (!dot || !name_ok(name, (size_t)(dot - name)))
                return ne_diag_set(diag, -EINVAL,
                                   "expected route.<name>.<field> with a name of 1-%d of "
                                   "[A-Za-z0-9_-]",
                                   MAX_ROUTE_NAME);
        const char *field = dot + 1;
        struct ne_config_route *rt = NULL;
        int r = find_or_add(cfg, name, (size_t)(dot - name), line, &rt, diag);
        if (r < 0)
                return r;
        /* A field set twice is as much an error as any other duplicate key. */
        if (strcmp(field, "topic") == 0) {
                if (rt->topic)
                        return ne_diag_set(diag, -EINVAL, "duplicate key");
                r = ne_config_check_topic(value, diag);
                return r < 0 ? r : set_string(&rt->topic, value, diag);
        }
        if (strcmp(field, "topic_code") == 0) {
                if (rt->topic_code)
                        return ne_diag_set(diag, -EINVAL, "duplicate key");
                return set_string(&rt->topic_code, value, diag);
        }
        if (strcmp(field, "entity") == 0) {
                if (rt->entity_type >= 0)
                        return ne_diag_set(diag, -EINVAL, "duplicate key");
                return set_entity(rt, value, diag);
        }
        if (strcmp(field, "min_score") == 0) {
                char *end;
                double d = strtod(value, &end);
                if (end == value || *end || !(d >= 0 && d <= 1) ||
                    !(value[0] >= '0' && value[0] <= '9'))
                        return ne_diag_set(diag, -EINVAL, "'%s' is not a number in [0, 1]", value);
                rt->min_score = d;
                return 0;
        }
        return ne_diag_set(diag, -EINVAL,
                           "unknown route field '%s' (topic, topic_code, min_score, entity)",
                           field);
}

static int route_err(const struct ne_config_route *rt, const char *field, struct ne_diag *diag)
{
        if (diag) {
                snprintf(diag->key, sizeof(diag->key), "route.%s.%s", rt->name, field);
                diag->line = rt->line;
        }
        return -EINVAL;
}

static bool is_other_topic(const struct ne_config *cfg, const char *t)
{
        if (strcmp(t, cfg->output_topic) == 0 || strcmp(t, cfg->dead_letter_topic) == 0 ||
            (cfg->alerts_topic && strcmp(t, cfg->alerts_topic) == 0))
                return true;
        for (size_t i = 0; i < cfg->n_input_topics; i++)
                if (strcmp(t, cfg->input_topics[i]) == 0)
                        return true;
        return false;
}

int ne_config_routes_check(const struct ne_config *cfg, struct ne_diag *diag)
{
        for (size_t i = 0; i < cfg->n_routes; i++) {
                const struct ne_config_route *rt = &cfg->routes[i];
                if (!rt->topic) {
                        ne_diag_set(diag, -EINVAL, "missing required key");
                        return route_err(rt, "topic", diag);
                }
                if (!rt->topic_code && rt->entity_type < 0) {
                        ne_diag_set(diag, -EINVAL,
                                    "route '%s' has no condition (topic_code or entity)", rt->name);
                        return route_err(rt, "topic_code", diag);
                }
                if (is_other_topic(cfg, rt->topic)) {
                        ne_diag_set(diag, -EINVAL,
                                    "'%s' is already the input, output, dead-letter or alert "
                                    "topic",
                                    rt->topic);
                        return route_err(rt, "topic", diag);
                }
        }
        return 0;
}

void ne_config_routes_free(struct ne_config *cfg)
{
        for (size_t i = 0; i < cfg->n_routes; i++) {
                free(cfg->routes[i].name);
                free(cfg->routes[i].topic);
                free(cfg->routes[i].topic_code);
                free(cfg->routes[i].entity_name);
        }
        free(cfg->routes);
        cfg->routes = NULL;
        cfg->n_routes = 0;
}
