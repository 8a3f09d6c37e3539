/* End-to-end tests of the enrichment front with the shipped models: hand-written articles in,
 * specific entities, offsets and topics out. Also the pass-through mode and bad model paths. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ne/enricher.h"

static char ner_path[1024], topic_path[1024];

static void model_paths(void)
{
        const char *src = getenv("NE_SOURCE_DIR");
        if (!src)
                src = NE_SOURCE_DIR;
        snprintf(ner_path, sizeof(ner_path), "%s/models/ner.model", src);
        snprintf(topic_path, sizeof(topic_path), "%s/models/topics.model", src);
}

static struct ne_article *article(const char *id, const char *title, const char *body)
{
        struct ne_article *art = ne_article_new();
        cr_assert_not_null(art);
        art->id = strdup(id);
        art->url = strdup("");
        art->source = strdup("");
        art->title = strdup(title);
        art->body = strdup(body);
        art->body_len = strlen(body);
        return art;
}

static const struct ne_entity *find(const struct ne_enrichment *e, const char *name)
{
        for (size_t i = 0; i < e->n_entities; i++)
                if (strcmp(e->entities[i].name, name) == 0)
                        return &e->entities[i];
        return NULL;
}

static struct ne_enrichment *run(const struct ne_enricher *enr, const struct ne_article *art)
{
        struct ne_enrich_ctx *ctx = NULL;
        cr_assert_eq(ne_enrich_ctx_new(enr, &ctx), 0);
        struct ne_enrichment *out = NULL;
        struct ne_diag diag;
        ne_diag_clear(&diag);
        cr_assert_eq(ne_enricher_run(enr, ctx, art, &out, &diag), 0, "%s", diag.msg);
        ne_enrich_ctx_free(ctx);
        return out;
}

static struct ne_enricher *load(bool ner, bool topics)
{
        model_paths();
        struct ne_enricher_opts o = {
                .ner_model_path = ner ? ner_path : NULL,
                .topic_model_path = topics ? topic_path : NULL,
                .topic_threshold = 0.2f,
                .topic_top_k = 3,
                .max_entities = 50,
        };
        struct ne_enricher *enr = NULL;
        struct ne_diag diag;
        ne_diag_clear(&diag);
        cr_assert_eq(ne_enricher_new(&o, &enr, &diag), 0, "%s", diag.msg);
        return enr;
}

static const char business_title[] = "Microsoft profit jumps as Nadella bets on cloud";
static const char business_body[] =
        "Microsoft Corp. said on Tuesday that quarterly profit rose 20 percent, beating "
        "analysts' forecasts, as demand for its cloud services grew.\n\n"
        "Chief executive Satya Nadella told investors in Redmond, Washington, that the company "
        "would keep spending on data centres. Nadella said revenue from Azure rose 31 percent. "
        "Shares of Microsoft rose 4 percent on the Nasdaq after the results, while rival "
        "Alphabet Inc. fell 1 percent. Analysts at Goldman Sachs raised their price target.";

Test(enricher, finds_grouped_entities_with_offsets)
{
        struct ne_enricher *enr = load(true, false);
        struct ne_article *art = article("a1", business_title, business_body);
        struct ne_enrichment *out = run(enr, art);

        const struct ne_entity *nadella = find(out, "Satya Nadella");
        cr_assert_not_null(nadella, "Satya Nadella not found");
        cr_assert_eq(nadella->type, NE_ENT_PER);
        cr_assert_geq(nadella->n_mentions, 3, "title + 2 body mentions grouped");
        cr_assert_eq(nadella->mentions[0].field, NE_FIELD_TITLE);
        const struct ne_mention *m = &nadella->mentions[0];
        cr_assert_eq(strncmp(art->title + m->start, "Nadella", m->end - m->start), 0);

        const struct ne_entity *msft = find(out, "Microsoft Corp.");
        if (!msft)
                msft = find(out, "Microsoft");
        cr_assert_not_null(msft, "Microsoft not found");
        cr_assert_eq(msft->type, NE_ENT_ORG);
        for (size_t i = 0; i < msft->n_mentions; i++) {
                const struct ne_mention *mm = &msft->mentions[i];
                const char *text = mm->field == NE_FIELD_TITLE ? art->title : art->body;
                cr_assert_eq(strncmp(text + mm->start, "Microsoft", 9), 0);
        }
        const struct ne_entity *redmond = find(out, "Redmond");
        cr_assert_not_null(redmond);
        cr_assert_eq(redmond->type, NE_ENT_LOC);
        cr_assert_not_null(find(out, "Goldman Sachs"));
        cr_assert_str_neq(out->ner_model_version, "none");
        cr_assert_str_eq(out->topic_model_version, "none");
        cr_assert_eq(out->n_topics, 0);
        /* the article is about Microsoft and Nadella, not Goldman Sachs */
        cr_assert_gt(msft->salience, find(out, "Goldman Sachs")->salience);

        ne_enrichment_free(out);
        ne_article_free(art);
        ne_enricher_free(enr);
}

Test(enricher, code_point_offsets_after_non_ascii)
{
        struct ne_enricher *enr = load(true, false);
        struct ne_article *art = article("a2", "Zürich résumé",
                                         "Café owners in Zürich met Angela Merkel in Berlin.");
        struct ne_enrichment *out = run(enr, art);
        const struct ne_entity *merkel = find(out, "Angela Merkel");
        cr_assert_not_null(merkel);
        cr_assert_eq(merkel->mentions[0].field, NE_FIELD_BODY);
        /* "Café owners in Zürich met " is 26 code points and 28 bytes */
        cr_assert_eq(merkel->mentions[0].cp_start, 26);
        cr_assert_eq(merkel->mentions[0].start, 28);
        ne_enrichment_free(out);
        ne_article_free(art);
        ne_enricher_free(enr);
}

Test(enricher, topics_for_a_sports_report)
{
        struct ne_enricher *enr = load(false, true);
        struct ne_article *art = article(
                "a3", "Late goal sends United into cup final",
                "Manchester United beat Chelsea 2-1 on Saturday to reach the FA Cup final. The "
                "striker scored in the 89th minute after the goalkeeper parried a penalty, and "
                "the manager praised his players' fitness before next month's match against "
                "Arsenal at Wembley. The team's coach said the league title was still possible.");
        struct ne_enrichment *out = run(enr, art);
        cr_assert_geq(out->n_topics, 1);
        cr_assert_str_eq(out->topics[0].code, "medtop:15000000", "top topic %s",
                         out->topics[0].code);
        cr_assert_str_eq(out->topics[0].label, "sport");
        cr_assert(out->topics[0].score > 0.5f && out->topics[0].score <= 1.0f);
        for (size_t i = 1; i < out->n_topics; i++)
                cr_assert_leq(out->topics[i].score, out->topics[i - 1].score);
        cr_assert_eq(out->n_entities, 0, "NER is off");
        ne_enrichment_free(out);
        ne_article_free(art);
        ne_enricher_free(enr);
}

Test(enricher, pass_through_without_models)
{
        struct ne_enricher_opts o = {.topic_top_k = 3, .max_entities = 10};
        struct ne_enricher *enr = NULL;
        cr_assert_eq(ne_enricher_new(&o, &enr, NULL), 0);
        struct ne_article *art = article("a4", "t", "Angela Merkel visited Paris.");
        struct ne_enrichment *out = run(enr, art);
        cr_assert_eq(out->n_entities, 0);
        cr_assert_eq(out->n_topics, 0);
        cr_assert_str_eq(out->ner_model_version, "none");
        ne_enrichment_free(out);
        ne_article_free(art);
        ne_enricher_free(enr);
}

Test(enricher, empty_title_and_body_of_whitespace)
{
        struct ne_enricher *enr = load(true, true);
        struct ne_article *art = article("a5", "", " \n\n  ");
        struct ne_enrichment *out = run(enr, art);
        cr_assert_eq(out->n_entities, 0);
        ne_enrichment_free(out);
        ne_article_free(art);
        ne_enricher_free(enr);
}

Test(enricher, missing_model_is_an_error)
{
        struct ne_enricher_opts o = {.ner_model_path = "/nonexistent/ner.model"};
        struct ne_enricher *enr = NULL;
        struct ne_diag diag;
        ne_diag_clear(&diag);
        cr_assert_lt(ne_enricher_new(&o, &enr, &diag), 0);
        cr_assert_null(enr);
        cr_assert_neq(diag.msg[0], '\0');
}
