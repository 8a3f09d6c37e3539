/* The article processor: one input payload through decode -> enrich -> encode, reporting a
 * dead-letter reason for bad input. Wires the codec and the enricher together and nothing
 * else: no Kafka handle, no logging (the pipeline decides and logs). The shared part (schema
 * table, enricher) is read-only after construction; each thread brings its own context. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ne/enricher.h"
#include "ne/processor.h"

struct shared {
        struct ne_processor proc; /* first: the public part handed out */
        struct ne_schema_table *tbl;
        struct ne_enricher *enr;
        struct ne_decoder_opts dec_opts;
        int32_t out_schema_id;
        enum ne_format out_format;
};

struct ctx {
        const struct shared *sh;
        struct ne_decoder *dec;
        struct ne_encoder *enc;
        struct ne_enrich_ctx *ectx;
};

static void ctx_free(void *p)
{
        struct ctx *c = p;
        if (!c)
                return;
        ne_decoder_free(c->dec);
        ne_encoder_free(c->enc);
        ne_enrich_ctx_free(c->ectx);
        free(c);
}

static int ctx_new(const void *shared, void **ret_ctx)
{
        const struct shared *sh = shared;
        struct ctx *c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->sh = sh;
        int r = ne_decoder_new(sh->tbl, &sh->dec_opts, &c->dec);
        if (r == 0)
                r = ne_encoder_new(sh->tbl, sh->out_schema_id, sh->out_format, &c->enc, NULL);
        if (r == 0)
                r = ne_enrich_ctx_new(sh->enr, &c->ectx);
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

static enum ne_outcome process(void *p, const struct ne_proc_input *in, struct ne_proc_result *res)
{
        struct ctx *c = p;
        struct ne_article *art = NULL;
        struct ne_enrichment *enr = NULL;
        enum ne_outcome out = NE_OUTCOME_OK;
        ne_diag_clear(&res->diag);
        res->reason = NE_DLQ_NONE;
        ne_buf_reset(&res->key);
        ne_buf_reset(&res->value);
        res->decode_ns = res->enrich_ns = res->encode_ns = 0;

        uint64_t t0 = mono_ns(), t1;
        int r = ne_decode_article(c->dec, in->value ? in->value : "", in->value_len, &art,
                                  &res->reason, &res->diag);
        t1 = mono_ns();
        res->decode_ns = t1 - t0;
        if (r == -EBADMSG)
                return NE_OUTCOME_DEAD_LETTER;
        if (r < 0)
                return from_errno(r, NE_OUTCOME_FATAL);

        r = ne_enricher_run(c->sh->enr, c->ectx, art, &enr, &res->diag);
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
        r = ne_encode_enriched(c->enc, art, enr, &lin, wall_ms(), &res->value, &res->diag);
        res->encode_ns = mono_ns() - t0;
        if (r == 0)
                r = ne_buf_append_str(&res->key, art->id);
        if (r < 0)
                /* An article that decoded and enriched but cannot be encoded means the output
                 * schema and the code disagree: every further message would fail alike. */
                out = from_errno(r, NE_OUTCOME_FATAL);
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

static int load_schemas(struct shared *sh, const struct ne_config *cfg, struct ne_diag *diag)
{
        int r = ne_schema_table_new(&sh->tbl);
        for (size_t i = 0; r == 0 && i < cfg->n_schemas; i++)
                r = ne_schema_table_add_file(sh->tbl, cfg->schemas[i].id, cfg->schemas[i].path,
                                             diag);
        if (r == 0 && !ne_schema_table_has(sh->tbl, cfg->output_schema_id))
                r = ne_diag_set(diag, -EINVAL, "output.schema_id %d has no schema.%d entry",
                                (int)cfg->output_schema_id, (int)cfg->output_schema_id);
        return r;
}

int ne_article_processor_new(const struct ne_config *cfg, struct ne_processor **ret,
                             struct ne_diag *diag)
{
        struct shared *sh = calloc(1, sizeof(*sh));
        if (!sh)
                return -ENOMEM;
        sh->proc = (struct ne_processor){.ops = &article_ops, .shared = sh};
        sh->dec_opts = (struct ne_decoder_opts){.max_bytes = cfg->input_max_bytes,
                                                .max_depth = cfg->input_max_depth};
        sh->out_schema_id = cfg->output_schema_id;
        sh->out_format = cfg->output_format;
        int r = load_schemas(sh, cfg, diag);
        if (r < 0)
                goto err_free;
        /* Empty model paths mean "engine off" in the config; NULL in the enricher. */
        struct ne_enricher_opts eo = {
            .ner_model_path = cfg->ner_model && *cfg->ner_model ? cfg->ner_model : NULL,
            .topic_model_path = cfg->topic_model && *cfg->topic_model ? cfg->topic_model : NULL,
            .topic_threshold = (float)cfg->topic_threshold,
            .topic_top_k = cfg->topic_top_k,
            .max_entities = cfg->max_entities,
        };
        r = ne_enricher_new(&eo, &sh->enr, diag);
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
        ne_article_processor_free(&sh->proc);
        return r;
}

void ne_article_processor_free(struct ne_processor *proc)
{
        if (!proc)
                return;
        struct shared *sh = (struct shared *)proc; /* proc is the first member */
        ne_enricher_free(sh->enr);
        ne_schema_table_free(sh->tbl);
        free(sh);
}
