/* Unit tests for the topic tokenizer and n-gram hashing: pinned hash values (they are part of
 * the model format), UTF-8 handling and lower-casing, separators, ill-formed bytes, token cut. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "ne/topic_train.h"

struct collect {
        char out[512];
        size_t n;
};

static int collect_tok(const char *tok, size_t len, void *ud)
{
        struct collect *c = ud;
        if (c->n + len + 2 >= sizeof(c->out))
                return -1;
        if (c->n)
                c->out[c->n++] = ' ';
        memcpy(c->out + c->n, tok, len);
        c->n += len;
        c->out[c->n] = '\0';
        return 0;
}

/* Inline bytes, not pointers: Criterion may re-execute parameterised tests in a new process. */
struct tok_case {
        char in[96];
        size_t len;
        uint32_t flags;
        char want[128];
};

#define T(s, f, w)                                                                                 \
        {                                                                                          \
                s, sizeof(s) - 1, f, w                                                             \
        }
static struct tok_case tok_cases[] = {
    T("", 0, ""),
    T("Hello, World!", 0, "hello world"),
    T("A b c de", 0, "de"), /* single chars dropped */
    T("U.S. GDP rose 3.5% in 2024", 0, "gdp rose in 2024"),
    T("U.S. GDP rose 3.5% in 2024", NE_TOPIC_F_DIGITS, "gdp rose in 0000"),
    T("CAF\xc3\x89 \xc3\x9c"
      "BER",
      0,
      "caf\xc3\xa9 \xc3\xbc"
      "ber"), /* Latin-1 lowered */
    T("\xce\x91\xce\x98\xce\x97\xce\x9d\xce\x91", 0,
      "\xce\xb1\xce\xb8\xce\xb7\xce\xbd\xce\xb1"), /* Greek ATHENA */
    T("\xd0\x9c\xd0\x9e\xd0\xa1\xd0\x9a\xd0\x92\xd0\x90", 0,
      "\xd0\xbc\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0"), /* Cyrillic MOSKVA */
    T("\xe2\x80\x9c"
      "quoted\xe2\x80\x9d\xe2\x80\x94"
      "dash",
      0, "quoted dash"),
    T("bad\xff"
      "byte \xc3",
      0, "bad byte"), /* ill-formed bytes split */
    T("trunc\xe2\x82 ok", 0, "trunc ok"),
    T("\xe6\x9d\xb1\xe4\xba\xac", 0, "\xe6\x9d\xb1\xe4\xba\xac"), /* CJK kept as letters */
    T("tab\tnew\nline\x00nul", 0, "tab new line nul"),
};

ParameterizedTestParameters(topic_feat, tokenize)
{
        return cr_make_param_array(struct tok_case, tok_cases,
                                   sizeof(tok_cases) / sizeof(tok_cases[0]));
}

ParameterizedTest(struct tok_case *tc, topic_feat, tokenize)
{
        struct collect c = {.n = 0};
        cr_assert_eq(ne_topic_tokenize(tc->in, tc->len, tc->flags, collect_tok, &c), 0);
        cr_assert_str_eq(c.out, tc->want, "tokens of case '%s'", tc->want);
}

Test(topic_feat, long_token_is_cut)
{
        char in[200];
        memset(in, 'x', sizeof(in));
        struct collect c = {.n = 0};
        ne_topic_tokenize(in, sizeof(in), 0, collect_tok, &c);
        cr_assert_eq(c.n, NE_TOPIC_MAX_TOKEN);
}

Test(topic_feat, long_multibyte_token_stays_valid_utf8)
{
        char in[300];
        for (size_t i = 0; i + 1 < sizeof(in); i += 2) {
                in[i] = '\xc3';
                in[i + 1] = '\xa9';
        }
        struct collect c = {.n = 0};
        ne_topic_tokenize(in, sizeof(in), 0, collect_tok, &c);
        cr_assert_eq(c.n % 2, 0, "cut between code points");
        cr_assert(c.n >= NE_TOPIC_MAX_TOKEN && c.n <= NE_TOPIC_MAX_TOKEN + 4);
}

Test(topic_feat, hash_values_are_stable)
{
        /* pinned: changing them silently invalidates every trained model */
        cr_assert_eq(ne_topic_hash_token("news", 4, 1), 0x7f73084d69b947f4ULL);
        cr_assert_eq(ne_topic_hash_token("caf\xc3\xa9", 5, 1), 0x0ef662fc405c0c2aULL);
        cr_assert_eq(ne_topic_hash_token("abcdefghijklmnopqrstuvwxyz", 26, 1),
                     0x999414855ab6c66cULL);
        cr_assert_eq(ne_topic_hash_token("news", 4, 2), 0x1ac65084cf33791bULL);
        cr_assert_eq(ne_topic_key_unigram(0x7f73084d69b947f4ULL), 0x7f73084cu);
        cr_assert_eq(ne_topic_key_bigram(0x7f73084d69b947f4ULL, 0x0ef662fc405c0c2aULL),
                     0x3b9208c3u);
}

Test(topic_feat, key_kinds_are_tagged)
{
        for (uint64_t h = 1; h < 2000; h += 7) {
                uint64_t x = ne_topic_hash_token((const char *)&h, sizeof(h), 1);
                cr_assert_eq(ne_topic_key_unigram(x) & 1, 0u);
                cr_assert_eq(ne_topic_key_bigram(x, h) & 1, 1u);
        }
}

struct keys {
        uint32_t k[16];
        size_t n;
};

static int collect_key(uint32_t key, void *ud)
{
        struct keys *k = ud;
        if (k->n < 16)
                k->k[k->n] = key;
        k->n++;
        return 0;
}

Test(topic_feat, featurize_unigrams_and_bigrams)
{
        struct keys k = {.n = 0};
        ne_topic_featurize("News, CAF\xc3\x89!", 11, NE_TOPIC_F_BIGRAMS, 1, collect_key, &k);
        cr_assert_eq(k.n, 3);
        uint64_t hn = ne_topic_hash_token("news", 4, 1),
                 hc = ne_topic_hash_token("caf\xc3\xa9", 5, 1);
        cr_assert_eq(k.k[0], ne_topic_key_unigram(hn));
        cr_assert_eq(k.k[1], ne_topic_key_unigram(hc));
        cr_assert_eq(k.k[2], ne_topic_key_bigram(hn, hc));

        struct keys u = {.n = 0};
        ne_topic_featurize("News, CAF\xc3\x89!", 11, 0, 1, collect_key, &u);
        cr_assert_eq(u.n, 2, "no bigrams without the flag");
}
