/* Wire formats of an alert (schemas/entity_alert.avsc): one rule matched one article. Turns a
 * struct ne_alert_match plus the article and enrichment it came from into Confluent-framed
 * Avro or one JSON object. Knows nothing of Kafka; must not log. */
#ifndef NE_ALERT_CODEC_H
#define NE_ALERT_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "ne/alerts.h"
#include "ne/article.h"
#include "ne/buf.h"
#include "ne/codec.h"
#include "ne/diag.h"
#include "ne/enrichment.h"

/* Per-thread encoding state: the parsed schema and one reused Avro value. */
struct ne_alert_encoder;

/* Creates an encoder. For NE_FORMAT_AVRO, `schema_json` (len bytes) is the text of
 * schemas/entity_alert.avsc or a compatible revision, parsed once here, and `schema_id` the id
 * the registry gave it (written big-endian after the magic byte 0). For NE_FORMAT_JSON both
 * are ignored and schema_json may be NULL. Returns 0 and a new encoder in *ret, -EINVAL (schema
 * does not parse, detail in diag) or -ENOMEM. */
int ne_alert_encoder_new(const char *schema_json, size_t len, int32_t schema_id,
                         enum ne_format format, struct ne_alert_encoder **ret,
                         struct ne_diag *diag);

/* Accepts NULL. */
void ne_alert_encoder_free(struct ne_alert_encoder *enc);

/* Appends the alert for match `m` (from ne_alert_rules_match over art and enr) to `out`: magic
 * 0, 4-byte schema id and Avro binary, or a JSON object without trailing newline. `enr` may be
 * NULL only if the match has no entities or topics; `lin` may be NULL (lineage null).
 * Returns 0, -ENOMEM, or -EINVAL with diag when the schema lacks a field this encoder fills
 * or an index in `m` is out of range; `out` is unchanged on failure. */
int ne_alert_encode(struct ne_alert_encoder *enc, const struct ne_alert_match *m,
                    const struct ne_article *art, const struct ne_enrichment *enr,
                    const struct ne_lineage *lin, int64_t alerted_at_ms, struct ne_buf *out,
                    struct ne_diag *diag);

#endif
