/* The malformed-input table: every payload here must be refused with the expected dead-letter
 * reason (and, where it is known, the byte offset) without crashing, leaking or allocating
 * what the payload claims. Avro cases are written by hand with the schema ids of
 * codec_testlib.h (1 = schemas/article_published.avsc). */
#include <errno.h>

#include "codec_testlib.h"

#define MAX_BYTES 4096
#define MAX_DEPTH 16
#define ANY_OFFSET (-2L)

/* The fields of article_published.avsc in order, up to and including title. */
static void av_head(struct ne_buf *b)
{
        av_frame(b, ID_PUBLISHED);
        av_str(b, "a-1"); /* id at byte 5 */
        av_str(b, "");    /* url at 9 */
        av_str(b, "");    /* source at 10 */
        av_str(b, "T");   /* title at 11 */
}

/* authors, language, published_at, extra after the body. */
static void av_tail(struct ne_buf *b)
{
        av_long(b, 0); /* authors: empty array */
        av_long(b, 0); /* language: null branch */
        av_long(b, 1714564800000);
        av_long(b, 0); /* extra: empty map */
}

static void b_avro_good(struct ne_buf *b)
{
        av_head(b);
        av_str(b, "Body.");
        av_tail(b);
}

static void b_truncated(struct ne_buf *b)
{
        av_head(b);
        av_long(b, 10); /* body length at byte 13 */
        cr_assert_eq(ne_buf_append(b, "abc", 3), 0);
}

static void b_truncated_tail(struct ne_buf *b)
{
        b_avro_good(b);
        b->len -= 2; /* cut inside published_at */
}

static void b_gigabyte_string(struct ne_buf *b)
{
        av_head(b);
        av_long(b, 4000000000LL);
        cr_assert_eq(ne_buf_append(b, "abc", 3), 0);
}

static void b_negative_length(struct ne_buf *b)
{
        av_head(b);
        av_long(b, -5);
        cr_assert_eq(ne_buf_append(b, "abcde", 5), 0);
}

static void b_varint_overlong(struct ne_buf *b)
{
        av_head(b);
        for (int i = 0; i < 11; i++)
                av_byte(b, 0xff);
        av_byte(b, 0x01);
}

static void b_varint_truncated(struct ne_buf *b)
{
        av_head(b);
        av_byte(b, 0x80);
}

static void b_union_out_of_range(struct ne_buf *b)
{
        av_head(b);
        av_str(b, "Body.");
        av_long(b, 0);
        av_long(b, 5); /* language: branch 5 of 2 */
        av_long(b, 0);
        av_long(b, 0);
}

static void b_union_negative(struct ne_buf *b)
{
        av_head(b);
        av_str(b, "Body.");
        av_long(b, 0);
        av_long(b, -1);
        av_long(b, 0);
        av_long(b, 0);
}

static void b_array_huge_count(struct ne_buf *b)
{
        av_head(b);
        av_str(b, "Body.");
        av_long(b, 1LL << 40); /* authors: a trillion strings, three bytes follow */
        av_str(b, "x");
}

static void b_array_int64_min(struct ne_buf *b)
{
        av_head(b);
        av_str(b, "Body.");
        av_long(b, INT64_MIN);
        av_long(b, 0);
}

static void b_map_negative_block_bad_size(struct ne_buf *b)
{
        av_head(b);
        av_str(b, "Body.");
        av_long(b, 0);
        av_long(b, 0);
        av_long(b, 1);
        av_long(b, -1);      /* extra: one entry, block byte size follows */
        av_long(b, 1 << 20); /* ... claiming a megabyte */
        av_str(b, "k");
        av_str(b, "v");
        av_long(b, 0);
}

static void b_trailing_bytes(struct ne_buf *b)
{
        b_avro_good(b);
        av_byte(b, 0);
}

static void b_avro_bad_utf8(struct ne_buf *b)
{
        av_head(b);
        av_bytes(b, "ab\xc3\x28", 4); /* length at 13, text at 14: the bad byte is at 16 */
        av_tail(b);
}

static void b_avro_nul(struct ne_buf *b)
{
        av_head(b);
        av_bytes(b, "ab\0cd", 5);
        av_tail(b);
}

static void b_avro_bad_utf8_in_extra_key(struct ne_buf *b)
{
        av_head(b);
        av_str(b, "Body.");
        av_long(b, 0);
        av_long(b, 0);
        av_long(b, 1);
        av_long(b, 1);
        av_bytes(b, "\xff", 1);
        av_str(b, "v");
        av_long(b, 0);
}

static void b_unknown_schema(struct ne_buf *b)
{
        b_avro_good(b);
        b->data[4] = 99;
}

static void b_wrong_magic(struct ne_buf *b)
{
        b_avro_good(b);
        b->data[0] = 0x01;
}

static void b_header_only(struct ne_buf *b)
{
        av_frame(b, ID_PUBLISHED);
}

static void b_short_frame(struct ne_buf *b)
{
        av_byte(b, 0);
        av_byte(b, 0);
        av_byte(b, 0);
}

static void b_avro_empty_id(struct ne_buf *b)
{
        av_frame(b, ID_PUBLISHED);
        av_str(b, "");
        av_str(b, "");
        av_str(b, "");
        av_str(b, "T");
        av_str(b, "Body.");
        av_tail(b);
}

static void b_avro_empty_body(struct ne_buf *b)
{
        av_head(b);
        av_str(b, "");
        av_tail(b);
}

static void b_avro_int_id(struct ne_buf *b)
{
        read_file(FIXTURE("article_int_id.avro"), b);
}

static void b_zero_size_items(struct ne_buf *b)
{
        av_frame(b, ID_NULLS);
        av_str(b, "n");
        av_str(b, "b");
        av_long(b, 0);
        av_long(b, 1LL << 40); /* a trillion nulls in zero bytes */
        av_long(b, 0);
}

static void b_deep_list(struct ne_buf *b)
{
        av_frame(b, ID_LIST);
        av_str(b, "n");
        av_str(b, "b");
        av_long(b, 0);
        for (int i = 0; i < 200; i++)
                av_long(b, 1); /* next: the Node branch, again and again */
        av_long(b, 0);
}

static void b_too_large(struct ne_buf *b)
{
        cr_assert_eq(ne_buf_append_str(b, "{\"id\":\"x\",\"body\":\""), 0);
        for (int i = 0; i < MAX_BYTES; i++)
                cr_assert_eq(ne_buf_append(b, "a", 1), 0);
        cr_assert_eq(ne_buf_append_str(b, "\",\"published_at\":1}"), 0);
}

static void b_deep_json(struct ne_buf *b)
{
        cr_assert_eq(ne_buf_append_str(b, "{\"id\":\"x\",\"body\":\"y\",\"published_at\":1,\"z\":"),
                     0);
        for (int i = 0; i < 100; i++)
                cr_assert_eq(ne_buf_append(b, "[", 1), 0);
        for (int i = 0; i < 100; i++)
                cr_assert_eq(ne_buf_append(b, "]", 1), 0);
        cr_assert_eq(ne_buf_append(b, "}", 1), 0);
}

#define GOOD_TAIL "\"published_at\":1714564800000}"

struct bad_case {
        const char *name;
        const char *text; /* JSON-ish payload, or NULL when build is set */
        size_t text_len;  /* 0: strlen(text) */
        void (*build)(struct ne_buf *b);
        enum ne_dlq_reason reason;
        long offset;     /* expected diag offset, ANY_OFFSET when not checked */
        const char *key; /* expected diag key, NULL when not checked */
};

/* One case per line; the formatter would spread each over several. */
/* clang-format off */
#define T(name, text, reason, offset) {name, text, 0, NULL, reason, offset, NULL}
#define TK(name, text, reason, key) {name, text, 0, NULL, reason, ANY_OFFSET, key}
#define TL(name, text, reason, offset) {name, text, sizeof(text) - 1, NULL, reason, offset, NULL}
#define B(name, fn, reason, offset) {name, NULL, 0, fn, reason, offset, NULL}
#define BK(name, fn, reason, key) {name, NULL, 0, fn, reason, ANY_OFFSET, key}

static const struct bad_case cases[] = {
        /* framing */
        T("empty message", "", NE_DLQ_EMPTY, ANY_OFFSET),
        B("over max_bytes", b_too_large, NE_DLQ_TOO_LARGE, ANY_OFFSET),
        B("wrong magic byte", b_wrong_magic, NE_DLQ_UNKNOWN_FORMAT, 0),
        B("zero byte but shorter than a frame", b_short_frame, NE_DLQ_UNKNOWN_FORMAT, ANY_OFFSET),
        B("unknown schema id", b_unknown_schema, NE_DLQ_UNKNOWN_SCHEMA, 1),
        T("plain text", "hello world", NE_DLQ_UNKNOWN_FORMAT, 0),
        T("whitespace only", " \n\t ", NE_DLQ_UNKNOWN_FORMAT, ANY_OFFSET),
        T("JSON array instead of object", "[{\"id\":\"a\",\"body\":\"b\"}]", NE_DLQ_UNKNOWN_FORMAT,
          0),
        T("JSON string instead of object", "  \"just a string\"", NE_DLQ_UNKNOWN_FORMAT, 2),
        /* Avro structure */
        B("frame header only", b_header_only, NE_DLQ_BAD_AVRO, 5),
        B("truncated string", b_truncated, NE_DLQ_BAD_AVRO, 13),
        B("truncated inside a long", b_truncated_tail, NE_DLQ_BAD_AVRO, ANY_OFFSET),
        B("string length claiming gigabytes", b_gigabyte_string, NE_DLQ_BAD_AVRO, 13),
        B("negative string length", b_negative_length, NE_DLQ_BAD_AVRO, 13),
        B("varint longer than 10 bytes", b_varint_overlong, NE_DLQ_BAD_AVRO, 13),
        B("truncated varint", b_varint_truncated, NE_DLQ_BAD_AVRO, 13),
        B("union branch out of range", b_union_out_of_range, NE_DLQ_BAD_AVRO, 20),
        B("negative union branch", b_union_negative, NE_DLQ_BAD_AVRO, 20),
        B("array count of a trillion", b_array_huge_count, NE_DLQ_BAD_AVRO, ANY_OFFSET),
        B("array block count INT64_MIN", b_array_int64_min, NE_DLQ_BAD_AVRO, 19),
        B("map block byte size past the end", b_map_negative_block_bad_size, NE_DLQ_BAD_AVRO,
          ANY_OFFSET),
        B("trailing bytes after the record", b_trailing_bytes, NE_DLQ_BAD_AVRO, ANY_OFFSET),
        B("a trillion zero-size items", b_zero_size_items, NE_DLQ_BAD_AVRO, ANY_OFFSET),
        B("recursive record nested 200 deep", b_deep_list, NE_DLQ_BAD_AVRO, ANY_OFFSET),
        /* Avro content */
        B("invalid UTF-8 in an Avro string", b_avro_bad_utf8, NE_DLQ_INVALID_UTF8, 16),
        B("NUL in an Avro string", b_avro_nul, NE_DLQ_INVALID_UTF8, 16),
        B("invalid UTF-8 in an Avro map key", b_avro_bad_utf8_in_extra_key, NE_DLQ_INVALID_UTF8,
          ANY_OFFSET),
        BK("empty id in Avro", b_avro_empty_id, NE_DLQ_MISSING_FIELD, "id"),
        BK("empty body in Avro", b_avro_empty_body, NE_DLQ_MISSING_FIELD, "body"),
        BK("writer schema with an int id", b_avro_int_id, NE_DLQ_BAD_TYPE, "id"),
        /* JSON syntax and encoding */
        T("JSON syntax error", "{\"id\":\"a\",\"body\": }", NE_DLQ_BAD_JSON, 18),
        T("JSON truncated", "{\"id\":\"a\",\"body\":\"b", NE_DLQ_BAD_JSON, ANY_OFFSET),
        T("trailing garbage after the object",
          "{\"id\":\"a\",\"body\":\"b\"," GOOD_TAIL " x", NE_DLQ_BAD_JSON, 51),
        T("two objects", "{\"id\":\"a\",\"body\":\"b\"," GOOD_TAIL "{}", NE_DLQ_BAD_JSON, 50),
        B("JSON nested 100 deep", b_deep_json, NE_DLQ_BAD_JSON, ANY_OFFSET),
        T("invalid UTF-8 in JSON", "{\"id\":\"a\",\"body\":\"caf\xe9\"," GOOD_TAIL,
          NE_DLQ_INVALID_UTF8, 21),
        T("overlong UTF-8 in JSON", "{\"id\":\"a\",\"body\":\"\xc0\xaf\"," GOOD_TAIL,
          NE_DLQ_INVALID_UTF8, 18),
        T("UTF-8 encoded surrogate in JSON", "{\"id\":\"a\",\"body\":\"\xed\xa0\x80\"," GOOD_TAIL,
          NE_DLQ_INVALID_UTF8, 18),
        TL("raw NUL byte in JSON", "{\"id\":\"a\",\"body\":\"a\0b\"," GOOD_TAIL,
           NE_DLQ_INVALID_UTF8, 19),
        T("\\u0000 escape in JSON", "{\"id\":\"a\",\"body\":\"a\\u0000b\"," GOOD_TAIL,
          NE_DLQ_INVALID_UTF8, 19),
        T("lone high surrogate escape", "{\"id\":\"a\",\"body\":\"\\ud83d!\"," GOOD_TAIL,
          NE_DLQ_INVALID_UTF8, 18),
        T("lone low surrogate escape", "{\"id\":\"a\",\"body\":\"\\ude80\"," GOOD_TAIL,
          NE_DLQ_INVALID_UTF8, 18),
        TK("duplicate key", "{\"id\":\"a\",\"body\":\"b\",\"id\":\"c\"," GOOD_TAIL, NE_DLQ_BAD_JSON,
           "id"),
        TK("duplicate key in extra",
           "{\"id\":\"a\",\"body\":\"b\",\"extra\":{\"k\":\"1\",\"k\":\"2\"}," GOOD_TAIL,
           NE_DLQ_BAD_JSON, "extra"),
        /* JSON content */
        TK("missing id", "{\"body\":\"b\"," GOOD_TAIL, NE_DLQ_MISSING_FIELD, "id"),
        TK("null id", "{\"id\":null,\"body\":\"b\"," GOOD_TAIL, NE_DLQ_MISSING_FIELD, "id"),
        TK("empty body", "{\"id\":\"a\",\"body\":\"\"," GOOD_TAIL, NE_DLQ_MISSING_FIELD, "body"),
        TK("missing body", "{\"id\":\"a\"," GOOD_TAIL, NE_DLQ_MISSING_FIELD, "body"),
        TK("missing published_at", "{\"id\":\"a\",\"body\":\"b\"}", NE_DLQ_MISSING_FIELD,
           "published_at"),
        TK("id is a number", "{\"id\":42,\"body\":\"b\"," GOOD_TAIL, NE_DLQ_BAD_TYPE, "id"),
        TK("body is an object", "{\"id\":\"a\",\"body\":{}," GOOD_TAIL, NE_DLQ_BAD_TYPE, "body"),
        TK("authors is a string", "{\"id\":\"a\",\"body\":\"b\",\"authors\":\"x\"," GOOD_TAIL,
           NE_DLQ_BAD_TYPE, "authors"),
        TK("authors holds a number", "{\"id\":\"a\",\"body\":\"b\",\"authors\":[\"x\",1]," GOOD_TAIL,
           NE_DLQ_BAD_TYPE, "authors"),
        TK("extra value is a number", "{\"id\":\"a\",\"body\":\"b\",\"extra\":{\"k\":1}," GOOD_TAIL,
           NE_DLQ_BAD_TYPE, "extra"),
        TK("extra is an array", "{\"id\":\"a\",\"body\":\"b\",\"extra\":[]," GOOD_TAIL,
           NE_DLQ_BAD_TYPE, "extra"),
        TK("published_at is a boolean", "{\"id\":\"a\",\"body\":\"b\",\"published_at\":true}",
           NE_DLQ_BAD_TYPE, "published_at"),
        TK("published_at has a fraction", "{\"id\":\"a\",\"body\":\"b\",\"published_at\":1.5}",
           NE_DLQ_BAD_TYPE, "published_at"),
        TK("published_at beyond 2^53", "{\"id\":\"a\",\"body\":\"b\",\"published_at\":1e300}",
           NE_DLQ_BAD_TYPE, "published_at"),
        TK("published_at not a date", "{\"id\":\"a\",\"body\":\"b\",\"published_at\":\"yesterday\"}",
           NE_DLQ_BAD_TYPE, "published_at"),
        TK("language is a number", "{\"id\":\"a\",\"body\":\"b\",\"language\":7," GOOD_TAIL,
           NE_DLQ_BAD_TYPE, "language"),
};

/* clang-format on */

#define N_CASES (sizeof(cases) / sizeof(cases[0]))

/* Criterion runs each parameterized test in a fresh process: the parameter is an index into
 * `cases`, never a pointer. */
ParameterizedTestParameters(codec_malformed, refused_with_reason)
{
        static int idx[N_CASES];
        for (size_t i = 0; i < N_CASES; i++)
                idx[i] = (int)i;
        return cr_make_param_array(int, idx, N_CASES);
}

ParameterizedTest(int *i, codec_malformed, refused_with_reason)
{
        const struct bad_case *c = &cases[*i];
        struct ne_schema_table *tbl = test_table();
        struct ne_decoder_opts opts = {.max_bytes = MAX_BYTES, .max_depth = MAX_DEPTH};
        struct ne_decoder *dec = NULL;
        cr_assert_eq(ne_decoder_new(tbl, &opts, &dec), 0);
        struct ne_buf b = {0};
        if (c->build)
                c->build(&b);
        else
                cr_assert_eq(
                    ne_buf_append(&b, c->text, c->text_len ? c->text_len : strlen(c->text)), 0);

        struct ne_article *art = NULL;
        enum ne_dlq_reason why = NE_DLQ_NONE;
        struct ne_diag d;
        int r = ne_decode_article(dec, b.data ? b.data : "", b.len, &art, &why, &d);
        cr_assert_eq(r, -EBADMSG, "%s: returned %d", c->name, r);
        cr_assert_null(art, "%s", c->name);
        cr_assert_eq(why, c->reason, "%s: reason %s, want %s (%s)", c->name,
                     ne_dlq_reason_code(why), ne_dlq_reason_code(c->reason), d.msg);
        cr_assert_neq(d.msg[0], '\0', "%s: no diag message", c->name);
        if (c->offset != ANY_OFFSET)
                cr_assert_eq(d.offset, c->offset, "%s: offset %ld, want %ld (%s)", c->name,
                             d.offset, c->offset, d.msg);
        if (c->key)
                cr_assert_str_eq(d.key, c->key, "%s: key '%s' (%s)", c->name, d.key, d.msg);

        /* The decoder stays usable after a refusal. */
        struct ne_buf good = {0};
        b_avro_good(&good);
        cr_assert_eq(ne_decode_article(dec, good.data, good.len, &art, &why, &d), 0, "%s: %s",
                     c->name, d.msg);
        ne_article_free(art);
        ne_buf_release(&good);
        ne_buf_release(&b);
        ne_decoder_free(dec);
        ne_schema_table_free(tbl);
}

Test(codec_malformed, table_is_large_enough)
{
        cr_assert_geq(N_CASES, 25);
}

/* Every prefix of a good Avro message is refused as bad_avro (never crashes, never leaks:
 * avro-c leaks on truncated strings, which the pre-validation keeps it from seeing). */
Test(codec_malformed, every_truncation_of_good_avro)
{
        struct ne_schema_table *tbl = test_table();
        struct ne_decoder_opts opts = {.max_bytes = MAX_BYTES, .max_depth = MAX_DEPTH};
        struct ne_decoder *dec = NULL;
        cr_assert_eq(ne_decoder_new(tbl, &opts, &dec), 0);
        struct ne_buf b = {0};
        read_file(FIXTURE("article_v1.avro"), &b);
        for (size_t len = 5; len < b.len; len++) {
                struct ne_article *art = NULL;
                enum ne_dlq_reason why = NE_DLQ_NONE;
                cr_assert_eq(ne_decode_article(dec, b.data, len, &art, &why, NULL), -EBADMSG,
                             "prefix %zu", len);
                cr_assert_eq(why, NE_DLQ_BAD_AVRO, "prefix %zu: %s", len, ne_dlq_reason_code(why));
        }
        ne_buf_release(&b);
        ne_decoder_free(dec);
        ne_schema_table_free(tbl);
}

/* Every single-byte corruption of a good message decodes or is refused; nothing else. */
Test(codec_malformed, every_byte_flip_of_good_avro)
{
        struct ne_schema_table *tbl = test_table();
        struct ne_decoder_opts opts = {.max_bytes = MAX_BYTES, .max_depth = MAX_DEPTH};
        struct ne_decoder *dec = NULL;
        cr_assert_eq(ne_decoder_new(tbl, &opts, &dec), 0);
        struct ne_buf b = {0};
        read_file(FIXTURE("article_v1.avro"), &b);
        static const unsigned char values[] = {0x00, 0x01, 0x7f, 0x80, 0xff};
        for (size_t pos = 1; pos < b.len; pos++) {
                unsigned char saved = (unsigned char)b.data[pos];
                for (size_t v = 0; v < sizeof(values); v++) {
                        b.data[pos] = (char)values[v];
                        struct ne_article *art = NULL;
                        enum ne_dlq_reason why = NE_DLQ_NONE;
                        int r = ne_decode_article(dec, b.data, b.len, &art, &why, NULL);
                        cr_assert(r == 0 || r == -EBADMSG, "pos %zu: %d", pos, r);
                        ne_article_free(art);
                }
                b.data[pos] = (char)saved;
        }
        ne_buf_release(&b);
        ne_decoder_free(dec);
        ne_schema_table_free(tbl);
}

/* published_at past 2^53 ms is refused in Avro as in JSON, so every decoded article can be
 * re-read from the JSON the encoder writes for it. */
Test(codec_malformed, avro_published_at_out_of_range)
{
        struct ne_schema_table *tbl = test_table();
        struct ne_decoder_opts opts = {.max_bytes = MAX_BYTES, .max_depth = MAX_DEPTH};
        struct ne_decoder *dec = NULL;
        cr_assert_eq(ne_decoder_new(tbl, &opts, &dec), 0);
        struct ne_buf b = {0};
        av_head(&b);
        av_str(&b, "Body.");
        av_long(&b, 0);
        av_long(&b, 0);
        av_long(&b, INT64_C(9007199254740992));
        av_long(&b, 0);
        struct ne_article *art = NULL;
        enum ne_dlq_reason why = NE_DLQ_NONE;
        struct ne_diag d;
        cr_assert_eq(ne_decode_article(dec, b.data, b.len, &art, &why, &d), -EBADMSG);
        cr_assert_eq(why, NE_DLQ_BAD_TYPE);
        cr_assert_str_eq(d.key, "published_at");
        ne_buf_release(&b);
        ne_decoder_free(dec);
        ne_schema_table_free(tbl);
}

/* The detail says what went wrong, not only where: a truncated JSON message, a frame cut
 * inside its header, a payload of blanks. */
static void expect_detail(const char *payload, size_t len, enum ne_dlq_reason reason,
                          const char *want, long offset)
{
        struct ne_decoder_opts opts = {.max_bytes = MAX_BYTES, .max_depth = MAX_DEPTH};
        struct ne_decoder *dec = NULL;
        cr_assert_eq(ne_decoder_new(NULL, &opts, &dec), 0);
        struct ne_article *art = NULL;
        enum ne_dlq_reason why = NE_DLQ_NONE;
        struct ne_diag d;
        cr_assert_eq(ne_decode_article(dec, payload, len, &art, &why, &d), -EBADMSG);
        cr_assert_eq(why, reason, "%s: got %s", want, ne_dlq_reason_code(why));
        cr_assert_str_eq(d.msg, want);
        cr_assert_eq(d.offset, offset, "%s: offset %ld", want, d.offset);
        ne_decoder_free(dec);
}

Test(codec_malformed, precise_details)
{
        const char *t = "{\"id\":\"x\",\"body\":";
        expect_detail(t, strlen(t), NE_DLQ_BAD_JSON,
                      "JSON: truncated: input ends at byte 17 with 1 object(s) or array(s) open",
                      17);
        t = "{\"id\":\"x\",\"body\":[\"ab\", \n";
        expect_detail(t, strlen(t), NE_DLQ_BAD_JSON,
                      "JSON: truncated: input ends at byte 25 with 2 object(s) or array(s) open",
                      25);
        t = "{\"id\":\"x\",\"body\":\"cut here";
        expect_detail(t, strlen(t), NE_DLQ_BAD_JSON,
                      "JSON: truncated: input ends inside a string at byte 26", 26);
        /* An error before the end is cJSON's, even when the input also ends in a string. */
        t = "{'id':\"x";
        expect_detail(t, strlen(t), NE_DLQ_BAD_JSON, "JSON: syntax error at byte 2", 2);
        /* A bracket that does not match is no truncation. */
        t = "{\"id\":[1,2}";
        expect_detail(t, strlen(t), NE_DLQ_BAD_JSON, "JSON: syntax error at byte 10", 10);
        expect_detail("\0\0\0", 3, NE_DLQ_UNKNOWN_FORMAT,
                      "magic byte 0 but only 3 of the 5 bytes of a Confluent header", 0);
        expect_detail(" \n\t ", 4, NE_DLQ_UNKNOWN_FORMAT,
                      "only whitespace (4 bytes), no JSON object", 0);
}
