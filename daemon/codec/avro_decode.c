/* Confluent Avro -> struct ne_article. Decodes with the writer's schema (looked up by the
 * frame's id) through avro-c's generic value API, then projects fields by name onto the
 * article, because avro-c's schema resolution neither applies reader defaults nor survives
 * nested added fields. Each writer schema gets a cached "plan" per decoder: where each field
 * of article_published.avsc sits in the writer record and whether its type can be read, plus
 * one generic value reused (reset) for every message. The bytes are proven well-formed by
 * ne_avro_validate before avro-c reads them. One decoder per thread; never logs.
 * avro-c 1.11 keeps its error text in two process-wide buffers (not thread-local), so the
 * per-message path makes no avro-c call that can fail on validated input, and avro_strerror()
 * is read only on paths that should not happen. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "codec_internal.h"

enum afield {
        F_ID,
        F_URL,
        F_SOURCE,
        F_TITLE,
        F_BODY,
        F_AUTHORS,
        F_LANGUAGE,
        F_PUBLISHED_AT,
        F_EXTRA,
        F__COUNT
};

/* What a field of article_published.avsc may be in a writer schema: its own type, a sensible
 * promotion (int for long), or a union of that with null. */
enum kind {
        K_STRING,
        K_LONG,
        K_STRING_ARRAY,
        K_STRING_MAP,
};

static const struct {
        const char *name;
        enum kind kind;
        bool required; /* no default in the reader schema */
} fields[F__COUNT] = {
    [F_ID] = {"id", K_STRING, true},
    [F_URL] = {"url", K_STRING, false},
    [F_SOURCE] = {"source", K_STRING, false},
    [F_TITLE] = {"title", K_STRING, false},
    [F_BODY] = {"body", K_STRING, true},
    [F_AUTHORS] = {"authors", K_STRING_ARRAY, false},
    [F_LANGUAGE] = {"language", K_STRING, false},
    [F_PUBLISHED_AT] = {"published_at", K_LONG, true},
    [F_EXTRA] = {"extra", K_STRING_MAP, false},
};

struct plan {
        int32_t id;
        avro_schema_t schema; /* borrowed from the table */
        int index[F__COUNT];  /* position in the writer record; -1 when absent */
        char error[200];      /* non-empty: no article can come from this schema */
        enum ne_dlq_reason error_reason;
        char error_field[32];
        avro_value_iface_t *iface; /* NULL when error is set */
        avro_value_t value;
};

struct ne_avro_decoder {
        const struct ne_schema_table *tbl;
        avro_reader_t reader;
        struct plan *plans;
        size_t n_plans;
        size_t cap_plans;
};

static avro_schema_t unlink_schema(avro_schema_t s)
{
        while (is_avro_link(s))
                s = avro_schema_link_target(s);
        return s;
}

static bool base_ok(avro_schema_t s, enum kind kind)
{
        s = unlink_schema(s);
        switch (kind) {
        case K_STRING:
                return is_avro_string(s);
        case K_LONG:
                return is_avro_int64(s) || is_avro_int32(s);
        case K_STRING_ARRAY:
                return is_avro_array(s) &&
                       is_avro_string(unlink_schema(avro_schema_array_items(s)));
        case K_STRING_MAP:
                return is_avro_map(s) && is_avro_string(unlink_schema(avro_schema_map_values(s)));
        }
        return false;
}

static bool type_ok(avro_schema_t s, enum kind kind)
{
        s = unlink_schema(s);
        if (!is_avro_union(s))
                return base_ok(s, kind);
        bool have = false;
        for (size_t i = 0; i < avro_schema_union_size(s); i++) {
                avro_schema_t b = unlink_schema(avro_schema_union_branch(s, (int)i));
                if (base_ok(b, kind))
                        have = true;
                else if (!is_avro_null(b))
                        return false;
        }
        return have;
}

static int plan_init(struct plan *pl, int32_t id, avro_schema_t schema)
{
        memset(pl, 0, sizeof(*pl));
        pl->id = id;
        pl->schema = schema;
        avro_schema_t rec = unlink_schema(schema);
        if (!is_avro_record(rec)) {
                pl->error_reason = NE_DLQ_BAD_TYPE;
                snprintf(pl->error, sizeof(pl->error), "writer schema %d is a %s, not a record", id,
                         avro_schema_type_name(rec));
                return 0;
        }
        for (int f = 0; f < F__COUNT; f++) {
                pl->index[f] = -1;
                size_t n = avro_schema_record_size(rec);
                for (size_t i = 0; i < n; i++) {
                        if (strcmp(avro_schema_record_field_name(rec, (int)i), fields[f].name) == 0)
                                pl->index[f] = (int)i;
                }
                if (pl->index[f] < 0) {
                        if (fields[f].required && !pl->error[0]) {
                                pl->error_reason = NE_DLQ_MISSING_FIELD;
                                snprintf(pl->error_field, sizeof(pl->error_field), "%s",
                                         fields[f].name);
                                snprintf(pl->error, sizeof(pl->error),
                                         "writer schema %d has no field '%s'", id, fields[f].name);
                        }
                        continue;
                }
                avro_schema_t fs = avro_schema_record_field_get_by_index(rec, pl->index[f]);
                if (!type_ok(fs, fields[f].kind) &&
                    (!pl->error[0] || pl->error_reason != NE_DLQ_BAD_TYPE)) {
                        /* A wrong type outranks a missing field: it is the first thing a
                         * producer's developer must fix. */
                        pl->error_reason = NE_DLQ_BAD_TYPE;
                        snprintf(pl->error_field, sizeof(pl->error_field), "%s", fields[f].name);
                        snprintf(pl->error, sizeof(pl->error),
                                 "writer schema %d: field '%s' has type %s", id, fields[f].name,
                                 avro_schema_type_name(unlink_schema(fs)));
                }
        }
        if (pl->error[0])
                return 0;
        pl->iface = avro_generic_class_from_schema(schema);
        if (!pl->iface)
                return -ENOMEM;
        if (avro_generic_value_new(pl->iface, &pl->value) != 0) {
                avro_value_iface_decref(pl->iface);
                pl->iface = NULL;
                return -ENOMEM;
        }
        return 0;
}

static void plan_fini(struct plan *pl)
{
        if (pl->iface) {
                avro_value_decref(&pl->value);
                avro_value_iface_decref(pl->iface);
        }
}

int ne_avro_decoder_new(const struct ne_schema_table *tbl, struct ne_avro_decoder **ret)
{
        struct ne_avro_decoder *ad = calloc(1, sizeof(*ad));
        if (!ad)
                return -ENOMEM;
        ad->tbl = tbl;
        ad->reader = avro_reader_memory("", 0);
        if (!ad->reader) {
                free(ad);
                return -ENOMEM;
        }
        *ret = ad;
        return 0;
}

void ne_avro_decoder_free(struct ne_avro_decoder *ad)
{
        if (!ad)
                return;
        for (size_t i = 0; i < ad->n_plans; i++)
                plan_fini(&ad->plans[i]);
        free(ad->plans);
        if (ad->reader)
                avro_reader_free(ad->reader);
        free(ad);
}

/* The cached plan for a schema id, made on first use. *ret is NULL for an unknown id. */
static int plan_get(struct ne_avro_decoder *ad, int32_t id, struct plan **ret)
{
        for (size_t i = 0; i < ad->n_plans; i++) {
                if (ad->plans[i].id == id) {
                        *ret = &ad->plans[i];
                        return 0;
                }
        }
        avro_schema_t schema = ne_schema_table_get(ad->tbl, id);
        if (!schema) {
                *ret = NULL;
                return 0;
        }
        if (ad->n_plans == ad->cap_plans) {
                size_t cap = ad->cap_plans ? ad->cap_plans * 2 : 4;
                struct plan *p = realloc(ad->plans, cap * sizeof(*p));
                if (!p)
                        return -ENOMEM;
                ad->plans = p;
                ad->cap_plans = cap;
        }
        struct plan *pl = &ad->plans[ad->n_plans];
        int r = plan_init(pl, id, schema);
        if (r < 0)
                return r;
        ad->n_plans++;
        *ret = pl;
        return 0;
}

/* The value of field f, through a union to its branch. *ret_null when absent or null. */
static void field_get(struct plan *pl, int f, avro_value_t *ret, bool *ret_null)
{
        *ret_null = true;
        if (pl->index[f] < 0)
                return;
        avro_value_t v;
        if (avro_value_get_by_index(&pl->value, (size_t)pl->index[f], &v, NULL) != 0)
                return;
        if (avro_value_get_type(&v) == AVRO_UNION) {
                avro_value_t branch;
                if (avro_value_get_current_branch(&v, &branch) != 0)
                        return;
                v = branch;
        }
        if (avro_value_get_type(&v) == AVRO_NULL)
                return;
        *ret = v;
        *ret_null = false;
}

static int dup_value_string(avro_value_t *v, char **ret, size_t *ret_len)
{
        const char *s = NULL;
        size_t size = 0;
        if (avro_value_get_string(v, &s, &size) != 0)
                return -EINVAL;
        size_t len = size ? size - 1 : 0; /* avro-c counts the terminating NUL */
        char *copy = malloc(len + 1);
        if (!copy)
                return -ENOMEM;
        if (len)
                memcpy(copy, s, len);
        copy[len] = '\0';
        *ret = copy;
        if (ret_len)
                *ret_len = len;
        return 0;
}

static int project_string(struct plan *pl, int f, char **ret, size_t *ret_len)
{
        avro_value_t v;
        bool null;
        field_get(pl, f, &v, &null);
        if (null)
                return 0; /* ne_article_finish applies the default */
        return dup_value_string(&v, ret, ret_len);
}

static int project_authors(struct plan *pl, struct ne_article *art)
{
        avro_value_t v;
        bool null;
        size_t n = 0;
        field_get(pl, F_AUTHORS, &v, &null);
        if (null || avro_value_get_size(&v, &n) != 0 || n == 0)
                return 0;
        art->authors = calloc(n, sizeof(*art->authors));
        if (!art->authors)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                avro_value_t e;
                if (avro_value_get_by_index(&v, i, &e, NULL) != 0)
                        return -EINVAL;
                int r = dup_value_string(&e, &art->authors[i], NULL);
                if (r < 0)
                        return r;
                art->n_authors++;
        }
        return 0;
}

static int project_extra(struct plan *pl, struct ne_article *art)
{
        avro_value_t v;
        bool null;
        size_t n = 0;
        field_get(pl, F_EXTRA, &v, &null);
        if (null || avro_value_get_size(&v, &n) != 0 || n == 0)
                return 0;
        art->extra = calloc(n, sizeof(*art->extra));
        if (!art->extra)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                avro_value_t e;
                const char *key = NULL;
                if (avro_value_get_by_index(&v, i, &e, &key) != 0 || !key)
                        return -EINVAL;
                struct ne_kv *kv = &art->extra[art->n_extra];
                kv->key = strdup(key);
                if (!kv->key)
                        return -ENOMEM;
                art->n_extra++;
                int r = dup_value_string(&e, &kv->value, NULL);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int project(struct plan *pl, struct ne_article *art, enum ne_dlq_reason *ret_reason,
                   struct ne_diag *diag)
{
        int r;
        if ((r = project_string(pl, F_ID, &art->id, NULL)) < 0 ||
            (r = project_string(pl, F_URL, &art->url, NULL)) < 0 ||
            (r = project_string(pl, F_SOURCE, &art->source, NULL)) < 0 ||
            (r = project_string(pl, F_TITLE, &art->title, NULL)) < 0 ||
            (r = project_string(pl, F_BODY, &art->body, &art->body_len)) < 0 ||
            (r = project_string(pl, F_LANGUAGE, &art->language, NULL)) < 0 ||
            (r = project_authors(pl, art)) < 0 || (r = project_extra(pl, art)) < 0)
                return r;

        avro_value_t v;
        bool null;
        field_get(pl, F_PUBLISHED_AT, &v, &null);
        if (null)
                return ne_codec_fail(ret_reason, NE_DLQ_MISSING_FIELD, diag, "published_at", -1,
                                     "field 'published_at' is null");
        if (avro_value_get_type(&v) == AVRO_INT32) {
                int32_t i32;
                if (avro_value_get_int(&v, &i32) != 0)
                        return -EINVAL;
                art->published_at = i32;
        } else if (avro_value_get_long(&v, &art->published_at) != 0) {
                return -EINVAL;
        }
        if (art->published_at > NE_TIMESTAMP_MAX_ABS_MS ||
            art->published_at < -NE_TIMESTAMP_MAX_ABS_MS)
                return ne_codec_fail(ret_reason, NE_DLQ_BAD_TYPE, diag, "published_at", -1,
                                     "Avro: published_at %" PRId64 " is out of range",
                                     art->published_at);
        return ne_article_finish(art, ret_reason, diag);
}

int ne_avro_decode(struct ne_avro_decoder *ad, const unsigned char *buf, size_t len,
                   struct ne_article **ret_art, enum ne_dlq_reason *ret_reason,
                   struct ne_diag *diag)
{
        int32_t id = ne_confluent_header_id(buf);
        struct plan *pl;
        int r = plan_get(ad, id, &pl);
        if (r < 0)
                return r;
        if (!pl)
                return ne_codec_fail(ret_reason, NE_DLQ_UNKNOWN_SCHEMA, diag, NULL, 1,
                                     "schema id %d is not in the schema table", id);
        if (pl->error[0])
                return ne_codec_fail(ret_reason, pl->error_reason, diag, pl->error_field, -1, "%s",
                                     pl->error);

        const unsigned char *data = buf + NE_CONFLUENT_HEADER_LEN;
        size_t data_len = len - NE_CONFLUENT_HEADER_LEN;
        r = ne_avro_validate(pl->schema, data, data_len, NE_CONFLUENT_HEADER_LEN, ret_reason, diag);
        if (r < 0)
                return r;

        avro_reader_memory_set_source(ad->reader, (const char *)data, (int64_t)data_len);
        r = avro_value_read(ad->reader, &pl->value);
        if (r != 0) {
                /* Validated bytes cannot fail to parse; what is left is running out of
                 * memory, or an avro-c limit we did not foresee. */
                if (r == ENOMEM)
                        return -ENOMEM;
                return ne_codec_fail(ret_reason, NE_DLQ_BAD_AVRO, diag, NULL, -1, "Avro: %s",
                                     avro_strerror());
        }

        struct ne_article *art = ne_article_new();
        if (!art) {
                r = -ENOMEM;
                goto out_reset;
        }
        r = project(pl, art, ret_reason, diag);
        if (r == -EINVAL)
                r = ne_codec_fail(ret_reason, NE_DLQ_BAD_TYPE, diag, NULL, -1,
                                  "Avro: value does not match its writer schema");
        if (r < 0) {
                ne_article_free(art);
                goto out_reset;
        }
        *ret_art = art;
out_reset:
        /* Drop the strings of this message now rather than holding them until the next. */
        avro_value_reset(&pl->value);
        return r;
}
