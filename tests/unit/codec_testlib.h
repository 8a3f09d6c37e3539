/* Shared by the tests/unit/test_codec_*.c binaries (header-only, so the test glob does not
 * see it): fixture paths, file reading, a tiny Avro binary writer for hand-made payloads, and
 * the fixed article + enrichment that tests/python/make_fixtures.py also encodes. */
#ifndef NE_CODEC_TESTLIB_H
#define NE_CODEC_TESTLIB_H

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ne/buf.h"
#include "ne/codec.h"
#include "ne/utf8.h"

#define FIXTURE(name) NE_SOURCE_DIR "/tests/fixtures/codec/" name
#define SCHEMA(name) NE_SOURCE_DIR "/schemas/" name

/* Schema ids the tests register. */
enum {
        ID_PUBLISHED = 1,
        ID_V2 = 2,
        ID_NO_URL = 3,
        ID_INT_ID = 4,
        ID_NULLS = 5,
        ID_LIST = 6,
        ID_ENRICHED = 7,
};

static inline void read_file(const char *path, struct ne_buf *out)
{
        FILE *f = fopen(path, "rb");
        cr_assert_not_null(f, "cannot open %s", path);
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
                cr_assert_eq(ne_buf_append(out, chunk, n), 0);
        fclose(f);
}

/* A table with every schema the tests use. */
static inline struct ne_schema_table *test_table(void)
{
        struct ne_schema_table *tbl = NULL;
        cr_assert_eq(ne_schema_table_new(&tbl), 0);
        cr_assert_eq(
            ne_schema_table_add_file(tbl, ID_PUBLISHED, SCHEMA("article_published.avsc"), NULL), 0);
        cr_assert_eq(ne_schema_table_add_file(tbl, ID_V2, FIXTURE("article_v2.avsc"), NULL), 0);
        cr_assert_eq(ne_schema_table_add_file(tbl, ID_NO_URL, FIXTURE("article_no_url.avsc"), NULL),
                     0);
        cr_assert_eq(ne_schema_table_add_file(tbl, ID_INT_ID, FIXTURE("article_int_id.avsc"), NULL),
                     0);
        /* Writers with an array of nulls and a recursive list: the pre-validation's item
         * budget and depth bound. */
        cr_assert_eq(ne_schema_table_add_json(
                         tbl, ID_NULLS,
                         "{\"type\":\"record\",\"name\":\"N\",\"fields\":["
                         "{\"name\":\"id\",\"type\":\"string\"},"
                         "{\"name\":\"body\",\"type\":\"string\"},"
                         "{\"name\":\"published_at\",\"type\":\"long\"},"
                         "{\"name\":\"nulls\",\"type\":{\"type\":\"array\",\"items\":\"null\"}}]}",
                         NULL),
                     0);
        cr_assert_eq(
            ne_schema_table_add_json(tbl, ID_LIST,
                                     "{\"type\":\"record\",\"name\":\"L\",\"fields\":["
                                     "{\"name\":\"id\",\"type\":\"string\"},"
                                     "{\"name\":\"body\",\"type\":\"string\"},"
                                     "{\"name\":\"published_at\",\"type\":\"long\"},"
                                     "{\"name\":\"next\",\"type\":[\"null\",{\"type\":\"record\","
                                     "\"name\":\"Node\",\"fields\":[{\"name\":\"next\",\"type\":"
                                     "[\"null\",\"Node\"]}]}]}]}",
                                     NULL),
            0);
        cr_assert_eq(
            ne_schema_table_add_file(tbl, ID_ENRICHED, SCHEMA("article_enriched.avsc"), NULL), 0);
        return tbl;
}

/* Avro binary by hand. */
static inline void av_byte(struct ne_buf *b, unsigned char c)
{
        cr_assert_eq(ne_buf_append(b, &c, 1), 0);
}

static inline void av_long(struct ne_buf *b, int64_t v)
{
        uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
        while (u >= 0x80) {
                av_byte(b, (unsigned char)(u | 0x80));
                u >>= 7;
        }
        av_byte(b, (unsigned char)u);
}

static inline void av_bytes(struct ne_buf *b, const char *s, size_t len)
{
        av_long(b, (int64_t)len);
        cr_assert_eq(ne_buf_append(b, s, len), 0);
}

static inline void av_str(struct ne_buf *b, const char *s)
{
        av_bytes(b, s, strlen(s));
}

static inline void av_frame(struct ne_buf *b, int32_t id)
{
        av_byte(b, 0);
        av_byte(b, (unsigned char)((uint32_t)id >> 24));
        av_byte(b, (unsigned char)((uint32_t)id >> 16));
        av_byte(b, (unsigned char)((uint32_t)id >> 8));
        av_byte(b, (unsigned char)id);
}

/* The text of the fixed article; must equal TITLE and BODY in tests/python/make_fixtures.py. */
#define FX_TITLE "Zürich: Satya Nadella meets 日本 officials 🚀"
#define FX_BODY                                                                                    \
        "🚀 Launch day in Zürich. Microsoft's Satya Nadella spoke with officials from 日本 "  \
        "about AI.\nLater, Nadella said the café was \"crowded\"."

static inline char *xstrdup(const char *s)
{
        char *d = strdup(s);
        cr_assert_not_null(d);
        return d;
}

static inline struct ne_article *fixed_article(void)
{
        struct ne_article *art = ne_article_new();
        cr_assert_not_null(art);
        art->id = xstrdup("art-1");
        art->url = xstrdup("https://example.com/a/1");
        art->source = xstrdup("example-times");
        art->title = xstrdup(FX_TITLE);
        art->body = xstrdup(FX_BODY);
        art->body_len = strlen(FX_BODY);
        art->authors = calloc(2, sizeof(char *));
        art->authors[0] = xstrdup("Anna Müller");
        art->authors[1] = xstrdup("Bob");
        art->n_authors = 2;
        art->language = xstrdup("en");
        art->published_at = 1714564800250;
        art->extra = calloc(2, sizeof(struct ne_kv));
        art->extra[0].key = xstrdup("section");
        art->extra[0].value = xstrdup("tech");
        art->extra[1].key = xstrdup("desk");
        art->extra[1].value = xstrdup("zürich");
        art->n_extra = 2;
        return art;
}

/* Byte offset of code point `cp` in s. */
static inline uint32_t cp_to_byte(const char *s, uint32_t cp)
{
        size_t pos = 0, len = strlen(s);
        for (uint32_t i = 0; i < cp; i++)
                ne_utf8_next(s, len, &pos);
        return (uint32_t)pos;
}

static inline struct ne_mention fx_mention(enum ne_text_field field, uint32_t cp_start,
                                           uint32_t cp_end)
{
        const char *s = field == NE_FIELD_TITLE ? FX_TITLE : FX_BODY;
        struct ne_mention m = {
            .field = field,
            .start = cp_to_byte(s, cp_start),
            .end = cp_to_byte(s, cp_end),
            .cp_start = cp_start,
            .cp_end = cp_end,
            .confidence = 0.9f,
        };
        return m;
}

/* Code point offsets printed by make_fixtures.py (Python str.index on the same text). */
static inline struct ne_enrichment *fixed_enrichment(void)
{
        struct ne_enrichment *enr = ne_enrichment_new();
        cr_assert_not_null(enr);
        enr->entities = calloc(3, sizeof(struct ne_entity));
        enr->n_entities = 3;
        struct ne_entity *e = &enr->entities[0];
        e->type = NE_ENT_PER;
        e->name = xstrdup("Satya Nadella");
        e->mentions = calloc(3, sizeof(struct ne_mention));
        e->mentions[0] = fx_mention(NE_FIELD_TITLE, 8, 21);
        e->mentions[1] = fx_mention(NE_FIELD_BODY, 36, 49);
        e->mentions[2] = fx_mention(NE_FIELD_BODY, 96, 103);
        e->n_mentions = 3;
        e->confidence = 0.875f;
        e->salience = 0.75f;
        e = &enr->entities[1];
        e->type = NE_ENT_LOC;
        e->name = xstrdup("Zürich");
        e->mentions = calloc(2, sizeof(struct ne_mention));
        e->mentions[0] = fx_mention(NE_FIELD_TITLE, 0, 6);
        e->mentions[1] = fx_mention(NE_FIELD_BODY, 16, 22);
        e->n_mentions = 2;
        e->confidence = 0.5f;
        e->salience = 0.5f;
        e = &enr->entities[2];
        e->type = NE_ENT_LOC;
        e->name = xstrdup("日本");
        e->mentions = calloc(1, sizeof(struct ne_mention));
        e->mentions[0] = fx_mention(NE_FIELD_BODY, 76, 78);
        e->n_mentions = 1;
        e->confidence = 0.625f;
        e->salience = 0.25f;
        enr->topics = calloc(2, sizeof(struct ne_topic));
        enr->n_topics = 2;
        enr->topics[0].code = xstrdup("medtop:13000000");
        enr->topics[0].label = xstrdup("science and technology");
        enr->topics[0].score = 0.625f;
        enr->topics[1].code = xstrdup("medtop:04000000");
        enr->topics[1].label = xstrdup("economy, business and finance");
        enr->topics[1].score = 0.25f;
        enr->ner_model_version = xstrdup("ner-test-1");
        enr->topic_model_version = xstrdup("topics-test-1");
        return enr;
}

#define FX_PROCESSED_AT 1714564900000

#endif
