/* What the pipeline does to one input message, as a struct of function pointers: the real one
 * (decode -> enrich -> encode, ne_article_processor_new) or a test's. A processor sees bytes
 * and Kafka coordinates only, never a Kafka handle, and must not log: it says what happened
 * through its outcome, a dead-letter reason and a diag; the pipeline decides and logs.
 *
 * Threads: `shared` is read-only once built; each thread that processes makes its own ctx with
 * ctx_new and uses it alone, so a worker pool can call process() concurrently. */
#ifndef NE_PROCESSOR_H
#define NE_PROCESSOR_H

#include <stddef.h>
#include <stdint.h>

#include "ne/buf.h"
#include "ne/codec.h"
#include "ne/config.h"
#include "ne/diag.h"

/* The outcome of processing one message; 0 is OK. */
enum ne_outcome {
        NE_OUTCOME_OK = 0,      /* res->key and res->value hold the event to produce */
        NE_OUTCOME_RETRY,       /* transient (e.g. ENOMEM): the same input may be retried */
        NE_OUTCOME_DEAD_LETTER, /* bad input: res->reason and res->diag say why */
        NE_OUTCOME_FATAL,       /* the processor cannot go on (res->diag says why) */
};

/* At most this many extra events (alerts, routed copies) per input. */
#define NE_PROC_MAX_EXTRA 64

/* One input message, borrowed for the duration of process(). */
struct ne_proc_input {
        const char *topic;
        int32_t partition;
        int64_t offset;
        const void *key; /* may be NULL */
        size_t key_len;
        const void *value; /* may be NULL (tombstone) */
        size_t value_len;
        const char *traceparent; /* the input's W3C traceparent header value, or NULL */
        size_t traceparent_len;
};

/* An event produced in addition to the enriched one for the same input: an alert, or a copy
 * routed to an extra topic. The input's offset becomes committable only when the enriched
 * event and every extra event are acknowledged. */
struct ne_proc_extra {
        const char *topic;       /* borrowed from the processor's shared state */
        const char *schema_name; /* `ne.schema` header of this event; borrowed likewise */
        struct ne_buf key;
        struct ne_buf value;
};

/* What process() fills. Owned by the caller, reused across calls (process resets what it
 * uses, so the buffers stop allocating once grown). */
struct ne_proc_result {
        struct ne_buf key;         /* OK: the output key (the article id) */
        struct ne_buf value;       /* OK: the encoded event */
        enum ne_dlq_reason reason; /* DEAD_LETTER */
        struct ne_diag diag;       /* DEAD_LETTER, RETRY, FATAL: detail */
        /* Nanoseconds spent per stage by this call, 0 where not measured or not reached; the
         * pipeline feeds them to the metrics. */
        uint64_t decode_ns;
        uint64_t enrich_ns;
        uint64_t encode_ns;
        /* OK: the W3C traceparent to send on every output of this input (a child of the
         * input's, or a new trace when it had none or an invalid one); "" = none. */
        char traceparent[56];
        /* OK: extra events, extra[0..n_extra); slots keep their buffers across calls. */
        struct ne_proc_extra extra[NE_PROC_MAX_EXTRA];
        size_t n_extra;
};

struct ne_processor_ops {
        const char *name;
        /* Full name of the output schema, sent in the `ne.schema` header of every event. */
        const char *schema_name;
        /* Per-thread context from the shared state. 0 or negative errno. */
        int (*ctx_new)(const void *shared, void **ret_ctx);
        void (*ctx_free)(void *ctx);
        enum ne_outcome (*process)(void *ctx, const struct ne_proc_input *in,
                                   struct ne_proc_result *res);
};

struct ne_processor {
        const struct ne_processor_ops *ops; /* static, borrowed */
        const void *shared;                 /* owned by whoever built the processor */
};

/* The real processor: Confluent Avro or JSON in (schema table from cfg->schemas), the
 * enricher (models from cfg; NULL paths = pass-through), encoder for cfg->output_format and
 * cfg->output_schema_id. Returns 0 and a new processor in *ret, or a negative errno with
 * diag. */
int ne_article_processor_new(const struct ne_config *cfg, struct ne_processor **ret,
                             struct ne_diag *diag);

/* Frees a processor from ne_article_processor_new; accepts NULL. */
void ne_article_processor_free(struct ne_processor *proc);

/* Releases the buffers of a result; accepts NULL. */
void ne_proc_result_release(struct ne_proc_result *res);

/* ---- Added for alerts, routing, the schema registry and reload (after the original contract).
 * The article processor's shared state is then no longer entirely read-only: the models and
 * alert rules form a refcounted "generation" that a reload swaps in under a mutex; a process()
 * call works with the generation its thread's ctx holds, and a ctx moves to the newest
 * generation at the start of its next call, so a reload never changes a message half-way. */

struct ne_registry;

/* What run.c learns at start-up that the config does not say. Zero/NULL fields: from cfg. */
struct ne_processor_opts {
        int32_t output_schema_id; /* the registry's id of the output schema; 0 = cfg's */
        int32_t alert_schema_id;  /* the registry's id of the alert schema; 0 = cfg's */
        /* Resolves Avro input schema ids the schema.<id> table lacks; borrowed, may be NULL,
         * must outlive the processor. */
        struct ne_registry *registry;
};

/* ne_article_processor_new() with options (NULL: none). Besides decode -> enrich -> encode,
 * this processor fills res->traceparent and res->extra (a copy of the enriched event per matching
 * route, then an alert per matching rule of cfg->alerts_rules_file to cfg->alerts_topic; alerts
 * beyond NE_PROC_MAX_EXTRA extra events are not sent). Borrows cfg only for the call. */
int ne_article_processor_new_opts(const struct ne_config *cfg, const struct ne_processor_opts *o,
                                  struct ne_processor **ret, struct ne_diag *diag);

/* Re-reads the models (cfg->ner_model, cfg->topic_model) and the alert rules file named in cfg
 * and swaps them in for the next messages. Returns 0, or a negative errno with diag (the file and
 * reason) and the generation in use unchanged. Safe while other threads call process(); do not
 * call it concurrently with itself or with ne_article_processor_free(). A config whose alerts
 * were off at start-up stays without alerts (rules need a topic and encoder set up at start). */
int ne_article_processor_reload(struct ne_processor *proc, const struct ne_config *cfg,
                                struct ne_diag *diag);

/* Copies the versions of the models in use ("none" when an engine is off) into the buffers. */
void ne_article_processor_versions(struct ne_processor *proc, char *ner, size_t ner_size,
                                   char *topic, size_t topic_size);

/* The schema name alert events carry in their `ne.schema` header. */
#define NE_ALERT_SCHEMA_NAME "io.newsenrichd.EntityAlert"

#endif
