/* Decoder tests on good input: Avro fixtures written by python3-avro (current schema, a
 * reordered v2 writer with added fields, an old writer without url), JSON articles with
 * defaults, escapes and RFC 3339 timestamps, the schema table, and the reason codes. */
#include <errno.h>

#include "codec_testlib.h"

static struct ne_schema_table *tbl;
static struct ne_decoder *dec;

static void setup(void)
{
        tbl = test_table();
        struct ne_decoder_opts opts = {.max_bytes = 1 << 20, .max_depth = 32};
        cr_assert_eq(ne_decoder_new(tbl, &opts, &dec), 0);
}

static void teardown(void)
{
        ne_decoder_free(dec);
        ne_schema_table_free(tbl);
}

TestSuite(codec_decode, .init = setup, .fini = teardown);

static struct ne_article *decode_ok(const void *buf, size_t len)
{
        struct ne_article *art = NULL;
        enum ne_dlq_reason why = NE_DLQ_NONE;
        struct ne_diag d;
        int r = ne_decode_article(dec, buf, len, &art, &why, &d);
        cr_assert_eq(r, 0, "decode failed: %s: %s (offset %ld)", ne_dlq_reason_code(why), d.msg,
                     d.offset);
        cr_assert_not_null(art);
        return art;
}

static struct ne_article *decode_file(const char *path)
{
        struct ne_buf b = {0};
        read_file(path, &b);
        struct ne_article *art = decode_ok(b.data, b.len);
        ne_buf_release(&b);
        return art;
}

static struct ne_article *decode_str(const char *s)
{
        return decode_ok(s, strlen(s));
}

static void assert_fixed_text(const struct ne_article *art)
{
        cr_assert_str_eq(art->id, "art-1");
        cr_assert_str_eq(art->title, FX_TITLE);
        cr_assert_str_eq(art->body, FX_BODY);
        cr_assert_eq(art->body_len, strlen(FX_BODY));
        cr_assert_str_eq(art->source, "example-times");
}

Test(codec_decode, avro_current_schema)
{
        struct ne_article *art = decode_file(FIXTURE("article_v1.avro"));
        assert_fixed_text(art);
        cr_assert_str_eq(art->url, "https://example.com/a/1");
        cr_assert_eq(art->n_authors, 2);
        cr_assert_str_eq(art->authors[0], "Anna Müller");
        cr_assert_str_eq(art->authors[1], "Bob");
        cr_assert_str_eq(art->language, "en");
        cr_assert_eq(art->published_at, 1714564800250);
        cr_assert_eq(art->n_extra, 2);
        cr_assert_str_eq(art->extra[0].key, "section");
        cr_assert_str_eq(art->extra[0].value, "tech");
        cr_assert_str_eq(art->extra[1].key, "desk");
        cr_assert_str_eq(art->extra[1].value, "zürich");
        ne_article_free(art);
}

/* Fields reordered, two added (one a nested record), language ["string","null"] holding
 * null, source ["null","string"], published_at an int: all projected by name. */
Test(codec_decode, avro_v2_writer_projects_by_name)
{
        struct ne_article *art = decode_file(FIXTURE("article_v2.avro"));
        assert_fixed_text(art);
        cr_assert_str_eq(art->url, "https://example.com/a/1");
        cr_assert_null(art->language);
        cr_assert_eq(art->published_at, 1714564800);
        cr_assert_eq(art->n_authors, 2);
        cr_assert_eq(art->n_extra, 2);
        ne_article_free(art);
}

Test(codec_decode, avro_writer_without_url_gets_defaults)
{
        struct ne_article *art = decode_file(FIXTURE("article_no_url.avro"));
        assert_fixed_text(art);
        cr_assert_str_eq(art->url, "");
        cr_assert_eq(art->n_authors, 0);
        cr_assert_eq(art->n_extra, 0);
        cr_assert_str_eq(art->language, "en");
        ne_article_free(art);
}

Test(codec_decode, avro_int_id_is_bad_type)
{
        struct ne_buf b = {0};
        read_file(FIXTURE("article_int_id.avro"), &b);
        struct ne_article *art = NULL;
        enum ne_dlq_reason why = NE_DLQ_NONE;
        struct ne_diag d;
        cr_assert_eq(ne_decode_article(dec, b.data, b.len, &art, &why, &d), -EBADMSG);
        cr_assert_eq(why, NE_DLQ_BAD_TYPE);
        cr_assert_str_eq(d.key, "id");
        cr_assert_null(art);
        ne_buf_release(&b);
}

/* One decoder, many messages, several writer schemas interleaved: values are reused and
 * nothing from one message leaks into the next (ASan checks the memory side). */
Test(codec_decode, decoder_reuse_across_schemas)
{
        static const char *const files[] = {FIXTURE("article_v1.avro"), FIXTURE("article_v2.avro"),
                                            FIXTURE("article_no_url.avro")};
        struct ne_buf b[3] = {{0}};
        for (int i = 0; i < 3; i++)
                read_file(files[i], &b[i]);
        for (int round = 0; round < 100; round++) {
                int i = round % 3;
                struct ne_article *art = decode_ok(b[i].data, b[i].len);
                cr_assert_eq(art->n_extra, i == 2 ? 0u : 2u);
                cr_assert_str_eq(art->body, FX_BODY);
                ne_article_free(art);
        }
        for (int i = 0; i < 3; i++)
                ne_buf_release(&b[i]);
}

Test(codec_decode, json_full_article_with_escapes)
{
        struct ne_article *art = decode_str(
            "  \n{\"id\":\"j-1\",\"url\":\"https://x.test/\",\"source\":\"wire\","
            "\"title\":\"Z\\u00fcrich \\ud83d\\ude80\",\"body\":\"Line one.\\nLine \\\"two\\\" "
            "\\u65e5\\u672c.\",\"authors\":[\"A\",\"B\\u00e9\"],\"language\":\"de\","
            "\"published_at\":1700000000123,\"extra\":{\"k1\":\"v1\",\"k2\":\"\"},"
            "\"unknown\":{\"ignored\":[1,2,3]}}\n");
        cr_assert_str_eq(art->id, "j-1");
        cr_assert_str_eq(art->url, "https://x.test/");
        cr_assert_str_eq(art->title, "Zürich 🚀");
        cr_assert_str_eq(art->body, "Line one.\nLine \"two\" 日本.");
        cr_assert_eq(art->body_len, strlen("Line one.\nLine \"two\" 日本."));
        cr_assert_eq(art->n_authors, 2);
        cr_assert_str_eq(art->authors[1], "Bé");
        cr_assert_str_eq(art->language, "de");
        cr_assert_eq(art->published_at, 1700000000123);
        cr_assert_eq(art->n_extra, 2);
        cr_assert_str_eq(art->extra[1].key, "k2");
        cr_assert_str_eq(art->extra[1].value, "");
        ne_article_free(art);
}

Test(codec_decode, json_minimal_gets_defaults)
{
        struct ne_article *art =
            decode_str("{\"id\":\"m\",\"body\":\"b\",\"published_at\":0,\"language\":\"\"}");
        cr_assert_str_eq(art->url, "");
        cr_assert_str_eq(art->source, "");
        cr_assert_str_eq(art->title, "");
        cr_assert_eq(art->n_authors, 0);
        cr_assert_null(art->authors);
        cr_assert_null(art->language, "an empty language is no language");
        cr_assert_eq(art->n_extra, 0);
        cr_assert_eq(art->published_at, 0);
        ne_article_free(art);
}

Test(codec_decode, json_nulls_mean_defaults)
{
        struct ne_article *art = decode_str(
            "{\"id\":\"n\",\"body\":\"b\",\"published_at\":-5,\"url\":null,\"title\":null,"
            "\"authors\":null,\"language\":null,\"extra\":null}");
        cr_assert_str_eq(art->url, "");
        cr_assert_str_eq(art->title, "");
        cr_assert_null(art->language);
        cr_assert_eq(art->published_at, -5);
        ne_article_free(art);
}

/* Criterion runs each parameterized test in a fresh process, so parameters hold no pointers
 * into the binary: strings are stored inline. */
struct rfc3339_case {
        char text[40];
        int64_t ms;
};

ParameterizedTestParameters(codec_rfc3339, published_at_strings)
{
        static struct rfc3339_case params[] = {
            {"1970-01-01T00:00:00Z", 0},
            {"2024-05-01T12:00:00Z", 1714564800000},
            {"2024-05-01T12:00:00.25Z", 1714564800250},
            {"2024-05-01T12:00:00.123456Z", 1714564800123},
            {"2024-05-01T14:00:00+02:00", 1714564800000},
            {"2024-05-01t07:30:00-04:30", 1714564800000},
            {"2024-05-01 12:00:00z", 1714564800000},
            {"2024-02-29T00:00:00Z", 1709164800000},
            {"1969-12-31T23:59:59.999Z", -1},
            {"2000-01-01T00:00:00Z", 946684800000},
        };
        return cr_make_param_array(struct rfc3339_case, params, sizeof(params) / sizeof(params[0]));
}

/* Its own suite: the codec_decode init does not run for parameterized tests. */
ParameterizedTest(struct rfc3339_case *p, codec_rfc3339, published_at_strings)
{
        setup();
        char json[256];
        snprintf(json, sizeof(json), "{\"id\":\"t\",\"body\":\"b\",\"published_at\":\"%s\"}",
                 p->text);
        struct ne_article *art = NULL;
        enum ne_dlq_reason why = NE_DLQ_NONE;
        int r = ne_decode_article(dec, json, strlen(json), &art, &why, NULL);
        cr_assert_eq(r, 0, "%s", p->text);
        cr_assert_eq(art->published_at, p->ms, "%s: got %lld", p->text,
                     (long long)art->published_at);
        ne_article_free(art);
        teardown();
}

Test(codec_decode, rfc3339_rejects_bad_dates)
{
        static const char *const bad[] = {
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-04-31T00:00:00Z",
            "2024-05-01T24:00:00Z",
            "2024-05-01T12:00:00",
            "2024-05-01T12:00:00.Z",
            "2024-05-01",
            "2024-05-01T12:00:00+2:00",
            "",
            "2024-05-01T12:00:00+02:00Z",
            "2024-05-01T12:00:00Zjunk",
            "+2024-05-01T12:00:00Z",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char json[256];
                snprintf(json, sizeof(json),
                         "{\"id\":\"t\",\"body\":\"b\",\"published_at\":\"%s\"}", bad[i]);
                struct ne_article *art = NULL;
                enum ne_dlq_reason why = NE_DLQ_NONE;
                cr_assert_eq(ne_decode_article(dec, json, strlen(json), &art, &why, NULL), -EBADMSG,
                             "%s", bad[i]);
                cr_assert_eq(why, NE_DLQ_BAD_TYPE, "%s", bad[i]);
        }
}

Test(codec_decode, json_decodes_what_the_json_encoder_wrote)
{
        /* The enriched JSON event carries every article field under the same name. */
        struct ne_buf b = {0};
        read_file(FIXTURE("enriched_golden.json"), &b);
        struct ne_article *art = decode_ok(b.data, b.len);
        assert_fixed_text(art);
        cr_assert_eq(art->published_at, 1714564800250);
        cr_assert_eq(art->n_extra, 2);
        ne_article_free(art);
        ne_buf_release(&b);
}

Test(codec_reason, codes_are_stable)
{
        static const char *const want[NE_DLQ__COUNT] = {
            "none",     "empty",        "too_large",      "unknown_format",
            "bad_json", "bad_avro",     "unknown_schema", "missing_field",
            "bad_type", "invalid_utf8", "enrich_failed",
        };
        for (int i = 0; i < NE_DLQ__COUNT; i++)
                cr_assert_str_eq(ne_dlq_reason_code((enum ne_dlq_reason)i), want[i]);
        cr_assert_null(ne_dlq_reason_code(NE_DLQ__COUNT));
        cr_assert_null(ne_dlq_reason_code((enum ne_dlq_reason) - 1));
}

Test(codec_schema_table, errors)
{
        struct ne_schema_table *t = NULL;
        struct ne_diag d;
        ne_diag_clear(&d);
        cr_assert_eq(ne_schema_table_new(&t), 0);
        cr_assert_eq(ne_schema_table_add_json(t, 1, "{\"type\":\"nonsense\"}", &d), -EINVAL);
        cr_assert_neq(d.msg[0], '\0');
        cr_assert_eq(ne_schema_table_add_json(t, 1, "not json", &d), -EINVAL);
        cr_assert_eq(ne_schema_table_add_file(t, 1, "/nonexistent/x.avsc", &d), -ENOENT);
        cr_assert_not(ne_schema_table_has(t, 1));
        cr_assert_eq(ne_schema_table_add_file(t, 1, SCHEMA("article_published.avsc"), &d), 0);
        cr_assert(ne_schema_table_has(t, 1));
        cr_assert_eq(ne_schema_table_add_json(t, 1, "\"string\"", &d), -EEXIST);
        cr_assert_eq(ne_schema_table_add_json(t, -7, "\"string\"", &d), 0);
        cr_assert(ne_schema_table_has(t, -7));
        ne_schema_table_free(t);
        ne_schema_table_free(NULL);
        ne_decoder_free(NULL);
}

/* A table without the id, and a decoder on no table at all: unknown_schema, not a crash. */
Test(codec_schema_table, decoder_without_table)
{
        struct ne_decoder_opts opts = {.max_bytes = 1024, .max_depth = 8};
        struct ne_decoder *d0 = NULL;
        cr_assert_eq(ne_decoder_new(NULL, &opts, &d0), 0);
        struct ne_buf b = {0};
        read_file(FIXTURE("article_v1.avro"), &b);
        struct ne_article *art = NULL;
        enum ne_dlq_reason why = NE_DLQ_NONE;
        cr_assert_eq(ne_decode_article(d0, b.data, b.len, &art, &why, NULL), -EBADMSG);
        cr_assert_eq(why, NE_DLQ_UNKNOWN_SCHEMA);
        ne_buf_release(&b);
        ne_decoder_free(d0);
}

/* Zero options select the documented defaults instead of refusing everything. */
Test(codec_schema_table, zero_options_mean_defaults)
{
        struct ne_decoder_opts opts = {0};
        struct ne_decoder *d0 = NULL;
        cr_assert_eq(ne_decoder_new(NULL, &opts, &d0), 0);
        static const char ok[] = "{\"id\":\"z\",\"body\":\"b\",\"published_at\":1}";
        struct ne_article *art = NULL;
        enum ne_dlq_reason why = NE_DLQ_NONE;
        cr_assert_eq(ne_decode_article(d0, ok, strlen(ok), &art, &why, NULL), 0);
        ne_article_free(art);
        art = NULL;
        size_t big = NE_DECODER_DEFAULT_MAX_BYTES + 1;
        char *buf = malloc(big);
        cr_assert_not_null(buf);
        memset(buf, ' ', big);
        buf[0] = '{';
        cr_assert_eq(ne_decode_article(d0, buf, big, &art, &why, NULL), -EBADMSG);
        cr_assert_eq(why, NE_DLQ_TOO_LARGE);
        free(buf);
        ne_decoder_free(d0);
}

/* An escaped backslash followed by "u0000" is text, not a NUL escape; a valid surrogate pair
 * is one code point. */
Test(codec_decode, json_escape_scan_respects_escaped_backslash)
{
        struct ne_article *art =
            decode_str("{\"id\":\"e\",\"body\":\"a\\\\u0000b \\\\\\ud83d\\ude80\","
                       "\"published_at\":1}");
        cr_assert_str_eq(art->body, "a\\u0000b \\🚀");
        ne_article_free(art);
}
