/* Reading an .avsc for the schema compatibility checker: the text becomes a cJSON tree and an
 * index of its named types, and is refused unless avro-c 1.11 accepts it as Avro and the checker
 * can compare it with itself. The checks that come before avro-c exist because avro-c leaks or
 * disagrees with the checker on some invalid texts (each found by fuzzing). No logging: detail
 * goes to struct ne_diag. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <avro.h>
#include <cJSON.h>

#include "ne/schema_compat.h"
#include "schema_compat_internal.h"

void ne_schema_compat_free(struct ne_compat_schema *schema)
{
        if (!schema)
                return;
        for (size_t i = 0; i < schema->n_names; i++) {
                free(schema->names[i].fullname);
                free(schema->names[i].ns);
        }
        free(schema->names);
        cJSON_Delete(schema->root);
        free(schema);
}

static int line_of(const char *text, size_t pos)
{
        int line = 1;
        for (size_t i = 0; i < pos; i++)
                line += text[i] == '\n';
        return line;
}

/* Looks for a JSON object that gives one key twice. avro-c's JSON parser keeps the last value
 * of a repeated key and cJSON finds the first, so such a text would be validated as one schema
 * and checked as another (found by fuzzing: "type" given twice). Returns 0, 1 with the key in
 * *ret_key, or -ENOMEM. Recursion is bounded by cJSON's nesting limit. */
static int find_duplicate_key(const cJSON *node, const char **ret_key)
{
        const cJSON *c;
        size_t n = 0;
        cJSON_ArrayForEach(c, node)
        {
                int r = find_duplicate_key(c, ret_key);
                if (r != 0)
                        return r;
                n++;
        }
        if (!cJSON_IsObject(node) || n < 2)
                return 0;
        const char **keys = malloc(n * sizeof(*keys));
        if (!keys)
                return -ENOMEM;
        size_t i = 0;
        cJSON_ArrayForEach(c, node) keys[i++] = c->string;
        const char *dup = ne_sc_first_duplicate(keys, n);
        free(keys);
        if (!dup)
                return 0;
        *ret_key = dup;
        return 1;
}

int ne_schema_compat_parse(const char *json, size_t len, struct ne_compat_schema **ret,
                           struct ne_diag *diag)
{
        struct ne_compat_schema *s = NULL;
        avro_schema_t avs = NULL;
        int r;

        if (len > NE_SCHEMA_COMPAT_MAX_BYTES)
                return ne_diag_set(diag, -EFBIG, "schema is %zu bytes, limit %d", len,
                                   NE_SCHEMA_COMPAT_MAX_BYTES);
        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        const char *end = NULL;
        s->root = cJSON_ParseWithLengthOpts(json, len, &end, false);
        if (!s->root) {
                size_t pos = end && end >= json ? (size_t)(end - json) : 0;
                if (pos > len)
                        pos = len;
                r = ne_diag_set(diag, -EINVAL, "schema is not valid JSON near byte %zu", pos);
                if (diag) {
                        diag->line = line_of(json, pos);
                        diag->offset = (long)pos;
                }
                goto err_free;
        }
        for (size_t pos = (size_t)(end - json); pos < len; pos++)
                if (json[pos] != ' ' && json[pos] != '\t' && json[pos] != '\n' &&
                    json[pos] != '\r') {
                        r = ne_diag_set(diag, -EINVAL, "trailing data after the schema JSON");
                        if (diag) {
                                diag->line = line_of(json, pos);
                                diag->offset = (long)pos;
                        }
                        goto err_free;
                }
        const char *dup = NULL;
        r = find_duplicate_key(s->root, &dup);
        if (r < 0)
                goto err_free;
        if (r > 0) {
                r = ne_diag_set(diag, -EINVAL, "duplicate key \"%.64s\" in a JSON object", dup);
                goto err_free;
        }
        /* Index the named types before avro-c sees the text: avro-c 1.11 leaks the type it
         * was building when a name is defined twice (found by fuzzing), so redefinitions and
         * repeated field names, which it would accept, are refused here first. Only a text
         * indexed completely goes on to avro-c: ne_sc_collect() stops at its first error, and a
         * redefinition it never reached would leak in avro-c (found by fuzzing: a nameless
         * record after a name defined twice). */
        r = ne_sc_collect(s, s->root, "", 0);
        if (r == -ENOMEM)
                goto err_free;
        if (r == -ENOTUNIQ) {
                r = ne_diag_set(diag, -EINVAL, "a record has two fields named \"%.64s\"",
                                s->dup_field);
                goto err_free;
        }
        int collected = r;
        r = ne_sc_find_duplicate_name(s, &dup);
        if (r < 0)
                goto err_free;
        if (r > 0) {
                r = ne_diag_set(diag, -EINVAL, "type \"%.64s\" is defined twice", dup);
                goto err_free;
        }
        if (collected == -EINVAL) {
                r = ne_diag_set(diag, -EINVAL, "a record, enum or fixed type has no name");
                goto err_free;
        }
        if (collected == -ELOOP) {
                r = ne_diag_set(diag, -ELOOP, "types nest deeper than %d",
                                NE_SCHEMA_COMPAT_MAX_DEPTH);
                goto err_free;
        }
        if (collected < 0) {
                r = ne_diag_set(diag, collected, "cannot index the schema's named types");
                goto err_free;
        }
        if (avro_schema_from_json_length(json, len, &avs) != 0) {
                r = ne_diag_set(diag, -EINVAL, "not a valid Avro schema: %s", avro_strerror());
                goto err_free;
        }
        avro_schema_decref(avs);
        /* Accept only what the walk understands: a schema must read its own data. This turns a
         * disagreement with avro-c over names into a parse error instead of a false "not
         * compatible" later (found by fuzzing: avro-c takes the name ".L" as "L"). */
        struct ne_diag why;
        ne_diag_clear(&why);
        r = ne_schema_compat_can_read(s, s, &why);
        if (r == -ENOMEM)
                goto err_free;
        if (r != 1 && r != -ELOOP) {
                r = ne_diag_set(diag, -EINVAL, "schema not understood by the checker: %s", why.msg);
                goto err_free;
        }
        *ret = s;
        return 0;
err_free:
        ne_schema_compat_free(s);
        return r;
}

int ne_schema_compat_load(const char *path, struct ne_compat_schema **ret, struct ne_diag *diag)
{
        char *text = NULL;
        size_t len = 0;
        int r;
        FILE *f = fopen(path, "rb");
        if (!f) {
                r = -errno;
                return ne_diag_set(diag, r, "%s: %s", path, strerror(-r));
        }
        text = malloc(NE_SCHEMA_COMPAT_MAX_BYTES + 1);
        if (!text) {
                r = -ENOMEM;
                goto out;
        }
        len = fread(text, 1, NE_SCHEMA_COMPAT_MAX_BYTES + 1, f);
        if (ferror(f)) {
                r = ne_diag_set(diag, -EIO, "%s: read error", path);
                goto out;
        }
        if (len > NE_SCHEMA_COMPAT_MAX_BYTES) {
                r = ne_diag_set(diag, -EFBIG, "%s: larger than %d bytes", path,
                                NE_SCHEMA_COMPAT_MAX_BYTES);
                goto out;
        }
        r = ne_schema_compat_parse(text, len, ret, diag);
        if (r < 0 && diag) {
                char msg[sizeof(diag->msg)];
                snprintf(msg, sizeof(msg), "%s", diag->msg);
                ne_diag_set(diag, r, "%s: %s", path, msg);
        }
out:
        free(text);
        fclose(f);
        return r;
}
