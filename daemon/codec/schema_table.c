/* The schema table: Confluent schema id -> parsed Avro schema. Filled once at start-up, then
 * read-only and shared by every decoder and encoder thread (avro-c schema reference counts are
 * atomic, so per-thread generic classes may take references concurrently). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_internal.h"

/* A schema file larger than this is not a schema we want to parse. */
#define SCHEMA_FILE_MAX ((size_t)1024 * 1024)

struct schema_entry {
        int32_t id;
        avro_schema_t schema;
};

struct ne_schema_table {
        struct schema_entry *entries;
        size_t n;
        size_t cap;
};

int ne_schema_table_new(struct ne_schema_table **ret)
{
        struct ne_schema_table *tbl = calloc(1, sizeof(*tbl));
        if (!tbl)
                return -ENOMEM;
        *ret = tbl;
        return 0;
}

void ne_schema_table_free(struct ne_schema_table *tbl)
{
        if (!tbl)
                return;
        for (size_t i = 0; i < tbl->n; i++)
                avro_schema_decref(tbl->entries[i].schema);
        free(tbl->entries);
        free(tbl);
}

avro_schema_t ne_schema_table_get(const struct ne_schema_table *tbl, int32_t id)
{
        if (!tbl)
                return NULL;
        for (size_t i = 0; i < tbl->n; i++)
                if (tbl->entries[i].id == id)
                        return tbl->entries[i].schema;
        return NULL;
}

bool ne_schema_table_has(const struct ne_schema_table *tbl, int32_t id)
{
        return ne_schema_table_get(tbl, id) != NULL;
}

static int table_add(struct ne_schema_table *tbl, int32_t id, const char *json, size_t len,
                     struct ne_diag *diag)
{
        if (ne_schema_table_has(tbl, id))
                return ne_diag_set(diag, -EEXIST, "schema id %d is already registered", id);
        if (tbl->n == tbl->cap) {
                size_t cap = tbl->cap ? tbl->cap * 2 : 4;
                struct schema_entry *e = realloc(tbl->entries, cap * sizeof(*e));
                if (!e)
                        return -ENOMEM;
                tbl->entries = e;
                tbl->cap = cap;
        }
        avro_schema_t schema = NULL;
        if (avro_schema_from_json_length(json, len, &schema) != 0)
                return ne_diag_set(diag, -EINVAL, "schema id %d: not a valid Avro schema: %s", id,
                                   avro_strerror());
        tbl->entries[tbl->n].id = id;
        tbl->entries[tbl->n].schema = schema;
        tbl->n++;
        return 0;
}

int ne_schema_table_add_json(struct ne_schema_table *tbl, int32_t id, const char *json,
                             struct ne_diag *diag)
{
        return table_add(tbl, id, json, strlen(json), diag);
}

int ne_schema_table_add_file(struct ne_schema_table *tbl, int32_t id, const char *path,
                             struct ne_diag *diag)
{
        int r;
        char *text = NULL;
        FILE *f = fopen(path, "rb");
        if (!f) {
                r = errno == ENOENT ? -ENOENT : -EIO;
                return ne_diag_set(diag, r, "%s: %s", path, strerror(errno));
        }
        text = malloc(SCHEMA_FILE_MAX + 1);
        if (!text) {
                r = -ENOMEM;
                goto out_close;
        }
        size_t n = fread(text, 1, SCHEMA_FILE_MAX + 1, f);
        if (ferror(f)) {
                r = ne_diag_set(diag, -EIO, "%s: read error", path);
                goto out_free;
        }
        if (n > SCHEMA_FILE_MAX) {
                r = ne_diag_set(diag, -EINVAL, "%s: larger than %zu bytes", path, SCHEMA_FILE_MAX);
                goto out_free;
        }
        text[n] = '\0';
        r = table_add(tbl, id, text, n, diag);
        if (r == -EINVAL && diag) {
                /* Name the file, not just the id, for the person fixing the config. */
                char msg[sizeof(diag->msg)];
                snprintf(msg, sizeof(msg), "%s", diag->msg);
                ne_diag_set(diag, r, "%s: %s", path, msg);
        }
out_free:
        free(text);
out_close:
        fclose(f);
        return r;
}
