/* A bounded walk over Avro binary against its writer schema, run before avro-c sees the bytes.
 * avro-c 1.11 trusts lengths and counts from the wire: it allocates whatever a string length
 * claims, leaks on a truncated string, negates INT64_MIN block counts and does not range-check
 * enum indexes. This walk proves the datum is well-formed first, so avro-c only ever reads
 * good data. It never allocates and reports the first problem with its byte offset. */
#include <errno.h>
#include <inttypes.h>

#include "codec_internal.h"
#include "ne/utf8.h"

struct walk {
        const unsigned char *p;
        size_t len;
        size_t pos;
        size_t base;        /* added to offsets in messages (the frame header) */
        size_t zero_budget; /* items that consumed no bytes still allowed */
        enum ne_dlq_reason *ret_reason;
        struct ne_diag *diag;
};

static int walk_value(struct walk *w, avro_schema_t schema, unsigned int depth);

static long at(const struct walk *w, size_t pos)
{
        return (long)(w->base + pos);
}

static int bad(struct walk *w, size_t pos, const char *what)
{
        return ne_codec_fail(w->ret_reason, NE_DLQ_BAD_AVRO, w->diag, NULL, at(w, pos),
                             "Avro: %s at byte %ld", what, at(w, pos));
}

/* Zig-zag varint of at most 10 bytes (64 bits). */
static int read_long(struct walk *w, int64_t *ret)
{
        size_t start = w->pos;
        uint64_t u = 0;
        for (unsigned int shift = 0; shift < 70; shift += 7) {
                if (w->pos >= w->len)
                        return bad(w, start, "truncated varint");
                unsigned char b = w->p[w->pos++];
                if (shift == 63 && b > 1)
                        return bad(w, start, "varint overflows 64 bits");
                u |= (uint64_t)(b & 0x7F) << shift;
                if (!(b & 0x80)) {
                        *ret = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
                        return 0;
                }
        }
        return bad(w, start, "varint longer than 10 bytes");
}

static int read_int(struct walk *w, int64_t *ret)
{
        size_t start = w->pos;
        int64_t v = 0;
        int r = read_long(w, &v);
        if (r < 0)
                return r;
        if (v < INT32_MIN || v > INT32_MAX)
                return bad(w, start, "int out of 32-bit range");
        *ret = v;
        return 0;
}

static int skip(struct walk *w, size_t n, const char *what)
{
        if (n > w->len - w->pos)
                return bad(w, w->pos, what);
        w->pos += n;
        return 0;
}

/* A length-prefixed string or bytes value; strings must be UTF-8 without NUL. */
static int walk_bytes(struct walk *w, bool is_string)
{
        size_t start = w->pos;
        int64_t n = 0;
        int r = read_long(w, &n);
        if (r < 0)
                return r;
        if (n < 0)
                return ne_codec_fail(w->ret_reason, NE_DLQ_BAD_AVRO, w->diag, NULL, at(w, start),
                                     "Avro: negative length %" PRId64 " at byte %ld", n,
                                     at(w, start));
        if ((uint64_t)n > w->len - w->pos)
                return ne_codec_fail(w->ret_reason, NE_DLQ_BAD_AVRO, w->diag, NULL, at(w, start),
                                     "Avro: length %" PRId64 " at byte %ld exceeds the %zu bytes "
                                     "left",
                                     n, at(w, start), w->len - w->pos);
        size_t bad_off;
        if (is_string && !ne_utf8_is_valid((const char *)w->p + w->pos, (size_t)n, &bad_off))
                return ne_codec_fail(
                    w->ret_reason, NE_DLQ_INVALID_UTF8, w->diag, NULL, at(w, w->pos + bad_off),
                    "Avro: string is not UTF-8 or holds NUL at byte %ld", at(w, w->pos + bad_off));
        w->pos += (size_t)n;
        return 0;
}

/* Arrays and maps: blocks of `count` items, a negative count followed by the block's byte
 * size, ended by a zero count. */
static int walk_blocks(struct walk *w, avro_schema_t items, bool is_map, unsigned int depth)
{
        for (;;) {
                size_t start = w->pos;
                int64_t count = 0;
                int r = read_long(w, &count);
                if (r < 0)
                        return r;
                if (count == 0)
                        return 0;
                if (count == INT64_MIN)
                        return bad(w, start, "block count out of range");
                if (count < 0) {
                        int64_t size = 0;
                        count = -count;
                        r = read_long(w, &size);
                        if (r < 0)
                                return r;
                        if (size < 0 || (uint64_t)size > w->len - w->pos)
                                return bad(w, start, "block byte size out of range");
                }
                for (int64_t i = 0; i < count; i++) {
                        size_t item_start = w->pos;
                        if (is_map) {
                                r = walk_bytes(w, true);
                                if (r < 0)
                                        return r;
                        }
                        r = walk_value(w, items, depth + 1);
                        if (r < 0)
                                return r;
                        if (w->pos == item_start) {
                                /* Zero-size items (null, empty record) cost budget instead of
                                 * bytes, so a huge count cannot spin or make avro-c allocate. */
                                if (w->zero_budget == 0)
                                        return bad(w, start, "too many zero-size items");
                                w->zero_budget--;
                        }
                }
        }
}

static int walk_value(struct walk *w, avro_schema_t schema, unsigned int depth)
{
        int64_t v = 0;
        int r;

        if (depth > NE_AVRO_MAX_DEPTH)
                return bad(w, w->pos, "nesting too deep");
        while (is_avro_link(schema))
                schema = avro_schema_link_target(schema);

        switch (avro_typeof(schema)) {
        case AVRO_NULL:
                return 0;
        case AVRO_BOOLEAN:
                if (w->pos >= w->len)
                        return bad(w, w->pos, "truncated boolean");
                if (w->p[w->pos] > 1)
                        return bad(w, w->pos, "boolean is neither 0 nor 1");
                w->pos++;
                return 0;
        case AVRO_INT32:
                return read_int(w, &v);
        case AVRO_INT64:
                return read_long(w, &v);
        case AVRO_FLOAT:
                return skip(w, 4, "truncated float");
        case AVRO_DOUBLE:
                return skip(w, 8, "truncated double");
        case AVRO_STRING:
                return walk_bytes(w, true);
        case AVRO_BYTES:
                return walk_bytes(w, false);
        case AVRO_FIXED:
                return skip(w, (size_t)avro_schema_fixed_size(schema), "truncated fixed");
        case AVRO_ENUM: {
                size_t start = w->pos;
                r = read_int(w, &v);
                if (r < 0)
                        return r;
                if (v < 0 || v >= avro_schema_enum_number_of_symbols(schema))
                        return bad(w, start, "enum index out of range");
                return 0;
        }
        case AVRO_UNION: {
                size_t start = w->pos;
                r = read_long(w, &v);
                if (r < 0)
                        return r;
                if (v < 0 || (uint64_t)v >= avro_schema_union_size(schema))
                        return bad(w, start, "union branch out of range");
                return walk_value(w, avro_schema_union_branch(schema, (int)v), depth + 1);
        }
        case AVRO_ARRAY:
                return walk_blocks(w, avro_schema_array_items(schema), false, depth);
        case AVRO_MAP:
                return walk_blocks(w, avro_schema_map_values(schema), true, depth);
        case AVRO_RECORD: {
                size_t n = avro_schema_record_size(schema);
                for (size_t i = 0; i < n; i++) {
                        r = walk_value(w, avro_schema_record_field_get_by_index(schema, (int)i),
                                       depth + 1);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        default:
                return bad(w, w->pos, "unsupported schema type");
        }
}

int ne_avro_validate(avro_schema_t schema, const unsigned char *data, size_t len, size_t base,
                     enum ne_dlq_reason *ret_reason, struct ne_diag *diag)
{
        struct walk w = {
            .p = data,
            .len = len,
            .base = base,
            .zero_budget = NE_AVRO_ZERO_SIZE_ITEMS,
            .ret_reason = ret_reason,
            .diag = diag,
        };
        int r = walk_value(&w, schema, 0);
        if (r < 0)
                return r;
        if (w.pos != len)
                return bad(&w, w.pos, "trailing bytes after the record");
        return 0;
}
