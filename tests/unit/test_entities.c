/* Unit tests for document entities: a table of grouping cases (title and body text, spans
 * given by their surface text, expected entities in salience order), then offsets, salience,
 * bounds, confidence and error paths. Spans are found by text so the cases stay readable; the
 * tokenizer cuts the tokens they index. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ne/entities.h"
#include "ne/tokenize.h"

#define MAX_TOKS 256
#define MAX_SPANS 32

struct field {
        const char *text;
        struct ne_token toks[MAX_TOKS];
        size_t n_toks;
        struct ne_span spans[MAX_SPANS];
        size_t n_spans;
        size_t search_from;
};

static void field_init(struct field *f, const char *text)
{
        memset(f, 0, sizeof(*f));
        f->text = text;
        int n = ne_tokenize(text, strlen(text), f->toks, MAX_TOKS);
        cr_assert_geq(n, 0, "tokenize \"%s\": %d", text, n);
        f->n_toks = (size_t)n;
}

/* Adds a span over the tokens of the next occurrence of surface (after the previous span). */
static void add_span(struct field *f, const char *surface, enum ne_entity_type type, float conf)
{
        const char *at = strstr(f->text + f->search_from, surface);
        cr_assert_not_null(at, "\"%s\" not in \"%s\"", surface, f->text);
        uint32_t s = (uint32_t)(at - f->text), e = s + (uint32_t)strlen(surface);
        size_t tb = f->n_toks, te = f->n_toks;
        for (size_t i = 0; i < f->n_toks; i++) {
                if (f->toks[i].start == s)
                        tb = i;
                if (f->toks[i].end == e)
                        te = i + 1;
        }
        cr_assert(tb < f->n_toks && te <= f->n_toks && tb < te, "\"%s\" is not on token boundaries",
                  surface);
        cr_assert_lt(f->n_spans, MAX_SPANS);
        f->spans[f->n_spans++] = (struct ne_span){(uint32_t)tb, (uint32_t)te, type, conf};
        f->search_from = e;
}

static struct ne_entity_input input_of(const struct field *f, enum ne_text_field which)
{
        return (struct ne_entity_input){.field = which,
                                        .text = f->text,
                                        .toks = f->toks,
                                        .n_toks = f->n_toks,
                                        .spans = f->spans,
                                        .n_spans = f->n_spans};
}

static enum ne_entity_type type_of(const char *s)
{
        for (int t = 0; t < NE_ENT__COUNT; t++)
                if (strcmp(s, ne_entity_type_name((enum ne_entity_type)t)) == 0)
                        return (enum ne_entity_type)t;
        cr_assert_fail("bad type %s", s);
        return NE_ENT_MISC;
}

/* spans: "T|surface|TYPE;B|surface|TYPE;..." in text order per field.
 * expect: "name=TYPE*mentions;..." in salience order. */
struct ent_case {
        char title[128];
        char body[400];
        char spans[400];
        char expect[300];
};

/* clang-format off */
static struct ent_case cases[] = {
        {"Microsoft names new chief",
         "Satya Nadella was named CEO of Microsoft Corp. on Tuesday. Nadella said Microsoft "
         "would grow.",
         "T|Microsoft|ORG;B|Satya Nadella|PER;B|Microsoft Corp.|ORG;B|Nadella|PER;"
         "B|Microsoft|ORG",
         "Microsoft Corp.=ORG*3;Satya Nadella=PER*2"},
        {"MICROSOFT BUYS GITHUB", "Microsoft said it would buy GitHub for $7.5 billion.",
         "T|MICROSOFT|ORG;T|GITHUB|ORG;B|Microsoft|ORG;B|GitHub|ORG",
         "Microsoft=ORG*2;GitHub=ORG*2"},
        {"", "Germany's finance minister met Germany\xe2\x80\x99s allies in GERMANY.",
         "B|Germany's|LOC;B|Germany\xe2\x80\x99s|LOC;B|GERMANY|LOC", "Germany=LOC*3"},
        {"", "Nadella spoke first. Later Satya Nadella left.",
         "B|Nadella|PER;B|Satya Nadella|PER", "Satya Nadella=PER*2"},
        {"", "John Smith met Jane Smith. Smith said no.",
         "B|John Smith|PER;B|Jane Smith|PER;B|Smith|PER", "Jane Smith=PER*2;John Smith=PER*1"},
        {"", "The European Union said the EU would act. The E.U. agreed.",
         "B|European Union|ORG;B|EU|ORG;B|E.U.|ORG", "European Union=ORG*3"},
        {"", "George Washington visited Washington on Monday.",
         "B|George Washington|PER;B|Washington|LOC", "George Washington=PER*1;Washington=LOC*1"},
        {"", "Apple Inc. sued Samsung Electronics Co Ltd. over patents. Apple and Samsung "
             "Electronics settled.",
         "B|Apple Inc.|ORG;B|Samsung Electronics Co Ltd.|ORG;B|Apple|ORG;"
         "B|Samsung Electronics|ORG",
         "Apple Inc.=ORG*2;Samsung Electronics Co Ltd.=ORG*2"},
        {"", "S\xc3\xa3o Paulo and S\xc3\x83O PAULO and \xc5\x81\xc3\xb3" "d\xc5\xba",
         "B|S\xc3\xa3o Paulo|LOC;B|S\xc3\x83O PAULO|LOC;B|\xc5\x81\xc3\xb3" "d\xc5\xba|LOC",
         "S\xc3\xa3o Paulo=LOC*2;\xc5\x81\xc3\xb3" "d\xc5\xba=LOC*1"},
        {"", "The U.S. and the US agreed with the u.s. view.",
         "B|U.S.|LOC;B|US|LOC", "U.S.=LOC*2"},
        {"", "He read \"The Times\" daily.", "B|\"The Times\"|MISC", "The Times=MISC*1"},
        {"Fed raises rates", "The Federal Reserve raised rates. The Fed said more may come.",
         "T|Fed|ORG;B|Federal Reserve|ORG;B|Fed|ORG", "Fed=ORG*2;Federal Reserve=ORG*1"},
        {"", "New York\nTimes Square is in New York.",
         "B|New York|LOC;B|Times Square|LOC;B|New York|LOC",
         "New York=LOC*2;Times Square=LOC*1"},
};
/* clang-format on */

ParameterizedTestParameters(entities, table)
{
        return cr_make_param_array(struct ent_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct ent_case *tc, entities, table)
{
        static struct field title, body;
        field_init(&title, tc->title);
        field_init(&body, tc->body);
        char spans[sizeof(tc->spans)];
        memcpy(spans, tc->spans, sizeof(spans));
        char *save = NULL;
        for (char *s = strtok_r(spans, ";", &save); s; s = strtok_r(NULL, ";", &save)) {
                char *bar1 = strchr(s, '|'), *bar2 = strrchr(s, '|');
                *bar1 = *bar2 = '\0';
                add_span(s[0] == 'T' ? &title : &body, bar1 + 1, type_of(bar2 + 1), 0.9f);
        }
        struct ne_entity_input in[2] = {input_of(&title, NE_FIELD_TITLE),
                                        input_of(&body, NE_FIELD_BODY)};
        struct ne_enrichment *enr = ne_enrichment_new();
        cr_assert_not_null(enr);
        cr_assert_eq(ne_entities_build(in, 2, 16, enr, NULL), 0);

        char got[512] = "";
        size_t len = 0;
        for (size_t i = 0; i < enr->n_entities; i++) {
                const struct ne_entity *e = &enr->entities[i];
                len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%s=%s*%zu", i ? ";" : "",
                                        e->name, ne_entity_type_name(e->type), e->n_mentions);
                cr_assert(e->salience >= 0.0f && e->salience <= 1.0f);
                cr_assert(e->confidence >= 0.0f && e->confidence <= 1.0f);
                if (i > 0)
                        cr_assert_leq(e->salience, enr->entities[i - 1].salience);
        }
        cr_assert_str_eq(got, tc->expect, "title \"%s\" body \"%s\"", tc->title, tc->body);
        ne_enrichment_free(enr);
}

static struct field g_title, g_body;

static struct ne_enrichment *build(size_t max_entities)
{
        struct ne_entity_input in[2] = {input_of(&g_title, NE_FIELD_TITLE),
                                        input_of(&g_body, NE_FIELD_BODY)};
        struct ne_enrichment *enr = ne_enrichment_new();
        cr_assert_not_null(enr);
        cr_assert_eq(ne_entities_build(in, 2, max_entities, enr, NULL), 0);
        return enr;
}

Test(entities, offsets_in_title_and_body)
{
        field_init(&g_title, "Z\xc3\xbcrich bank\xe2\x80\x99s fall");
        field_init(&g_body, "In Z\xc3\xbcrich, \xe2\x80\x9cZ\xc3\xbcrich Bank\xe2\x80\x9d fell.");
        add_span(&g_title, "Z\xc3\xbcrich bank\xe2\x80\x99s", NE_ENT_ORG, 0.8f);
        add_span(&g_body, "Z\xc3\xbcrich", NE_ENT_LOC, 0.9f);
        add_span(&g_body, "\xe2\x80\x9cZ\xc3\xbcrich Bank\xe2\x80\x9d", NE_ENT_ORG, 0.7f);
        struct ne_enrichment *enr = build(8);
        cr_assert_eq(enr->n_entities, 2);
        const struct ne_entity *bank = &enr->entities[0], *city = &enr->entities[1];
        cr_assert_str_eq(bank->name, "Z\xc3\xbcrich bank");
        cr_assert_eq(bank->type, NE_ENT_ORG);
        cr_assert_eq(bank->n_mentions, 2);
        /* title mention: "Zürich bank" without "’s" */
        cr_assert_eq(bank->mentions[0].field, NE_FIELD_TITLE);
        cr_assert_eq(bank->mentions[0].start, 0);
        cr_assert_eq(bank->mentions[0].end, 12);
        cr_assert_eq(bank->mentions[0].cp_start, 0);
        cr_assert_eq(bank->mentions[0].cp_end, 11);
        /* body mention: inside the curly quotes, "In Zürich, “" is 15 bytes, 12 code points */
        cr_assert_eq(bank->mentions[1].field, NE_FIELD_BODY);
        cr_assert_eq(bank->mentions[1].start, 15);
        cr_assert_eq(bank->mentions[1].end, 27);
        cr_assert_eq(bank->mentions[1].cp_start, 12);
        cr_assert_eq(bank->mentions[1].cp_end, 23);
        cr_assert_str_eq(city->name, "Z\xc3\xbcrich");
        cr_assert_eq(city->mentions[0].start, 3);
        cr_assert_eq(city->mentions[0].end, 10);
        cr_assert_eq(city->mentions[0].cp_start, 3);
        cr_assert_eq(city->mentions[0].cp_end, 9);
        ne_enrichment_free(enr);
}

Test(entities, mentions_in_text_order_title_first)
{
        field_init(&g_title, "Obama wins");
        field_init(&g_body, "Obama spoke. Then Obama left. Obama returned.");
        /* spans deliberately out of order */
        g_body.spans[0] = (struct ne_span){7, 8, NE_ENT_PER, 0.9f};
        g_body.spans[1] = (struct ne_span){0, 1, NE_ENT_PER, 0.9f};
        g_body.spans[2] = (struct ne_span){4, 5, NE_ENT_PER, 0.9f};
        g_body.n_spans = 3;
        add_span(&g_title, "Obama", NE_ENT_PER, 0.9f);
        struct ne_enrichment *enr = build(8);
        cr_assert_eq(enr->n_entities, 1);
        const struct ne_entity *e = &enr->entities[0];
        cr_assert_eq(e->n_mentions, 4);
        cr_assert_eq(e->mentions[0].field, NE_FIELD_TITLE);
        for (size_t i = 2; i < 4; i++)
                cr_assert_gt(e->mentions[i].start, e->mentions[i - 1].start);
        ne_enrichment_free(enr);
}

Test(entities, salience_prefers_title_then_frequency_then_position)
{
        field_init(&g_title, "Tesla recalls cars");
        field_init(&g_body, "Ford and GM watched. Tesla said on Monday that Ford, Ford and GM "
                            "would follow. Toyota declined comment.");
        add_span(&g_title, "Tesla", NE_ENT_ORG, 0.9f);
        add_span(&g_body, "Ford", NE_ENT_ORG, 0.9f);
        add_span(&g_body, "GM", NE_ENT_ORG, 0.9f);
        add_span(&g_body, "Tesla", NE_ENT_ORG, 0.9f);
        add_span(&g_body, "Ford", NE_ENT_ORG, 0.9f);
        add_span(&g_body, "Ford", NE_ENT_ORG, 0.9f);
        add_span(&g_body, "GM", NE_ENT_ORG, 0.9f);
        add_span(&g_body, "Toyota", NE_ENT_ORG, 0.9f);
        struct ne_enrichment *enr = build(8);
        cr_assert_eq(enr->n_entities, 4);
        cr_assert_str_eq(enr->entities[0].name, "Tesla");
        cr_assert_str_eq(enr->entities[1].name, "Ford");
        cr_assert_str_eq(enr->entities[2].name, "GM");
        cr_assert_str_eq(enr->entities[3].name, "Toyota");
        cr_assert_gt(enr->entities[0].salience, enr->entities[1].salience);
        cr_assert_gt(enr->entities[2].salience, enr->entities[3].salience);
        ne_enrichment_free(enr);
}

Test(entities, max_entities_bound)
{
        field_init(&g_title, "");
        field_init(&g_body, "Alpha Beta Gamma Delta Epsilon Zeta Eta Theta Iota Kappa");
        static const char *const names[] = {"Alpha", "Beta", "Gamma", "Delta", "Epsilon",
                                            "Zeta",  "Eta",  "Theta", "Iota",  "Kappa"};
        for (size_t i = 0; i < 10; i++)
                add_span(&g_body, names[i], NE_ENT_ORG, 0.9f);
        struct ne_enrichment *enr = build(3);
        cr_assert_eq(enr->n_entities, 3);
        /* equal counts and confidence: earlier is more salient */
        cr_assert_str_eq(enr->entities[0].name, "Alpha");
        cr_assert_str_eq(enr->entities[2].name, "Gamma");
        ne_enrichment_free(enr);
        enr = build(0);
        cr_assert_eq(enr->n_entities, 0);
        cr_assert_null(enr->entities);
        ne_enrichment_free(enr);
}

Test(entities, confidence_noisy_or_and_clamping)
{
        field_init(&g_title, "");
        field_init(&g_body, "Paris and Paris and Rome and Oslo and Bern and Bern");
        add_span(&g_body, "Paris", NE_ENT_LOC, 0.5f);
        add_span(&g_body, "Paris", NE_ENT_LOC, 0.5f);
        add_span(&g_body, "Rome", NE_ENT_LOC, 0.8f);
        add_span(&g_body, "Oslo", NE_ENT_LOC, NAN);
        add_span(&g_body, "Bern", NE_ENT_LOC, 7.0f);
        add_span(&g_body, "Bern", NE_ENT_ORG, -1.0f);
        struct ne_enrichment *enr = build(8);
        cr_assert_eq(enr->n_entities, 4);
        for (size_t i = 0; i < enr->n_entities; i++) {
                const struct ne_entity *e = &enr->entities[i];
                cr_assert(e->confidence >= 0.0f && e->confidence <= 1.0f, "%s", e->name);
                for (size_t k = 0; k < e->n_mentions; k++)
                        cr_assert(e->mentions[k].confidence >= 0.0f &&
                                  e->mentions[k].confidence <= 1.0f);
                if (strcmp(e->name, "Paris") == 0)
                        cr_assert_float_eq(e->confidence, 0.75f, 1e-4);
                else if (strcmp(e->name, "Rome") == 0)
                        cr_assert_float_eq(e->confidence, 0.8f, 1e-4);
                else if (strcmp(e->name, "Oslo") == 0)
                        cr_assert_float_eq(e->confidence, 0.0f, 1e-4);
                else if (strcmp(e->name, "Bern") == 0) {
                        cr_assert_eq(e->type, NE_ENT_LOC); /* the confident vote wins */
                        cr_assert_float_eq(e->confidence, 1.0f, 1e-4);
                }
        }
        ne_enrichment_free(enr);
}

Test(entities, type_vote_on_disagreement)
{
        field_init(&g_title, "");
        field_init(&g_body, "Jordan won. Jordan scored. Jordan left.");
        add_span(&g_body, "Jordan", NE_ENT_PER, 0.9f);
        add_span(&g_body, "Jordan", NE_ENT_LOC, 0.95f);
        add_span(&g_body, "Jordan", NE_ENT_PER, 0.8f);
        struct ne_enrichment *enr = build(8);
        cr_assert_eq(enr->n_entities, 1);
        cr_assert_eq(enr->entities[0].type, NE_ENT_PER);
        cr_assert_eq(enr->entities[0].n_mentions, 3);
        /* the losing vote lowers the confidence below the noisy-or of the mentions */
        cr_assert_lt(enr->entities[0].confidence, 0.7f);
        ne_enrichment_free(enr);
}

Test(entities, empty_and_junk_spans)
{
        field_init(&g_title, "");
        field_init(&g_body, "Germany 's ( ) ...");
        struct ne_enrichment *enr = build(8);
        cr_assert_eq(enr->n_entities, 0);
        cr_assert_null(enr->entities);
        ne_enrichment_free(enr);
        add_span(&g_body, "'s ( )", NE_ENT_ORG, 0.9f);
        add_span(&g_body, "...", NE_ENT_MISC, 0.9f);
        enr = build(8);
        cr_assert_eq(enr->n_entities, 0);
        ne_enrichment_free(enr);
}

Test(entities, errors_leave_enrichment_unchanged)
{
        field_init(&g_title, "");
        field_init(&g_body, "Paris is nice");
        struct ne_entity_input in = input_of(&g_body, NE_FIELD_BODY);
        struct ne_span bad[] = {{2, 9, NE_ENT_LOC, 0.5f}};
        in.spans = bad;
        in.n_spans = 1;
        struct ne_enrichment *enr = ne_enrichment_new();
        struct ne_diag diag;
        ne_diag_clear(&diag);
        cr_assert_eq(ne_entities_build(&in, 1, 8, enr, &diag), -EINVAL);
        cr_assert_null(enr->entities);
        cr_assert_neq(diag.msg[0], '\0');
        bad[0] = (struct ne_span){1, 1, NE_ENT_LOC, 0.5f};
        cr_assert_eq(ne_entities_build(&in, 1, 8, enr, NULL), -EINVAL);
        bad[0] = (struct ne_span){0, 1, (enum ne_entity_type)7, 0.5f};
        cr_assert_eq(ne_entities_build(&in, 1, 8, enr, NULL), -EINVAL);
        bad[0] = (struct ne_span){0, 1, NE_ENT_LOC, 0.5f};
        cr_assert_eq(ne_entities_build(&in, 1, 8, NULL, NULL), -EINVAL);
        cr_assert_eq(ne_entities_build(NULL, 1, 8, enr, NULL), -EINVAL);
        cr_assert_eq(ne_entities_build(&in, 1, 8, enr, NULL), 0);
        cr_assert_eq(enr->n_entities, 1);
        /* a second build into a filled enrichment is refused */
        cr_assert_eq(ne_entities_build(&in, 1, 8, enr, NULL), -EINVAL);
        cr_assert_eq(enr->n_entities, 1);
        ne_enrichment_free(enr);
}

Test(entities, span_count_is_bounded)
{
        size_t n = NE_ENTITIES_MAX_SPANS + 1000;
        char *text = malloc(n * 6 + 1);
        struct ne_token *toks = malloc(n * sizeof(*toks));
        struct ne_span *spans = malloc(n * sizeof(*spans));
        cr_assert(text && toks && spans);
        for (size_t i = 0; i < n; i++)
                snprintf(text + i * 6, 7, "W%04zu ", i % 10000);
        int nt = ne_tokenize(text, n * 6, toks, n);
        cr_assert_eq(nt, (int)n);
        for (size_t i = 0; i < n; i++)
                spans[i] = (struct ne_span){(uint32_t)i, (uint32_t)i + 1, NE_ENT_ORG, 0.5f};
        struct ne_entity_input in = {NE_FIELD_BODY, text, toks, n, spans, n};
        struct ne_enrichment *enr = ne_enrichment_new();
        cr_assert_eq(ne_entities_build(&in, 1, 100000, enr, NULL), 0);
        size_t mentions = 0;
        for (size_t i = 0; i < enr->n_entities; i++)
                mentions += enr->entities[i].n_mentions;
        cr_assert_eq(mentions, NE_ENTITIES_MAX_SPANS);
        ne_enrichment_free(enr);
        free(text);
        free(toks);
        free(spans);
}

/* Random words and random valid spans: whatever is grouped, the output keeps the contract. */
Test(entities, random_spans_keep_invariants)
{
        /* clang-format off */
        static const char *const words[] = {
                "Nadella", "Satya", "Microsoft", "Corp.", "MICROSOFT", "'s", "\xe2\x80\x99s",
                "the", "EU", "European", "Union", "Z\xc3\xbcrich", "\"", "(", ")", ",", ".",
                "U.S.", "US", "Inc.", "Smith", "John", ("\xc5\x81\xc3\xb3" "d\xc5\xba"), "said",
                "\xe6\x9d\xb1", "--", "...", "Group", "of",
        };
        /* clang-format on */
        enum { NW = sizeof(words) / sizeof(words[0]) };
        static char text[4096];
        static struct ne_token toks[1024];
        static struct ne_span spans[128];
        unsigned seed = 42;
        for (int iter = 0; iter < 3000; iter++) {
                size_t len = 0;
                seed = seed * 1103515245u + 12345u;
                int nw = (int)((seed >> 8) % 120) + 1;
                for (int j = 0; j < nw; j++) {
                        seed = seed * 1103515245u + 12345u;
                        const char *w = words[(seed >> 8) % NW];
                        len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%s", w,
                                                (seed >> 20) % 7 ? " " : "\n");
                }
                int nt = ne_tokenize(text, len, toks, 1024);
                cr_assert_gt(nt, 0);
                size_t ns = 0;
                for (; ns < (size_t)nt / 2 && ns < 128; ns++) {
                        seed = seed * 1103515245u + 12345u;
                        uint32_t b = (seed >> 8) % (uint32_t)nt;
                        uint32_t e = b + 1 + (seed >> 24) % 3;
                        if (e > (uint32_t)nt)
                                e = (uint32_t)nt;
                        spans[ns] = (struct ne_span){b, e, (enum ne_entity_type)((seed >> 4) % 4),
                                                     (float)((seed >> 12) % 101) / 100.0f};
                }
                struct ne_entity_input in = {
                    iter % 2 ? NE_FIELD_TITLE : NE_FIELD_BODY, text, toks, (size_t)nt, spans, ns};
                struct ne_enrichment *enr = ne_enrichment_new();
                size_t max = (size_t)(iter % 10) + 1;
                cr_assert_eq(ne_entities_build(&in, 1, max, enr, NULL), 0);
                cr_assert_leq(enr->n_entities, max);
                size_t mentions = 0;
                for (size_t i = 0; i < enr->n_entities; i++) {
                        const struct ne_entity *e = &enr->entities[i];
                        cr_assert(e->name && e->name[0] != '\0');
                        cr_assert_gt(e->n_mentions, 0);
                        cr_assert(e->salience >= 0.0f && e->salience <= 1.0f);
                        cr_assert(e->confidence >= 0.0f && e->confidence <= 1.0f);
                        cr_assert((unsigned)e->type < NE_ENT__COUNT);
                        if (i > 0)
                                cr_assert_leq(e->salience, enr->entities[i - 1].salience);
                        for (size_t k = 0; k < e->n_mentions; k++) {
                                const struct ne_mention *m = &e->mentions[k];
                                cr_assert_lt(m->start, m->end);
                                cr_assert_leq(m->end, len);
                                cr_assert_lt(m->cp_start, m->cp_end);
                                cr_assert_leq(m->cp_end - m->cp_start, m->end - m->start);
                                if (k > 0)
                                        cr_assert_geq(m->start, e->mentions[k - 1].start);
                        }
                        mentions += e->n_mentions;
                }
                cr_assert_leq(mentions, ns);
                ne_enrichment_free(enr);
        }
}

/* A whole article, with the spans a tagger would give. */
Test(entities, realistic_article)
{
        field_init(&g_title, "MICROSOFT\xe2\x80\x99S NADELLA UNVEILS $3.5 BILLION AI PLAN");
        field_init(&g_body,
                   "REDMOND, Wash., May 4 (Reuters) - Microsoft Corp. Chief Executive Satya "
                   "Nadella said on Tuesday the company would invest $3.5 billion in data "
                   "centres across the U.S. and Europe. \xe2\x80\x9cWe don\xe2\x80\x99t see this "
                   "as optional,\xe2\x80\x9d Nadella told reporters. Shares in the Redmond "
                   "firm rose on the Nasdaq. Analysts at Goldman Sachs Group Inc. said the "
                   "EU-wide roll-out could cost \xe2\x82\xac"
                   "40 million. Officials in "
                   "Z\xc3\xbcrich and \xc5\x81\xc3\xb3"
                   "d\xc5\xba welcomed it. Dr. Anna "
                   "Kowalski, who advises Poland\xe2\x80\x99s government, agreed. Goldman "
                   "Sachs declined to comment.");
        add_span(&g_title, "MICROSOFT\xe2\x80\x99S", NE_ENT_ORG, 0.7f);
        add_span(&g_title, "NADELLA", NE_ENT_PER, 0.6f);
        add_span(&g_body, "REDMOND", NE_ENT_LOC, 0.9f);
        add_span(&g_body, "Wash.", NE_ENT_LOC, 0.8f);
        add_span(&g_body, "Reuters", NE_ENT_ORG, 0.95f);
        add_span(&g_body, "Microsoft Corp.", NE_ENT_ORG, 0.97f);
        add_span(&g_body, "Satya Nadella", NE_ENT_PER, 0.99f);
        add_span(&g_body, "U.S.", NE_ENT_LOC, 0.98f);
        add_span(&g_body, "Europe", NE_ENT_LOC, 0.98f);
        add_span(&g_body, "Nadella", NE_ENT_PER, 0.95f);
        add_span(&g_body, "Redmond", NE_ENT_LOC, 0.9f);
        add_span(&g_body, "Nasdaq", NE_ENT_ORG, 0.8f);
        add_span(&g_body, "Goldman Sachs Group Inc.", NE_ENT_ORG, 0.95f);
        add_span(&g_body, "EU-wide", NE_ENT_MISC, 0.7f);
        add_span(&g_body, "Z\xc3\xbcrich", NE_ENT_LOC, 0.97f);
        add_span(&g_body,
                 "\xc5\x81\xc3\xb3"
                 "d\xc5\xba",
                 NE_ENT_LOC, 0.9f);
        add_span(&g_body, "Anna Kowalski", NE_ENT_PER, 0.96f);
        add_span(&g_body, "Poland\xe2\x80\x99s", NE_ENT_LOC, 0.97f);
        add_span(&g_body, "Goldman Sachs", NE_ENT_ORG, 0.9f);
        struct ne_enrichment *enr = build(32);
        cr_assert_eq(enr->n_entities, 14);
        cr_assert_str_eq(enr->entities[0].name, "Satya Nadella");
        cr_assert_eq(enr->entities[0].n_mentions, 3);
        cr_assert_eq(enr->entities[0].mentions[0].field, NE_FIELD_TITLE);
        cr_assert_str_eq(enr->entities[1].name, "Microsoft Corp.");
        cr_assert_eq(enr->entities[1].n_mentions, 2);
        /* the title mention ends before the possessive: "MICROSOFT" is 9 bytes */
        cr_assert_eq(enr->entities[1].mentions[0].end, 9);
        bool saw_poland = false, saw_redmond = false, saw_goldman = false;
        for (size_t i = 2; i < enr->n_entities; i++) {
                const struct ne_entity *e = &enr->entities[i];
                cr_assert_lt(e->salience, enr->entities[1].salience);
                if (strcmp(e->name, "Poland") == 0)
                        saw_poland = true;
                if (strcmp(e->name, "Redmond") == 0)
                        saw_redmond = e->n_mentions == 2;
                if (strcmp(e->name, "Goldman Sachs Group Inc.") == 0)
                        saw_goldman = e->n_mentions == 2;
        }
        cr_assert(saw_poland && saw_redmond && saw_goldman);
        ne_enrichment_free(enr);
}
