/* article + enrichment -> Confluent-framed Avro of schemas/article_enriched.avsc. At creation
 * the encoder binds every field of the output schema by name (so a compatible revision with
 * reordered fields encodes correctly) and refuses a schema it could not fill completely; per
 * event it resets and refills one generic value and writes it straight into the caller's
 * buffer, sized first with avro_value_sizeof. One encoder per thread; never logs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codec_internal.h"

enum {
        T_ID,
        T_URL,
        T_SOURCE,
        T_TITLE,
        T_BODY,
        T_AUTHORS,
        T_PUBLISHED_AT,
        T_LANGUAGE,
        T_ENTITIES,
        T_TOPICS,
        T_MODEL_VERSIONS,
        T_PROCESSED_AT,
        T_LINEAGE,
        T_EXTRA,
        T__COUNT
};
enum { E_TYPE, E_NAME, E_MENTIONS, E_MENTION_COUNT, E_CONFIDENCE, E_SALIENCE, E__COUNT };
enum { M_FIELD, M_START, M_END, M__COUNT };
enum { P_CODE, P_LABEL, P_SCORE, P__COUNT };
enum { V_NER, V_TOPICS, V__COUNT };
enum { L_TOPIC, L_PARTITION, L_OFFSET, L__COUNT };

struct ne_avro_encoder {
        int32_t schema_id;
        avro_value_iface_t *iface;
        avro_value_t value;
        bool have_value;
        avro_writer_t writer;
        int top[T__COUNT];
        int ent[E__COUNT];
        int men[M__COUNT];
        int topic[P__COUNT];
        int mv[V__COUNT];
        int lin[L__COUNT];
        int lang_null, lang_string; /* union branches of language */
        int lin_null, lin_record;   /* union branches of lineage */
        int ent_symbol[NE_ENT__COUNT];
        int field_symbol[2];
};

/* One expected field: its name, its Avro type, and where its position goes. `sub` names the
 * item/value schema for arrays, maps and records that bind_* checks further. */
struct bind {
        const char *name;
        avro_type_t type;
        int *index;
};

static avro_schema_t unlink_schema(avro_schema_t s)
{
        while (is_avro_link(s))
                s = avro_schema_link_target(s);
        return s;
}

static int bind_record(avro_schema_t rec, const char *what, const struct bind *b, size_t n,
                       struct ne_diag *diag)
{
        rec = unlink_schema(rec);
        if (!is_avro_record(rec))
                return ne_diag_set(diag, -EINVAL, "output schema: %s is not a record", what);
        for (size_t k = 0; k < n; k++)
                *b[k].index = -1;
        size_t nf = avro_schema_record_size(rec);
        for (size_t i = 0; i < nf; i++) {
                const char *name = avro_schema_record_field_name(rec, (int)i);
                avro_schema_t fs =
                    unlink_schema(avro_schema_record_field_get_by_index(rec, (int)i));
                size_t k = 0;
                while (k < n && strcmp(b[k].name, name) != 0)
                        k++;
                if (k == n)
                        return ne_diag_set(diag, -EINVAL,
                                           "output schema: field %s.%s is unknown to this encoder",
                                           what, name);
                if (avro_typeof(fs) != b[k].type)
                        return ne_diag_set(diag, -EINVAL, "output schema: field %s.%s has type %s",
                                           what, name, avro_schema_type_name(fs));
                *b[k].index = (int)i;
        }
        for (size_t k = 0; k < n; k++)
                if (*b[k].index < 0)
                        return ne_diag_set(diag, -EINVAL, "output schema: %s has no field %s", what,
                                           b[k].name);
        return 0;
}

static avro_schema_t field_schema(avro_schema_t rec, int index)
{
        return unlink_schema(avro_schema_record_field_get_by_index(unlink_schema(rec), index));
}

/* The branches of a union of null and one `type`. */
static int bind_nullable(avro_schema_t u, avro_type_t type, const char *what, int *ret_null,
                         int *ret_other, struct ne_diag *diag)
{
        *ret_null = *ret_other = -1;
        for (size_t i = 0; i < avro_schema_union_size(u); i++) {
                avro_schema_t b = unlink_schema(avro_schema_union_branch(u, (int)i));
                if (is_avro_null(b))
                        *ret_null = (int)i;
                else if (avro_typeof(b) == type)
                        *ret_other = (int)i;
        }
        if (*ret_null < 0 || *ret_other < 0 || avro_schema_union_size(u) != 2)
                return ne_diag_set(diag, -EINVAL, "output schema: %s is not a nullable %s", what,
                                   type == AVRO_STRING ? "string" : "record");
        return 0;
}

static int bind_enum(avro_schema_t e, const char *what, const char *const *symbols, size_t n,
                     int *ret, struct ne_diag *diag)
{
        for (size_t i = 0; i < n; i++) {
                ret[i] = avro_schema_enum_get_by_name(e, symbols[i]);
                if (ret[i] < 0)
                        return ne_diag_set(diag, -EINVAL, "output schema: enum %s lacks %s", what,
                                           symbols[i]);
        }
        return 0;
}

static int bind_items(avro_schema_t container, avro_type_t want, const char *what,
                      avro_schema_t *ret, struct ne_diag *diag)
{
        avro_schema_t items =
            unlink_schema(is_avro_array(container) ? avro_schema_array_items(container)
                                                   : avro_schema_map_values(container));
        if (avro_typeof(items) != want)
                return ne_diag_set(diag, -EINVAL, "output schema: %s has items of type %s", what,
                                   avro_schema_type_name(items));
        *ret = items;
        return 0;
}

static int bind_schema(struct ne_avro_encoder *ae, avro_schema_t schema, struct ne_diag *diag)
{
        static const char *const ent_symbols[NE_ENT__COUNT] = {"PER", "ORG", "LOC", "MISC"};
        static const char *const field_symbols[2] = {"TITLE", "BODY"};
        int *t = ae->top;
        const struct bind top[T__COUNT] = {
            {"id", AVRO_STRING, &t[T_ID]},
            {"url", AVRO_STRING, &t[T_URL]},
            {"source", AVRO_STRING, &t[T_SOURCE]},
            {"title", AVRO_STRING, &t[T_TITLE]},
            {"body", AVRO_STRING, &t[T_BODY]},
            {"authors", AVRO_ARRAY, &t[T_AUTHORS]},
            {"published_at", AVRO_INT64, &t[T_PUBLISHED_AT]},
            {"language", AVRO_UNION, &t[T_LANGUAGE]},
            {"entities", AVRO_ARRAY, &t[T_ENTITIES]},
            {"topics", AVRO_ARRAY, &t[T_TOPICS]},
            {"model_versions", AVRO_RECORD, &t[T_MODEL_VERSIONS]},
            {"processed_at", AVRO_INT64, &t[T_PROCESSED_AT]},
            {"lineage", AVRO_UNION, &t[T_LINEAGE]},
            {"extra", AVRO_MAP, &t[T_EXTRA]},
        };
        const struct bind ent[E__COUNT] = {
            {"type", AVRO_ENUM, &ae->ent[E_TYPE]},
            {"name", AVRO_STRING, &ae->ent[E_NAME]},
            {"mentions", AVRO_ARRAY, &ae->ent[E_MENTIONS]},
            {"mention_count", AVRO_INT32, &ae->ent[E_MENTION_COUNT]},
            {"confidence", AVRO_FLOAT, &ae->ent[E_CONFIDENCE]},
            {"salience", AVRO_FLOAT, &ae->ent[E_SALIENCE]},
        };
        const struct bind men[M__COUNT] = {
            {"field", AVRO_ENUM, &ae->men[M_FIELD]},
            {"start", AVRO_INT32, &ae->men[M_START]},
            {"end", AVRO_INT32, &ae->men[M_END]},
        };
        const struct bind topic[P__COUNT] = {
            {"code", AVRO_STRING, &ae->topic[P_CODE]},
            {"label", AVRO_STRING, &ae->topic[P_LABEL]},
            {"score", AVRO_FLOAT, &ae->topic[P_SCORE]},
        };
        const struct bind mv[V__COUNT] = {
            {"ner", AVRO_STRING, &ae->mv[V_NER]},
            {"topics", AVRO_STRING, &ae->mv[V_TOPICS]},
        };
        const struct bind lin[L__COUNT] = {
            {"topic", AVRO_STRING, &ae->lin[L_TOPIC]},
            {"partition", AVRO_INT32, &ae->lin[L_PARTITION]},
            {"offset", AVRO_INT64, &ae->lin[L_OFFSET]},
        };
        avro_schema_t s = NULL, ent_s = NULL, men_s = NULL;
        int r;
        if ((r = bind_record(schema, "event", top, T__COUNT, diag)) < 0 ||
            (r = bind_items(field_schema(schema, t[T_AUTHORS]), AVRO_STRING, "authors", &s, diag)) <
                0 ||
            (r = bind_items(field_schema(schema, t[T_EXTRA]), AVRO_STRING, "extra", &s, diag)) <
                0 ||
            (r = bind_nullable(field_schema(schema, t[T_LANGUAGE]), AVRO_STRING, "language",
                               &ae->lang_null, &ae->lang_string, diag)) < 0 ||
            (r = bind_nullable(field_schema(schema, t[T_LINEAGE]), AVRO_RECORD, "lineage",
                               &ae->lin_null, &ae->lin_record, diag)) < 0 ||
            (r = bind_record(field_schema(schema, t[T_MODEL_VERSIONS]), "model_versions", mv,
                             V__COUNT, diag)) < 0 ||
            (r = bind_items(field_schema(schema, t[T_ENTITIES]), AVRO_RECORD, "entities", &ent_s,
                            diag)) < 0 ||
            (r = bind_record(ent_s, "Entity", ent, E__COUNT, diag)) < 0 ||
            (r = bind_enum(field_schema(ent_s, ae->ent[E_TYPE]), "EntityType", ent_symbols,
                           NE_ENT__COUNT, ae->ent_symbol, diag)) < 0 ||
            (r = bind_items(field_schema(ent_s, ae->ent[E_MENTIONS]), AVRO_RECORD, "mentions",
                            &men_s, diag)) < 0 ||
            (r = bind_record(men_s, "Mention", men, M__COUNT, diag)) < 0 ||
            (r = bind_enum(field_schema(men_s, ae->men[M_FIELD]), "TextField", field_symbols, 2,
                           ae->field_symbol, diag)) < 0 ||
            (r = bind_items(field_schema(schema, t[T_TOPICS]), AVRO_RECORD, "topics", &s, diag)) <
                0 ||
            (r = bind_record(s, "Topic", topic, P__COUNT, diag)) < 0)
                return r;
        avro_schema_t lin_s = unlink_schema(
            avro_schema_union_branch(field_schema(schema, t[T_LINEAGE]), ae->lin_record));
        return bind_record(lin_s, "Lineage", lin, L__COUNT, diag);
}

int ne_avro_encoder_new(avro_schema_t schema, int32_t schema_id, struct ne_avro_encoder **ret,
                        struct ne_diag *diag)
{
        static const char dummy[1];
        struct ne_avro_encoder *ae = calloc(1, sizeof(*ae));
        if (!ae)
                return -ENOMEM;
        ae->schema_id = schema_id;
        int r = bind_schema(ae, schema, diag);
        if (r < 0)
                goto err;
        r = -ENOMEM;
        ae->iface = avro_generic_class_from_schema(schema);
        if (!ae->iface)
                goto err;
        if (avro_generic_value_new(ae->iface, &ae->value) != 0)
                goto err;
        ae->have_value = true;
        ae->writer = avro_writer_memory(dummy, 0);
        if (!ae->writer)
                goto err;
        *ret = ae;
        return 0;
err:
        ne_avro_encoder_free(ae);
        return r;
}

void ne_avro_encoder_free(struct ne_avro_encoder *ae)
{
        if (!ae)
                return;
        if (ae->writer)
                avro_writer_free(ae->writer);
        if (ae->have_value)
                avro_value_decref(&ae->value);
        if (ae->iface)
                avro_value_iface_decref(ae->iface);
        free(ae);
}

/* avro-c calls return a positive errno; fold them into one failure per event. */
#define TRY(expr)                                                                                  \
        do {                                                                                       \
                if ((rc = (expr)) != 0)                                                            \
                        goto fail;                                                                 \
        } while (0)

static int set_str(avro_value_t *rec, int index, const char *s)
{
        avro_value_t f;
        int rc = avro_value_get_by_index(rec, (size_t)index, &f, NULL);
        if (rc)
                return rc;
        /* avro-c's length counts the terminating NUL. */
        return avro_value_set_string_len(&f, s ? s : "", (s ? strlen(s) : 0) + 1);
}

static int set_int(avro_value_t *rec, int index, int32_t v)
{
        avro_value_t f;
        int rc = avro_value_get_by_index(rec, (size_t)index, &f, NULL);
        return rc ? rc : avro_value_set_int(&f, v);
}

static int set_long(avro_value_t *rec, int index, int64_t v)
{
        avro_value_t f;
        int rc = avro_value_get_by_index(rec, (size_t)index, &f, NULL);
        return rc ? rc : avro_value_set_long(&f, v);
}

static int set_float(avro_value_t *rec, int index, float v)
{
        avro_value_t f;
        int rc = avro_value_get_by_index(rec, (size_t)index, &f, NULL);
        return rc ? rc : avro_value_set_float(&f, v);
}

static int set_enum(avro_value_t *rec, int index, int symbol)
{
        avro_value_t f;
        int rc = avro_value_get_by_index(rec, (size_t)index, &f, NULL);
        return rc ? rc : avro_value_set_enum(&f, symbol);
}

static int fill_entity(struct ne_avro_encoder *ae, avro_value_t *rec, const struct ne_entity *ent)
{
        int rc;
        avro_value_t arr, m;
        TRY(set_enum(rec, ae->ent[E_TYPE], ae->ent_symbol[ent->type]));
        TRY(set_str(rec, ae->ent[E_NAME], ent->name));
        TRY(avro_value_get_by_index(rec, (size_t)ae->ent[E_MENTIONS], &arr, NULL));
        for (size_t i = 0; i < ent->n_mentions; i++) {
                const struct ne_mention *mn = &ent->mentions[i];
                TRY(avro_value_append(&arr, &m, NULL));
                TRY(set_enum(&m, ae->men[M_FIELD], ae->field_symbol[mn->field]));
                TRY(set_int(&m, ae->men[M_START], (int32_t)mn->cp_start));
                TRY(set_int(&m, ae->men[M_END], (int32_t)mn->cp_end));
        }
        TRY(set_int(rec, ae->ent[E_MENTION_COUNT], (int32_t)ent->n_mentions));
        TRY(set_float(rec, ae->ent[E_CONFIDENCE], ent->confidence));
        TRY(set_float(rec, ae->ent[E_SALIENCE], ent->salience));
fail:
        return rc;
}

static int fill_lists(struct ne_avro_encoder *ae, const struct ne_article *art,
                      const struct ne_enrichment *enr)
{
        int rc;
        avro_value_t *root = &ae->value;
        avro_value_t arr, e, f;
        TRY(avro_value_get_by_index(root, (size_t)ae->top[T_AUTHORS], &arr, NULL));
        for (size_t i = 0; i < art->n_authors; i++) {
                TRY(avro_value_append(&arr, &e, NULL));
                TRY(avro_value_set_string_len(&e, art->authors[i], strlen(art->authors[i]) + 1));
        }
        TRY(avro_value_get_by_index(root, (size_t)ae->top[T_ENTITIES], &arr, NULL));
        for (size_t i = 0; i < enr->n_entities; i++) {
                TRY(avro_value_append(&arr, &e, NULL));
                TRY(fill_entity(ae, &e, &enr->entities[i]));
        }
        TRY(avro_value_get_by_index(root, (size_t)ae->top[T_TOPICS], &arr, NULL));
        for (size_t i = 0; i < enr->n_topics; i++) {
                const struct ne_topic *tp = &enr->topics[i];
                TRY(avro_value_append(&arr, &e, NULL));
                TRY(set_str(&e, ae->topic[P_CODE], tp->code));
                TRY(set_str(&e, ae->topic[P_LABEL], tp->label));
                TRY(set_float(&e, ae->topic[P_SCORE], tp->score));
        }
        TRY(avro_value_get_by_index(root, (size_t)ae->top[T_EXTRA], &f, NULL));
        for (size_t i = 0; i < art->n_extra; i++) {
                TRY(avro_value_add(&f, art->extra[i].key, &e, NULL, NULL));
                TRY(avro_value_set_string_len(&e, art->extra[i].value,
                                              strlen(art->extra[i].value) + 1));
        }
fail:
        return rc;
}

static int fill(struct ne_avro_encoder *ae, const struct ne_article *art,
                const struct ne_enrichment *enr, const struct ne_lineage *lin,
                int64_t processed_at_ms)
{
        int rc;
        avro_value_t *root = &ae->value;
        avro_value_t f, b;
        const char *lang = ne_enriched_language(art, enr);

        TRY(avro_value_reset(root));
        TRY(set_str(root, ae->top[T_ID], art->id));
        TRY(set_str(root, ae->top[T_URL], art->url));
        TRY(set_str(root, ae->top[T_SOURCE], art->source));
        TRY(set_str(root, ae->top[T_TITLE], art->title));
        TRY(avro_value_get_by_index(root, (size_t)ae->top[T_BODY], &f, NULL));
        TRY(avro_value_set_string_len(&f, art->body, strlen(art->body) + 1));
        TRY(set_long(root, ae->top[T_PUBLISHED_AT], art->published_at));
        TRY(avro_value_get_by_index(root, (size_t)ae->top[T_LANGUAGE], &f, NULL));
        if (lang) {
                TRY(avro_value_set_branch(&f, ae->lang_string, &b));
                TRY(avro_value_set_string_len(&b, lang, strlen(lang) + 1));
        } else {
                TRY(avro_value_set_branch(&f, ae->lang_null, &b));
                TRY(avro_value_set_null(&b));
        }
        TRY(fill_lists(ae, art, enr));
        TRY(avro_value_get_by_index(root, (size_t)ae->top[T_MODEL_VERSIONS], &f, NULL));
        TRY(set_str(&f, ae->mv[V_NER], enr->ner_model_version ? enr->ner_model_version : "none"));
        TRY(set_str(&f, ae->mv[V_TOPICS],
                    enr->topic_model_version ? enr->topic_model_version : "none"));
        TRY(set_long(root, ae->top[T_PROCESSED_AT], processed_at_ms));
        TRY(avro_value_get_by_index(root, (size_t)ae->top[T_LINEAGE], &f, NULL));
        if (lin) {
                TRY(avro_value_set_branch(&f, ae->lin_record, &b));
                TRY(set_str(&b, ae->lin[L_TOPIC], lin->topic));
                TRY(set_int(&b, ae->lin[L_PARTITION], lin->partition));
                TRY(set_long(&b, ae->lin[L_OFFSET], lin->offset));
        } else {
                TRY(avro_value_set_branch(&f, ae->lin_null, &b));
                TRY(avro_value_set_null(&b));
        }
fail:
        return rc;
}

int ne_avro_encode(struct ne_avro_encoder *ae, const struct ne_article *art,
                   const struct ne_enrichment *enr, const struct ne_lineage *lin,
                   int64_t processed_at_ms, struct ne_buf *out, struct ne_diag *diag)
{
        size_t size = 0;
        int rc = fill(ae, art, enr, lin, processed_at_ms);
        if (rc == 0)
                rc = avro_value_sizeof(&ae->value, &size);
        if (rc != 0)
                goto fail;
        int r = ne_buf_reserve(out, NE_CONFLUENT_HEADER_LEN + size);
        if (r < 0) {
                avro_value_reset(&ae->value);
                return r;
        }
        unsigned char *dst = (unsigned char *)out->data + out->len;
        ne_confluent_header_write(ae->schema_id, dst);
        avro_writer_memory_set_dest(ae->writer, (const char *)dst + NE_CONFLUENT_HEADER_LEN,
                                    (int64_t)size);
        rc = avro_value_write(ae->writer, &ae->value);
        if (rc != 0)
                goto fail;
        out->len += NE_CONFLUENT_HEADER_LEN + size;
        out->data[out->len] = '\0';
        /* Keep the value's memory for the next event but not the article's text. */
        avro_value_reset(&ae->value);
        return 0;
fail:
        avro_value_reset(&ae->value);
        if (rc == ENOMEM)
                return -ENOMEM;
        return ne_diag_set(diag, -EINVAL, "Avro encode: %s", avro_strerror());
}
