/* The enriched event as one JSON object, with the content and field names of the Avro event
 * (schemas/article_enriched.avsc): enum symbols as strings, timestamps as epoch milliseconds,
 * lineage null or an object, floats in their shortest round-trip form. Written by hand into
 * the caller's buffer, so the output order is the schema's and nothing is allocated once the
 * buffer has grown. Never logs. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_internal.h"

static const char *const field_symbols[] = {[NE_FIELD_TITLE] = "TITLE", [NE_FIELD_BODY] = "BODY"};

/* A JSON string literal: quotes, backslashes and control characters escaped, everything else
 * (valid UTF-8 by the article's and enrichment's contracts) copied. */
static int put_string(struct ne_buf *out, const char *s)
{
        int r = ne_buf_append(out, "\"", 1);
        const char *run = s;
        for (const char *p = s; r == 0 && *p; p++) {
                unsigned char c = (unsigned char)*p;
                if (c >= 0x20 && c != '"' && c != '\\')
                        continue;
                r = ne_buf_append(out, run, (size_t)(p - run));
                if (r < 0)
                        break;
                switch (c) {
                case '"':
                        r = ne_buf_append(out, "\\\"", 2);
                        break;
                case '\\':
                        r = ne_buf_append(out, "\\\\", 2);
                        break;
                case '\n':
                        r = ne_buf_append(out, "\\n", 2);
                        break;
                case '\r':
                        r = ne_buf_append(out, "\\r", 2);
                        break;
                case '\t':
                        r = ne_buf_append(out, "\\t", 2);
                        break;
                default:
                        r = ne_buf_appendf(out, "\\u%04x", c);
                }
                run = p + 1;
        }
        if (r == 0)
                r = ne_buf_append_str(out, run);
        if (r == 0)
                r = ne_buf_append(out, "\"", 1);
        return r;
}

/* The shortest decimal that reads back as the same float, so JSON and Avro carry one value. */
static int put_float(struct ne_buf *out, float v)
{
        char tmp[32];
        for (int prec = 1; prec <= 9; prec++) {
                snprintf(tmp, sizeof(tmp), "%.*g", prec, (double)v);
                if (strtof(tmp, NULL) == v)
                        break;
        }
        return ne_buf_append_str(out, tmp);
}

static int put_key(struct ne_buf *out, const char *key, bool first)
{
        int r = first ? 0 : ne_buf_append(out, ",", 1);
        if (r == 0)
                r = put_string(out, key);
        if (r == 0)
                r = ne_buf_append(out, ":", 1);
        return r;
}

static int put_key_string(struct ne_buf *out, const char *key, const char *value, bool first)
{
        int r = put_key(out, key, first);
        return r ? r : put_string(out, value);
}

static int put_entity(struct ne_buf *out, const struct ne_entity *ent)
{
        int r = ne_buf_append_str(out, "{");
        if (r == 0)
                r = put_key_string(out, "type", ne_entity_type_name(ent->type), true);
        if (r == 0)
                r = put_key_string(out, "name", ent->name, false);
        if (r == 0)
                r = put_key(out, "mentions", false);
        if (r == 0)
                r = ne_buf_append_str(out, "[");
        for (size_t i = 0; r == 0 && i < ent->n_mentions; i++) {
                const struct ne_mention *m = &ent->mentions[i];
                r = ne_buf_appendf(out,
                                   "%s{\"field\":\"%s\",\"start\":%" PRIu32 ",\"end\":%" PRIu32 "}",
                                   i ? "," : "", field_symbols[m->field], m->cp_start, m->cp_end);
        }
        if (r == 0)
                r = ne_buf_appendf(out, "],\"mention_count\":%zu,\"confidence\":", ent->n_mentions);
        if (r == 0)
                r = put_float(out, ent->confidence);
        if (r == 0)
                r = ne_buf_append_str(out, ",\"salience\":");
        if (r == 0)
                r = put_float(out, ent->salience);
        if (r == 0)
                r = ne_buf_append_str(out, "}");
        return r;
}

static int put_topic(struct ne_buf *out, const struct ne_topic *t)
{
        int r = ne_buf_append_str(out, "{");
        if (r == 0)
                r = put_key_string(out, "code", t->code, true);
        if (r == 0)
                r = put_key_string(out, "label", t->label, false);
        if (r == 0)
                r = ne_buf_append_str(out, ",\"score\":");
        if (r == 0)
                r = put_float(out, t->score);
        if (r == 0)
                r = ne_buf_append_str(out, "}");
        return r;
}

static int put_article_fields(struct ne_buf *out, const struct ne_article *art)
{
        int r = put_key_string(out, "id", art->id, true);
        if (r == 0)
                r = put_key_string(out, "url", art->url ? art->url : "", false);
        if (r == 0)
                r = put_key_string(out, "source", art->source ? art->source : "", false);
        if (r == 0)
                r = put_key_string(out, "title", art->title ? art->title : "", false);
        if (r == 0)
                r = put_key_string(out, "body", art->body, false);
        if (r == 0)
                r = ne_buf_append_str(out, ",\"authors\":[");
        for (size_t i = 0; r == 0 && i < art->n_authors; i++) {
                if (i)
                        r = ne_buf_append(out, ",", 1);
                if (r == 0)
                        r = put_string(out, art->authors[i]);
        }
        if (r == 0)
                r = ne_buf_appendf(out, "],\"published_at\":%" PRId64, art->published_at);
        return r;
}

int ne_json_encode(const struct ne_article *art, const struct ne_enrichment *enr,
                   const struct ne_lineage *lin, int64_t processed_at_ms, struct ne_buf *out,
                   struct ne_diag *diag)
{
        (void)diag;
        const char *lang = ne_enriched_language(art, enr);
        int r = ne_buf_append_str(out, "{");
        if (r == 0)
                r = put_article_fields(out, art);
        if (r == 0)
                r = put_key(out, "language", false);
        if (r == 0)
                r = lang ? put_string(out, lang) : ne_buf_append_str(out, "null");
        if (r == 0)
                r = ne_buf_append_str(out, ",\"entities\":[");
        for (size_t i = 0; r == 0 && i < enr->n_entities; i++) {
                if (i)
                        r = ne_buf_append(out, ",", 1);
                if (r == 0)
                        r = put_entity(out, &enr->entities[i]);
        }
        if (r == 0)
                r = ne_buf_append_str(out, "],\"topics\":[");
        for (size_t i = 0; r == 0 && i < enr->n_topics; i++) {
                if (i)
                        r = ne_buf_append(out, ",", 1);
                if (r == 0)
                        r = put_topic(out, &enr->topics[i]);
        }
        if (r == 0)
                r = ne_buf_append_str(out, "],\"model_versions\":{");
        if (r == 0)
                r = put_key_string(out, "ner",
                                   enr->ner_model_version ? enr->ner_model_version : "none", true);
        if (r == 0)
                r = put_key_string(out, "topics",
                                   enr->topic_model_version ? enr->topic_model_version : "none",
                                   false);
        if (r == 0)
                r = ne_buf_appendf(out,
                                   "},\"processed_at\":%" PRId64 ",\"lineage\":", processed_at_ms);
        if (r == 0 && !lin)
                r = ne_buf_append_str(out, "null");
        if (r == 0 && lin) {
                r = ne_buf_append_str(out, "{");
                if (r == 0)
                        r = put_key_string(out, "topic", lin->topic, true);
                if (r == 0)
                        r = ne_buf_appendf(out,
                                           ",\"partition\":%" PRId32 ",\"offset\":%" PRId64 "}",
                                           lin->partition, lin->offset);
        }
        if (r == 0)
                r = ne_buf_append_str(out, ",\"extra\":{");
        for (size_t i = 0; r == 0 && i < art->n_extra; i++) {
                r = put_key(out, art->extra[i].key, i == 0);
                if (r == 0)
                        r = put_string(out, art->extra[i].value);
        }
        if (r == 0)
                r = ne_buf_append_str(out, "}}");
        return r;
}
