/* What enrichment adds to an article: document-level entities with their mentions, and topics.
 * Filled by the enrich engines, read by the codecs (schemas/article_enriched.avsc). */
#ifndef NE_ENRICHMENT_H
#define NE_ENRICHMENT_H

#include <stddef.h>
#include <stdint.h>

enum ne_entity_type {
        NE_ENT_PER = 0,
        NE_ENT_ORG = 1,
        NE_ENT_LOC = 2,
        NE_ENT_MISC = 3,
        NE_ENT__COUNT
};

/* "PER", "ORG", "LOC", "MISC" (the Avro enum symbols); NULL for an out-of-range value. */
const char *ne_entity_type_name(enum ne_entity_type type);

/* Which text field of the article a mention lies in. */
enum ne_text_field {
        NE_FIELD_TITLE = 0,
        NE_FIELD_BODY = 1,
};

/* One occurrence of an entity. Byte offsets are what C code slices with; code point offsets are
 * what goes on the wire (Unicode code points, so Python's str slicing and any UTF-8 aware
 * reader agree). Both are half-open [start, end). */
struct ne_mention {
        enum ne_text_field field;
        uint32_t start;     /* UTF-8 byte offset */
        uint32_t end;
        uint32_t cp_start;  /* Unicode code point offset */
        uint32_t cp_end;
        float confidence;   /* 0..1, from the tagger's scores */
};

struct ne_entity {
        enum ne_entity_type type;
        char *name;                  /* canonical name: the fullest mention's text; owned */
        struct ne_mention *mentions; /* owned, in text order (title first) */
        size_t n_mentions;
        float confidence;            /* 0..1 */
        float salience;              /* 0..1, how much the article is about this entity */
};

struct ne_topic {
        char *code;   /* e.g. "medtop:04000000"; owned */
        char *label;  /* e.g. "economy, business and finance"; owned */
        float score;  /* 0..1, behaves like a probability */
};

struct ne_enrichment {
        struct ne_entity *entities;  /* owned, most salient first */
        size_t n_entities;
        struct ne_topic *topics;     /* owned, highest score first */
        size_t n_topics;
        char *language;              /* owned; NULL when unknown */
        char *ner_model_version;     /* owned; "none" when no model is loaded */
        char *topic_model_version;   /* owned; "none" when no model is loaded */
};

/* Returns a new zeroed enrichment, or NULL on allocation failure. */
struct ne_enrichment *ne_enrichment_new(void);

/* Frees the enrichment and everything it owns; accepts NULL. */
void ne_enrichment_free(struct ne_enrichment *enr);

#endif
