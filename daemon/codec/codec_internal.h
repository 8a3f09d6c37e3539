/* Private interfaces shared by the files of the codec module (daemon/codec/). Nothing outside
 * daemon/codec/ includes this; the public contract is include/ne/codec.h. */
#ifndef NE_CODEC_INTERNAL_H
#define NE_CODEC_INTERNAL_H

#include <avro.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ne/codec.h"

/* Confluent wire format: magic byte 0, 4-byte big-endian schema id, then the Avro binary. */
#define NE_CONFLUENT_MAGIC 0x00
#define NE_CONFLUENT_HEADER_LEN 5

/* Nesting bound of the Avro pre-validation walk (records, arrays, maps, unions). */
#define NE_AVRO_MAX_DEPTH 64

/* Array and map items that occupy no bytes (null, empty records) are allowed this many per
 * message (others pay with their bytes), so a block count cannot make us spin or allocate. */
#define NE_AVRO_ZERO_SIZE_ITEMS 4096

/* published_at bound, in both formats: the integers a JSON number (an IEEE double) holds
 * exactly, about 285,000 years either side of 1970. Keeping Avro to it too means every event
 * either format decodes can be re-read from its JSON form. */
#define NE_TIMESTAMP_MAX_ABS_MS INT64_C(9007199254740991)

/* The writer schema registered under `id`, or NULL. Borrowed from the table. */
avro_schema_t ne_schema_table_get(const struct ne_schema_table *tbl, int32_t id);

/* Writes the 5-byte Confluent header for `id` into out[0..5). */
void ne_confluent_header_write(int32_t id, unsigned char out[NE_CONFLUENT_HEADER_LEN]);

/* Reads the schema id of a Confluent header; buf holds at least 5 bytes. */
int32_t ne_confluent_header_id(const unsigned char *buf);

/* Checks that data[0..len) is exactly one datum of `schema` in Avro binary: every length is
 * within the bytes left, varints are at most 10 bytes, block counts and nesting are bounded,
 * union and enum indexes are in range, and every string is UTF-8 without NUL. `base` is added
 * to the offsets reported in diag (the frame header length). Returns 0, or -EBADMSG with
 * *ret_reason (BAD_AVRO or INVALID_UTF8) and diag set. Never allocates. */
int ne_avro_validate(avro_schema_t schema, const unsigned char *data, size_t len, size_t base,
                     enum ne_dlq_reason *ret_reason, struct ne_diag *diag);

/* Per-decoder Avro state: one reusable generic value per writer schema seen. */
struct ne_avro_decoder;

int ne_avro_decoder_new(const struct ne_schema_table *tbl, struct ne_avro_decoder **ret);
void ne_avro_decoder_free(struct ne_avro_decoder *ad);

/* Decodes a Confluent-framed payload (len >= 5, byte 0 == 0) into a new article. Same return
 * convention as ne_decode_article. */
int ne_avro_decode(struct ne_avro_decoder *ad, const unsigned char *buf, size_t len,
                   struct ne_article **ret_art, enum ne_dlq_reason *ret_reason,
                   struct ne_diag *diag);

/* Decodes a JSON object payload into a new article. Same return convention. */
int ne_json_decode(const char *buf, size_t len, unsigned int max_depth, struct ne_article **ret_art,
                   enum ne_dlq_reason *ret_reason, struct ne_diag *diag);

/* Fills the absent optional fields of a decoded article with the reader defaults of
 * schemas/article_published.avsc (url, source, title ""; authors and extra empty) and checks
 * the required ones (id and body non-empty). Returns 0, -ENOMEM, or -EBADMSG with
 * NE_DLQ_MISSING_FIELD. */
int ne_article_finish(struct ne_article *art, enum ne_dlq_reason *ret_reason, struct ne_diag *diag);

/* Parses an RFC 3339 date-time ("2024-05-01T12:00:00.250+02:00") into epoch milliseconds.
 * Returns 0 or -EINVAL. */
int ne_rfc3339_parse(const char *s, size_t len, int64_t *ret_ms);

/* Sets reason and diag for a bad payload and returns -EBADMSG. offset < 0: unknown. */
int ne_codec_fail(enum ne_dlq_reason *ret_reason, enum ne_dlq_reason reason, struct ne_diag *diag,
                  const char *key, long offset, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Checks an enrichment before either encoder writes it: types and fields in range, offsets
 * ordered and within int, scores finite, strings valid UTF-8. Returns 0 or -EINVAL with diag. */
int ne_enrichment_check(const struct ne_enrichment *enr, struct ne_diag *diag);

/* The language of the enriched event: the article's if given, else the detected one, else
 * NULL. Borrowed. */
const char *ne_enriched_language(const struct ne_article *art, const struct ne_enrichment *enr);

/* Per-encoder state for each output format. */
struct ne_avro_encoder;

int ne_avro_encoder_new(avro_schema_t schema, int32_t schema_id, struct ne_avro_encoder **ret,
                        struct ne_diag *diag);
void ne_avro_encoder_free(struct ne_avro_encoder *ae);
int ne_avro_encode(struct ne_avro_encoder *ae, const struct ne_article *art,
                   const struct ne_enrichment *enr, const struct ne_lineage *lin,
                   int64_t processed_at_ms, struct ne_buf *out, struct ne_diag *diag);

int ne_json_encode(const struct ne_article *art, const struct ne_enrichment *enr,
                   const struct ne_lineage *lin, int64_t processed_at_ms, struct ne_buf *out,
                   struct ne_diag *diag);

#endif
