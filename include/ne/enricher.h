/* The enrichment engines behind one front: article in, enrichment out. Loaded once, read-only
 * afterwards and shared by all worker threads; each thread brings its own ne_enrich_ctx
 * (scratch space reused across articles). Pure: no Kafka, no wire formats, no logging. */
#ifndef NE_ENRICHER_H
#define NE_ENRICHER_H

#include <stddef.h>

#include "ne/article.h"
#include "ne/diag.h"
#include "ne/enrichment.h"

struct ne_enricher_opts {
        const char *ner_model_path;   /* NULL: no entities ("pass-through") */
        const char *topic_model_path; /* NULL: no topics */
        float topic_threshold;        /* topics scoring below are left out */
        size_t topic_top_k;           /* at most this many topics */
        size_t max_entities;          /* at most this many entities per article */
};

struct ne_enricher;
struct ne_enrich_ctx;

/* Loads the models named in opts. Returns 0 and a new enricher in *ret, or a negative errno
 * with detail in diag. */
int ne_enricher_new(const struct ne_enricher_opts *opts, struct ne_enricher **ret,
                    struct ne_diag *diag);
void ne_enricher_free(struct ne_enricher *enr);

/* Version strings of the loaded models ("none" when not loaded). Borrowed. */
const char *ne_enricher_ner_version(const struct ne_enricher *enr);
const char *ne_enricher_topic_version(const struct ne_enricher *enr);

/* Per-thread scratch. */
int ne_enrich_ctx_new(const struct ne_enricher *enr, struct ne_enrich_ctx **ret);
void ne_enrich_ctx_free(struct ne_enrich_ctx *ctx);

/* Enriches one article. Returns 0 and a new enrichment in *ret (caller frees), -EINVAL with
 * diag for an article the engines reject, or -ENOMEM. Thread-safe given distinct ctx. */
int ne_enricher_run(const struct ne_enricher *enr, struct ne_enrich_ctx *ctx,
                    const struct ne_article *art, struct ne_enrichment **ret,
                    struct ne_diag *diag);

#endif
