/* Alert encoder: a matched rule plus its article and enrichment in, an EntityAlert event out
 * (schemas/entity_alert.avsc), as Confluent-framed Avro through one reused avro-c generic value
 * or as a JSON object through cJSON. Fields are found by name, so a compatible schema revision
 * with reordered or added (defaulted) fields still encodes. Must not log. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <avro.h>
#include <cJSON.h>

#include "ne/alert_codec.h"

struct ne_alert_encoder {
        enum ne_format format;
        int32_t schema_id;
        avro_schema_t schema;
        avro_value_iface_t *iface;
        avro_value_t value;
        bool have_value;
};

void ne_alert_encoder_free(struct ne_alert_encoder *enc)
{
        if (!enc)
                return;
        if (enc->have_value)
                avro_value_decref(&enc->value);
        if (enc->iface)
                avro_value_iface_decref(enc->iface);
        if (enc->schema)
                avro_schema_decref(enc->schema);
        free(enc);
}

int ne_alert_encoder_new(const char *schema_json, size_t len, int32_t schema_id,
                         enum ne_format format, struct ne_alert_encoder **ret, struct ne_diag *diag)
{
        struct ne_alert_encoder *enc = calloc(1, sizeof(*enc));
        int r;
        if (!enc)
                return -ENOMEM;
        enc->format = format;
        enc->schema_id = schema_id;
        if (format == NE_FORMAT_AVRO) {
                if (!schema_json) {
                        r = ne_diag_set(diag, -EINVAL, "Avro alerts need a schema");
                        goto err_free;
                }
                if (avro_schema_from_json_length(schema_json, len, &enc->schema) != 0) {
                        enc->schema = NULL;
                        r = ne_diag_set(diag, -EINVAL, "alert schema: %s", avro_strerror());
                        goto err_free;
                }
                if (!is_avro_record(enc->schema)) {
                        r = ne_diag_set(diag, -EINVAL, "alert schema is not a record");
                        goto err_free;
                }
                enc->iface = avro_generic_class_from_schema(enc->schema);
                if (!enc->iface || avro_generic_value_new(enc->iface, &enc->value) != 0) {
                        r = ne_diag_set(diag, -ENOMEM, "alert schema: %s", avro_strerror());
                        goto err_free;
                }
                enc->have_value = true;
        }
        *ret = enc;
        return 0;
err_free:
        ne_alert_encoder_free(enc);
        return r;
}

static const char *str_or_empty(const char *s)
{
        return s ? s : "";
}

/* Rounds a float to the 6 significant digits it carries, so JSON shows 0.9, not
 * 0.89999997615814209. */
static double tidy_float(float f)
{
        char b[32];
        snprintf(b, sizeof(b), "%.6g", (double)f);
        return strtod(b, NULL);
}

static int check_indexes(const struct ne_alert_match *m, const struct ne_enrichment *enr,
                         struct ne_diag *diag)
{
        size_t ne = enr ? enr->n_entities : 0, nt = enr ? enr->n_topics : 0;
        for (size_t i = 0; i < m->n_entities; i++)
                if (m->entities[i] >= ne)
                        return ne_diag_set(diag, -EINVAL, "match entity index %zu out of range",
                                           m->entities[i]);
        for (size_t i = 0; i < m->n_topics; i++)
                if (m->topics[i] >= nt)
                        return ne_diag_set(diag, -EINVAL, "match topic index %zu out of range",
                                           m->topics[i]);
        for (size_t i = 0; i < m->n_keywords; i++)
                if (m->keywords[i] >= m->rule->n_keywords)
                        return ne_diag_set(diag, -EINVAL, "match keyword index %zu out of range",
                                           m->keywords[i]);
        return 0;
}

/* ---- Avro ------------------------------------------------------------------------------- */

/* avro-c calls that fail here mean the schema does not have the shape this encoder fills. */
#define TRY(call, what)                                                                            \
        do {                                                                                       \
                if ((call) != 0)                                                                   \
                        return ne_diag_set(diag, -EINVAL, "alert schema: %s: %s", what,            \
                                           avro_strerror());                                       \
        } while (0)

static int set_str(avro_value_t *rec, const char *name, const char *s, struct ne_diag *diag)
{
        avro_value_t f;
        TRY(avro_value_get_by_name(rec, name, &f, NULL), name);
        TRY(avro_value_set_string(&f, str_or_empty(s)), name);
        return 0;
}

static int set_long(avro_value_t *rec, const char *name, int64_t v, struct ne_diag *diag)
{
        avro_value_t f;
        TRY(avro_value_get_by_name(rec, name, &f, NULL), name);
        TRY(avro_value_set_long(&f, v), name);
        return 0;
}

static int set_float(avro_value_t *rec, const char *name, float v, struct ne_diag *diag)
{
        avro_value_t f;
        TRY(avro_value_get_by_name(rec, name, &f, NULL), name);
        TRY(avro_value_set_float(&f, v), name);
        return 0;
}

static int avro_entities(avro_value_t *rec, const struct ne_alert_match *m,
                         const struct ne_enrichment *enr, struct ne_diag *diag)
{
        avro_value_t arr, el, f;
        int r;
        TRY(avro_value_get_by_name(rec, "entities", &arr, NULL), "entities");
        for (size_t i = 0; i < m->n_entities; i++) {
                const struct ne_entity *e = &enr->entities[m->entities[i]];
                const char *type = ne_entity_type_name(e->type);
                int sym;
                TRY(avro_value_append(&arr, &el, NULL), "entities");
                TRY(avro_value_get_by_name(&el, "type", &f, NULL), "entities.type");
                sym = avro_schema_enum_get_by_name(avro_value_get_schema(&f), type ? type : "");
                if (sym < 0)
                        return ne_diag_set(diag, -EINVAL, "alert schema: no entity type %s",
                                           type ? type : "(invalid)");
                TRY(avro_value_set_enum(&f, sym), "entities.type");
                if ((r = set_str(&el, "name", e->name, diag)) < 0 ||
                    (r = set_float(&el, "salience", e->salience, diag)) < 0 ||
                    (r = set_float(&el, "confidence", e->confidence, diag)) < 0)
                        return r;
        }
        return 0;
}

static int avro_topics_keywords(avro_value_t *rec, const struct ne_alert_match *m,
                                const struct ne_enrichment *enr, struct ne_diag *diag)
{
        avro_value_t arr, el;
        int r;
        TRY(avro_value_get_by_name(rec, "topics", &arr, NULL), "topics");
        for (size_t i = 0; i < m->n_topics; i++) {
                const struct ne_topic *t = &enr->topics[m->topics[i]];
                TRY(avro_value_append(&arr, &el, NULL), "topics");
                if ((r = set_str(&el, "code", t->code, diag)) < 0 ||
                    (r = set_str(&el, "label", t->label, diag)) < 0 ||
                    (r = set_float(&el, "score", t->score, diag)) < 0)
                        return r;
        }
        TRY(avro_value_get_by_name(rec, "keywords", &arr, NULL), "keywords");
        for (size_t i = 0; i < m->n_keywords; i++) {
                TRY(avro_value_append(&arr, &el, NULL), "keywords");
                TRY(avro_value_set_string(&el, m->rule->keywords[m->keywords[i]].text), "keywords");
        }
        return 0;
}

static int avro_lineage(avro_value_t *rec, const struct ne_lineage *lin, struct ne_diag *diag)
{
        avro_value_t u, branch, f;
        int r;
        TRY(avro_value_get_by_name(rec, "lineage", &u, NULL), "lineage");
        if (!lin) {
                TRY(avro_value_set_branch(&u, 0, &branch), "lineage");
                TRY(avro_value_set_null(&branch), "lineage");
                return 0;
        }
        TRY(avro_value_set_branch(&u, 1, &branch), "lineage");
        if ((r = set_str(&branch, "topic", lin->topic, diag)) < 0 ||
            (r = set_long(&branch, "offset", lin->offset, diag)) < 0)
                return r;
        TRY(avro_value_get_by_name(&branch, "partition", &f, NULL), "lineage.partition");
        TRY(avro_value_set_int(&f, lin->partition), "lineage.partition");
        return 0;
}

static int fill_avro(struct ne_alert_encoder *enc, const struct ne_alert_match *m,
                     const struct ne_article *art, const struct ne_enrichment *enr,
                     const struct ne_lineage *lin, int64_t alerted_at_ms, struct ne_diag *diag)
{
        avro_value_t *rec = &enc->value;
        int r;
        TRY(avro_value_reset(rec), "reset");
        if ((r = set_str(rec, "alert_id", m->alert_id, diag)) < 0 ||
            (r = set_str(rec, "rule_id", m->rule->id, diag)) < 0 ||
            (r = set_str(rec, "article_id", art->id, diag)) < 0 ||
            (r = set_str(rec, "title", art->title, diag)) < 0 ||
            (r = set_str(rec, "url", art->url, diag)) < 0 ||
            (r = set_str(rec, "source", art->source, diag)) < 0 ||
            (r = avro_entities(rec, m, enr, diag)) < 0 ||
            (r = avro_topics_keywords(rec, m, enr, diag)) < 0 ||
            (r = set_long(rec, "published_at", art->published_at, diag)) < 0 ||
            (r = set_long(rec, "alerted_at", alerted_at_ms, diag)) < 0 ||
            (r = avro_lineage(rec, lin, diag)) < 0)
                return r;
        return 0;
}

static int write_avro(struct ne_alert_encoder *enc, struct ne_buf *out, struct ne_diag *diag)
{
        size_t size = 0;
        TRY(avro_value_sizeof(&enc->value, &size), "size");
        int r = ne_buf_reserve(out, 5 + size);
        if (r < 0)
                return r;
        unsigned char *p = (unsigned char *)out->data + out->len;
        uint32_t id = (uint32_t)enc->schema_id;
        p[0] = 0;
        p[1] = (unsigned char)(id >> 24);
        p[2] = (unsigned char)(id >> 16);
        p[3] = (unsigned char)(id >> 8);
        p[4] = (unsigned char)id;
        avro_writer_t w = avro_writer_memory((const char *)p + 5, (int64_t)size);
        if (!w)
                return -ENOMEM;
        r = avro_value_write(w, &enc->value);
        avro_writer_free(w);
        if (r != 0)
                return ne_diag_set(diag, -EINVAL, "alert: cannot write Avro: %s", avro_strerror());
        out->len += 5 + size;
        out->data[out->len] = '\0';
        return 0;
}

/* ---- JSON ------------------------------------------------------------------------------- */

/* Appends a new object to arr; NULL on failure (nothing to free: arr owns what it holds). */
static cJSON *append_object(cJSON *arr)
{
        cJSON *o = cJSON_CreateObject();
        if (o && !cJSON_AddItemToArray(arr, o)) {
                cJSON_Delete(o);
                return NULL;
        }
        return o;
}

static cJSON *json_entities(const struct ne_alert_match *m, const struct ne_enrichment *enr)
{
        cJSON *arr = cJSON_CreateArray();
        for (size_t i = 0; arr && i < m->n_entities; i++) {
                const struct ne_entity *e = &enr->entities[m->entities[i]];
                const char *type = ne_entity_type_name(e->type);
                cJSON *o = append_object(arr);
                if (!o || !cJSON_AddStringToObject(o, "type", type ? type : "MISC") ||
                    !cJSON_AddStringToObject(o, "name", str_or_empty(e->name)) ||
                    !cJSON_AddNumberToObject(o, "salience", tidy_float(e->salience)) ||
                    !cJSON_AddNumberToObject(o, "confidence", tidy_float(e->confidence))) {
                        cJSON_Delete(arr);
                        return NULL;
                }
        }
        return arr;
}

static cJSON *json_topics(const struct ne_alert_match *m, const struct ne_enrichment *enr)
{
        cJSON *arr = cJSON_CreateArray();
        for (size_t i = 0; arr && i < m->n_topics; i++) {
                const struct ne_topic *t = &enr->topics[m->topics[i]];
                cJSON *o = append_object(arr);
                if (!o || !cJSON_AddStringToObject(o, "code", str_or_empty(t->code)) ||
                    !cJSON_AddStringToObject(o, "label", str_or_empty(t->label)) ||
                    !cJSON_AddNumberToObject(o, "score", tidy_float(t->score))) {
                        cJSON_Delete(arr);
                        return NULL;
                }
        }
        return arr;
}

static cJSON *json_lineage(const struct ne_lineage *lin)
{
        if (!lin)
                return cJSON_CreateNull();
        cJSON *o = cJSON_CreateObject();
        if (o && (!cJSON_AddStringToObject(o, "topic", str_or_empty(lin->topic)) ||
                  !cJSON_AddNumberToObject(o, "partition", lin->partition) ||
                  !cJSON_AddNumberToObject(o, "offset", (double)lin->offset))) {
                cJSON_Delete(o);
                return NULL;
        }
        return o;
}

/* Adds `item` to obj under `key`; deletes it if that fails. False on failure. */
static bool add(cJSON *obj, const char *key, cJSON *item)
{
        if (!item)
                return false;
        if (!cJSON_AddItemToObject(obj, key, item)) {
                cJSON_Delete(item);
                return false;
        }
        return true;
}

static int encode_json(const struct ne_alert_match *m, const struct ne_article *art,
                       const struct ne_enrichment *enr, const struct ne_lineage *lin,
                       int64_t alerted_at_ms, struct ne_buf *out)
{
        int r = -ENOMEM;
        char *text = NULL;
        cJSON *o = cJSON_CreateObject(), *kw = cJSON_CreateArray();
        if (!o || !kw)
                goto out;
        for (size_t i = 0; i < m->n_keywords; i++) {
                cJSON *s = cJSON_CreateString(m->rule->keywords[m->keywords[i]].text);
                if (!s || !cJSON_AddItemToArray(kw, s)) {
                        cJSON_Delete(s);
                        goto out;
                }
        }
        if (!cJSON_AddStringToObject(o, "alert_id", m->alert_id) ||
            !cJSON_AddStringToObject(o, "rule_id", m->rule->id) ||
            !cJSON_AddStringToObject(o, "article_id", str_or_empty(art->id)) ||
            !cJSON_AddStringToObject(o, "title", str_or_empty(art->title)) ||
            !cJSON_AddStringToObject(o, "url", str_or_empty(art->url)) ||
            !cJSON_AddStringToObject(o, "source", str_or_empty(art->source)) ||
            !add(o, "entities", json_entities(m, enr)) || !add(o, "topics", json_topics(m, enr)))
                goto out;
        cJSON *kw_owned = kw;
        kw = NULL; /* handed to o, which frees it even when adding fails */
        if (!add(o, "keywords", kw_owned) ||
            !cJSON_AddNumberToObject(o, "published_at", (double)art->published_at) ||
            !cJSON_AddNumberToObject(o, "alerted_at", (double)alerted_at_ms) ||
            !add(o, "lineage", json_lineage(lin)))
                goto out;
        text = cJSON_PrintUnformatted(o);
        if (text)
                r = ne_buf_append_str(out, text);
out:
        free(text);
        cJSON_Delete(kw);
        cJSON_Delete(o);
        return r;
}

int ne_alert_encode(struct ne_alert_encoder *enc, const struct ne_alert_match *m,
                    const struct ne_article *art, const struct ne_enrichment *enr,
                    const struct ne_lineage *lin, int64_t alerted_at_ms, struct ne_buf *out,
                    struct ne_diag *diag)
{
        int r = check_indexes(m, enr, diag);
        if (r < 0)
                return r;
        if (enc->format == NE_FORMAT_JSON)
                return encode_json(m, art, enr, lin, alerted_at_ms, out);
        r = fill_avro(enc, m, art, enr, lin, alerted_at_ms, diag);
        if (r < 0)
                return r;
        return write_avro(enc, out, diag);
}
