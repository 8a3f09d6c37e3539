/* Unit tests for the tokenizer: a table of tricky news strings with their expected tokens and
 * flags (offsets are checked against an independent search of the text), malformed UTF-8,
 * capacity errors, very long and random input, and token normalisation. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ne/tokenize.h"
#include "ne/utf8.h"

/* Expected tokens are space-separated. A marker before a token gives its flags: <S> sentence,
 * <L> line, <P> paragraph start, combined as in <SL>; no marker means no flag. The first token's
 * flags (always <SLP>) are checked separately and not written. Inline arrays, not pointers:
 * Criterion may run each parameter in a re-executed process. */
struct tok_case {
        char text[200];
        char expect[400];
};

/* clang-format off */
static struct tok_case cases[] = {
        /* possessives and contractions, as CoNLL writes them */
        {"Germany's representative", "Germany 's representative"},
        {"Germany\xe2\x80\x99s veto", "Germany \xe2\x80\x99s veto"},
        {"Germany 's veto", "Germany 's veto"},
        {"It doesn't work.", "It does n't work ."},
        {"I can't, won't.", "I ca n't , wo n't ."},
        {"DOESN'T IT'S", "DOES N'T IT 'S"},
        {"I'm, we'll, they're, I've, he'd", "I 'm , we 'll , they 're , I 've , he 'd"},
        {"rock'n'roll O'Brien's d'Italia", "rock'n'roll O'Brien 's d'Italia"},
        {"the States' rights", "the States ' rights"},
        {"In the '90s, in '96", "In the '90s , in '96"},
        {"the 1990's boom", "the 1990 's boom"},
        /* abbreviations and acronyms */
        {"The U.S. economy", "The U.S. economy"},
        {"at 10:30 a.m. on Monday", "at 10:30 a.m. on Monday"},
        {"John F. Kennedy said.", "John F. Kennedy said ."},
        {"Mr. Smith met Dr. Jones.", "Mr. Smith met Dr. Jones ."},
        {"No. 1 seed. No. He did.", "No. 1 seed . <S> No . <S> He did ."},
        {"Microsoft Corp. said on Friday", "Microsoft Corp. said on Friday"},
        {"St. Petersburg, e.g. the i.e. form", "St. Petersburg , e.g. the i.e. form"},
        {"U.S.-led talks by a Wash.-based firm", "U.S.-led talks by a Wash.-based firm"},
        {"We don\xe2\x80\x99t know", "We do n\xe2\x80\x99t know"},
        {"CORP. INC.", "CORP. INC ."},
        {"patients with MS. Final approval by the SEC. The FT.",
         "patients with MS . <S> Final approval by the SEC . <S> The FT ."},
        /* hyphens, numbers, money */
        {"EU-wide re-examine pre- and post-war", "EU-wide re-examine pre - and post-war"},
        {"1,000 3.5 1996-08-22 6-4 3.5bn", "1,000 3.5 1996-08-22 6-4 3.5bn"},
        {"$3.5 billion, 12% rise", "$ 3.5 billion , 12 % rise"},
        {"\xe2\x82\xac" "40 and \xc2\xa3" "5", "\xe2\x82\xac 40 and \xc2\xa3 5"},
        {"US$5 HK$ 10 C$2", "US$ 5 HK$ 10 C$ 2"},
        {"1/2 and 24/7 at 2:29.34", "1/2 and 24/7 at 2:29.34"},
        {"AT&T and S&P 500, R&D; Procter & Gamble", "AT&T and S&P 500 , R&D ; Procter & Gamble"},
        {"+0.05 -5 .5", "+0.05 - 5 .5"},
        /* quotes and dashes */
        {"\xe2\x80\x9cHello,\xe2\x80\x9d she said.",
         "\xe2\x80\x9c Hello , \xe2\x80\x9d she said ."},
        {"\"Yes\" he said", "\" Yes \" he said"},
        {"\xc2\xab Non \xc2\xbb dit-il", "\xc2\xab Non \xc2\xbb dit-il"},
        {"the ``quote'' here", "the `` quote '' here"},
        {"a \xe2\x80\x94 b \xe2\x80\x93 c -- d", "a \xe2\x80\x94 b \xe2\x80\x93 c -- d"},
        {"He said: \xe2\x80\x9cIt\xe2\x80\x99s over.\xe2\x80\x9d Then he left.",
         "He said : \xe2\x80\x9c It \xe2\x80\x99s over . \xe2\x80\x9d <S> Then he left ."},
        /* URLs, e-mail, hashtags */
        {"See https://example.com/a?b=1&c=(2).", "See https://example.com/a?b=1&c=(2) ."},
        {"(www.bbc.co.uk/news)", "( www.bbc.co.uk/news )"},
        {"Write to j.doe@example.com.", "Write to j.doe@example.com ."},
        {"#MeToo and @Reuters (#Brexit) a#b", "#MeToo and @Reuters ( #Brexit ) a # b"},
        {"Tel (+44) 20, x+1, $.85", "Tel ( +44 ) 20 , x + 1 , $ .85"},
        /* sentence boundaries */
        {"He works at Apple Inc. The firm grew.", "He works at Apple Inc . <S> The firm grew ."},
        {"in the U.S. He said", "in the U.S . <S> He said"},
        {"the U.S. Senate voted", "the U.S. Senate voted"},
        {"Wait... what?! No.", "Wait ... what ?! <S> No ."},
        {"word...The end", "word ... <S> The end"},
        {"Shares rose 3.2 percent. Analysts said", "Shares rose 3.2 percent . <S> Analysts said"},
        {"BRUSSELS, Aug 22 (Reuters) - The Commission said",
         "BRUSSELS , Aug 22 ( Reuters ) - <S> The Commission said"},
        {"WASHINGTON \xe2\x80\x94 The president", "WASHINGTON \xe2\x80\x94 <S> The president"},
        {"SOCCER - GOTHENBURG WIN", "SOCCER - GOTHENBURG WIN"},
        /* lines and paragraphs */
        {"EU REJECTS CALL\nBy Peter Blackburn\n\nThe body.",
         "EU REJECTS CALL <SL> By Peter Blackburn <SLP> The body ."},
        {"Line one.\r\nLine two", "Line one . <SL> Line two"},
        {"wrapped in the\nmiddle, and\nNew York", "wrapped in the <L> middle , and <SL> New York"},
        {"1. Hingis\n2. Graf", "1. Hingis <SL> 2. Graf"},
        {"It ended.\n\"We won,\" he said.", "It ended . <SL> \" We won , \" he said ."},
        {"a\xe2\x80\xa9" "b", "a <SLP> b"},
        /* other scripts and symbols */
        {"Z\xc3\xbcrich, S\xc3\xa3o Paulo and \xc5\x81\xc3\xb3" "d\xc5\xba",
         "Z\xc3\xbcrich , S\xc3\xa3o Paulo and \xc5\x81\xc3\xb3" "d\xc5\xba"},
        {"\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0, 22",
         "\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0 , 22"},
        {"\xe6\x9d\xb1\xe4\xba\xac\xe3\x81\xa7\xe3\x81\x99\xe3\x80\x82\xe6\x97\xa5",
         "\xe6\x9d\xb1 \xe4\xba\xac \xe3\x81\xa7 \xe3\x81\x99 \xe3\x80\x82 <S> \xe6\x97\xa5"},
        {"Great \xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd news\xf0\x9f\x98\x80",
         "Great \xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd news \xf0\x9f\x98\x80"},
        {"Caf\xc3\xa9\xc2\xa0Society soft\xc2\xadhyphen", "Caf\xc3\xa9 Society soft\xc2\xadhyphen"},
        {"\xef\xbb\xbfStart \xe2\x80\xa6 end", "Start \xe2\x80\xa6 end"},
};
/* clang-format on */

ParameterizedTestParameters(tokenize, table)
{
        return cr_make_param_array(struct tok_case, cases, sizeof(cases) / sizeof(cases[0]));
}

static uint32_t parse_marker(const char *w)
{
        uint32_t f = 0;
        for (const char *p = w + 1; *p && *p != '>'; p++) {
                if (*p == 'S')
                        f |= NE_TOK_SENT_START;
                else if (*p == 'L')
                        f |= NE_TOK_LINE_START;
                else if (*p == 'P')
                        f |= NE_TOK_PARA_START;
        }
        return f;
}

ParameterizedTest(struct tok_case *tc, tokenize, table)
{
        struct ne_token toks[64];
        size_t len = strlen(tc->text);
        int n = ne_tokenize(tc->text, len, toks, 64);
        cr_assert_gt(n, 0, "\"%s\": %d", tc->text, n);

        char exp[sizeof(tc->expect)];
        memcpy(exp, tc->expect, sizeof(exp));
        char *save = NULL;
        int i = 0;
        uint32_t want_flags = NE_TOK_SENT_START | NE_TOK_LINE_START | NE_TOK_PARA_START;
        size_t from = 0;
        for (char *w = strtok_r(exp, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
                if (w[0] == '<' && w[1] != '\0' && strchr(w, '>')) {
                        want_flags = parse_marker(w);
                        continue;
                }
                cr_assert_lt(i, n, "\"%s\": too few tokens (%d), missing \"%s\"", tc->text, n, w);
                const struct ne_token *t = &toks[i];
                int tl = (int)(t->end - t->start);
                cr_assert(t->end - t->start == strlen(w) &&
                              memcmp(tc->text + t->start, w, strlen(w)) == 0,
                          "\"%s\": token %d is \"%.*s\", want \"%s\"", tc->text, i, tl,
                          tc->text + t->start, w);
                /* offsets, independently: the token is the next occurrence of its text */
                const char *at = strstr(tc->text + from, w);
                cr_assert_not_null(at);
                cr_assert_eq(t->start, (uint32_t)(at - tc->text), "\"%s\" token %d start", tc->text,
                             i);
                cr_assert_eq(t->cp_start, ne_utf8_count(tc->text, t->start));
                cr_assert_eq(t->cp_end, ne_utf8_count(tc->text, t->end));
                cr_assert_eq(t->flags, want_flags, "\"%s\": token %d \"%s\" flags %u, want %u",
                             tc->text, i, w, t->flags, want_flags);
                want_flags = 0;
                from = t->end;
                i++;
        }
        cr_assert_eq(i, n, "\"%s\": %d tokens, want %d", tc->text, n, i);
}

/* Explicit offsets where bytes and code points differ. */
Test(tokenize, explicit_offsets)
{
        const char *text = "Z\xc3\xbcrich, S\xc3\xa3o \xe6\x9d\xb1 \xf0\x9f\x98\x80!";
        static const uint32_t want[][4] = {
            {0, 7, 0, 6},     /* Zürich */
            {7, 8, 6, 7},     /* , */
            {9, 13, 8, 11},   /* São */
            {14, 17, 12, 13}, /* 東 */
            {18, 22, 14, 15}, /* 😀 */
            {22, 23, 15, 16}, /* ! */
        };
        struct ne_token toks[16];
        int n = ne_tokenize(text, strlen(text), toks, 16);
        cr_assert_eq(n, 6);
        for (int i = 0; i < n; i++) {
                cr_assert_eq(toks[i].start, want[i][0], "token %d", i);
                cr_assert_eq(toks[i].end, want[i][1], "token %d", i);
                cr_assert_eq(toks[i].cp_start, want[i][2], "token %d", i);
                cr_assert_eq(toks[i].cp_end, want[i][3], "token %d", i);
        }
}

Test(tokenize, first_token_flags_and_leading_space)
{
        struct ne_token toks[4];
        int n = ne_tokenize("\n\n  Hello", 9, toks, 4);
        cr_assert_eq(n, 1);
        cr_assert_eq(toks[0].flags, NE_TOK_SENT_START | NE_TOK_LINE_START | NE_TOK_PARA_START);
        cr_assert_eq(toks[0].start, 4);
        cr_assert_eq(toks[0].cp_start, 4);
}

Test(tokenize, empty_and_blank)
{
        struct ne_token toks[4];
        cr_assert_eq(ne_tokenize("", 0, toks, 4), 0);
        cr_assert_eq(ne_tokenize(NULL, 0, NULL, 0), 0);
        const char *blank = " \t\r\n\n \xc2\xa0\xe3\x80\x80\xe2\x80\xa8";
        cr_assert_eq(ne_tokenize(blank, strlen(blank), toks, 4), 0);
        cr_assert_eq(ne_tokenize("", 0, NULL, 0), 0);
}

Test(tokenize, invalid_arguments)
{
        struct ne_token toks[4];
        cr_assert_eq(ne_tokenize(NULL, 3, toks, 4), -EINVAL);
        cr_assert_eq(ne_tokenize("abc", 3, NULL, 4), -EINVAL);
        cr_assert_eq(ne_tokenize("abc", NE_TOKENIZE_MAX_LEN + 1, toks, 4), -EOVERFLOW);
}

struct bad_case {
        char bytes[32];
        size_t len;
};

#define B(s)                                                                                       \
        {                                                                                          \
                s, sizeof(s) - 1                                                                   \
        }
/* clang-format off */
static struct bad_case bad_cases[] = {
        B("ab\x80"),
        B("\xc0\xaf"),
        B("x \xed\xa0\x80 y"),
        B("ok\xe2\x82"),
        B("nul\x00inside"),
        B("\xff"),
        B("Z\xc3\xbc\xffrich"),
        B("http://a.com/\xff"),
        B("j@x.com\xfe"),
        B("\xe2\x80\x9c\xe2\x80"),
        B("'s\xc3"),
        B("\xf4\x90\x80\x80"),
        B("-- \xf0\x9f\x98"),
};
/* clang-format on */

ParameterizedTestParameters(tokenize, malformed)
{
        return cr_make_param_array(struct bad_case, bad_cases,
                                   sizeof(bad_cases) / sizeof(bad_cases[0]));
}

ParameterizedTest(struct bad_case *bc, tokenize, malformed)
{
        struct ne_token toks[32];
        cr_assert_eq(ne_tokenize(bc->bytes, bc->len, toks, 32), -EILSEQ, "case of %zu bytes",
                     bc->len);
}

Test(tokenize, too_many_tokens)
{
        struct ne_token toks[8];
        cr_assert_eq(ne_tokenize("a b c d e", 9, toks, 4), -E2BIG);
        cr_assert_eq(ne_tokenize("a b c d e", 9, toks, 5), 5);
        cr_assert_eq(ne_tokenize("a b", 3, toks, 0), -E2BIG);
        /* the period split off a sentence-final abbreviation needs its own slot */
        cr_assert_eq(ne_tokenize("Apple Inc.", 10, toks, 2), -E2BIG);
        cr_assert_eq(ne_tokenize("Apple Inc.", 10, toks, 3), 3);
        cr_assert_eq(ne_tokenize("Apple Inc. The", 14, toks, 3), -E2BIG);
        cr_assert_eq(ne_tokenize("Apple Inc. The", 14, toks, 4), 4);
        /* the grow-and-retry loop a caller writes */
        const char *text = "Mr. Smith doesn't like U.S. lamb. He said so.";
        size_t cap = 1;
        struct ne_token *t = NULL;
        int n;
        for (;;) {
                t = realloc(t, cap * sizeof(*t));
                cr_assert_not_null(t);
                n = ne_tokenize(text, strlen(text), t, cap);
                if (n != -E2BIG)
                        break;
                cap *= 2;
        }
        cr_assert_eq(n, 12);
        free(t);
}

static const char para[] =
    "BRUSSELS, Aug 22 (Reuters) - The European Commission said on Thursday it disagreed "
    "with Germany's advice. \xe2\x80\x9cWe don\xe2\x80\x99t support it,\xe2\x80\x9d said "
    "Mr. Fischler of the U.S. unit, Z\xc3\xbcrich-based.\n\n";

Test(tokenize, very_long_input)
{
        struct ne_token one[64];
        int per = ne_tokenize(para, sizeof(para) - 1, one, 64);
        cr_assert_gt(per, 10);
        size_t plen = sizeof(para) - 1, reps = (4u << 20) / plen, len = plen * reps;
        size_t pcp = ne_utf8_count(para, plen);
        char *text = malloc(len);
        struct ne_token *toks = malloc(ne_tokenize_bound(len) * sizeof(*toks));
        cr_assert(text && toks);
        for (size_t r = 0; r < reps; r++)
                memcpy(text + r * plen, para, plen);
        int n = ne_tokenize(text, len, toks, ne_tokenize_bound(len));
        cr_assert_eq((size_t)n, (size_t)per * reps);
        size_t r = reps - 1;
        for (int i = 0; i < per; i++) {
                const struct ne_token *t = &toks[r * (size_t)per + (size_t)i];
                cr_assert_eq(t->start, one[i].start + r * plen);
                cr_assert_eq(t->cp_end, one[i].cp_end + r * pcp);
                cr_assert_eq(t->flags, one[i].flags);
        }
        free(text);
        free(toks);
}

Test(tokenize, long_runs)
{
        size_t len = 1u << 20;
        char *text = malloc(len);
        struct ne_token *toks = malloc(len * sizeof(*toks));
        cr_assert(text && toks);
        memset(text, 'a', len);
        cr_assert_eq(ne_tokenize(text, len, toks, 4), 1);
        cr_assert_eq(toks[0].end, len);
        memset(text, '-', len);
        cr_assert_eq(ne_tokenize(text, len, toks, 4), 1);
        memset(text, '(', len);
        cr_assert_eq(ne_tokenize(text, len, toks, len), (int)len);
        cr_assert_eq(ne_tokenize(text, len, toks, len - 1), -E2BIG);
        memcpy(text, "http://", 7);
        memset(text + 7, 'x', len - 7);
        cr_assert_eq(ne_tokenize(text, len, toks, 4), 1);
        free(text);
        free(toks);
}

/* Random strings built from tricky pieces: whatever the tokenizer does, its output must keep
 * the invariants of the contract. */
Test(tokenize, random_pieces_keep_invariants)
{
        /* clang-format off */
        static const char *const pieces[] = {
                "a", "Z", "1", " ", "\n", "\n\n", ".", ",", "'", "\xe2\x80\x99", "s", "n't",
                "-", "--", "\xe2\x80\x94", "\xe2\x80\x9c", "\"", "(", ")", "$", "%", "@", "#",
                "&", "/", ":", "\xc3\xa9", "\xe6\x9d\xb1", "\xf0\x9f\x98\x80", "\xcc\x81",
                "\xe2\x80\x8d", "http://", "www.", "U.S.", "Inc.", "Mr.", "...", "\xe2\x80\xa6",
                "\xc2\xa0", "\xc2\xad", "`", "+", "_", "\t", "!", "?", "0,", "\xe3\x80\x82",
        };
        /* clang-format on */
        enum { NP = sizeof(pieces) / sizeof(pieces[0]) };
        char text[512];
        struct ne_token toks[512];
        unsigned seed = 12345;
        for (int iter = 0; iter < 20000; iter++) {
                size_t len = 0;
                int k = (int)(seed % 40) + 1;
                for (int j = 0; j < k; j++) {
                        seed = seed * 1103515245u + 12345u;
                        const char *p = pieces[(seed >> 8) % NP];
                        size_t pl = strlen(p);
                        if (len + pl > sizeof(text))
                                break;
                        memcpy(text + len, p, pl);
                        len += pl;
                }
                int n = ne_tokenize(text, len, toks, ne_tokenize_bound(len));
                cr_assert_geq(n, 0, "iteration %d: %d", iter, n);
                uint32_t prev_end = 0;
                for (int i = 0; i < n; i++) {
                        const struct ne_token *t = &toks[i];
                        cr_assert_lt(t->start, t->end, "iteration %d token %d", iter, i);
                        cr_assert_geq(t->start, prev_end);
                        cr_assert_leq(t->end, len);
                        cr_assert_eq(t->cp_start, ne_utf8_count(text, t->start));
                        cr_assert_eq(t->cp_end, ne_utf8_count(text, t->end));
                        cr_assert(ne_utf8_is_valid(text + t->start, t->end - t->start, NULL));
                        for (uint32_t b = t->start; b < t->end; b++)
                                cr_assert(text[b] != ' ' && text[b] != '\n' && text[b] != '\t',
                                          "iteration %d: whitespace in token %d", iter, i);
                        cr_assert(i > 0 || (t->flags & NE_TOK_SENT_START));
                        prev_end = t->end;
                }
        }
}

struct norm_case {
        char in[32];
        char out[32];
};

/* clang-format off */
static struct norm_case norm_cases[] = {
        {"\xe2\x80\x99s", "'s"},
        {"O\xe2\x80\x99" "Brien", "O'Brien"},
        {"\xe2\x80\x9c", "\""},
        {"\xe2\x80\x9d", "\""},
        {"\xc2\xab", "\""},
        {"``", "\""},
        {"''", "\""},
        {"\xe2\x80\x94", "--"},
        {"\xe2\x80\x93", "-"},
        {"\xe2\x80\xa6", "..."},
        {"n\xe2\x80\x99t", "n't"},
        {"soft\xc2\xadhyphen", "softhyphen"},
        {"Z\xc3\xbcrich", "Z\xc3\xbcrich"},
        {"U.S.-led", "U.S.-led"},
};
/* clang-format on */

ParameterizedTestParameters(tokenize, norm)
{
        return cr_make_param_array(struct norm_case, norm_cases,
                                   sizeof(norm_cases) / sizeof(norm_cases[0]));
}

ParameterizedTest(struct norm_case *nc, tokenize, norm)
{
        struct ne_token toks[4];
        int n = ne_tokenize(nc->in, strlen(nc->in), toks, 4);
        cr_assert_eq(n, 1, "\"%s\" is %d tokens", nc->in, n);
        char out[32];
        size_t len = ne_token_norm(nc->in, &toks[0], out, sizeof(out));
        cr_assert_eq(len, strlen(nc->out));
        cr_assert_str_eq(out, nc->out);
}

Test(tokenize, norm_truncates_on_character_boundary)
{
        const char *text = "Z\xc3\xbcrich O\xe2\x80\x99"
                           "Brien";
        struct ne_token toks[4];
        cr_assert_eq(ne_tokenize(text, strlen(text), toks, 4), 2);
        char out[8];
        memset(out, 'X', sizeof(out));
        cr_assert_eq(ne_token_norm(text, &toks[0], out, 3), 7);
        cr_assert_str_eq(out, "Z"); /* "Zü" would need 3 bytes plus the NUL */
        cr_assert_eq(ne_token_norm(text, &toks[1], out, 3), 7);
        cr_assert_str_eq(out, "O'");
        cr_assert_eq(ne_token_norm(text, &toks[1], NULL, 0), 7);
        cr_assert_eq(ne_token_norm(text, &toks[1], out, 1), 7);
        cr_assert_str_eq(out, "");
        cr_assert_eq(ne_token_norm(text, &toks[1], out, 8), 7);
        cr_assert_str_eq(out, "O'Brien");
}

Test(tokenize, case_mapping)
{
        cr_assert_eq(ne_tokenize_lower('A'), 'a');
        cr_assert_eq(ne_tokenize_lower('a'), 'a');
        cr_assert_eq(ne_tokenize_lower(0xC4), 0xE4);   /* Ä */
        cr_assert_eq(ne_tokenize_lower(0x141), 0x142); /* Ł */
        cr_assert_eq(ne_tokenize_lower(0x15A), 0x15B); /* Ś */
        cr_assert_eq(ne_tokenize_lower(0x3A3), 0x3C3); /* Σ */
        cr_assert_eq(ne_tokenize_lower(0x414), 0x434); /* Д */
        cr_assert_eq(ne_tokenize_lower(0x401), 0x451); /* Ё */
        cr_assert_eq(ne_tokenize_lower(0x6771), 0x6771);
        cr_assert(ne_tokenize_is_upper(0xC9));
        cr_assert(!ne_tokenize_is_upper(0xE9));
        cr_assert(!ne_tokenize_is_upper(0xD7)); /* × */
        cr_assert(!ne_tokenize_is_upper(-1));
}

static char *slurp(const char *name, size_t *ret_len)
{
        char path[1024];
        const char *dir = getenv("NE_FIXTURES");
        if (dir)
                snprintf(path, sizeof(path), "%s/tok/%s", dir, name);
        else
                snprintf(path, sizeof(path), "%s/tests/fixtures/tok/%s", NE_SOURCE_DIR, name);
        FILE *f = fopen(path, "rb");
        cr_assert_not_null(f, "%s", path);
        char *buf = malloc(1 << 16);
        cr_assert_not_null(buf);
        size_t len = fread(buf, 1, (1 << 16) - 1, f);
        fclose(f);
        buf[len] = '\0';
        *ret_len = len;
        return buf;
}

/* A whole article (written for this test: headline, byline, dateline, quotes, non-ASCII
 * names, URL) against its reviewed token list, one token a line: byte start, end, code point
 * start, end, flags as S/L/P or -, the token, its normalised form. The offsets in the .tokens
 * file were checked independently with Python's UTF-8 decoder. */
Test(tokenize, golden_article)
{
        size_t len, glen;
        char *text = slurp("article.txt", &len);
        char *gold = slurp("article.tokens", &glen);
        struct ne_token toks[512];
        int n = ne_tokenize(text, len, toks, 512);
        cr_assert_gt(n, 0);
        char *save = NULL;
        int i = 0;
        for (char *line = strtok_r(gold, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                cr_assert_lt(i, n, "fewer tokens than the golden list");
                const struct ne_token *t = &toks[i];
                char flags[4] = {t->flags & NE_TOK_SENT_START ? 'S' : '-',
                                 t->flags & NE_TOK_LINE_START ? 'L' : '-',
                                 t->flags & NE_TOK_PARA_START ? 'P' : '-', '\0'};
                char norm[256], want[600];
                ne_token_norm(text, t, norm, sizeof(norm));
                snprintf(want, sizeof(want), "%u %u %u %u %s %.*s %s", t->start, t->end,
                         t->cp_start, t->cp_end, flags, (int)(t->end - t->start), text + t->start,
                         norm);
                cr_assert_str_eq(want, line, "token %d", i);
                i++;
        }
        cr_assert_eq(i, n, "more tokens than the golden list");
        free(text);
        free(gold);
}
