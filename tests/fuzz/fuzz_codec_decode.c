/* libFuzzer harness for the decoders: any payload must be refused with a reason or decode to an
 * article that both encoders can write and the decoder can read back unchanged. Several writer
 * schemas are registered (ids 1, 2, 3, 6, 7), so the Confluent schema id selects among them.
 * Built by the fuzz preset (tests/fuzz/README.md): cmake --preset fuzz && cmake --build --preset
 * fuzz; fuzz_json_decode and fuzz_avro_decode fuzz each format alone. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ne/codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ne_schema_table *tbl;
static struct ne_decoder *dec;
static struct ne_encoder *enc_avro, *enc_json;

/* A writer with every Avro type and a recursive union, so the pre-validation's rarer branches
 * (fixed, enum, double, boolean, bytes maps, depth) get fuzzed too. */
static const char every_type_schema[] =
    "{\"type\":\"record\",\"name\":\"L\",\"fields\":["
    "{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"body\",\"type\":\"string\"},"
    "{\"name\":\"published_at\",\"type\":\"long\"},"
    "{\"name\":\"next\",\"type\":[\"null\",{\"type\":\"record\",\"name\":\"Node\","
    "\"fields\":[{\"name\":\"next\",\"type\":[\"null\",\"Node\"]},"
    "{\"name\":\"f\",\"type\":{\"type\":\"fixed\",\"name\":\"F\",\"size\":3}},"
    "{\"name\":\"e\",\"type\":{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\",\"B\"]}},"
    "{\"name\":\"d\",\"type\":\"double\"},{\"name\":\"b\",\"type\":\"boolean\"},"
    "{\"name\":\"n\",\"type\":{\"type\":\"array\",\"items\":\"null\"}},"
    "{\"name\":\"m\",\"type\":{\"type\":\"map\",\"values\":\"bytes\"}}]}]}]}";

/* Frees the process-wide state at exit, so LeakSanitizer's final check sees only real leaks. */
static void fini(void)
{
        ne_encoder_free(enc_json);
        ne_encoder_free(enc_avro);
        ne_decoder_free(dec);
        ne_schema_table_free(tbl);
}

static void init(void)
{
        struct ne_decoder_opts opts = {.max_bytes = 1 << 16, .max_depth = 16};
        if (ne_schema_table_new(&tbl) < 0 ||
            ne_schema_table_add_file(tbl, 1, NE_SOURCE_DIR "/schemas/article_published.avsc",
                                     NULL) < 0 ||
            ne_schema_table_add_file(tbl, 2, NE_SOURCE_DIR "/tests/fixtures/codec/article_v2.avsc",
                                     NULL) < 0 ||
            ne_schema_table_add_file(
                tbl, 3, NE_SOURCE_DIR "/tests/fixtures/codec/article_no_url.avsc", NULL) < 0 ||
            ne_schema_table_add_file(tbl, 7, NE_SOURCE_DIR "/schemas/article_enriched.avsc", NULL) <
                0 ||
            ne_schema_table_add_json(tbl, 6, every_type_schema, NULL) < 0 ||
            ne_decoder_new(tbl, &opts, &dec) < 0 ||
            ne_encoder_new(tbl, 7, NE_FORMAT_AVRO, &enc_avro, NULL) < 0 ||
            ne_encoder_new(tbl, 7, NE_FORMAT_JSON, &enc_json, NULL) < 0)
                abort();
        atexit(fini);
}

/* Encodes `art` with `enc` and decodes the result: it must give the same article back. */
static void round_trip(struct ne_encoder *enc, const struct ne_article *art)
{
        struct ne_enrichment *enr = ne_enrichment_new();
        struct ne_buf buf = {0};
        struct ne_article *back = NULL;
        enum ne_dlq_reason why;
        struct ne_diag d;
        if (!enr || ne_encode_enriched(enc, art, enr, NULL, 1, &buf, NULL) < 0)
                abort();
        if (ne_decode_article(dec, buf.data, buf.len, &back, &why, &d) < 0) {
                fprintf(stderr, "round trip: %s: %s\n", ne_dlq_reason_code(why), d.msg);
                abort();
        }
        if (strcmp(back->id, art->id) || strcmp(back->body, art->body) ||
            strcmp(back->title, art->title) || back->published_at != art->published_at ||
            back->n_authors != art->n_authors || back->n_extra != art->n_extra)
                abort();
        ne_article_free(back);
        ne_buf_release(&buf);
        ne_enrichment_free(enr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (!tbl)
                init();
        struct ne_article *art = NULL;
        enum ne_dlq_reason why;
        if (ne_decode_article(dec, data, size, &art, &why, NULL) < 0)
                return 0;
        round_trip(enc_avro, art);
        round_trip(enc_json, art);
        ne_article_free(art);
        return 0;
}
