/* The enrichment front: tokenizes title and body as one document (title first, so the title
 * benefits from the tagger's document-level features and vice versa), tags it, groups the
 * spans into document entities, and scores topics. Models are read-only and shared; all
 * per-article memory lives in the caller's ne_enrich_ctx and only grows. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ne/array.h"
#include "ne/enricher.h"
#include "ne/entities.h"
#include "ne/ner.h"
#include "ne/tokenize.h"
#include "ne/topic.h"
#include "ne/utf8.h"

/* Title and body are joined with a blank line, which always starts a new sentence, so no
 * span can cross from one field into the other. */
#define FIELD_SEP "\n\n"
#define FIELD_SEP_LEN 2
#define MAX_TOPICS 64

struct ne_enricher {
        struct ne_enricher_opts opts;
        struct ne_ner_model *ner;
        struct ne_topic_model *topic;
};

struct ne_enrich_ctx {
        struct ne_ner_scratch *ner;
        struct ne_topic_scratch *topic;
        char *doc; /* title FIELD_SEP body */
        size_t doc_cap;
        struct ne_token *toks;
        size_t toks_cap;
        struct ne_token *body_toks; /* body tokens rebased onto the body */
        size_t body_toks_cap;
        struct ne_ner_span *spans;
        size_t spans_cap;
        struct ne_span *ent_spans; /* the same spans in the entity builder's form */
        size_t ent_spans_cap;
};

static int load_models(struct ne_enricher *enr, struct ne_diag *diag)
{
        int r;
        if (enr->opts.ner_model_path) {
                r = ne_ner_model_load(enr->opts.ner_model_path, &enr->ner, diag);
                if (r < 0)
                        return r;
        }
        if (enr->opts.topic_model_path) {
                r = ne_topic_model_load(enr->opts.topic_model_path, &enr->topic, diag);
                if (r < 0)
                        return r;
        }
        return 0;
}

int ne_enricher_new(const struct ne_enricher_opts *opts, struct ne_enricher **ret,
                    struct ne_diag *diag)
{
        struct ne_enricher *enr = calloc(1, sizeof(*enr));
        if (!enr)
                return -ENOMEM;
        enr->opts = *opts;
        int r = load_models(enr, diag);
        /* the paths are borrowed for this call only */
        enr->opts.ner_model_path = NULL;
        enr->opts.topic_model_path = NULL;
        if (r < 0) {
                ne_enricher_free(enr);
                return r;
        }
        *ret = enr;
        return 0;
}

void ne_enricher_free(struct ne_enricher *enr)
{
        if (!enr)
                return;
        ne_ner_model_free(enr->ner);
        ne_topic_model_free(enr->topic);
        free(enr);
}

const char *ne_enricher_ner_version(const struct ne_enricher *enr)
{
        return enr->ner ? ne_ner_model_version(enr->ner) : "none";
}

const char *ne_enricher_topic_version(const struct ne_enricher *enr)
{
        return enr->topic ? ne_topic_model_version(enr->topic) : "none";
}

int ne_enrich_ctx_new(const struct ne_enricher *enr, struct ne_enrich_ctx **ret)
{
        struct ne_enrich_ctx *ctx = calloc(1, sizeof(*ctx));
        if (!ctx)
                return -ENOMEM;
        int r = 0;
        if (enr->ner)
                r = ne_ner_scratch_new(enr->ner, &ctx->ner);
        if (r == 0 && enr->topic)
                r = ne_topic_scratch_new(enr->topic, &ctx->topic);
        if (r < 0) {
                ne_enrich_ctx_free(ctx);
                return r;
        }
        *ret = ctx;
        return 0;
}

void ne_enrich_ctx_free(struct ne_enrich_ctx *ctx)
{
        if (!ctx)
                return;
        ne_ner_scratch_free(ctx->ner);
        ne_topic_scratch_free(ctx->topic);
        free(ctx->doc);
        free(ctx->toks);
        free(ctx->body_toks);
        free(ctx->spans);
        free(ctx->ent_spans);
        free(ctx);
}

static int build_doc(struct ne_enrich_ctx *ctx, const struct ne_article *art, size_t *ret_len)
{
        size_t tlen = strlen(art->title);
        size_t len = tlen + FIELD_SEP_LEN + art->body_len;
        int r = ne_array_grow((void **)&ctx->doc, &ctx->doc_cap, len + 1, 1);
        if (r < 0)
                return r;
        memcpy(ctx->doc, art->title, tlen);
        memcpy(ctx->doc + tlen, FIELD_SEP, FIELD_SEP_LEN);
        memcpy(ctx->doc + tlen + FIELD_SEP_LEN, art->body, art->body_len);
        ctx->doc[len] = '\0';
        *ret_len = len;
        return 0;
}

static int tokenize_doc(struct ne_enrich_ctx *ctx, size_t len, size_t *ret_n)
{
        /* Start from the typical density and grow on -E2BIG; the bound always suffices. */
        size_t want = len / 4 + 16;
        for (;;) {
                int r = ne_array_grow((void **)&ctx->toks, &ctx->toks_cap, want, sizeof(*ctx->toks));
                if (r < 0)
                        return r;
                int n = ne_tokenize(ctx->doc, len, ctx->toks, ctx->toks_cap);
                if (n >= 0) {
                        *ret_n = (size_t)n;
                        return 0;
                }
                if (n != -E2BIG)
                        return n;
                want = ctx->toks_cap * 2;
                if (want > ne_tokenize_bound(len))
                        want = ne_tokenize_bound(len);
        }
}

/* Splits tokens and spans at the title/body boundary and rebases the body's tokens so that
 * offsets index the body field itself. */
static int split_fields(struct ne_enrich_ctx *ctx, const struct ne_article *art, size_t n_toks,
                        size_t n_spans, struct ne_entity_input in[2])
{
        uint32_t body_off = (uint32_t)(strlen(art->title) + FIELD_SEP_LEN);
        uint32_t body_cp_off = (uint32_t)(ne_utf8_count(art->title, strlen(art->title)) +
                                          FIELD_SEP_LEN);
        size_t nt = 0;
        while (nt < n_toks && ctx->toks[nt].start < body_off)
                nt++;
        size_t nb = n_toks - nt;
        int r = ne_array_grow((void **)&ctx->body_toks, &ctx->body_toks_cap, nb + 1,
                     sizeof(*ctx->body_toks));
        if (r < 0)
                return r;
        for (size_t i = 0; i < nb; i++) {
                struct ne_token t = ctx->toks[nt + i];
                t.start -= body_off;
                t.end -= body_off;
                t.cp_start -= body_cp_off;
                t.cp_end -= body_cp_off;
                ctx->body_toks[i] = t;
        }
        size_t ns = 0;
        for (size_t i = 0; i < n_spans; i++) {
                struct ne_ner_span *s = &ctx->spans[i];
                ctx->ent_spans[i] = (struct ne_span){s->tok_begin, s->tok_end, s->type,
                                                     s->confidence};
                if (s->tok_begin < nt)
                        ns++;
                else {
                        ctx->ent_spans[i].tok_begin -= (uint32_t)nt;
                        ctx->ent_spans[i].tok_end -= (uint32_t)nt;
                }
        }
        in[0] = (struct ne_entity_input){NE_FIELD_TITLE, ctx->doc, ctx->toks, nt,
                                         ctx->ent_spans, ns};
        in[1] = (struct ne_entity_input){NE_FIELD_BODY, art->body, ctx->body_toks, nb,
                                         ctx->ent_spans + ns, n_spans - ns};
        return 0;
}

static int find_entities(const struct ne_enricher *enr, struct ne_enrich_ctx *ctx,
                         const struct ne_article *art, size_t doc_len, struct ne_enrichment *out,
                         struct ne_diag *diag)
{
        size_t n_toks;
        int r = tokenize_doc(ctx, doc_len, &n_toks);
        if (r < 0)
                return ne_diag_set(diag, r, "tokenizer rejected the article");
        r = ne_array_grow((void **)&ctx->spans, &ctx->spans_cap, n_toks + 1, sizeof(*ctx->spans));
        if (r < 0)
                return r;
        r = ne_array_grow((void **)&ctx->ent_spans, &ctx->ent_spans_cap, ctx->spans_cap,
                 sizeof(*ctx->ent_spans));
        if (r < 0)
                return r;
        int n_spans = ne_ner_tag(enr->ner, ctx->ner, ctx->doc, ctx->toks, n_toks, ctx->spans,
                                 n_toks + 1);
        if (n_spans < 0)
                return ne_diag_set(diag, n_spans, "tagger rejected the article");
        struct ne_entity_input in[2];
        r = split_fields(ctx, art, n_toks, (size_t)n_spans, in);
        if (r < 0)
                return r;
        return ne_entities_build(in, 2, enr->opts.max_entities, out, diag);
}

static int find_topics(const struct ne_enricher *enr, struct ne_enrich_ctx *ctx, size_t doc_len,
                       struct ne_enrichment *out)
{
        struct ne_topic_score scores[MAX_TOPICS];
        size_t k = enr->opts.topic_top_k < MAX_TOPICS ? enr->opts.topic_top_k : MAX_TOPICS;
        int n = ne_topic_predict(enr->topic, ctx->topic, ctx->doc, doc_len,
                                 enr->opts.topic_threshold, scores, k);
        if (n <= 0)
                return n;
        out->topics = calloc((size_t)n, sizeof(*out->topics));
        if (!out->topics)
                return -ENOMEM;
        for (int i = 0; i < n; i++) {
                const char *code, *label;
                ne_topic_model_label(enr->topic, scores[i].label, &code, &label);
                out->topics[i].code = strdup(code);
                out->topics[i].label = strdup(label);
                out->topics[i].score = scores[i].score;
                out->n_topics = (size_t)i + 1;
                if (!out->topics[i].code || !out->topics[i].label)
                        return -ENOMEM;
        }
        return 0;
}

int ne_enricher_run(const struct ne_enricher *enr, struct ne_enrich_ctx *ctx,
                    const struct ne_article *art, struct ne_enrichment **ret,
                    struct ne_diag *diag)
{
        struct ne_enrichment *out = ne_enrichment_new();
        if (!out)
                return -ENOMEM;
        int r = -ENOMEM;
        out->ner_model_version = strdup(ne_enricher_ner_version(enr));
        out->topic_model_version = strdup(ne_enricher_topic_version(enr));
        if (!out->ner_model_version || !out->topic_model_version)
                goto err_free_out;
        if (enr->ner || enr->topic) {
                size_t doc_len;
                r = build_doc(ctx, art, &doc_len);
                if (r == 0 && enr->ner)
                        r = find_entities(enr, ctx, art, doc_len, out, diag);
                if (r == 0 && enr->topic)
                        r = find_topics(enr, ctx, doc_len, out);
                if (r < 0)
                        goto err_free_out;
        }
        *ret = out;
        return 0;

err_free_out:
        ne_enrichment_free(out);
        return r;
}
