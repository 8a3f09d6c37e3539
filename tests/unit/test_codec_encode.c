/* Encoder tests: Avro bytes against a golden event written by python3-avro, the JSON form
 * against its committed golden, an independent decode of our bytes with python3-avro
 * (tests/python/decode_enriched.py), and refusal of bad enrichments and schemas. */
#include <errno.h>
#include <math.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cJSON.h>

#include "codec_testlib.h"

static const struct ne_lineage fx_lineage = {.topic = "articles", .partition = 3, .offset = 12345};

static void encode_fixed(enum ne_format fmt, const struct ne_lineage *lin, struct ne_buf *out)
{
        struct ne_schema_table *tbl = test_table();
        struct ne_encoder *enc = NULL;
        struct ne_diag d;
        ne_diag_clear(&d);
        cr_assert_eq(ne_encoder_new(tbl, ID_ENRICHED, fmt, &enc, &d), 0, "%s", d.msg);
        struct ne_article *art = fixed_article();
        struct ne_enrichment *enr = fixed_enrichment();
        cr_assert_eq(ne_encode_enriched(enc, art, enr, lin, FX_PROCESSED_AT, out, &d), 0, "%s",
                     d.msg);
        ne_article_free(art);
        ne_enrichment_free(enr);
        ne_encoder_free(enc);
        ne_schema_table_free(tbl);
}

static void assert_same_bytes(const struct ne_buf *got, const struct ne_buf *want)
{
        size_t n = got->len < want->len ? got->len : want->len;
        for (size_t i = 0; i < n; i++)
                cr_assert_eq((unsigned char)got->data[i], (unsigned char)want->data[i],
                             "byte %zu: got 0x%02x, want 0x%02x", i, (unsigned char)got->data[i],
                             (unsigned char)want->data[i]);
        cr_assert_eq(got->len, want->len, "length: got %zu, want %zu", got->len, want->len);
}

Test(codec_encode, avro_matches_python_golden_bytes)
{
        struct ne_buf got = {0}, want = {0};
        encode_fixed(NE_FORMAT_AVRO, &fx_lineage, &got);
        read_file(FIXTURE("enriched_golden.avro"), &want);
        assert_same_bytes(&got, &want);
        ne_buf_release(&got);
        ne_buf_release(&want);
}

Test(codec_encode, json_matches_golden)
{
        struct ne_buf got = {0}, want = {0};
        encode_fixed(NE_FORMAT_JSON, &fx_lineage, &got);
        read_file(FIXTURE("enriched_golden.json"), &want);
        /* The committed file ends with a newline; the encoder writes none. */
        cr_assert(want.len > 0 && want.data[want.len - 1] == '\n');
        want.data[--want.len] = '\0';
        cr_assert_str_eq(got.data, want.data);
        ne_buf_release(&got);
        ne_buf_release(&want);
}

Test(codec_encode, appends_and_reuses_the_encoder)
{
        struct ne_schema_table *tbl = test_table();
        struct ne_encoder *enc = NULL;
        cr_assert_eq(ne_encoder_new(tbl, ID_ENRICHED, NE_FORMAT_AVRO, &enc, NULL), 0);
        struct ne_article *art = fixed_article();
        struct ne_enrichment *enr = fixed_enrichment();
        struct ne_buf out = {0}, first = {0};
        cr_assert_eq(ne_encode_enriched(enc, art, enr, NULL, 1, &first, NULL), 0);
        for (int i = 0; i < 200; i++) {
                ne_buf_reset(&out);
                cr_assert_eq(ne_encode_enriched(enc, art, enr, NULL, 1, &out, NULL), 0);
                assert_same_bytes(&out, &first);
        }
        /* Appending a second event leaves the first intact. */
        cr_assert_eq(ne_encode_enriched(enc, art, enr, NULL, 1, &out, NULL), 0);
        cr_assert_eq(out.len, 2 * first.len);
        cr_assert_eq(memcmp(out.data + first.len, first.data, first.len), 0);
        ne_buf_release(&out);
        ne_buf_release(&first);
        ne_article_free(art);
        ne_enrichment_free(enr);
        ne_encoder_free(enc);
        ne_schema_table_free(tbl);
}

/* Encodes the fixed event (lineage null) with our encoder and decodes it with python3-avro. */
static void run_python_decode(const char *avro_path, const char *json_path, struct ne_buf *out)
{
        cr_assert(access("/usr/bin/python3", X_OK) == 0,
                  "/usr/bin/python3 is missing: install python3 and python3-avro "
                  "(.ci/packages) to run the independent decode");
        char cmd[1024];
        snprintf(cmd, sizeof(cmd),
                 "/usr/bin/python3 %s/tests/python/decode_enriched.py %s %s %s 2>&1", NE_SOURCE_DIR,
                 SCHEMA("article_enriched.avsc"), avro_path, json_path);
        FILE *p = popen(cmd, "r");
        cr_assert_not_null(p);
        char chunk[1024];
        size_t n;
        while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
                cr_assert_eq(ne_buf_append(out, chunk, n), 0);
        int status = pclose(p);
        cr_assert(WIFEXITED(status));
        cr_assert_neq(WEXITSTATUS(status), 3,
                      "python3-avro is missing (apt-get install python3-avro, .ci/packages): %s",
                      out->data);
        cr_assert_eq(WEXITSTATUS(status), 0, "decode_enriched.py failed:\n%s", out->data);
}

static void write_tmp(char *path, const struct ne_buf *b)
{
        int fd = mkstemp(path);
        cr_assert_geq(fd, 0);
        cr_assert_eq(write(fd, b->data, b->len), (ssize_t)b->len);
        close(fd);
}

Test(codec_encode, python_avro_decodes_our_event_and_offsets_slice_mentions)
{
        struct ne_buf avro = {0}, json = {0}, out = {0};
        encode_fixed(NE_FORMAT_AVRO, NULL, &avro);
        encode_fixed(NE_FORMAT_JSON, NULL, &json);
        char avro_path[] = "/tmp/ne-codec-avro-XXXXXX";
        char json_path[] = "/tmp/ne-codec-json-XXXXXX";
        write_tmp(avro_path, &avro);
        write_tmp(json_path, &json);
        run_python_decode(avro_path, json_path, &out);
        unlink(avro_path);
        unlink(json_path);
        cr_assert_str_eq(out.data, "schema_id 7\n"
                                   "PER|Satya Nadella|TITLE|Satya Nadella\n"
                                   "PER|Satya Nadella|BODY|Satya Nadella\n"
                                   "PER|Satya Nadella|BODY|Nadella\n"
                                   "LOC|Zürich|TITLE|Zürich\n"
                                   "LOC|Zürich|BODY|Zürich\n"
                                   "LOC|日本|BODY|日本\n"
                                   "json equal\n");
        ne_buf_release(&avro);
        ne_buf_release(&json);
        ne_buf_release(&out);
}

/* The C side of the same promise: the byte offsets the engines use and the code point offsets
 * on the wire name the same text. */
Test(codec_encode, fixture_byte_and_code_point_offsets_agree)
{
        struct ne_enrichment *enr = fixed_enrichment();
        static const char *const want[] = {"Satya Nadella", "Satya Nadella", "Nadella",
                                           "Zürich",        "Zürich",        "日本"};
        size_t k = 0;
        for (size_t i = 0; i < enr->n_entities; i++) {
                for (size_t j = 0; j < enr->entities[i].n_mentions; j++, k++) {
                        const struct ne_mention *m = &enr->entities[i].mentions[j];
                        const char *s = m->field == NE_FIELD_TITLE ? FX_TITLE : FX_BODY;
                        cr_assert_eq(m->end - m->start, strlen(want[k]));
                        cr_assert_eq(memcmp(s + m->start, want[k], m->end - m->start), 0);
                        cr_assert_eq(ne_utf8_count(s, m->start), m->cp_start);
                }
        }
        ne_enrichment_free(enr);
}

static cJSON *encode_json(struct ne_article *art, struct ne_enrichment *enr)
{
        struct ne_encoder *enc = NULL;
        struct ne_buf out = {0};
        cr_assert_eq(ne_encoder_new(NULL, 0, NE_FORMAT_JSON, &enc, NULL), 0);
        cr_assert_eq(ne_encode_enriched(enc, art, enr, NULL, 5, &out, NULL), 0);
        cJSON *root = cJSON_ParseWithLength(out.data, out.len);
        cr_assert_not_null(root, "not JSON: %s", out.data);
        ne_buf_release(&out);
        ne_encoder_free(enc);
        return root;
}

Test(codec_encode, json_language_falls_back_to_detected_then_null)
{
        struct ne_article *art = fixed_article();
        struct ne_enrichment *enr = ne_enrichment_new();
        free(art->language);
        art->language = NULL;
        enr->language = xstrdup("de");
        cJSON *root = encode_json(art, enr);
        cr_assert_str_eq(cJSON_GetObjectItem(root, "language")->valuestring, "de");
        cr_assert_str_eq(
            cJSON_GetObjectItem(cJSON_GetObjectItem(root, "model_versions"), "ner")->valuestring,
            "none");
        cr_assert(cJSON_IsNull(cJSON_GetObjectItem(root, "lineage")));
        cJSON_Delete(root);
        free(enr->language);
        enr->language = NULL;
        root = encode_json(art, enr);
        cr_assert(cJSON_IsNull(cJSON_GetObjectItem(root, "language")));
        cJSON_Delete(root);
        ne_article_free(art);
        ne_enrichment_free(enr);
}

Test(codec_encode, json_escapes_quotes_and_control_characters)
{
        struct ne_article *art = fixed_article();
        struct ne_enrichment *enr = ne_enrichment_new();
        static const char body[] = "a \"quote\" \\ back\nslash\ttab\x01\x1f end ü";
        free(art->body);
        art->body = xstrdup(body);
        cJSON *root = encode_json(art, enr);
        cr_assert_str_eq(cJSON_GetObjectItem(root, "body")->valuestring, body);
        cJSON_Delete(root);
        ne_article_free(art);
        ne_enrichment_free(enr);
}

/* Inline name: Criterion runs each parameterized test in a fresh process, where pointers
 * into the parent's image mean nothing. */
struct bad_enrichment {
        char name[40];
        int mutation;
};

static void mutate(struct ne_enrichment *enr, int mutation)
{
        switch (mutation) {
        case 0:
                enr->entities[0].type = NE_ENT__COUNT;
                break;
        case 1:
                enr->entities[0].mentions[0].cp_start = 30;
                break;
        case 2:
                enr->entities[1].confidence = NAN;
                break;
        case 3:
                enr->topics[0].score = INFINITY;
                break;
        case 4:
                enr->entities[2].mentions[0].field = 7;
                break;
        case 5:
                enr->entities[0].mentions[1].cp_end = 0x80000000u;
                break;
        case 6:
                free(enr->entities[0].name);
                enr->entities[0].name = xstrdup("bad \xff name");
                break;
        }
}

ParameterizedTestParameters(codec_encode, rejects_bad_enrichment)
{
        static struct bad_enrichment params[] = {
            {"entity type out of range", 0},
            {"start after end", 1},
            {"NaN confidence", 2},
            {"infinite topic score", 3},
            {"mention field out of range", 4},
            {"offset past INT32_MAX", 5},
            {"name not UTF-8", 6},
        };
        return cr_make_param_array(struct bad_enrichment, params,
                                   sizeof(params) / sizeof(params[0]));
}

ParameterizedTest(struct bad_enrichment *p, codec_encode, rejects_bad_enrichment)
{
        struct ne_schema_table *tbl = test_table();
        for (int fmt = NE_FORMAT_AVRO; fmt <= NE_FORMAT_JSON; fmt++) {
                struct ne_encoder *enc = NULL;
                cr_assert_eq(ne_encoder_new(tbl, ID_ENRICHED, fmt, &enc, NULL), 0);
                struct ne_article *art = fixed_article();
                struct ne_enrichment *enr = fixed_enrichment();
                mutate(enr, p->mutation);
                struct ne_buf out = {0};
                cr_assert_eq(ne_buf_append_str(&out, "keep"), 0);
                struct ne_diag d;
                ne_diag_clear(&d);
                cr_assert_eq(ne_encode_enriched(enc, art, enr, NULL, 1, &out, &d), -EINVAL, "%s",
                             p->name);
                cr_assert_neq(d.msg[0], '\0');
                cr_assert_str_eq(out.data, "keep");
                ne_buf_release(&out);
                ne_article_free(art);
                ne_enrichment_free(enr);
                ne_encoder_free(enc);
        }
        ne_schema_table_free(tbl);
}

Test(codec_encode, refuses_schema_it_cannot_fill)
{
        struct ne_schema_table *tbl = test_table();
        struct ne_encoder *enc = NULL;
        struct ne_diag d;
        ne_diag_clear(&d);
        /* The input schema lacks entities, topics, ... */
        cr_assert_eq(ne_encoder_new(tbl, ID_PUBLISHED, NE_FORMAT_AVRO, &enc, &d), -EINVAL);
        cr_assert_neq(d.msg[0], '\0');
        cr_assert_eq(ne_encoder_new(tbl, 99, NE_FORMAT_AVRO, &enc, &d), -EINVAL);
        cr_assert_eq(ne_encoder_new(tbl, ID_ENRICHED, 5, &enc, &d), -EINVAL);
        cr_assert_null(enc);
        ne_encoder_free(NULL);
        ne_schema_table_free(tbl);
}

/* A compatible revision with reordered top-level fields still encodes, by name. */
Test(codec_encode, binds_reordered_revision_by_name)
{
        struct ne_buf schema = {0};
        read_file(SCHEMA("article_enriched.avsc"), &schema);
        cJSON *root = cJSON_Parse(schema.data);
        cJSON *fields = cJSON_GetObjectItem(root, "fields");
        cJSON *first = cJSON_DetachItemFromArray(fields, 0); /* id last */
        cJSON_AddItemToArray(fields, first);
        char *text = cJSON_PrintUnformatted(root);
        struct ne_schema_table *tbl = NULL;
        cr_assert_eq(ne_schema_table_new(&tbl), 0);
        cr_assert_eq(ne_schema_table_add_json(tbl, 9, text, NULL), 0);
        struct ne_encoder *enc = NULL;
        struct ne_diag d;
        ne_diag_clear(&d);
        cr_assert_eq(ne_encoder_new(tbl, 9, NE_FORMAT_AVRO, &enc, &d), 0, "%s", d.msg);
        struct ne_article *art = fixed_article();
        struct ne_enrichment *enr = fixed_enrichment();
        struct ne_buf out = {0};
        cr_assert_eq(ne_encode_enriched(enc, art, enr, NULL, 1, &out, NULL), 0);
        /* The decoder projects by name too, and the enriched event carries every article
         * field: reading the event back as an article is a round trip through avro-c. */
        struct ne_decoder_opts opts = {.max_bytes = 1 << 20, .max_depth = 32};
        struct ne_decoder *dec = NULL;
        cr_assert_eq(ne_decoder_new(tbl, &opts, &dec), 0);
        struct ne_article *back = NULL;
        enum ne_dlq_reason why = NE_DLQ_NONE;
        cr_assert_eq(ne_decode_article(dec, out.data, out.len, &back, &why, &d), 0, "%s", d.msg);
        cr_assert_str_eq(back->id, art->id);
        cr_assert_str_eq(back->body, art->body);
        cr_assert_str_eq(back->title, art->title);
        cr_assert_eq(back->published_at, art->published_at);
        cr_assert_eq(back->n_extra, 2);
        cr_assert_str_eq(back->extra[1].value, "zürich");
        ne_article_free(back);
        ne_decoder_free(dec);
        ne_buf_release(&out);
        ne_article_free(art);
        ne_enrichment_free(enr);
        ne_encoder_free(enc);
        ne_schema_table_free(tbl);
        free(text);
        cJSON_Delete(root);
        ne_buf_release(&schema);
}
