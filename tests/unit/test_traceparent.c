/* Unit tests for W3C traceparent handling: a table of valid and invalid values modelled on the
 * spec's examples and its test suite's cases (versioning, case, all-zero ids, separators), round
 * trips, the child rule and the randomness of new ids. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <string.h>

#include "ne/traceparent.h"

#define TRACE "4bf92f3577b34da6a3ce929d0e0e4736"
#define PARENT "00f067aa0ba902b7"

/* Text inline, not a pointer: Criterion may run each parameter in a re-executed process. */
struct tp_case {
        char text[128];
        bool valid;
        uint8_t version, flags; /* expected when valid */
};

/* clang-format off */
#define OK(s, v, f) {s, true, v, f}
#define BAD(s) {s, false, 0, 0}
static struct tp_case cases[] = {
        OK("00-" TRACE "-" PARENT "-01", 0x00, 0x01),
        OK("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00", 0x00, 0x00),
        OK("00-" TRACE "-" PARENT "-ff", 0x00, 0xff), /* version 00 keeps unknown flag bits */
        /* Higher versions: first four fields, rest after a dash ignored, only the sampled bit. */
        OK("cc-" TRACE "-" PARENT "-01-what-the-future-will-be-like", 0xcc, 0x01),
        OK("01-" TRACE "-" PARENT "-09", 0x01, 0x01),
        OK("fe-" TRACE "-" PARENT "-02", 0xfe, 0x00),
        OK("00-00000000000000000000000000000001-0000000000000001-00", 0x00, 0x00),
        BAD(""),
        BAD("00"),
        BAD("ff-" TRACE "-" PARENT "-01"),                   /* version ff is forbidden */
        BAD("00-" TRACE "-" PARENT "-01-what-the-future"),   /* 00 has exactly 4 fields */
        BAD("cc-" TRACE "-" PARENT "-01.what-the-future"),   /* extension needs a dash */
        BAD("00-" TRACE "-" PARENT "-01 "),                  /* no trailing whitespace */
        BAD(" 00-" TRACE "-" PARENT "-01"),                  /* no leading whitespace */
        BAD("00-4BF92F3577B34DA6A3CE929D0E0E4736-" PARENT "-01"), /* upper-case trace-id */
        BAD("00-" TRACE "-00F067AA0BA902B7-01"),             /* upper-case parent-id */
        BAD("00-" TRACE "-" PARENT "-0A"),                   /* upper-case flags */
        BAD("0A-" TRACE "-" PARENT "-01"),                   /* upper-case version */
        BAD("0g-" TRACE "-" PARENT "-01"),
        BAD("00-00000000000000000000000000000000-" PARENT "-01"), /* all-zero trace-id */
        BAD("00-" TRACE "-0000000000000000-01"),             /* all-zero parent-id */
        BAD("00-4bf92f3577b34da6a3ce929d0e0e473-" PARENT "0-01"), /* trace-id 31 digits */
        BAD("00-4bf92f3577b34da6a3ce929d0e0e47366-" PARENT "-01"), /* trace-id 33 digits */
        BAD("00-" TRACE "-00f067aa0ba902b-01"),              /* parent-id 15 digits */
        BAD("00-4bf92f3577b34da6a3ce929d0e0e473g-" PARENT "-01"), /* non-hex */
        BAD("00-" TRACE "-" PARENT "-1"),
        BAD("00_" TRACE "-" PARENT "-01"),
        BAD("00-" TRACE "_" PARENT "-01"),
        BAD("00-" TRACE "-" PARENT "_01"),
        BAD("cc-" TRACE "-" PARENT "-1"),                    /* higher version, too short */
        BAD("00-" TRACE "-" PARENT "-+1"),
        BAD("00--4bf92f3577b34da6a3ce929d0e0e4736" PARENT "-01"),
};
/* clang-format on */

ParameterizedTestParameters(traceparent, table)
{
        return cr_make_param_array(struct tp_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct tp_case *c, traceparent, table)
{
        size_t len = strlen(c->text);
        struct ne_traceparent tp;
        memset(&tp, 0xa5, sizeof(tp));
        struct ne_traceparent before = tp;
        int r = ne_traceparent_parse(c->text, len, &tp);
        if (!c->valid) {
                cr_assert_eq(r, -EINVAL, "'%s' accepted", c->text);
                cr_assert_eq(memcmp(&tp, &before, sizeof(tp)), 0, "out-param written on failure");
                return;
        }
        cr_assert_eq(r, 0, "'%s' rejected", c->text);
        cr_assert_eq(tp.version, c->version);
        cr_assert_eq(tp.flags, c->flags, "'%s': flags %02x", c->text, tp.flags);
}

Test(traceparent, embedded_nul_counts_against_length)
{
        static const char s[] = "00-" TRACE "-" PARENT "-0\0";
        struct ne_traceparent tp;
        cr_assert_eq(ne_traceparent_parse(s, NE_TRACEPARENT_LEN, &tp), -EINVAL);
}

Test(traceparent, length_is_honoured_without_nul)
{
        /* The value sits inside a longer buffer (a Kafka header is not NUL-terminated). */
        static const char s[] = "00-" TRACE "-" PARENT "-01XXXX";
        struct ne_traceparent tp;
        cr_assert_eq(ne_traceparent_parse(s, NE_TRACEPARENT_LEN, &tp), 0);
        cr_assert_eq(ne_traceparent_parse(s, NE_TRACEPARENT_LEN - 1, &tp), -EINVAL);
        cr_assert_eq(ne_traceparent_parse(NULL, 0, &tp), -EINVAL);
}

Test(traceparent, fields_decoded)
{
        struct ne_traceparent tp;
        cr_assert_eq(ne_traceparent_parse("00-" TRACE "-" PARENT "-01", 55, &tp), 0);
        static const uint8_t trace[16] = {0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6,
                                          0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36};
        static const uint8_t parent[8] = {0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7};
        cr_assert_eq(memcmp(tp.trace_id, trace, 16), 0);
        cr_assert_eq(memcmp(tp.parent_id, parent, 8), 0);
        cr_assert(ne_traceparent_is_sampled(&tp));
}

Test(traceparent, round_trip)
{
        static const char *const values[] = {
            "00-" TRACE "-" PARENT "-01",
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00",
            "00-ffffffffffffffffffffffffffffffff-ffffffffffffffff-ff",
        };
        for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
                struct ne_traceparent tp;
                char out[NE_TRACEPARENT_LEN + 1];
                cr_assert_eq(ne_traceparent_parse(values[i], strlen(values[i]), &tp), 0);
                ne_traceparent_format(&tp, out);
                cr_assert_str_eq(out, values[i]);
        }
}

Test(traceparent, higher_version_formats_as_00)
{
        const char *in = "cc-" TRACE "-" PARENT "-01-what-the-future-will-be-like";
        struct ne_traceparent tp;
        char out[NE_TRACEPARENT_LEN + 1];
        cr_assert_eq(ne_traceparent_parse(in, strlen(in), &tp), 0);
        ne_traceparent_format(&tp, out);
        cr_assert_str_eq(out, "00-" TRACE "-" PARENT "-01");
}

Test(traceparent, child_keeps_trace_and_flags)
{
        struct ne_traceparent parent, child;
        char out[NE_TRACEPARENT_LEN + 1];
        cr_assert_eq(ne_traceparent_parse("00-" TRACE "-" PARENT "-01", 55, &parent), 0);
        ne_traceparent_child(&parent, &child);
        cr_assert_eq(memcmp(child.trace_id, parent.trace_id, 16), 0);
        cr_assert_neq(memcmp(child.parent_id, parent.parent_id, 8), 0);
        cr_assert_eq(child.flags, 0x01);
        ne_traceparent_format(&child, out);
        cr_assert_eq(strncmp(out, "00-" TRACE "-", 36), 0, "%s", out);
        cr_assert_str_eq(out + 52, "-01");

        /* The formatted child parses back to itself. */
        struct ne_traceparent again;
        cr_assert_eq(ne_traceparent_parse(out, strlen(out), &again), 0);
        cr_assert_eq(memcmp(&again, &child, sizeof(child)), 0);

        /* ret may alias parent. */
        struct ne_traceparent self = parent;
        ne_traceparent_child(&self, &self);
        cr_assert_eq(memcmp(self.trace_id, parent.trace_id, 16), 0);
        cr_assert_neq(memcmp(self.parent_id, parent.parent_id, 8), 0);
}

Test(traceparent, child_of_higher_version_is_00)
{
        const char *in = "cc-" TRACE "-" PARENT "-01-x";
        struct ne_traceparent parent, child;
        cr_assert_eq(ne_traceparent_parse(in, strlen(in), &parent), 0);
        ne_traceparent_child(&parent, &child);
        cr_assert_eq(child.version, 0);
        cr_assert_eq(child.flags, 0x01);
}

Test(traceparent, new_values_are_valid_and_differ)
{
        enum { N = 64 };
        static struct ne_traceparent tps[N];
        for (int i = 0; i < N; i++) {
                char out[NE_TRACEPARENT_LEN + 1];
                struct ne_traceparent back;
                ne_traceparent_new(&tps[i]);
                cr_assert_eq(tps[i].version, 0);
                cr_assert_eq(tps[i].flags, 0);
                cr_assert_not(ne_traceparent_is_sampled(&tps[i]));
                ne_traceparent_format(&tps[i], out);
                cr_assert_eq(strlen(out), NE_TRACEPARENT_LEN);
                cr_assert_eq(ne_traceparent_parse(out, NE_TRACEPARENT_LEN, &back), 0, "%s", out);
                cr_assert_eq(memcmp(&back, &tps[i], sizeof(back)), 0);
        }
        /* 128 random bits: any repeat among 64 values means the source is not random. */
        for (int i = 0; i < N; i++)
                for (int j = i + 1; j < N; j++) {
                        cr_assert_neq(memcmp(tps[i].trace_id, tps[j].trace_id, 16), 0);
                        cr_assert_neq(memcmp(tps[i].parent_id, tps[j].parent_id, 8), 0);
                }
        /* Trace-id and parent-id are drawn separately, not one from the other. */
        cr_assert_neq(memcmp(tps[0].trace_id, tps[0].parent_id, 8), 0);
}

Test(traceparent, new_ids_use_every_hex_digit)
{
        /* A crude bias check: 64 trace-ids give 2048 nibbles; each of the 16 values must appear. */
        unsigned seen[16] = {0};
        for (int i = 0; i < 64; i++) {
                struct ne_traceparent tp;
                ne_traceparent_new(&tp);
                for (int k = 0; k < 16; k++) {
                        seen[tp.trace_id[k] >> 4]++;
                        seen[tp.trace_id[k] & 15]++;
                }
        }
        for (int d = 0; d < 16; d++)
                cr_assert_gt(seen[d], 40u, "nibble %x seen %u times of 2048", d, seen[d]);
}
