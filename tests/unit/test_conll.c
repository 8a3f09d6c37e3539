/* Unit tests for the CoNLL reader: IOB2 and IOB1 tags give the same entities, -DOCSTART-
 * splits documents, the joined text and offsets are what the tagger will see, and malformed
 * lines are reported with their line number. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ne/conll.h"

static struct ne_conll_corpus *parse_ok(const char *s)
{
        struct ne_conll_corpus *c = NULL;
        struct ne_diag diag;
        ne_diag_clear(&diag);
        int r = ne_conll_parse(s, strlen(s), &c, &diag);
        cr_assert_eq(r, 0, "parse failed: %d %s", r, diag.msg);
        return c;
}

static struct ne_conll_corpus *read_fixture(const char *name)
{
        char path[1024];
        const char *fx = getenv("NE_FIXTURES");
        snprintf(path, sizeof(path), "%s/ner/%s", fx ? fx : NE_SOURCE_DIR "/tests/fixtures", name);
        struct ne_conll_corpus *c = NULL;
        struct ne_diag diag;
        ne_diag_clear(&diag);
        cr_assert_eq(ne_conll_read_file(path, &c, &diag), 0, "%s: %s", path, diag.msg);
        return c;
}

Test(conll, iob2_text_offsets_and_tags)
{
        struct ne_conll_corpus *c = parse_ok("-DOCSTART- -X- -X- O\n\n"
                                             "EU NNP B-NP B-ORG\nrejects VBZ B-VP O\n"
                                             "German JJ B-NP B-MISC\ncall NN I-NP O\n\n"
                                             "Peter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\n");
        cr_assert_eq(c->n_toks, 6);
        cr_assert_eq(c->n_docs, 1);
        cr_assert_eq(c->n_sents, 2);
        cr_assert_str_eq(c->text, "EU rejects German call\nPeter Blackburn");
        cr_assert_eq(c->toks[2].start, 11);
        cr_assert_eq(c->toks[2].end, 17);
        cr_assert(c->toks[0].flags & NE_TOK_SENT_START);
        cr_assert(!(c->toks[1].flags & NE_TOK_SENT_START));
        cr_assert(c->toks[4].flags & NE_TOK_SENT_START);
        struct ne_conll_span sp[8];
        size_t n = ne_conll_spans(c, 0, c->n_toks, sp, 8);
        cr_assert_eq(n, 3);
        cr_assert_eq(sp[0].type, NE_ENT_ORG);
        cr_assert_eq(sp[1].type, NE_ENT_MISC);
        cr_assert_eq(sp[2].type, NE_ENT_PER);
        cr_assert_eq(sp[2].tok_begin, 4);
        cr_assert_eq(sp[2].tok_end, 6);
        ne_conll_free(c);
}

Test(conll, iob1_matches_iob2)
{
        /* IOB1: I- everywhere, B- only between two adjacent entities of one type. */
        struct ne_conll_corpus *a = parse_ok("Paris I-LOC\nBerlin B-LOC\nand O\nNew I-LOC\n"
                                             "York I-LOC\nTimes I-ORG\n");
        struct ne_conll_corpus *b = parse_ok("Paris B-LOC\nBerlin B-LOC\nand O\nNew B-LOC\n"
                                             "York I-LOC\nTimes B-ORG\n");
        cr_assert_eq(a->n_toks, b->n_toks);
        cr_assert_eq(memcmp(a->tags, b->tags, a->n_toks), 0);
        struct ne_conll_span sp[8];
        cr_assert_eq(ne_conll_spans(a, 0, a->n_toks, sp, 8), 4);
        cr_assert_eq(sp[0].tok_end, 1);
        cr_assert_eq(sp[1].tok_begin, 1);
        cr_assert_eq(sp[2].tok_begin, 3);
        cr_assert_eq(sp[2].tok_end, 5);
        cr_assert_eq(sp[3].type, NE_ENT_ORG);
        ne_conll_free(a);
        ne_conll_free(b);
}

Test(conll, fixture_files_iob1_and_iob2_agree)
{
        struct ne_conll_corpus *a = read_fixture("tiny_iob1.conll");
        struct ne_conll_corpus *b = read_fixture("tiny_iob2.conll");
        cr_assert_eq(a->n_docs, 3);
        cr_assert_eq(b->n_docs, 3);
        cr_assert_eq(a->n_toks, b->n_toks);
        cr_assert_str_eq(a->text, b->text);
        cr_assert_eq(memcmp(a->tags, b->tags, a->n_toks), 0);
        ne_conll_free(a);
        ne_conll_free(b);
}

Test(conll, docstart_splits_documents)
{
        struct ne_conll_corpus *c = parse_ok("-DOCSTART- -X- O O\n\nA O\nB O\n\n"
                                             "-DOCSTART- -X- O O\n\n-DOCSTART- -X- O O\n\n"
                                             "C B-PER\n\nD O\n\n-DOCSTART- -X- O O\n");
        cr_assert_eq(c->n_docs, 2, "empty documents are not recorded");
        cr_assert_eq(c->doc_start[0], 0);
        cr_assert_eq(c->doc_start[1], 2);
        cr_assert_eq(c->doc_start[2], 4);
        cr_assert_eq(c->n_sents, 3);
        ne_conll_free(c);

        c = parse_ok("x O\ny O\n");
        cr_assert_eq(c->n_docs, 1, "no -DOCSTART-: one document");
        cr_assert_eq(c->doc_start[1], 2);
        ne_conll_free(c);
}

Test(conll, empty_and_blank_input)
{
        struct ne_conll_corpus *c = parse_ok("");
        cr_assert_eq(c->n_toks, 0);
        cr_assert_eq(c->n_docs, 0);
        cr_assert_str_eq(c->text, "");
        ne_conll_free(c);
        c = parse_ok("\n \n\t\r\n-DOCSTART- -X- -X- O\n\n");
        cr_assert_eq(c->n_toks, 0);
        cr_assert_eq(c->n_docs, 0);
        ne_conll_free(c);
}

Test(conll, crlf_and_tabs)
{
        struct ne_conll_corpus *c = parse_ok("Bonn\tB-LOC\r\nis\tO\r\n\r\nfine O\r\n");
        cr_assert_eq(c->n_toks, 3);
        cr_assert_str_eq(c->text, "Bonn is\nfine");
        cr_assert_eq(c->tags[0], NE_CONLL_TAG_B(NE_ENT_LOC));
        ne_conll_free(c);
}

struct bad_case {
        char text[96];
        int line;
};

static struct bad_case bad_cases[] = {
    {"ok O\nnotag\n", 2}, {"ok O\n\nx B-FOO\n", 3},
    {"x X-PER\n", 1},     {"x B-\n", 1},
    {"x b-per\n", 1},     {"-DOCSTART- -X- -X- O\n\na O\nb O\nc I-ORGX\n", 5},
};

ParameterizedTestParameters(conll, malformed_lines)
{
        return cr_make_param_array(struct bad_case, bad_cases,
                                   sizeof(bad_cases) / sizeof(bad_cases[0]));
}

ParameterizedTest(struct bad_case *bc, conll, malformed_lines)
{
        struct ne_conll_corpus *c = NULL;
        struct ne_diag diag;
        ne_diag_clear(&diag);
        int r = ne_conll_parse(bc->text, strlen(bc->text), &c, &diag);
        cr_assert_eq(r, -EINVAL);
        cr_assert_null(c);
        cr_assert_eq(diag.line, bc->line, "line %d, want %d (%s)", diag.line, bc->line, diag.msg);
        char want[32];
        snprintf(want, sizeof(want), "line %d", bc->line);
        cr_assert(strstr(diag.msg, want), "message names the line: %s", diag.msg);
}

Test(conll, token_too_long)
{
        static char buf[NE_CONLL_MAX_TOKEN + 64];
        memset(buf, 'a', NE_CONLL_MAX_TOKEN + 1);
        strcpy(buf + NE_CONLL_MAX_TOKEN + 1, " O\n");
        struct ne_conll_corpus *c = NULL;
        struct ne_diag diag;
        ne_diag_clear(&diag);
        cr_assert_eq(ne_conll_parse(buf, strlen(buf), &c, &diag), -EINVAL);
        cr_assert_eq(diag.line, 1);
}

Test(conll, missing_file)
{
        struct ne_conll_corpus *c = NULL;
        cr_assert_eq(ne_conll_read_file("/nonexistent/eng.train", &c, NULL), -ENOENT);
        cr_assert_null(c);
        ne_conll_free(NULL);
}

Test(conll, spans_bounded_by_max)
{
        struct ne_conll_corpus *c = parse_ok("A B-PER\nB B-LOC\nC B-ORG\n");
        struct ne_conll_span sp[1];
        cr_assert_eq(ne_conll_spans(c, 0, c->n_toks, sp, 1), 3, "returns the full count");
        cr_assert_eq(sp[0].type, NE_ENT_PER);
        ne_conll_free(c);
}
