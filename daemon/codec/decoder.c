/* The decoding front: size limits, per-message format detection (Confluent Avro or a JSON
 * object), and the reader defaults and required-field checks both formats share. The format
 * decoders themselves live in avro_decode.c and json_decode.c. Never logs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codec_internal.h"

struct ne_decoder {
        struct ne_decoder_opts opts;
        struct ne_avro_decoder *avro;
};

int ne_decoder_new(const struct ne_schema_table *tbl, const struct ne_decoder_opts *opts,
                   struct ne_decoder **ret)
{
        struct ne_decoder *dec = calloc(1, sizeof(*dec));
        if (!dec)
                return -ENOMEM;
        dec->opts = *opts;
        if (dec->opts.max_bytes == 0)
                dec->opts.max_bytes = NE_DECODER_DEFAULT_MAX_BYTES;
        if (dec->opts.max_depth == 0)
                dec->opts.max_depth = NE_DECODER_DEFAULT_MAX_DEPTH;
        int r = ne_avro_decoder_new(tbl, &dec->avro);
        if (r < 0) {
                free(dec);
                return r;
        }
        *ret = dec;
        return 0;
}

void ne_decoder_free(struct ne_decoder *dec)
{
        if (!dec)
                return;
        ne_avro_decoder_free(dec->avro);
        free(dec);
}

static bool is_json_space(unsigned char c)
{
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int ne_decode_article(struct ne_decoder *dec, const void *buf, size_t len,
                      struct ne_article **ret_art, enum ne_dlq_reason *ret_reason,
                      struct ne_diag *diag)
{
        const unsigned char *p = buf;
        ne_diag_clear(diag);

        if (len == 0)
                return ne_codec_fail(ret_reason, NE_DLQ_EMPTY, diag, NULL, -1, "empty payload");
        if (len > dec->opts.max_bytes)
                return ne_codec_fail(ret_reason, NE_DLQ_TOO_LARGE, diag, NULL, -1,
                                     "payload of %zu bytes is over the limit of %zu", len,
                                     dec->opts.max_bytes);
        if (p[0] == NE_CONFLUENT_MAGIC && len >= NE_CONFLUENT_HEADER_LEN)
                return ne_avro_decode(dec->avro, p, len, ret_art, ret_reason, diag);
        /* Say what it looks like: "first byte 0x00" alone sends a reader hunting for a
         * magic-byte problem when the frame was cut short. */
        if (p[0] == NE_CONFLUENT_MAGIC)
                return ne_codec_fail(ret_reason, NE_DLQ_UNKNOWN_FORMAT, diag, NULL, 0,
                                     "magic byte 0 but only %zu of the %d bytes of a Confluent "
                                     "header",
                                     len, NE_CONFLUENT_HEADER_LEN);

        size_t i = 0;
        while (i < len && is_json_space(p[i]))
                i++;
        if (i < len && p[i] == '{')
                return ne_json_decode(buf, len, dec->opts.max_depth, ret_art, ret_reason, diag);
        if (i == len)
                return ne_codec_fail(ret_reason, NE_DLQ_UNKNOWN_FORMAT, diag, NULL, 0,
                                     "only whitespace (%zu bytes), no JSON object", len);
        return ne_codec_fail(ret_reason, NE_DLQ_UNKNOWN_FORMAT, diag, NULL, (long)i,
                             "neither Confluent Avro (magic byte 0) nor a JSON object (first "
                             "byte 0x%02x)",
                             p[i]);
}

static int default_string(char **s)
{
        if (*s)
                return 0;
        *s = strdup("");
        return *s ? 0 : -ENOMEM;
}

int ne_article_finish(struct ne_article *art, enum ne_dlq_reason *ret_reason, struct ne_diag *diag)
{
        if (!art->id || !art->id[0])
                return ne_codec_fail(ret_reason, NE_DLQ_MISSING_FIELD, diag, "id", -1,
                                     "field 'id' is %s", art->id ? "empty" : "missing");
        if (!art->body || !art->body[0])
                return ne_codec_fail(ret_reason, NE_DLQ_MISSING_FIELD, diag, "body", -1,
                                     "field 'body' is %s", art->body ? "empty" : "missing");
        int r;
        if ((r = default_string(&art->url)) < 0 || (r = default_string(&art->source)) < 0 ||
            (r = default_string(&art->title)) < 0)
                return r;
        /* An empty language is no BCP 47 tag; treat it as "not given" like null. */
        if (art->language && !art->language[0]) {
                free(art->language);
                art->language = NULL;
        }
        return 0;
}
