/* Unit tests for alert rules (daemon/alerts.c, daemon/alerts_rules.c) and the alert encoder
 * (daemon/codec/alert_encode.c): rules files good and malformed, a matching table, alert id
 * determinism, and Avro/JSON encodings read back with avro-c, cJSON and python3-avro. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <avro.h>
#include <cJSON.h>

#include "ne/alert_codec.h"
#include "ne/alerts.h"

/* Test JSON is written with ' for " to stay readable. */
static void unquote(const char *in, char *out, size_t size)
{
        size_t i = 0;
        for (; in[i] && i + 1 < size; i++)
                out[i] = in[i] == '\'' ? '"' : in[i];
        out[i] = '\0';
}

static char *dup_str(const char *s)
{
        char *d = strdup(s);
        cr_assert_not_null(d);
        return d;
}

/* The article every matching case runs against. */
static struct ne_article *make_article(void)
{
        struct ne_article *art = ne_article_new();
        cr_assert_not_null(art);
        art->id = dup_str("art-1");
        art->url = dup_str("https://example.org/a/1");
        art->source = dup_str("example-times");
        art->title = dup_str("Merkel wins the Bundestag election");
        art->body = dup_str("Angela Merkel spoke in M\xc3\xbcnchen about the\n  Wahl. Das "
                            "Stra\xc3\x9f"
                            "enfest in Z\xc3\xbcrich. The ELECTIONS are over; "
                            "C++ rocks. Neue W\xc3\xb6rter: \xc3\x84rger! "
                            "\xce\x9c\xce\xad\xcf\x81\xce\xba\xce\xb5\xce\xbb und "
                            "\xd0\x9c\xd0\x95\xd0\xa0\xd0\x9a\xd0\x95\xd0\x9b\xd0\xac.");
        art->body_len = strlen(art->body);
        art->published_at = 1732800000123LL;
        return art;
}

static struct ne_enrichment *make_enrichment(void)
{
        struct ne_enrichment *enr = ne_enrichment_new();
        cr_assert_not_null(enr);
        enr->entities = calloc(3, sizeof(*enr->entities));
        enr->topics = calloc(2, sizeof(*enr->topics));
        cr_assert(enr->entities && enr->topics);
        enr->n_entities = 3;
        enr->entities[0] = (struct ne_entity){.type = NE_ENT_PER,
                                              .name = dup_str("Angela Merkel"),
                                              .confidence = 0.95f,
                                              .salience = 0.9f};
        enr->entities[1] = (struct ne_entity){.type = NE_ENT_LOC,
                                              .name = dup_str("M\xc3\xbcnchen"),
                                              .confidence = 0.8f,
                                              .salience = 0.5f};
        enr->entities[2] = (struct ne_entity){
            .type = NE_ENT_ORG, .name = dup_str("Bundestag"), .confidence = 0.7f, .salience = 0.4f};
        enr->n_topics = 2;
        enr->topics[0] = (struct ne_topic){dup_str("medtop:11000000"), dup_str("politics"), 0.8f};
        enr->topics[1] = (struct ne_topic){dup_str("medtop:04000000"),
                                           dup_str("economy, business and finance"), 0.3f};
        return enr;
}

static struct ne_alert_rules *parse_ok(const char *quoted)
{
        char json[2048];
        struct ne_alert_rules *rules = NULL;
        struct ne_diag diag;
        ne_diag_clear(&diag);
        unquote(quoted, json, sizeof(json));
        int r = ne_alert_rules_parse(json, strlen(json), &rules, &diag);
        cr_assert_eq(r, 0, "parse %s: %s", json, diag.msg);
        return rules;
}

/* ---- matching table --------------------------------------------------------------------- */

struct match_case {
        char name[48];
        char rule[400]; /* one rule object */
        int matched;    /* 0 or 1 */
        int n_entities; /* what the match reports */
        int n_topics;
        int n_keywords;
        int first_entity; /* index of the first matched entity, -1 if none */
};

static struct match_case match_cases[] = {
    {"entity any type, case-insensitive", "{'id':'r','entities':[{'name':'angela  MERKEL'}]}", 1, 1,
     0, 0, 0},
    {"entity with its type", "{'id':'r','entities':[{'name':'Angela Merkel','type':'PER'}]}", 1, 1,
     0, 0, 0},
    {"entity with the wrong type", "{'id':'r','entities':[{'name':'Angela Merkel','type':'ORG'}]}",
     0, 0, 0, 0, -1},
    {"entity non-ASCII case", "{'id':'r','entities':[{'name':'M\xc3\x9cNCHEN','type':'LOC'}]}", 1,
     1, 0, 0, 1},
    {"entity partial name", "{'id':'r','entities':[{'name':'Merkel'}]}", 0, 0, 0, 0, -1},
    {"topic above min score", "{'id':'r','topics':[{'code':'medtop:11000000','min_score':0.5}]}", 1,
     0, 1, 0, -1},
    {"topic at min score", "{'id':'r','topics':[{'code':'medtop:11000000','min_score':0.8}]}", 1, 0,
     1, 0, -1},
    {"topic below min score", "{'id':'r','topics':[{'code':'medtop:04000000','min_score':0.5}]}", 0,
     0, 0, 0, -1},
    {"topic without min score", "{'id':'r','topics':[{'code':'medtop:04000000'}]}", 1, 0, 1, 0, -1},
    {"topic absent", "{'id':'r','topics':[{'code':'medtop:15000000'}]}", 0, 0, 0, 0, -1},
    {"keyword in title", "{'id':'r','keywords':['election']}", 1, 0, 0, 1, -1},
    {"keyword is not a word prefix", "{'id':'r','keywords':['elect']}", 0, 0, 0, 0, -1},
    {"keyword upper-case in text", "{'id':'r','keywords':['elections']}", 1, 0, 0, 1, -1},
    {"keyword non-ASCII case", "{'id':'r','keywords':['\xc3\xa4rger']}", 1, 0, 0, 1, -1},
    {"keyword non-ASCII not a prefix", "{'id':'r','keywords':['W\xc3\xb6rt']}", 0, 0, 0, 0, -1},
    {"keyword with sharp s",
     "{'id':'r','keywords':['STRA\xc3\x9f"
     "ENFEST']}",
     1, 0, 0, 1, -1},
    {"keyword before punctuation", "{'id':'r','keywords':['z\xc3\xbcrich']}", 1, 0, 0, 1, -1},
    {"keyword Greek", "{'id':'r','keywords':['\xce\xbc\xce\xad\xcf\x81\xce\xba\xce\xb5\xce\xbb']}",
     1, 0, 0, 1, -1},
    {"keyword Cyrillic",
     "{'id':'r','keywords':['\xd0\xbc\xd0\xb5\xd1\x80\xd0\xba\xd0\xb5\xd0\xbb\xd1\x8c']}", 1, 0, 0,
     1, -1},
    {"keyword across white space", "{'id':'r','keywords':['about the wahl']}", 1, 0, 0, 1, -1},
    {"keyword with symbols", "{'id':'r','keywords':['c++']}", 1, 0, 0, 1, -1},
    {"keyword not across fields", "{'id':'r','keywords':['election angela']}", 0, 0, 0, 0, -1},
    {"all: every condition holds",
     "{'id':'r','match':'all','entities':[{'name':'Angela Merkel','type':'PER'}],"
     "'topics':[{'code':'medtop:11000000','min_score':0.5}],'keywords':['election']}",
     1, 1, 1, 1, 0},
    {"all: one condition fails",
     "{'id':'r','entities':[{'name':'Angela Merkel'}],"
     "'topics':[{'code':'medtop:04000000','min_score':0.5}]}",
     0, 0, 0, 0, -1},
    {"any: one condition holds",
     "{'id':'r','match':'any','entities':[{'name':'Olaf Scholz'}],"
     "'topics':[{'code':'medtop:04000000','min_score':0.5}],'keywords':['wahl','football']}",
     1, 0, 0, 1, -1},
    {"any: two entities hold",
     "{'id':'r','match':'any','entities':[{'name':'bundestag'},{'name':'angela merkel'}]}", 1, 2, 0,
     0, 0},
    {"any: nothing holds",
     "{'id':'r','match':'any','entities':[{'name':'Olaf Scholz'}],'keywords':['football']}", 0, 0,
     0, 0, -1},
};

ParameterizedTestParameters(alerts, matching)
{
        return cr_make_param_array(struct match_case, match_cases,
                                   sizeof(match_cases) / sizeof(match_cases[0]));
}

ParameterizedTest(struct match_case *tc, alerts, matching)
{
        char quoted[512];
        snprintf(quoted, sizeof(quoted), "{'rules':[%s]}", tc->rule);
        struct ne_alert_rules *rules = parse_ok(quoted);
        struct ne_article *art = make_article();
        struct ne_enrichment *enr = make_enrichment();
        struct ne_alert_match *m = (struct ne_alert_match *)0x1;
        size_t n = 99;

        cr_assert_eq(ne_alert_rules_match(rules, art, enr, &m, &n), 0);
        cr_assert_eq(n, (size_t)tc->matched, "%s: %zu matches", tc->name, n);
        if (n) {
                cr_expect_eq(m[0].n_entities, (size_t)tc->n_entities, "%s entities", tc->name);
                cr_expect_eq(m[0].n_topics, (size_t)tc->n_topics, "%s topics", tc->name);
                cr_expect_eq(m[0].n_keywords, (size_t)tc->n_keywords, "%s keywords", tc->name);
                if (tc->first_entity >= 0 && m[0].n_entities)
                        cr_expect_eq(m[0].entities[0], (size_t)tc->first_entity);
                cr_expect_eq(m[0].rule, &rules->rules[0]);
                cr_expect_eq(strlen(m[0].alert_id), NE_ALERT_ID_LEN);
        } else {
                cr_expect_null(m);
        }
        ne_alert_matches_free(m, n);
        ne_alert_rules_free(rules);
        ne_article_free(art);
        ne_enrichment_free(enr);
}

Test(alerts, fixture_file_matches_in_rule_order)
{
        struct ne_alert_rules *rules = NULL;
        struct ne_diag diag;
        char path[4096];
        const char *fx = getenv("NE_FIXTURES");
        snprintf(path, sizeof(path), "%s/alerts/rules.json",
                 fx ? fx : NE_SOURCE_DIR "/tests/fixtures");
        ne_diag_clear(&diag);
        cr_assert_eq(ne_alert_rules_load(path, &rules, &diag), 0, "%s", diag.msg);
        cr_assert_eq(rules->n_rules, 4);
        const struct ne_alert_rule *r0 = &rules->rules[0], *r1 = &rules->rules[1];
        cr_expect_str_eq(r0->id, "merkel-politics");
        cr_expect_eq(r0->match, NE_ALERT_MATCH_ALL);
        cr_expect_eq(r0->entities[0].type, NE_ENT_PER);
        cr_expect_str_eq(r0->entities[0].folded, "angela merkel");
        cr_expect_float_eq(r0->topics[0].min_score, 0.5f, 1e-6);
        cr_expect_eq(r1->match, NE_ALERT_MATCH_ANY);
        cr_expect_eq(r1->entities[0].type, -1);
        cr_expect_str_eq(r1->keywords[0].text, "Oktoberfest");
        cr_expect_str_eq(r1->keywords[0].folded, "oktoberfest");
        cr_expect_eq(rules->rules[2].match, NE_ALERT_MATCH_ALL, "default is all");

        struct ne_article *art = make_article();
        struct ne_enrichment *enr = make_enrichment();
        struct ne_alert_match *m = NULL;
        size_t n = 0;
        cr_assert_eq(ne_alert_rules_match(rules, art, enr, &m, &n), 0);
        /* economy (score 0.3 < 0.5) does not match; the others do, in file order */
        cr_assert_eq(n, 3);
        cr_expect_str_eq(m[0].rule->id, "merkel-politics");
        cr_expect_str_eq(m[1].rule->id, "munich-anything");
        cr_expect_eq(m[1].n_entities, 1);
        cr_expect_eq(m[1].entities[0], 1);
        cr_expect_eq(m[1].n_keywords, 0);
        cr_expect_str_eq(m[2].rule->id, "elections");
        cr_expect_eq(m[2].n_keywords, 2);

        /* no enrichment: only keyword rules can match */
        ne_alert_matches_free(m, n);
        cr_assert_eq(ne_alert_rules_match(rules, art, NULL, &m, &n), 0);
        cr_assert_eq(n, 1);
        cr_expect_str_eq(m[0].rule->id, "elections");
        ne_alert_matches_free(m, n);
        ne_alert_rules_free(rules);
        ne_article_free(art);
        ne_enrichment_free(enr);
}

/* ---- malformed rules -------------------------------------------------------------------- */

struct bad_case {
        char name[40];
        char text[400];
        int err;
        char msg[96]; /* expected diag.msg prefix */
        char key[64]; /* expected diag.key */
        int line;
};

static struct bad_case bad_cases[] = {
    {"JSON syntax", "{'rules': [\n  {'id': 'a',\n   'keywords': ['x',]}\n]}", -EINVAL,
     "JSON syntax error", "", 3},
    {"trailing data", "{'rules': []}\n{}", -EINVAL, "trailing data after the JSON value", "", 2},
    {"top is not an object", "[]", -EINVAL, "<top>: must be an object", "", 1},
    {"unknown top field", "{'rules': [],\n 'rulez': []}", -EINVAL, "rulez: unknown field", "rulez",
     2},
    {"rules missing", "{}", -EINVAL, "rules: missing required field", "rules", 1},
    {"rules not an array", "{'rules': {}}", -EINVAL, "rules: must be an array", "rules", 1},
    {"rule not an object", "{'rules': [\n 'x']}", -EINVAL, "rules[0]: a rule must be an object",
     "rules[0]", 2},
    {"id missing", "{'rules': [{'keywords': ['x']}]}", -EINVAL,
     "rules[0]: missing required field 'id'", "rules[0]", 1},
    {"id not a string", "{'rules': [\n{'id': 'a', 'keywords': ['x']},\n{'id': 7}]}", -EINVAL,
     "rules[1].id: must be a string", "rules[1].id", 3},
    {"id empty", "{'rules': [{'id': '', 'keywords': ['x']}]}", -EINVAL,
     "rules[0].id: must not be empty", "rules[0].id", 1},
    {"unknown rule field",
     "{'rules': [\n  {'id': 'a',\n   'keywords': ['x'],\n   'entites': []}\n]}", -EINVAL,
     "rules[0].entites: unknown field", "rules[0].entites", 4},
    {"duplicate field", "{'rules': [{'id': 'a', 'keywords': ['x'],\n 'id': 'b'}]}", -EINVAL,
     "rules[0].id: duplicate field", "rules[0].id", 1},
    {"bad match", "{'rules': [{'id': 'a', 'keywords': ['x'],\n 'match': 'some'}]}", -EINVAL,
     "rules[0].match: must be \"all\" or \"any\", not \"some\"", "rules[0].match", 2},
    {"min_score out of range",
     "{'rules': [\n {'id': 'a', 'keywords': ['x']},\n {'id': 'b', 'topics': [\n"
     "   {'code': 'medtop:1'},\n   {'code': 'medtop:2',\n    'min_score': 1.5}]}]}",
     -EINVAL, "rules[1].topics[1].min_score: must be a number from 0 to 1",
     "rules[1].topics[1].min_score", 6},
    {"min_score not a number",
     "{'rules': [{'id': 'a', 'topics': [{'code': 'c', 'min_score': '0.5'}]}]}", -EINVAL,
     "rules[0].topics[0].min_score: must be a number", "rules[0].topics[0].min_score", 1},
    {"topic code missing", "{'rules': [{'id': 'a', 'topics': [{'min_score': 0.5}]}]}", -EINVAL,
     "rules[0].topics[0]: missing required field 'code'", "rules[0].topics[0]", 1},
    {"unknown entity type",
     "{'rules': [{'id': 'a', 'entities': [{'name': 'X', 'type': 'PERSON'}]}]}", -EINVAL,
     "rules[0].entities[0].type: unknown entity type 'PERSON'", "rules[0].entities[0].type", 1},
    {"unknown entity field", "{'rules': [{'id': 'a', 'entities': [{'name': 'X', 'salience': 1}]}]}",
     -EINVAL, "rules[0].entities[0].salience: unknown field", "rules[0].entities[0].salience", 1},
    {"entity name blank", "{'rules': [{'id': 'a', 'entities': [{'name': ' \\t '}]}]}", -EINVAL,
     "rules[0].entities[0].name: must hold more than white space", "rules[0].entities[0].name", 1},
    {"entities not an array", "{'rules': [{'id': 'a', 'entities': {'name': 'X'}}]}", -EINVAL,
     "rules[0].entities: must be an array", "rules[0].entities", 1},
    {"keyword not a string", "{'rules': [{'id': 'a', 'keywords': ['x', 3]}]}", -EINVAL,
     "rules[0].keywords[1]: must be a string", "rules[0].keywords[1]", 1},
    {"keyword blank", "{'rules': [{'id': 'a', 'keywords': ['  ']}]}", -EINVAL,
     "rules[0].keywords[0]: must hold more than white space", "rules[0].keywords[0]", 1},
    {"keyword bad UTF-8", "{'rules': [{'id': 'a', 'keywords': ['ab\xff']}]}", -EINVAL,
     "rules[0].keywords[0]: not valid UTF-8 at byte 2", "rules[0].keywords[0]", 1},
    {"rule without conditions", "{'rules': [\n{'id': 'a', 'description': 'nothing'}]}", -EINVAL,
     "rules[0]: rule 'a' has no entities, topics or keywords", "rules[0]", 2},
    {"duplicate rule id",
     "{'rules': [\n{'id': 'a', 'keywords': ['x']},\n{'id': 'b', 'keywords': ['y']},\n"
     "{'id': 'a', 'keywords': ['z']}]}",
     -EINVAL, "rules[2].id: duplicate rule id 'a' (first at rules[0])", "rules[2].id", 4},
    {"id with control character", "{'rules': [{'id': 'a\\nb', 'keywords': ['x']}]}", -EINVAL,
     "rules[0].id: must not contain control characters", "rules[0].id", 1},
};

ParameterizedTestParameters(alerts, malformed)
{
        return cr_make_param_array(struct bad_case, bad_cases,
                                   sizeof(bad_cases) / sizeof(bad_cases[0]));
}

ParameterizedTest(struct bad_case *tc, alerts, malformed)
{
        char json[512];
        struct ne_alert_rules *rules = (struct ne_alert_rules *)0x1;
        struct ne_diag diag;
        ne_diag_clear(&diag);
        unquote(tc->text, json, sizeof(json));
        int r = ne_alert_rules_parse(json, strlen(json), &rules, &diag);
        cr_assert_eq(r, tc->err, "%s: returned %d (%s)", tc->name, r, diag.msg);
        cr_expect_eq(rules, (struct ne_alert_rules *)0x1, "%s: ret written", tc->name);
        cr_expect(strncmp(diag.msg, tc->msg, strlen(tc->msg)) == 0, "%s: msg '%s', want '%s'",
                  tc->name, diag.msg, tc->msg);
        cr_expect_str_eq(diag.key, tc->key, "%s: key '%s'", tc->name, diag.key);
        cr_expect_eq(diag.line, tc->line, "%s: line %d, want %d", tc->name, diag.line, tc->line);
}

Test(alerts, bounds)
{
        struct ne_buf b = {0};
        struct ne_alert_rules *rules = NULL;
        struct ne_diag diag;

        /* one rule too many */
        cr_assert_eq(ne_buf_append_str(&b, "{\"rules\":["), 0);
        for (int i = 0; i <= NE_ALERT_MAX_RULES; i++)
                cr_assert_eq(
                    ne_buf_appendf(&b, "%s{\"id\":\"r%d\",\"keywords\":[\"k\"]}", i ? "," : "", i),
                    0);
        cr_assert_eq(ne_buf_append_str(&b, "]}"), 0);
        ne_diag_clear(&diag);
        cr_expect_eq(ne_alert_rules_parse(b.data, b.len, &rules, &diag), -E2BIG, "%s", diag.msg);
        cr_expect_str_eq(diag.key, "rules");

        /* exactly the limit parses, ids checked for uniqueness at scale */
        char *last = strrchr(b.data, '{');
        b.len = (size_t)(last - b.data) - 1;
        cr_assert_eq(ne_buf_append_str(&b, "]}"), 0);
        cr_expect_eq(ne_alert_rules_parse(b.data, b.len, &rules, &diag), 0, "%s", diag.msg);
        cr_expect_eq(rules->n_rules, NE_ALERT_MAX_RULES);
        ne_alert_rules_free(rules);

        /* one keyword too many */
        ne_buf_reset(&b);
        cr_assert_eq(ne_buf_append_str(&b, "{\"rules\":[{\"id\":\"a\",\"keywords\":["), 0);
        for (int i = 0; i <= NE_ALERT_MAX_CONDITIONS; i++)
                cr_assert_eq(ne_buf_appendf(&b, "%s\"k%d\"", i ? "," : "", i), 0);
        cr_assert_eq(ne_buf_append_str(&b, "]}]}"), 0);
        ne_diag_clear(&diag);
        cr_expect_eq(ne_alert_rules_parse(b.data, b.len, &rules, &diag), -EINVAL);
        cr_expect_str_eq(diag.msg, "rules[0].keywords: more than 64 conditions");

        /* over the file size limit, refused before parsing */
        cr_expect_eq(ne_alert_rules_parse(b.data, NE_ALERT_MAX_FILE_BYTES + 1, &rules, &diag),
                     -EFBIG);
        ne_buf_release(&b);

        cr_expect_eq(ne_alert_rules_load("/nonexistent/rules.json", &rules, &diag), -ENOENT);
        cr_expect(strstr(diag.msg, "/nonexistent/rules.json") != NULL, "%s", diag.msg);
}

/* ---- folding and alert ids -------------------------------------------------------------- */

Test(alerts, fold)
{
        struct ne_buf b = {0};
        const char *in = "  \xc3\x84RGER \t\n \xc4\xb0stanbul \xce\xa3\xce\x9f\xce\xa6\xce\x99"
                         "\xce\x91 \xd0\x81\xd0\x96  ";
        cr_assert_eq(ne_alert_fold(in, strlen(in), true, &b), 0);
        cr_expect_str_eq(b.data, "\xc3\xa4rger istanbul \xcf\x83\xce\xbf\xcf\x86\xce\xb9\xce\xb1"
                                 " \xd1\x91\xd0\xb6");
        ne_buf_reset(&b);
        cr_assert_eq(ne_alert_fold("a\xff"
                                   "B",
                                   3, false, &b),
                     0);
        cr_expect_str_eq(b.data,
                         "a\xef\xbf\xbd"
                         "b",
                         "ill-formed byte becomes U+FFFD");
        ne_buf_reset(&b);
        cr_assert_eq(ne_alert_fold(" x ", 3, false, &b), 0);
        cr_expect_str_eq(b.data, " x ");
        ne_buf_release(&b);
}

Test(alerts, alert_id_deterministic)
{
        char a[NE_ALERT_ID_LEN + 1], b[NE_ALERT_ID_LEN + 1], c[NE_ALERT_ID_LEN + 1],
            d[NE_ALERT_ID_LEN + 1];
        /* reference values: FNV-1a 128 over rule '\0' article, computed in Python */
        ne_alert_id("merkel-politics", "art-1", a);
        cr_expect_str_eq(a, "1b572a76de9411adefeae82fa59ffec8");
        ne_alert_id("merkel-politics", "art-1", b);
        cr_expect_str_eq(a, b, "same pair, same id");
        ne_alert_id("merkel-politics", "art-2", c);
        cr_expect_str_eq(c, "1b572a76e19411adefeae82fa5a00279");
        ne_alert_id("other", "art-1", d);
        cr_expect_str_eq(d, "19844387fef0b78d2000c2be272dd536");
        /* the separator keeps ("ab", "c") and ("a", "bc") apart */
        ne_alert_id("ab", "c", a);
        ne_alert_id("a", "bc", b);
        cr_expect_str_neq(a, b);
}

/* ---- encoding --------------------------------------------------------------------------- */

static char *read_schema(size_t *ret_len)
{
        FILE *f = fopen(NE_SOURCE_DIR "/schemas/entity_alert.avsc", "rb");
        cr_assert_not_null(f);
        char *buf = calloc(1, 65536);
        cr_assert_not_null(buf);
        *ret_len = fread(buf, 1, 65535, f);
        fclose(f);
        return buf;
}

/* One match of the "all" rule, for encoding. */
struct fixture {
        struct ne_alert_rules *rules;
        struct ne_article *art;
        struct ne_enrichment *enr;
        struct ne_alert_match *m;
        size_t n;
};

static void fixture_setup(struct fixture *fx)
{
        fx->rules = parse_ok("{'rules':[{'id':'merkel-politics','entities':[{'name':'Angela "
                             "Merkel','type':'PER'},{'name':'m\xc3\xbcnchen'}],"
                             "'topics':[{'code':'medtop:11000000','min_score':0.5}],"
                             "'keywords':['election','\xc3\x84rger']}]}");
        fx->art = make_article();
        fx->enr = make_enrichment();
        cr_assert_eq(ne_alert_rules_match(fx->rules, fx->art, fx->enr, &fx->m, &fx->n), 0);
        cr_assert_eq(fx->n, 1);
}

static void fixture_teardown(struct fixture *fx)
{
        ne_alert_matches_free(fx->m, fx->n);
        ne_alert_rules_free(fx->rules);
        ne_article_free(fx->art);
        ne_enrichment_free(fx->enr);
}

static const char *get_str(avro_value_t *rec, const char *name)
{
        avro_value_t f;
        const char *s = NULL;
        size_t n;
        cr_assert_eq(avro_value_get_by_name(rec, name, &f, NULL), 0, "%s", name);
        cr_assert_eq(avro_value_get_string(&f, &s, &n), 0, "%s", name);
        return s;
}

Test(alert_encode, avro_decodes_with_avro_c)
{
        struct fixture fx;
        fixture_setup(&fx);
        size_t slen;
        char *schema_text = read_schema(&slen);
        struct ne_alert_encoder *enc = NULL;
        struct ne_diag diag;
        struct ne_buf out = {0}, again = {0};
        struct ne_lineage lin = {"articles", 3, 1234567890123LL};
        ne_diag_clear(&diag);
        cr_assert_eq(
            ne_alert_encoder_new(schema_text, slen, 0x01020304, NE_FORMAT_AVRO, &enc, &diag), 0,
            "%s", diag.msg);
        cr_assert_eq(
            ne_alert_encode(enc, &fx.m[0], fx.art, fx.enr, &lin, 1732800999000LL, &out, &diag), 0,
            "%s", diag.msg);
        cr_assert_gt(out.len, 5);
        cr_expect_eq(memcmp(out.data, "\x00\x01\x02\x03\x04", 5), 0, "Confluent header");
        /* the reused value is reset: a second encode gives the same bytes */
        cr_assert_eq(
            ne_alert_encode(enc, &fx.m[0], fx.art, fx.enr, &lin, 1732800999000LL, &again, &diag),
            0);
        cr_expect(again.len == out.len && memcmp(again.data, out.data, out.len) == 0);

        avro_schema_t schema;
        cr_assert_eq(avro_schema_from_json_length(schema_text, slen, &schema), 0);
        avro_value_iface_t *iface = avro_generic_class_from_schema(schema);
        avro_value_t rec, f, el, br;
        cr_assert_eq(avro_generic_value_new(iface, &rec), 0);
        avro_reader_t rd = avro_reader_memory(out.data + 5, (int64_t)(out.len - 5));
        cr_assert_eq(avro_value_read(rd, &rec), 0, "%s", avro_strerror());
        cr_expect_str_eq(get_str(&rec, "alert_id"), fx.m[0].alert_id);
        cr_expect_str_eq(get_str(&rec, "rule_id"), "merkel-politics");
        cr_expect_str_eq(get_str(&rec, "article_id"), "art-1");
        cr_expect_str_eq(get_str(&rec, "title"), "Merkel wins the Bundestag election");
        cr_expect_str_eq(get_str(&rec, "source"), "example-times");

        size_t n;
        int sym;
        float salience;
        cr_assert_eq(avro_value_get_by_name(&rec, "entities", &f, NULL), 0);
        cr_assert_eq(avro_value_get_size(&f, &n), 0);
        cr_assert_eq(n, 2);
        cr_assert_eq(avro_value_get_by_index(&f, 1, &el, NULL), 0);
        cr_expect_str_eq(get_str(&el, "name"), "M\xc3\xbcnchen");
        avro_value_t t;
        cr_assert_eq(avro_value_get_by_name(&el, "type", &t, NULL), 0);
        cr_assert_eq(avro_value_get_enum(&t, &sym), 0);
        cr_expect_eq(sym, 2, "LOC");
        cr_assert_eq(avro_value_get_by_name(&el, "salience", &t, NULL), 0);
        cr_assert_eq(avro_value_get_float(&t, &salience), 0);
        cr_expect_float_eq(salience, 0.5f, 1e-6);

        cr_assert_eq(avro_value_get_by_name(&rec, "topics", &f, NULL), 0);
        cr_assert_eq(avro_value_get_size(&f, &n), 0);
        cr_assert_eq(n, 1);
        cr_assert_eq(avro_value_get_by_index(&f, 0, &el, NULL), 0);
        cr_expect_str_eq(get_str(&el, "label"), "politics");

        cr_assert_eq(avro_value_get_by_name(&rec, "keywords", &f, NULL), 0);
        cr_assert_eq(avro_value_get_size(&f, &n), 0);
        cr_assert_eq(n, 2);
        cr_assert_eq(avro_value_get_by_index(&f, 1, &el, NULL), 0);
        const char *s;
        cr_assert_eq(avro_value_get_string(&el, &s, &n), 0);
        cr_expect_str_eq(s, "\xc3\x84rger", "as written in the rule");

        int64_t ts;
        cr_assert_eq(avro_value_get_by_name(&rec, "alerted_at", &f, NULL), 0);
        cr_assert_eq(avro_value_get_long(&f, &ts), 0);
        cr_expect_eq(ts, 1732800999000LL);
        cr_assert_eq(avro_value_get_by_name(&rec, "lineage", &f, NULL), 0);
        cr_assert_eq(avro_value_get_discriminant(&f, &sym), 0);
        cr_expect_eq(sym, 1);
        cr_assert_eq(avro_value_get_current_branch(&f, &br), 0);
        cr_expect_str_eq(get_str(&br, "topic"), "articles");
        cr_assert_eq(avro_value_get_by_name(&br, "offset", &t, NULL), 0);
        cr_assert_eq(avro_value_get_long(&t, &ts), 0);
        cr_expect_eq(ts, 1234567890123LL);

        avro_reader_free(rd);
        avro_value_decref(&rec);
        avro_value_iface_decref(iface);
        avro_schema_decref(schema);
        ne_buf_release(&out);
        ne_buf_release(&again);
        ne_alert_encoder_free(enc);
        free(schema_text);
        fixture_teardown(&fx);
}

Test(alert_encode, avro_decodes_with_python_avro)
{
        if (access("/usr/bin/python3", X_OK) != 0 ||
            system("/usr/bin/python3 -c 'import avro.io' 2>/dev/null") != 0)
                cr_skip_test("/usr/bin/python3 with python3-avro not available");
        struct fixture fx;
        fixture_setup(&fx);
        size_t slen;
        char *schema_text = read_schema(&slen);
        struct ne_alert_encoder *enc = NULL;
        struct ne_buf out = {0};
        cr_assert_eq(ne_alert_encoder_new(schema_text, slen, 7, NE_FORMAT_AVRO, &enc, NULL), 0);
        /* no lineage this time: the null branch */
        cr_assert_eq(
            ne_alert_encode(enc, &fx.m[0], fx.art, fx.enr, NULL, 1732800999000LL, &out, NULL), 0);
        char path[] = "/tmp/ne_alert_XXXXXX";
        int fd = mkstemp(path);
        cr_assert_geq(fd, 0);
        cr_assert_eq(write(fd, out.data, out.len), (ssize_t)out.len);
        close(fd);

        char cmd[2048], result[4096];
        snprintf(cmd, sizeof(cmd),
                 "/usr/bin/python3 -c '"
                 "import io, json, struct, sys, avro.io, avro.schema\n"
                 "s = avro.schema.parse(open(sys.argv[1]).read())\n"
                 "b = open(sys.argv[2], \"rb\").read()\n"
                 "assert b[0] == 0 and struct.unpack(\">I\", b[1:5])[0] == 7\n"
                 "dec = avro.io.BinaryDecoder(io.BytesIO(b[5:]))\n"
                 "d = avro.io.DatumReader(s).read(dec)\n"
                 "print(json.dumps(d, default=lambda o: o.isoformat(), sort_keys=True,"
                 " ensure_ascii=False))' %s %s",
                 NE_SOURCE_DIR "/schemas/entity_alert.avsc", path);
        FILE *p = popen(cmd, "r");
        cr_assert_not_null(p);
        size_t n = fread(result, 1, sizeof(result) - 1, p);
        result[n] = '\0';
        int st = pclose(p);
        unlink(path);
        cr_assert_eq(st, 0, "python3-avro failed: %s", result);
        cJSON *d = cJSON_Parse(result);
        cr_assert_not_null(d, "%s", result);
        cr_expect_str_eq(cJSON_GetObjectItem(d, "alert_id")->valuestring, fx.m[0].alert_id);
        cr_expect_str_eq(cJSON_GetObjectItem(d, "article_id")->valuestring, "art-1");
        cJSON *ents = cJSON_GetObjectItem(d, "entities");
        cr_assert_eq(cJSON_GetArraySize(ents), 2);
        cr_expect_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(ents, 0), "type")->valuestring,
                         "PER");
        cr_expect_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(ents, 1), "name")->valuestring,
                         "M\xc3\xbcnchen");
        cr_expect(cJSON_IsNull(cJSON_GetObjectItem(d, "lineage")));
        cr_expect_str_eq(cJSON_GetObjectItem(d, "published_at")->valuestring,
                         "2024-11-28T13:20:00.123000+00:00");
        cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(d, "keywords")), 2);
        cJSON_Delete(d);
        ne_buf_release(&out);
        ne_alert_encoder_free(enc);
        free(schema_text);
        fixture_teardown(&fx);
}

Test(alert_encode, json)
{
        struct fixture fx;
        fixture_setup(&fx);
        struct ne_alert_encoder *enc = NULL;
        struct ne_buf out = {0};
        struct ne_lineage lin = {"articles", 0, 42};
        cr_assert_eq(ne_alert_encoder_new(NULL, 0, 0, NE_FORMAT_JSON, &enc, NULL), 0);
        cr_assert_eq(
            ne_alert_encode(enc, &fx.m[0], fx.art, fx.enr, &lin, 1732800999000LL, &out, NULL), 0);
        cJSON *d = cJSON_Parse(out.data);
        cr_assert_not_null(d, "%s", out.data);
        cr_expect_str_eq(cJSON_GetObjectItem(d, "rule_id")->valuestring, "merkel-politics");
        cr_expect_str_eq(cJSON_GetObjectItem(d, "alert_id")->valuestring, fx.m[0].alert_id);
        cr_expect_eq(cJSON_GetObjectItem(d, "published_at")->valuedouble, 1732800000123.0);
        cJSON *e0 = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "entities"), 0);
        cr_expect_str_eq(cJSON_GetObjectItem(e0, "type")->valuestring, "PER");
        cr_expect(strstr(out.data, "\"salience\":0.9,") != NULL, "floats tidy: %s", out.data);
        cr_expect_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(d, "lineage"), "offset")->valuedouble,
                     42.0);
        cr_expect_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(d, "keywords"), 0)->valuestring,
                         "election");
        cr_expect_eq(out.data[out.len - 1], '}', "no trailing newline");
        cJSON_Delete(d);
        ne_buf_release(&out);
        ne_alert_encoder_free(enc);
        fixture_teardown(&fx);
}

Test(alert_encode, errors)
{
        struct fixture fx;
        fixture_setup(&fx);
        struct ne_alert_encoder *enc = NULL;
        struct ne_diag diag;
        struct ne_buf out = {0};
        ne_diag_clear(&diag);
        cr_expect_eq(ne_alert_encoder_new("{\"type\":", 8, 1, NE_FORMAT_AVRO, &enc, &diag),
                     -EINVAL);
        cr_expect_null(enc);
        /* a record schema without the fields the encoder fills */
        const char *other = "{\"type\":\"record\",\"name\":\"X\",\"fields\":[{\"name\":\"a\","
                            "\"type\":\"int\"}]}";
        cr_assert_eq(ne_alert_encoder_new(other, strlen(other), 1, NE_FORMAT_AVRO, &enc, &diag), 0,
                     "%s", diag.msg);
        cr_expect_eq(ne_alert_encode(enc, &fx.m[0], fx.art, fx.enr, NULL, 0, &out, &diag), -EINVAL);
        cr_expect(strstr(diag.msg, "alert_id") != NULL, "%s", diag.msg);
        cr_expect_eq(out.len, 0, "out unchanged");
        /* an index that does not fit the enrichment */
        fx.m[0].entities[0] = 99;
        cr_expect_eq(ne_alert_encode(enc, &fx.m[0], fx.art, fx.enr, NULL, 0, &out, &diag), -EINVAL);
        cr_expect(strstr(diag.msg, "out of range") != NULL, "%s", diag.msg);
        ne_alert_encoder_free(enc);
        ne_buf_release(&out);
        fixture_teardown(&fx);
}

/* Every record, enum and field of the alert schema carries a doc: the schema is the contract
 * dashboards are built against. */
static void expect_docs(const cJSON *type, const char *path)
{
        if (cJSON_IsArray(type)) {
                const cJSON *b;
                cJSON_ArrayForEach(b, type) expect_docs(b, path);
                return;
        }
        if (!cJSON_IsObject(type))
                return;
        const char *t = cJSON_GetStringValue(cJSON_GetObjectItem(type, "type"));
        if (t && (strcmp(t, "record") == 0 || strcmp(t, "enum") == 0))
                cr_expect(cJSON_IsString(cJSON_GetObjectItem(type, "doc")), "%s: no doc", path);
        const cJSON *f;
        cJSON_ArrayForEach(f, cJSON_GetObjectItem(type, "fields"))
        {
                char sub[256];
                snprintf(sub, sizeof(sub), "%s.%s", path,
                         cJSON_GetStringValue(cJSON_GetObjectItem(f, "name")));
                cr_expect(cJSON_IsString(cJSON_GetObjectItem(f, "doc")), "%s: no doc", sub);
                expect_docs(cJSON_GetObjectItem(f, "type"), sub);
        }
        expect_docs(cJSON_GetObjectItem(type, "items"), path);
        expect_docs(cJSON_GetObjectItem(type, "values"), path);
}

Test(alert_encode, schema_documented)
{
        size_t len;
        char *text = read_schema(&len);
        cJSON *root = cJSON_ParseWithLength(text, len);
        cr_assert_not_null(root);
        cr_expect_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(root, "namespace")),
                         "io.newsenrichd");
        cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(root, "fields")), 12);
        expect_docs(root, "EntityAlert");
        cJSON_Delete(root);
        free(text);
}
