/* Unit tests for UTF-8 validation and decoding: a table of well-formed and ill-formed
 * sequences from the Unicode Standard's table 3-7. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "ne/utf8.h"

/* Bytes inline, not a pointer: Criterion may run each parameter in a re-executed process
 * where pointers into the parent's data are meaningless. */
struct utf8_case {
        char bytes[24];
        size_t len;
        bool valid;
        size_t bad_offset;
};

#define C(s, v, off) {s, sizeof(s) - 1, v, off}
static struct utf8_case cases[] = {
        C("", true, 0),
        C("plain ascii", true, 0),
        C("caf\xc3\xa9", true, 0),
        C("\xe2\x80\x9cquoted\xe2\x80\x9d", true, 0),
        C("\xf0\x9f\x93\xb0 news", true, 0),
        C("\xf4\x8f\xbf\xbf", true, 0),          /* U+10FFFF */
        C("ab\x80", false, 2),                   /* lone continuation */
        C("\xc0\xaf", false, 0),                 /* overlong '/' */
        C("\xe0\x80\xaf", false, 0),             /* overlong 3-byte */
        C("x\xed\xa0\x80", false, 1),            /* surrogate U+D800 */
        C("\xf4\x90\x80\x80", false, 0),         /* above U+10FFFF */
        C("ok\xe2\x82", false, 2),               /* truncated at end */
        C("nul\x00inside", false, 3),
        C("\xff", false, 0),
};

ParameterizedTestParameters(utf8, validity)
{
        return cr_make_param_array(struct utf8_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct utf8_case *tc, utf8, validity)
{
        size_t bad = 999;
        bool ok = ne_utf8_is_valid(tc->bytes, tc->len, &bad);
        cr_assert_eq(ok, tc->valid, "case %zu bytes", tc->len);
        if (!tc->valid)
                cr_assert_eq(bad, tc->bad_offset);
}

Test(utf8, next_decodes_and_counts)
{
        const char *s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x93\xb0";
        size_t len = strlen(s), pos = 0;
        cr_assert_eq(ne_utf8_next(s, len, &pos), 'a');
        cr_assert_eq(ne_utf8_next(s, len, &pos), 0xE9);
        cr_assert_eq(ne_utf8_next(s, len, &pos), 0x20AC);
        cr_assert_eq(ne_utf8_next(s, len, &pos), 0x1F4F0);
        cr_assert_eq(pos, len);
        cr_assert_eq(ne_utf8_count(s, len), 4);
}

Test(utf8, put_round_trips_every_length)
{
        const int32_t cps[] = {0x41, 0xE9, 0x20AC, 0x1F4F0, 0x10FFFF};
        const size_t lens[] = {1, 2, 3, 4, 4};
        for (size_t i = 0; i < sizeof(cps) / sizeof(cps[0]); i++) {
                char buf[4];
                size_t n = ne_utf8_put(buf, cps[i]);
                cr_assert_eq(n, lens[i]);
                size_t pos = 0;
                cr_assert_eq(ne_utf8_next(buf, n, &pos), cps[i]);
                cr_assert_eq(pos, n);
        }
}
