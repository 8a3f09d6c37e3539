/* Private to the article processor (daemon/processor.c and daemon/proc/): its shared state,
 * the refcounted generation of models and alert rules that a reload swaps, and the helpers that
 * fill the extra events. */
#ifndef NE_PROC_INTERNAL_H
#define NE_PROC_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>

#include "ne/alert_codec.h"
#include "ne/alerts.h"
#include "ne/enricher.h"
#include "ne/processor.h"
#include "ne/registry.h"

/* What a reload replaces. Freed when the last reference goes: the shared state holds one for
 * the current generation, and each thread's ctx one for the generation its scratch was built
 * for. */
struct ne_proc_gen {
        unsigned int refs; /* guarded by ne_proc_shared.lock */
        struct ne_enricher *enr;
        struct ne_alert_rules *rules; /* NULL when alerts are off */
};

struct ne_proc_route {
        char *topic;
        char *topic_code; /* NULL: no topic condition */
        float min_score;
        int entity_type;   /* -1: no entity condition */
        char *entity_name; /* NULL: any name */
};

struct ne_proc_shared {
        struct ne_processor proc; /* first: the public part handed out */
        struct ne_schema_table *tbl;
        struct ne_decoder_opts dec_opts;
        int32_t out_schema_id;
        enum ne_format out_format;
        struct ne_registry *reg; /* borrowed; NULL: none */

        char *alert_topic;  /* NULL: alerts off */
        char *alert_schema; /* entity_alert.avsc text (Avro output only) */
        size_t alert_schema_len;
        int32_t alert_schema_id;

        struct ne_proc_route *routes;
        size_t n_routes;

        /* Topic-model knobs a reload reuses. */
        struct ne_enricher_opts enr_opts;

        pthread_mutex_t lock;
        bool lock_ok;
        struct ne_proc_gen *cur; /* guarded by lock */
};

/* Loads the models and rules named in cfg into a new generation with one reference. */
int ne_proc_gen_load(const struct ne_proc_shared *sh, const struct ne_config *cfg,
                     struct ne_proc_gen **ret, struct ne_diag *diag);

/* The current generation with a reference added, unless it is `have` (then NULL). */
struct ne_proc_gen *ne_proc_gen_acquire_if_new(struct ne_proc_shared *sh,
                                               const struct ne_proc_gen *have);

/* Drops a reference; frees on the last. Accepts NULL. */
void ne_proc_gen_release(struct ne_proc_shared *sh, struct ne_proc_gen *g);

/* Appends to res->extra the events of the routes the enrichment meets (copies of res->key and
 * res->value). Returns 0 or -ENOMEM. */
int ne_proc_add_routes(const struct ne_proc_shared *sh, const struct ne_enrichment *enr,
                       struct ne_proc_result *res);

/* Appends one alert per rule of `rules` that matches, up to the free extra slots. Returns 0,
 * -ENOMEM, or -EINVAL with diag (the alert schema and the encoder disagree). */
int ne_proc_add_alerts(const struct ne_proc_shared *sh, const struct ne_alert_rules *rules,
                       struct ne_alert_encoder *aenc, const struct ne_article *art,
                       const struct ne_enrichment *enr, const struct ne_lineage *lin,
                       int64_t now_ms, struct ne_proc_result *res, struct ne_diag *diag);

/* 0 when the schema text is a record named NE_ALERT_SCHEMA_NAME (entity_alert.avsc or a
 * revision), else -EINVAL with diag naming `path`. */
int ne_proc_check_alert_schema(const char *json, size_t len, const char *path,
                               struct ne_diag *diag);

#endif
