/* Lifetime of struct ne_enrichment and the entity type names shared by every codec. */
#include <stdlib.h>

#include "ne/enrichment.h"

static const char *const type_names[NE_ENT__COUNT] = {
        [NE_ENT_PER] = "PER", [NE_ENT_ORG] = "ORG", [NE_ENT_LOC] = "LOC", [NE_ENT_MISC] = "MISC",
};

const char *ne_entity_type_name(enum ne_entity_type type)
{
        if ((unsigned)type >= NE_ENT__COUNT)
                return NULL;
        return type_names[type];
}

struct ne_enrichment *ne_enrichment_new(void)
{
        return calloc(1, sizeof(struct ne_enrichment));
}

void ne_enrichment_free(struct ne_enrichment *enr)
{
        if (!enr)
                return;
        for (size_t i = 0; i < enr->n_entities; i++) {
                free(enr->entities[i].name);
                free(enr->entities[i].mentions);
        }
        free(enr->entities);
        for (size_t i = 0; i < enr->n_topics; i++) {
                free(enr->topics[i].code);
                free(enr->topics[i].label);
        }
        free(enr->topics);
        free(enr->language);
        free(enr->ner_model_version);
        free(enr->topic_model_version);
        free(enr);
}
