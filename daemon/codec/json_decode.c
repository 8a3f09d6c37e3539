/* JSON object -> struct ne_article, with the field names of schemas/article_published.avsc.
 * Everything cJSON would let through or get wrong is checked before it parses: the whole
 * payload is validated as UTF-8, and a scan that respects strings enforces the nesting limit
 * and rejects \u0000 escapes (cJSON would cut the string at the NUL) and lone surrogate
 * escapes. cJSON_ParseWithLengthOpts gives the error position without the thread-unsafe
 * cJSON_GetErrorPtr. Never logs. */
#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codec_internal.h"
#include "ne/utf8.h"

static int hex4(const char *s, size_t len, size_t pos)
{
        if (pos + 4 > len)
                return -1;
        int v = 0;
        for (size_t i = pos; i < pos + 4; i++) {
                char c = s[i];
                int d;
                if (c >= '0' && c <= '9')
                        d = c - '0';
                else if (c >= 'a' && c <= 'f')
                        d = c - 'a' + 10;
                else if (c >= 'A' && c <= 'F')
                        d = c - 'A' + 10;
                else
                        return -1;
                v = v * 16 + d;
        }
        return v;
}

/* Checks one \u escape at s[i] (the backslash). Returns the escape's length in bytes, 0 when
 * it is malformed (cJSON reports the syntax error), or -EBADMSG. */
static int check_u_escape(const char *s, size_t len, size_t i, enum ne_dlq_reason *ret_reason,
                          struct ne_diag *diag)
{
        int u = hex4(s, len, i + 2);
        if (u < 0)
                return 0;
        if (u == 0)
                return ne_codec_fail(ret_reason, NE_DLQ_INVALID_UTF8, diag, NULL, (long)i,
                                     "JSON: \\u0000 escape (NUL) at byte %zu", i);
        if (u >= 0xDC00 && u <= 0xDFFF)
                return ne_codec_fail(ret_reason, NE_DLQ_INVALID_UTF8, diag, NULL, (long)i,
                                     "JSON: lone low surrogate escape at byte %zu", i);
        if (u < 0xD800 || u > 0xDBFF)
                return 6;
        int lo = -1;
        if (i + 7 < len && s[i + 6] == '\\' && s[i + 7] == 'u')
                lo = hex4(s, len, i + 8);
        if (lo < 0xDC00 || lo > 0xDFFF)
                return ne_codec_fail(ret_reason, NE_DLQ_INVALID_UTF8, diag, NULL, (long)i,
                                     "JSON: lone high surrogate escape at byte %zu", i);
        return 12;
}

/* Where the scan ended: the most common malformed JSON is a truncated message, and cJSON
 * reports that only as an error at the last byte. */
struct scan_end {
        unsigned int depth;  /* objects and arrays left open */
        bool in_string;      /* the input ended inside a string */
        size_t string_start; /* the opening quote of the last string */
};

static int prescan(const char *s, size_t len, unsigned int max_depth, struct scan_end *ret_end,
                   enum ne_dlq_reason *ret_reason, struct ne_diag *diag)
{
        unsigned int depth = 0;
        bool in_string = false;
        size_t string_start = 0;
        for (size_t i = 0; i < len; i++) {
                char c = s[i];
                if (in_string) {
                        if (c == '"') {
                                in_string = false;
                        } else if (c == '\\' && i + 1 < len && s[i + 1] == 'u') {
                                int n = check_u_escape(s, len, i, ret_reason, diag);
                                if (n < 0)
                                        return n;
                                if (n > 0)
                                        i += (size_t)n - 1;
                        } else if (c == '\\') {
                                i++; /* the escaped character cannot end the string */
                        }
                } else if (c == '"') {
                        in_string = true;
                        string_start = i;
                } else if (c == '{' || c == '[') {
                        if (++depth > max_depth)
                                return ne_codec_fail(
                                    ret_reason, NE_DLQ_BAD_JSON, diag, NULL, (long)i,
                                    "JSON: nesting deeper than %u at byte %zu", max_depth, i);
                } else if ((c == '}' || c == ']') && depth > 0) {
                        depth--;
                }
        }
        *ret_end =
            (struct scan_end){.depth = depth, .in_string = in_string, .string_start = string_start};
        return 0;
}

/* A syntax error cJSON found in the string the input ends in, or at the very end with
 * brackets open: that is a truncated message, and saying so is more use than a byte position
 * (cJSON puts an unterminated string's error at its start). Otherwise, and for errors earlier
 * in the input, cJSON's position. */
static int syntax_error(const char *buf, size_t len, long off, const struct scan_end *end,
                        enum ne_dlq_reason *ret_reason, struct ne_diag *diag)
{
        size_t last = len;
        while (last > 0 && (buf[last - 1] == ' ' || buf[last - 1] == '\t' ||
                            buf[last - 1] == '\n' || buf[last - 1] == '\r'))
                last--;
        bool at_end = off < 0 || (size_t)off + 1 >= last;
        if (end->in_string && off >= (long)end->string_start)
                return ne_codec_fail(ret_reason, NE_DLQ_BAD_JSON, diag, NULL, (long)len,
                                     "JSON: truncated: input ends inside a string at byte %zu",
                                     len);
        if (at_end && end->depth > 0 && last > 0 && buf[last - 1] != '}' && buf[last - 1] != ']')
                return ne_codec_fail(ret_reason, NE_DLQ_BAD_JSON, diag, NULL, (long)len,
                                     "JSON: truncated: input ends at byte %zu with %u object(s) "
                                     "or array(s) open",
                                     len, end->depth);
        return ne_codec_fail(ret_reason, NE_DLQ_BAD_JSON, diag, NULL, off,
                             "JSON: syntax error at byte %ld", off);
}

static const char *json_type_name(const cJSON *item)
{
        if (cJSON_IsString(item))
                return "a string";
        if (cJSON_IsNumber(item))
                return "a number";
        if (cJSON_IsBool(item))
                return "a boolean";
        if (cJSON_IsArray(item))
                return "an array";
        if (cJSON_IsObject(item))
                return "an object";
        return "null";
}

static int bad_type(enum ne_dlq_reason *ret_reason, struct ne_diag *diag, const char *field,
                    const cJSON *item, const char *want)
{
        return ne_codec_fail(ret_reason, NE_DLQ_BAD_TYPE, diag, field, -1,
                             "JSON: field '%s' is %s, not %s", field, json_type_name(item), want);
}

static int dup_checked(const char *field, const char *s, char **ret, size_t *ret_len,
                       enum ne_dlq_reason *ret_reason, struct ne_diag *diag)
{
        size_t len = strlen(s);
        /* The payload was validated and escapes checked; cJSON's output is checked anyway,
         * as the article's contract is valid UTF-8 whatever the parser did. */
        if (!ne_utf8_is_valid(s, len, NULL))
                return ne_codec_fail(ret_reason, NE_DLQ_INVALID_UTF8, diag, field, -1,
                                     "JSON: field '%s' is not valid UTF-8", field);
        char *copy = strdup(s);
        if (!copy)
                return -ENOMEM;
        *ret = copy;
        if (ret_len)
                *ret_len = len;
        return 0;
}

static int get_string(const cJSON *item, char **ret, size_t *ret_len,
                      enum ne_dlq_reason *ret_reason, struct ne_diag *diag)
{
        if (cJSON_IsNull(item))
                return 0; /* absent: the default or MISSING_FIELD applies */
        if (!cJSON_IsString(item))
                return bad_type(ret_reason, diag, item->string, item, "a string");
        if (*ret) {
                free(*ret);
                *ret = NULL;
        }
        return dup_checked(item->string, item->valuestring, ret, ret_len, ret_reason, diag);
}

static int get_authors(const cJSON *item, struct ne_article *art, enum ne_dlq_reason *ret_reason,
                       struct ne_diag *diag)
{
        if (cJSON_IsNull(item))
                return 0;
        if (!cJSON_IsArray(item))
                return bad_type(ret_reason, diag, "authors", item, "an array of strings");
        size_t n = (size_t)cJSON_GetArraySize(item);
        if (n == 0)
                return 0;
        art->authors = calloc(n, sizeof(*art->authors));
        if (!art->authors)
                return -ENOMEM;
        const cJSON *e;
        cJSON_ArrayForEach(e, item)
        {
                if (!cJSON_IsString(e))
                        return ne_codec_fail(ret_reason, NE_DLQ_BAD_TYPE, diag, "authors", -1,
                                             "JSON: authors[%zu] is %s, not a string",
                                             art->n_authors, json_type_name(e));
                int r = dup_checked("authors", e->valuestring, &art->authors[art->n_authors], NULL,
                                    ret_reason, diag);
                if (r < 0)
                        return r;
                art->n_authors++;
        }
        return 0;
}

static int cmp_key(const void *a, const void *b)
{
        const cJSON *const *x = a;
        const cJSON *const *y = b;
        return strcmp((*x)->string, (*y)->string);
}

/* Duplicate keys make an object ambiguous (parsers keep the first or the last); refuse them
 * rather than pass on a guess. Sorting keeps this O(n log n) for input-controlled n. */
static int check_unique_keys(const cJSON *obj, size_t n, enum ne_dlq_reason *ret_reason,
                             struct ne_diag *diag)
{
        if (n < 2)
                return 0;
        const cJSON **v = malloc(n * sizeof(*v));
        if (!v)
                return -ENOMEM;
        size_t i = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, obj) v[i++] = e;
        qsort(v, n, sizeof(*v), cmp_key);
        int r = 0;
        for (i = 1; i < n; i++) {
                if (strcmp(v[i - 1]->string, v[i]->string) == 0) {
                        r = ne_codec_fail(ret_reason, NE_DLQ_BAD_JSON, diag, "extra", -1,
                                          "JSON: duplicate key in extra");
                        break;
                }
        }
        free(v);
        return r;
}

static int get_extra(const cJSON *item, struct ne_article *art, enum ne_dlq_reason *ret_reason,
                     struct ne_diag *diag)
{
        if (cJSON_IsNull(item))
                return 0;
        if (!cJSON_IsObject(item))
                return bad_type(ret_reason, diag, "extra", item, "an object of strings");
        size_t n = (size_t)cJSON_GetArraySize(item);
        if (n == 0)
                return 0;
        int r = check_unique_keys(item, n, ret_reason, diag);
        if (r < 0)
                return r;
        art->extra = calloc(n, sizeof(*art->extra));
        if (!art->extra)
                return -ENOMEM;
        const cJSON *e;
        cJSON_ArrayForEach(e, item)
        {
                if (!cJSON_IsString(e))
                        return ne_codec_fail(ret_reason, NE_DLQ_BAD_TYPE, diag, "extra", -1,
                                             "JSON: extra['%.64s'] is %s, not a string", e->string,
                                             json_type_name(e));
                struct ne_kv *kv = &art->extra[art->n_extra];
                r = dup_checked("extra", e->string, &kv->key, NULL, ret_reason, diag);
                if (r < 0)
                        return r;
                art->n_extra++;
                r = dup_checked("extra", e->valuestring, &kv->value, NULL, ret_reason, diag);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int get_published_at(const cJSON *item, struct ne_article *art,
                            enum ne_dlq_reason *ret_reason, struct ne_diag *diag)
{
        if (!item || cJSON_IsNull(item))
                return ne_codec_fail(ret_reason, NE_DLQ_MISSING_FIELD, diag, "published_at", -1,
                                     "JSON: field 'published_at' is missing");
        if (cJSON_IsNumber(item)) {
                double v = item->valuedouble;
                if (!isfinite(v) || v != floor(v) || fabs(v) > (double)NE_TIMESTAMP_MAX_ABS_MS)
                        return ne_codec_fail(ret_reason, NE_DLQ_BAD_TYPE, diag, "published_at", -1,
                                             "JSON: published_at is not an integer number of "
                                             "milliseconds");
                art->published_at = (int64_t)v;
                return 0;
        }
        if (cJSON_IsString(item)) {
                if (ne_rfc3339_parse(item->valuestring, strlen(item->valuestring),
                                     &art->published_at) < 0)
                        return ne_codec_fail(ret_reason, NE_DLQ_BAD_TYPE, diag, "published_at", -1,
                                             "JSON: published_at is not an RFC 3339 "
                                             "date-time");
                return 0;
        }
        return bad_type(ret_reason, diag, "published_at", item,
                        "epoch milliseconds or an RFC 3339 string");
}

enum jfield {
        J_ID,
        J_URL,
        J_SOURCE,
        J_TITLE,
        J_BODY,
        J_AUTHORS,
        J_LANGUAGE,
        J_PUBLISHED_AT,
        J_EXTRA,
        J__COUNT
};

static const char *const jfield_names[J__COUNT] = {
    "id", "url", "source", "title", "body", "authors", "language", "published_at", "extra",
};

static int fill(const cJSON *root, struct ne_article *art, enum ne_dlq_reason *ret_reason,
                struct ne_diag *diag)
{
        const cJSON *items[J__COUNT] = {0};
        const cJSON *e;
        cJSON_ArrayForEach(e, root)
        {
                for (int f = 0; f < J__COUNT; f++) {
                        if (strcmp(e->string, jfield_names[f]) != 0)
                                continue;
                        if (items[f])
                                return ne_codec_fail(ret_reason, NE_DLQ_BAD_JSON, diag,
                                                     jfield_names[f], -1,
                                                     "JSON: duplicate key '%s'", jfield_names[f]);
                        items[f] = e;
                }
        }
        /* Unknown keys are ignored, as a reader schema ignores a writer's extra fields. */
        int r = 0;
        char **strings[J__COUNT] = {
            [J_ID] = &art->id,       [J_URL] = &art->url,   [J_SOURCE] = &art->source,
            [J_TITLE] = &art->title, [J_BODY] = &art->body, [J_LANGUAGE] = &art->language,
        };
        for (int f = 0; f < J__COUNT && r == 0; f++) {
                if (strings[f] && items[f])
                        r = get_string(items[f], strings[f], f == J_BODY ? &art->body_len : NULL,
                                       ret_reason, diag);
        }
        if (r == 0 && items[J_AUTHORS])
                r = get_authors(items[J_AUTHORS], art, ret_reason, diag);
        if (r == 0 && items[J_EXTRA])
                r = get_extra(items[J_EXTRA], art, ret_reason, diag);
        if (r == 0)
                r = ne_article_finish(art, ret_reason, diag);
        if (r == 0)
                r = get_published_at(items[J_PUBLISHED_AT], art, ret_reason, diag);
        return r;
}

int ne_json_decode(const char *buf, size_t len, unsigned int max_depth, struct ne_article **ret_art,
                   enum ne_dlq_reason *ret_reason, struct ne_diag *diag)
{
        size_t bad_off;
        if (!ne_utf8_is_valid(buf, len, &bad_off))
                return ne_codec_fail(ret_reason, NE_DLQ_INVALID_UTF8, diag, NULL, (long)bad_off,
                                     "JSON: not UTF-8, or holds NUL, at byte %zu", bad_off);
        struct scan_end scan = {0};
        int r = prescan(buf, len, max_depth, &scan, ret_reason, diag);
        if (r < 0)
                return r;

        const char *end = NULL;
        cJSON *root = cJSON_ParseWithLengthOpts(buf, len, &end, false);
        if (!root)
                return syntax_error(buf, len, end ? (long)(end - buf) : -1, &scan, ret_reason,
                                    diag);
        size_t pos = (size_t)(end - buf);
        while (pos < len &&
               (buf[pos] == ' ' || buf[pos] == '\t' || buf[pos] == '\n' || buf[pos] == '\r'))
                pos++;
        if (pos < len) {
                r = ne_codec_fail(ret_reason, NE_DLQ_BAD_JSON, diag, NULL, (long)pos,
                                  "JSON: trailing data after the object at byte %zu", pos);
                goto out_root;
        }
        if (!cJSON_IsObject(root)) {
                r = ne_codec_fail(ret_reason, NE_DLQ_UNKNOWN_FORMAT, diag, NULL, 0,
                                  "JSON: not an object");
                goto out_root;
        }

        struct ne_article *art = ne_article_new();
        if (!art) {
                r = -ENOMEM;
                goto out_root;
        }
        r = fill(root, art, ret_reason, diag);
        if (r < 0) {
                ne_article_free(art);
                goto out_root;
        }
        *ret_art = art;
out_root:
        cJSON_Delete(root);
        return r;
}
