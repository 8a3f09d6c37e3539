/* The enrichment front. PROVISIONAL: pass-through only until the NER and topic engines land;
 * with no models it returns an empty enrichment with model versions "none". */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ne/enricher.h"

struct ne_enricher {
        struct ne_enricher_opts opts;
};

struct ne_enrich_ctx {
        int unused;
};

int ne_enricher_new(const struct ne_enricher_opts *opts, struct ne_enricher **ret,
                    struct ne_diag *diag)
{
        if (opts->ner_model_path || opts->topic_model_path)
                return ne_diag_set(diag, -ENOTSUP, "models are not supported yet");
        struct ne_enricher *enr = calloc(1, sizeof(*enr));
        if (!enr)
                return -ENOMEM;
        enr->opts = *opts;
        *ret = enr;
        return 0;
}

void ne_enricher_free(struct ne_enricher *enr)
{
        free(enr);
}

const char *ne_enricher_ner_version(const struct ne_enricher *enr)
{
        (void)enr;
        return "none";
}

const char *ne_enricher_topic_version(const struct ne_enricher *enr)
{
        (void)enr;
        return "none";
}

int ne_enrich_ctx_new(const struct ne_enricher *enr, struct ne_enrich_ctx **ret)
{
        (void)enr;
        struct ne_enrich_ctx *ctx = calloc(1, sizeof(*ctx));
        if (!ctx)
                return -ENOMEM;
        *ret = ctx;
        return 0;
}

void ne_enrich_ctx_free(struct ne_enrich_ctx *ctx)
{
        free(ctx);
}

int ne_enricher_run(const struct ne_enricher *enr, struct ne_enrich_ctx *ctx,
                    const struct ne_article *art, struct ne_enrichment **ret,
                    struct ne_diag *diag)
{
        (void)ctx;
        (void)art;
        (void)diag;
        struct ne_enrichment *out = ne_enrichment_new();
        if (!out)
                return -ENOMEM;
        out->ner_model_version = strdup(ne_enricher_ner_version(enr));
        out->topic_model_version = strdup(ne_enricher_topic_version(enr));
        if (!out->ner_model_version || !out->topic_model_version) {
                ne_enrichment_free(out);
                return -ENOMEM;
        }
        *ret = out;
        return 0;
}
