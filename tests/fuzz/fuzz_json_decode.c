/* libFuzzer harness for the JSON article decoder (daemon/codec/json_decode.c): any bytes are
 * either refused with a dead-letter reason, leaving the out-pointer alone, or decode to an
 * article that keeps the codec's promises (harness.h) and survives a JSON encode and decode
 * unchanged. A JSON-only decoder (no schema table) is used, so bytes that look like a
 * Confluent frame end as unknown_schema at once; fuzz_avro_decode covers Avro. */
#include <errno.h>

#include "harness.h"
#include "ne/codec.h"

static struct ne_decoder *dec;
static struct ne_encoder *enc;

static void fini(void)
{
        ne_encoder_free(enc);
        ne_decoder_free(dec);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        (void)argc;
        (void)argv;
        /* Small limits so that the too_large and too-deep paths are reachable. */
        struct ne_decoder_opts opts = {.max_bytes = 1 << 16, .max_depth = 16};
        if (ne_decoder_new(NULL, &opts, &dec) < 0 ||
            ne_encoder_new(NULL, 0, NE_FORMAT_JSON, &enc, NULL) < 0)
                abort();
        atexit(fini);
        return 0;
}

/* The JSON the encoder writes for `art` must decode to the same article. */
static void round_trip(const struct ne_article *art)
{
        struct ne_enrichment *enr = ne_enrichment_new();
        struct ne_buf buf = {0};
        struct ne_article *back = NULL;
        enum ne_dlq_reason why = NE_DLQ_NONE;
        struct ne_diag d;

        FUZZ_CHECK(enr != NULL);
        FUZZ_CHECK(ne_encode_enriched(enc, art, enr, NULL, 1, &buf, NULL) == 0);
        if (ne_decode_article(dec, buf.data, buf.len, &back, &why, &d) < 0) {
                /* The enriched event is bigger than the input: only the size limit may bite. */
                FUZZ_CHECK(why == NE_DLQ_TOO_LARGE);
                goto out;
        }
        FUZZ_CHECK(strcmp(back->id, art->id) == 0);
        FUZZ_CHECK(strcmp(back->url, art->url) == 0);
        FUZZ_CHECK(strcmp(back->source, art->source) == 0);
        FUZZ_CHECK(strcmp(back->title, art->title) == 0);
        FUZZ_CHECK(back->body_len == art->body_len);
        FUZZ_CHECK(memcmp(back->body, art->body, art->body_len) == 0);
        FUZZ_CHECK(back->published_at == art->published_at);
        FUZZ_CHECK(back->n_authors == art->n_authors);
        FUZZ_CHECK(back->n_extra == art->n_extra);
        FUZZ_CHECK((back->language == NULL) == (art->language == NULL));
        ne_article_free(back);
out:
        ne_buf_release(&buf);
        ne_enrichment_free(enr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct ne_article *art = NULL;
        enum ne_dlq_reason why = NE_DLQ_NONE;
        struct ne_diag diag;
        int r = ne_decode_article(dec, data, size, &art, &why, &diag);
        if (r < 0) {
                FUZZ_CHECK(r == -EBADMSG || r == -ENOMEM);
                FUZZ_CHECK(art == NULL);
                if (r == -EBADMSG)
                        FUZZ_CHECK(why > NE_DLQ_NONE && why < NE_DLQ__COUNT);
                return 0;
        }
        fuzz_check_article(art);
        round_trip(art);
        ne_article_free(art);
        return 0;
}
