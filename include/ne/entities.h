/* Document-level entities: the tagger's mention spans from an article's title and body, grouped
 * into real-world entities ("Satya Nadella" ... "Nadella", "Microsoft Corp." ... "MICROSOFT")
 * with a canonical name, a voted type, a confidence and a salience, most salient first. Pure:
 * text, tokens and spans in, struct ne_entity array out; no logging, no I/O. */
#ifndef NE_ENTITIES_H
#define NE_ENTITIES_H

#include <stddef.h>
#include <stdint.h>

#include "ne/diag.h"
#include "ne/enrichment.h"
#include "ne/token.h"

/* One tagged mention, as the tagger reports it (the same members as struct ne_ner_span). */
struct ne_span {
        uint32_t tok_begin; /* [tok_begin, tok_end) token indexes */
        uint32_t tok_end;
        enum ne_entity_type type;
        float confidence; /* 0..1; NaN counts as 0, values outside are clamped */
};

/* One text field of the article with its tokens and the tagger's spans over them. All borrowed
 * for the duration of the call. */
struct ne_entity_input {
        enum ne_text_field field;
        const char *text;            /* the text the tokens index */
        const struct ne_token *toks; /* from ne_tokenize(text) */
        size_t n_toks;
        const struct ne_span *spans; /* any order; overlapping spans are taken as they come */
        size_t n_spans;
};

/* At most this many spans (over all inputs, in input order) are grouped; the rest are ignored,
 * which bounds the work an adversarial article can cause. */
#define NE_ENTITIES_MAX_SPANS 4096

/* Groups the spans of inputs[0..n_inputs) (title first, then body, by convention) into at most
 * max_entities entities and stores them in enr->entities / enr->n_entities, which must be empty
 * (NULL / 0). On success enr owns them (ne_enrichment_free releases them).
 *
 * Mentions: a possessive "'s" / "’s" / "'" and quotes, brackets and , . : ; at a span's edges are
 * not part of the name. Mention offsets are bytes and code points into the input's text, with
 * the input's field; an entity's mentions are in text order, title first.
 *
 * Grouping, in text order: a mention joins an entity when its case- and punctuation-folded
 * words equal the entity's fullest form ("MICROSOFT" = "Microsoft", "U.S." = "US"), or do so
 * once company designators are dropped ("Microsoft Corp." = "Microsoft"); failing that, a PER
 * mention joins the latest PER entity whose name ends with its words ("Nadella" after "Satya
 * Nadella", and "Satya Nadella" after a lone "Nadella"), and an all-caps single word joins the
 * latest entity whose initials it spells ("EU" = "European Union").
 *
 * Canonical name: the fullest mention (most words; then not all-caps; then longest; then
 * earliest), its tokens joined by single spaces where the text has whitespace.
 * Type: the type with the largest summed mention confidence (ties: the first mention's).
 * Confidence: noisy-or of the mention confidences, 1 - prod(1 - c_i), times the winning type's
 * share of the summed confidence; so in 0..1.
 * Salience, in 0..1: 0.35 if mentioned in the title, + 0.35 * mentions / the most mentioned
 * entity's mentions, + 0.2 * earliness of the first mention (1 in the title, else 1 - its token
 * position / the field's tokens), + 0.1 * confidence. Entities are sorted by salience, ties by
 * first mention, and cut to max_entities (0 gives none).
 *
 * Returns 0, -EINVAL (NULL arguments, enr not empty, a span outside its tokens or with an
 * unknown type; detail in diag) or -ENOMEM. On failure enr is unchanged. Thread-safe. */
int ne_entities_build(const struct ne_entity_input *inputs, size_t n_inputs, size_t max_entities,
                      struct ne_enrichment *enr, struct ne_diag *diag);

#endif
