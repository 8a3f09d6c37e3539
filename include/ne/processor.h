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

#endif
