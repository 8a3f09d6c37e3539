/* Wire formats: bytes in, struct ne_article out; article + enrichment in, bytes out. Knows
 * nothing of Kafka: whoever delivered the bytes (pipeline, `enrich`, a test) calls it. Must not
 * log; failures are a dead-letter reason plus detail in struct ne_diag.
 *
 * Input formats, detected per message:
 *  - Confluent wire format: byte 0 = 0x00, bytes 1..4 = big-endian schema id, then Avro binary
 *    written with that (writer) schema; fields are mapped by name onto the article, with the
 *    reader defaults of schemas/article_published.avsc applied here (avro-c cannot).
 *  - a UTF-8 JSON object with the same field names (published_at as epoch milliseconds).
 * Output: Confluent-framed Avro of schemas/article_enriched.avsc, or one JSON object. */
#ifndef NE_CODEC_H
#define NE_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ne/article.h"
#include "ne/buf.h"
#include "ne/diag.h"
#include "ne/enrichment.h"

/* Why an input went to the dead-letter topic. The codes (ne_dlq_reason_code) are a documented,
 * fixed set carried in the `ne.reason` header: never rename one. */
enum ne_dlq_reason {
        NE_DLQ_NONE = 0,
        NE_DLQ_EMPTY,           /* "empty": zero-length payload */
        NE_DLQ_TOO_LARGE,       /* "too_large": over input.max_bytes */
        NE_DLQ_UNKNOWN_FORMAT,  /* "unknown_format": neither Confluent Avro nor a JSON object */
        NE_DLQ_BAD_JSON,        /* "bad_json": JSON syntax error, or nesting too deep */
        NE_DLQ_BAD_AVRO,        /* "bad_avro": Avro binary does not match its writer schema */
        NE_DLQ_UNKNOWN_SCHEMA,  /* "unknown_schema": schema id not in the schema table */
        NE_DLQ_MISSING_FIELD,   /* "missing_field": id or body absent or empty */
        NE_DLQ_BAD_TYPE,        /* "bad_type": a field has the wrong type */
        NE_DLQ_INVALID_UTF8,    /* "invalid_utf8": a string is not valid UTF-8 or holds NUL */
        NE_DLQ_ENRICH_FAILED,   /* "enrich_failed": the engines rejected the article */
        NE_DLQ__COUNT
};

/* The stable lower-case code of a reason; NULL for an out-of-range value. */
const char *ne_dlq_reason_code(enum ne_dlq_reason reason);

enum ne_format {
        NE_FORMAT_AVRO = 0,
        NE_FORMAT_JSON = 1,
};

/* Schema id -> parsed Avro schema, loaded once at start-up, read-only afterwards and shared by
 * all threads. */
struct ne_schema_table;

/* Returns new empty table in *ret. 0 or -ENOMEM. */
int ne_schema_table_new(struct ne_schema_table **ret);

/* Parses the .avsc at `path` and registers it under `id`. 0, -ENOENT/-EIO (file), -EINVAL (not
 * a valid schema, detail in diag), -EEXIST (id taken). */
int ne_schema_table_add_file(struct ne_schema_table *tbl, int32_t id, const char *path,
                             struct ne_diag *diag);

/* Same, from schema JSON text (used by a registry client and by tests). */
int ne_schema_table_add_json(struct ne_schema_table *tbl, int32_t id, const char *json,
                             struct ne_diag *diag);

/* True when `id` is registered. */
bool ne_schema_table_has(const struct ne_schema_table *tbl, int32_t id);

void ne_schema_table_free(struct ne_schema_table *tbl);

/* Per-thread decoding state (reused Avro values, JSON limits). Borrows the table, which must
 * outlive it. */
struct ne_decoder;

struct ne_decoder_opts {
        size_t max_bytes;         /* payloads above this are NE_DLQ_TOO_LARGE */
        unsigned int max_depth;   /* JSON nesting limit */
};

int ne_decoder_new(const struct ne_schema_table *tbl, const struct ne_decoder_opts *opts,
                   struct ne_decoder **ret);

/* (Addition.) What a zero in ne_decoder_opts stands for: a zero limit would refuse every
 * message, so 0 selects these. `tbl` may be NULL for a JSON-only decoder: every Avro payload
 * is then NE_DLQ_UNKNOWN_SCHEMA. */
#define NE_DECODER_DEFAULT_MAX_BYTES ((size_t)1024 * 1024)
#define NE_DECODER_DEFAULT_MAX_DEPTH 64
void ne_decoder_free(struct ne_decoder *dec);

/* Decodes one payload. On success returns 0 and writes a new article to *ret_art (caller frees
 * with ne_article_free). On a bad payload returns -EBADMSG, writes the reason to *ret_reason
 * and the detail (with byte offset where known) to diag. -ENOMEM on allocation failure. */
int ne_decode_article(struct ne_decoder *dec, const void *buf, size_t len,
                      struct ne_article **ret_art, enum ne_dlq_reason *ret_reason,
                      struct ne_diag *diag);

/* Where an input came from; carried into the enriched event. */
struct ne_lineage {
        const char *topic; /* borrowed */
        int32_t partition;
        int64_t offset;
};

/* Per-thread encoding state. Borrows the table; `schema_id` must be registered in it and be
 * schemas/article_enriched.avsc (or a compatible revision). */
struct ne_encoder;

int ne_encoder_new(const struct ne_schema_table *tbl, int32_t schema_id, enum ne_format format,
                   struct ne_encoder **ret, struct ne_diag *diag);
/* (Addition.) With NE_FORMAT_JSON the table and schema id are not used; tbl may be NULL. With
 * NE_FORMAT_AVRO, -EINVAL and diag when the id is unknown or its schema has a field this
 * encoder cannot fill (fields are bound by name, so a reordered revision is fine). */
void ne_encoder_free(struct ne_encoder *enc);

/* Appends the enriched event to `out` (reset it first if it should hold only this event):
 * Confluent-framed Avro or one JSON object without a trailing newline. `lin` may be NULL
 * (offline enrichment: lineage is null). Returns 0, -ENOMEM, or -EINVAL with diag. */
int ne_encode_enriched(struct ne_encoder *enc, const struct ne_article *art,
                       const struct ne_enrichment *enr, const struct ne_lineage *lin,
                       int64_t processed_at_ms, struct ne_buf *out, struct ne_diag *diag);

#endif
