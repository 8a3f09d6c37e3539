/* The article processor: one input payload through decode -> enrich -> encode, reporting a
 * dead-letter reason for bad input, then the extra events (alerts, routed copies) and the
 * traceparent for the outputs. Wires the codec, the enricher and the alert rules together and
 * nothing else: no Kafka handle, no logging (the pipeline decides and logs). The shared part is
 * read-only after construction except the generation of models and rules (daemon/proc/gen.c);
 * each thread brings its own context. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ne/traceparent.h"
#include "proc/internal.h"

_Static_assert(NE_CONFIG_MAX_ROUTES < NE_PROC_MAX_EXTRA, "routed copies must leave room");

/* Schemas fetched from the registry, per thread: beyond this many the side table starts over. */
#define MAX_REGISTRY_SCHEMAS 256

struct ctx {
        struct ne_proc_shared *sh;
        struct ne_decoder *dec;
        struct ne_encoder *enc;
        struct ne_alert_encoder *aenc; /* NULL: alerts off */
        struct ne_proc_gen *gen;       /* a reference: what ectx was built for */
        struct ne_enrich_ctx *ectx;
        /* Input schemas only the registry knew, and a decoder over them. */
        struct ne_schema_table *reg_tbl;
        struct ne_decoder *reg_dec;
        size_t n_reg;
};

static void ctx_free(void *p)
{
        struct ctx *c = p;
        if (!c)
                return;
        ne_decoder_free(c->dec);
        ne_encoder_free(c->enc);
        ne_alert_encoder_free(c->aenc);
        ne_enrich_ctx_free(c->ectx);
        ne_proc_gen_release(c->sh, c->gen);
        ne_decoder_free(c->reg_dec);
        ne_schema_table_free(c->reg_tbl);
        free(c);
}

/* Moves the ctx to the newest generation if a reload made one. 0 or -ENOMEM. */
static int ctx_refresh(struct ctx *c)
{
        struct ne_proc_gen *g = ne_proc_gen_acquire_if_new(c->sh, c->gen);
        if (!g)
                return 0;
        struct ne_enrich_ctx *ectx;
        int r = ne_enrich_ctx_new(g->enr, &ectx);
        if (r < 0) {
                ne_proc_gen_release(c->sh, g);
                return r;
        }
        /* Scratch belongs to its model: free it before the generation it came from. */
        ne_enrich_ctx_free(c->ectx);
        ne_proc_gen_release(c->sh, c->gen);
        c->ectx = ectx;
        c->gen = g;
        return 0;
}

static int ctx_new(const void *shared, void **ret_ctx)
{
        struct ne_proc_shared *sh = (struct ne_proc_shared *)shared;
        struct ctx *c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->sh = sh;
        int r = ne_decoder_new(sh->tbl, &sh->dec_opts, &c->dec);
        if (r == 0)
                r = ne_encoder_new(sh->tbl, sh->out_schema_id, sh->out_format, &c->enc, NULL);
        if (r == 0 && sh->alert_topic)
                r = ne_alert_encoder_new(sh->alert_schema, sh->alert_schema_len,
                                         sh->alert_schema_id, sh->out_format, &c->aenc, NULL);
        if (r == 0)
                r = ctx_refresh(c);
        if (r < 0) {
                ctx_free(c);
                return r;
        }
        *ret_ctx = c;
        return 0;
}

static uint64_t mono_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int64_t wall_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static enum ne_outcome from_errno(int r, enum ne_outcome on_einval)
{
        if (r == -ENOMEM)
                return NE_OUTCOME_RETRY;
        return r == -EINVAL ? on_einval : NE_OUTCOME_FATAL;
}

/* Makes sure the side table has registry schema `id`. 0; -ENOENT/-ENOTSUP/-EINVAL: the input
 * is a dead letter; other negative errnos (transport, 5xx, -ENOMEM) are worth a retry. */
static int fetch_schema(struct ctx *c, int32_t id, struct ne_diag *diag)
{
        if (c->reg_tbl && ne_schema_table_has(c->reg_tbl, id))
                return 0;
        char *json = NULL;
        int r = ne_registry_get_schema(c->sh->reg, id, &json, diag);
        if (r < 0)
                return r;
        if (c->reg_tbl && c->n_reg >= MAX_REGISTRY_SCHEMAS) {
                /* A stream of ever new ids: start over rather than grow without bound. */
                ne_decoder_free(c->reg_dec);
                ne_schema_table_free(c->reg_tbl);
                c->reg_dec = NULL;
                c->reg_tbl = NULL;
                c->n_reg = 0;
        }
        if (!c->reg_tbl) {
                r = ne_schema_table_new(&c->reg_tbl);
                if (r == 0)
                        r = ne_decoder_new(c->reg_tbl, &c->sh->dec_opts, &c->reg_dec);
                if (r < 0)
                        goto out;
        }
        r = ne_schema_table_add_json(c->reg_tbl, id, json, diag);
        if (r == 0)
                c->n_reg++;
out:
        free(json);
        return r;
}

/* Decodes, falling back on the registry for an Avro schema id the local table lacks. */
static enum ne_outcome decode(struct ctx *c, const struct ne_proc_input *in,
                              struct ne_article **ret_art, struct ne_proc_result *res)
{
        const unsigned char *v = in->value ? in->value : (const unsigned char *)"";
        int r = ne_decode_article(c->dec, v, in->value_len, ret_art, &res->reason, &res->diag);
        if (r == -EBADMSG && res->reason == NE_DLQ_UNKNOWN_SCHEMA && c->sh->reg &&
            in->value_len >= 5 && v[0] == 0) {
                int32_t id = (int32_t)((uint32_t)v[1] << 24 | (uint32_t)v[2] << 16 |
                                       (uint32_t)v[3] << 8 | (uint32_t)v[4]);
                struct ne_diag rd;
                ne_diag_clear(&rd);
                int f = fetch_schema(c, id, &rd);
                if (f == -ENOENT || f == -ENOTSUP || f == -EINVAL || f == -EEXIST) {
                        ne_diag_set(&res->diag, -EBADMSG,
                                    "schema id %d: not in schema.<id> "
                                    "and the registry says: %s",
                                    (int)id, rd.msg[0] ? rd.msg : strerror(-f));
                        return NE_OUTCOME_DEAD_LETTER;
                }
                if (f < 0) {
                        res->reason = NE_DLQ_NONE;
                        ne_diag_set(&res->diag, f, "schema id %d: registry: %s", (int)id,
                                    rd.msg[0] ? rd.msg : strerror(-f));
                        return NE_OUTCOME_RETRY;
                }
                ne_diag_clear(&res->diag);
                res->reason = NE_DLQ_NONE;
                r = ne_decode_article(c->reg_dec, v, in->value_len, ret_art, &res->reason,
                                      &res->diag);
        }
        if (r == -EBADMSG)
                return NE_OUTCOME_DEAD_LETTER;
        if (r < 0)
                return from_errno(r, NE_OUTCOME_FATAL);
        return NE_OUTCOME_OK;
}

static void set_traceparent(const struct ne_proc_input *in, struct ne_proc_result *res)
{
        struct ne_traceparent tp;
        if (!in->traceparent || ne_traceparent_parse(in->traceparent, in->traceparent_len, &tp) < 0)
                ne_traceparent_new(&tp);
        else
                ne_traceparent_child(&tp, &tp);
        ne_traceparent_format(&tp, res->traceparent);
}

static enum ne_outcome process(void *p, const struct ne_proc_input *in, struct ne_proc_result *res)
{
        struct ctx *c = p;
        struct ne_article *art = NULL;
        struct ne_enrichment *enr = NULL;
        ne_diag_clear(&res->diag);
        res->reason = NE_DLQ_NONE;
        ne_buf_reset(&res->key);
        ne_buf_reset(&res->value);
        res->decode_ns = res->enrich_ns = res->encode_ns = 0;
        res->traceparent[0] = '\0';
        res->n_extra = 0;

        /* Between messages, never within one: a reload shows from the next message on. */
        int r = ctx_refresh(c);
        if (r < 0)
                return from_errno(r, NE_OUTCOME_FATAL);

        uint64_t t0 = mono_ns(), t1;
        enum ne_outcome out = decode(c, in, &art, res);
        t1 = mono_ns();
        res->decode_ns = t1 - t0;
        if (out != NE_OUTCOME_OK)
                return out;

        r = ne_enricher_run(c->gen->enr, c->ectx, art, &enr, &res->diag);
        t0 = mono_ns();
        res->enrich_ns = t0 - t1;
        if (r < 0) {
                out = from_errno(r, NE_OUTCOME_DEAD_LETTER);
                if (out == NE_OUTCOME_DEAD_LETTER)
                        res->reason = NE_DLQ_ENRICH_FAILED;
                goto out;
        }
        struct ne_lineage lin = {
            .topic = in->topic, .partition = in->partition, .offset = in->offset};
        int64_t now = wall_ms();
        r = ne_encode_enriched(c->enc, art, enr, &lin, now, &res->value, &res->diag);
        if (r == 0)
                r = ne_buf_append_str(&res->key, art->id);
        /* Routes first: at most NE_CONFIG_MAX_ROUTES of them, so they always fit and alerts
         * get the remaining slots. */
        if (r == 0)
                r = ne_proc_add_routes(c->sh, enr, res);
        if (r == 0)
                r = ne_proc_add_alerts(c->sh, c->gen->rules, c->aenc, art, enr, &lin, now, res,
                                       &res->diag);
        res->encode_ns = mono_ns() - t0;
        if (r < 0) {
                /* An article that decoded and enriched but cannot be encoded means a schema and
                 * the code disagree: every further message would fail alike. */
                out = from_errno(r, NE_OUTCOME_FATAL);
                res->n_extra = 0;
                goto out;
        }
        set_traceparent(in, res);
out:
        ne_enrichment_free(enr);
        ne_article_free(art);
        return out;
}

static const struct ne_processor_ops article_ops = {
    .name = "article",
    .schema_name = "io.newsenrichd.ArticleEnriched",
    .ctx_new = ctx_new,
    .ctx_free = ctx_free,
    .process = process,
};

static const char *schema_path(const struct ne_config *cfg, int32_t id)
{
        for (size_t i = 0; i < cfg->n_schemas; i++)
                if (cfg->schemas[i].id == id)
                        return cfg->schemas[i].path;
        return NULL;
}

static int read_file(const char *path, char **ret, size_t *ret_len, struct ne_diag *diag)
{
        FILE *f = fopen(path, "rb");
        if (!f) {
                int r = -errno;
                return ne_diag_set(diag, r, "%s: %s", path, strerror(-r));
        }
        size_t cap = 1 << 20; /* a schema is a few KiB; a MiB is plenty */
        char *s = malloc(cap + 1);
        if (!s) {
                fclose(f);
                return -ENOMEM;
        }
        size_t n = fread(s, 1, cap + 1, f);
        int bad = ferror(f) || n > cap;
        fclose(f);
        if (bad) {
                free(s);
                return ne_diag_set(diag, -EIO, "%s: unreadable or over 1 MiB", path);
        }
        s[n] = '\0';
        *ret = s;
        *ret_len = n;
        return 0;
}

static int load_schemas(struct ne_proc_shared *sh, const struct ne_config *cfg, int32_t out_id,
                        struct ne_diag *diag)
{
        int r = ne_schema_table_new(&sh->tbl);
        for (size_t i = 0; r == 0 && i < cfg->n_schemas; i++)
                r = ne_schema_table_add_file(sh->tbl, cfg->schemas[i].id, cfg->schemas[i].path,
                                             diag);
        if (r == 0 && !ne_schema_table_has(sh->tbl, cfg->output_schema_id))
                r = ne_diag_set(diag, -EINVAL, "output.schema_id %d has no schema.%d entry",
                                (int)cfg->output_schema_id, (int)cfg->output_schema_id);
        if (r < 0 || out_id == cfg->output_schema_id || ne_schema_table_has(sh->tbl, out_id))
                return r;
        /* The registry numbered the output schema differently: the encoder writes the id it is
         * built with, so the same schema goes in under the registry's id too. */
        char *json;
        size_t len;
        r = read_file(schema_path(cfg, cfg->output_schema_id), &json, &len, diag);
        if (r < 0)
                return r;
        r = ne_schema_table_add_json(sh->tbl, out_id, json, diag);
        free(json);
        return r;
}

static int setup_alerts(struct ne_proc_shared *sh, const struct ne_config *cfg, int32_t id,
                        struct ne_diag *diag)
{
        if (!cfg->alerts_topic || !*cfg->alerts_topic)
                return 0;
        sh->alert_topic = strdup(cfg->alerts_topic);
        if (!sh->alert_topic)
                return -ENOMEM;
        sh->alert_schema_id = id;
        if (cfg->output_format != NE_FORMAT_AVRO)
                return 0;
        const char *path = schema_path(cfg, cfg->alerts_schema_id);
        if (!path)
                return ne_diag_set(diag, -EINVAL, "alerts.schema_id %d has no schema.%d entry",
                                   (int)cfg->alerts_schema_id, (int)cfg->alerts_schema_id);
        int r = read_file(path, &sh->alert_schema, &sh->alert_schema_len, diag);
        if (r == 0)
                r = ne_proc_check_alert_schema(sh->alert_schema, sh->alert_schema_len, path, diag);
        return r;
}

static int setup_routes(struct ne_proc_shared *sh, const struct ne_config *cfg)
{
        if (!cfg->n_routes)
                return 0;
        sh->routes = calloc(cfg->n_routes, sizeof(*sh->routes));
        if (!sh->routes)
                return -ENOMEM;
        for (size_t i = 0; i < cfg->n_routes; i++) {
                const struct ne_config_route *cr = &cfg->routes[i];
                struct ne_proc_route *rt = &sh->routes[sh->n_routes++];
                rt->min_score = (float)cr->min_score;
                rt->entity_type = cr->entity_type;
                rt->topic = strdup(cr->topic);
                rt->topic_code = cr->topic_code ? strdup(cr->topic_code) : NULL;
                rt->entity_name = cr->entity_name ? strdup(cr->entity_name) : NULL;
                if (!rt->topic || (cr->topic_code && !rt->topic_code) ||
                    (cr->entity_name && !rt->entity_name))
                        return -ENOMEM;
        }
        return 0;
}

int ne_article_processor_new_opts(const struct ne_config *cfg, const struct ne_processor_opts *o,
                                  struct ne_processor **ret, struct ne_diag *diag)
{
        struct ne_processor_opts none = {0};
        if (!o)
                o = &none;
        struct ne_proc_shared *sh = calloc(1, sizeof(*sh));
        if (!sh)
                return -ENOMEM;
        sh->proc = (struct ne_processor){.ops = &article_ops, .shared = sh};
        int r = pthread_mutex_init(&sh->lock, NULL);
        if (r != 0) {
                free(sh);
                return -r;
        }
        sh->lock_ok = true;
        sh->dec_opts = (struct ne_decoder_opts){.max_bytes = cfg->input_max_bytes,
                                                .max_depth = cfg->input_max_depth};
        sh->out_schema_id = o->output_schema_id ? o->output_schema_id : cfg->output_schema_id;
        sh->out_format = cfg->output_format;
        sh->reg = o->registry;
        sh->enr_opts = (struct ne_enricher_opts){
            .topic_threshold = (float)cfg->topic_threshold,
            .topic_top_k = cfg->topic_top_k,
            .max_entities = cfg->max_entities,
        };
        r = load_schemas(sh, cfg, sh->out_schema_id, diag);
        if (r == 0)
                r = setup_alerts(
                    sh, cfg, o->alert_schema_id ? o->alert_schema_id : cfg->alerts_schema_id, diag);
        if (r == 0)
                r = setup_routes(sh, cfg);
        if (r == 0)
                r = ne_proc_gen_load(sh, cfg, &sh->cur, diag);
        if (r < 0)
                goto err_free;
        /* Build one context now so a bad output schema fails at start-up, not per message. */
        void *probe;
        r = ctx_new(sh, &probe);
        if (r < 0) {
                if (diag && !diag->msg[0])
                        ne_diag_set(diag, r, "processor context: %s", strerror(-r));
                goto err_free;
        }
        ctx_free(probe);
        *ret = &sh->proc;
        return 0;
err_free:
        if (r == -ENOMEM && diag && !diag->msg[0])
                ne_diag_set(diag, r, "out of memory");
        ne_article_processor_free(&sh->proc);
        return r;
}

int ne_article_processor_new(const struct ne_config *cfg, struct ne_processor **ret,
                             struct ne_diag *diag)
{
        return ne_article_processor_new_opts(cfg, NULL, ret, diag);
}

void ne_article_processor_free(struct ne_processor *proc)
{
        if (!proc)
                return;
        struct ne_proc_shared *sh = (struct ne_proc_shared *)proc; /* proc is the first member */
        if (sh->lock_ok) {
                ne_proc_gen_release(sh, sh->cur);
                pthread_mutex_destroy(&sh->lock);
        }
        ne_schema_table_free(sh->tbl);
        free(sh->alert_topic);
        free(sh->alert_schema);
        for (size_t i = 0; i < sh->n_routes; i++) {
                free(sh->routes[i].topic);
                free(sh->routes[i].topic_code);
                free(sh->routes[i].entity_name);
        }
        free(sh->routes);
        free(sh);
}
