/* The encoding front: ne_encoder picks the output format, and both formats share the checks on
 * what they are given (an enrichment whose offsets, enums or scores are out of range is a bug
 * upstream, reported as -EINVAL rather than written). Never logs. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec_internal.h"
#include "ne/utf8.h"

struct ne_encoder {
        enum ne_format format;
        struct ne_avro_encoder *avro; /* NE_FORMAT_AVRO only */
};

int ne_encoder_new(const struct ne_schema_table *tbl, int32_t schema_id, enum ne_format format,
                   struct ne_encoder **ret, struct ne_diag *diag)
{
        if (format != NE_FORMAT_AVRO && format != NE_FORMAT_JSON)
                return ne_diag_set(diag, -EINVAL, "unknown output format %d", (int)format);
        struct ne_encoder *enc = calloc(1, sizeof(*enc));
        if (!enc)
                return -ENOMEM;
        enc->format = format;
        if (format == NE_FORMAT_AVRO) {
                avro_schema_t schema = ne_schema_table_get(tbl, schema_id);
                if (!schema) {
                        free(enc);
                        return ne_diag_set(diag, -EINVAL,
                                           "output schema id %d is not in the schema table",
                                           schema_id);
                }
                int r = ne_avro_encoder_new(schema, schema_id, &enc->avro, diag);
                if (r < 0) {
                        free(enc);
                        return r;
                }
        }
        *ret = enc;
        return 0;
}

void ne_encoder_free(struct ne_encoder *enc)
{
        if (!enc)
                return;
        ne_avro_encoder_free(enc->avro);
        free(enc);
}

int ne_encode_enriched(struct ne_encoder *enc, const struct ne_article *art,
                       const struct ne_enrichment *enr, const struct ne_lineage *lin,
                       int64_t processed_at_ms, struct ne_buf *out, struct ne_diag *diag)
{
        int r = ne_enrichment_check(enr, diag);
        if (r < 0)
                return r;
        if (lin && !lin->topic)
                return ne_diag_set(diag, -EINVAL, "lineage without a topic");
        if (!art->id || !art->body)
                return ne_diag_set(diag, -EINVAL, "article without id or body");
        size_t mark = out->len;
        if (enc->format == NE_FORMAT_AVRO)
                r = ne_avro_encode(enc->avro, art, enr, lin, processed_at_ms, out, diag);
        else
                r = ne_json_encode(art, enr, lin, processed_at_ms, out, diag);
        if (r < 0) {
                /* Leave `out` as it was: no half-written event. */
                out->len = mark;
                if (out->data)
                        out->data[mark] = '\0';
        }
        return r;
}

/* Only finiteness is enforced: NaN and infinities have no JSON form. A score a rounding step
 * outside 0..1 is the engines' business, not a reason to lose the article. */
static bool score_ok(float v)
{
        return isfinite(v);
}

static bool string_ok(const char *s)
{
        return s && ne_utf8_is_valid(s, strlen(s), NULL);
}

static int check_entity(const struct ne_entity *ent, size_t i, struct ne_diag *diag)
{
        if ((unsigned)ent->type >= NE_ENT__COUNT)
                return ne_diag_set(diag, -EINVAL, "entity %zu: type %d out of range", i,
                                   (int)ent->type);
        if (!string_ok(ent->name))
                return ne_diag_set(diag, -EINVAL, "entity %zu: name missing or not UTF-8", i);
        if (!score_ok(ent->confidence) || !score_ok(ent->salience))
                return ne_diag_set(diag, -EINVAL, "entity %zu: score not finite", i);
        if (ent->n_mentions > INT32_MAX || (ent->n_mentions && !ent->mentions))
                return ne_diag_set(diag, -EINVAL, "entity %zu: bad mention list", i);
        for (size_t k = 0; k < ent->n_mentions; k++) {
                const struct ne_mention *m = &ent->mentions[k];
                if (m->field != NE_FIELD_TITLE && m->field != NE_FIELD_BODY)
                        return ne_diag_set(diag, -EINVAL, "entity %zu mention %zu: bad field", i,
                                           k);
                if (m->cp_start > m->cp_end || m->cp_end > INT32_MAX)
                        return ne_diag_set(diag, -EINVAL,
                                           "entity %zu mention %zu: offsets %u..%u out of order "
                                           "or range",
                                           i, k, m->cp_start, m->cp_end);
        }
        return 0;
}

int ne_enrichment_check(const struct ne_enrichment *enr, struct ne_diag *diag)
{
        if (!enr)
                return ne_diag_set(diag, -EINVAL, "no enrichment");
        if ((enr->n_entities && !enr->entities) || (enr->n_topics && !enr->topics))
                return ne_diag_set(diag, -EINVAL, "enrichment with a count but no array");
        for (size_t i = 0; i < enr->n_entities; i++) {
                int r = check_entity(&enr->entities[i], i, diag);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < enr->n_topics; i++) {
                const struct ne_topic *t = &enr->topics[i];
                if (!string_ok(t->code) || !string_ok(t->label) || !score_ok(t->score))
                        return ne_diag_set(diag, -EINVAL, "topic %zu: bad code, label or score", i);
        }
        if ((enr->language && !string_ok(enr->language)) ||
            (enr->ner_model_version && !string_ok(enr->ner_model_version)) ||
            (enr->topic_model_version && !string_ok(enr->topic_model_version)))
                return ne_diag_set(diag, -EINVAL, "enrichment string not UTF-8");
        return 0;
}

const char *ne_enriched_language(const struct ne_article *art, const struct ne_enrichment *enr)
{
        if (art->language && art->language[0])
                return art->language;
        if (enr->language && enr->language[0])
                return enr->language;
        return NULL;
}
