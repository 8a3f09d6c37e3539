/* libFuzzer harness for alert rules (daemon/alerts_rules.c, alerts.c): any bytes are either
 * refused by ne_alert_rules_parse with a negative errno, leaving the out-pointer alone, or
 * give rules that match against a fixed enriched article without crashing, every match
 * naming a rule of the set and indexes inside the article's entities, topics and the rule's
 * keywords. The raw bytes also go through ne_alert_fold, which must accept ill-formed text. */
#include <errno.h>

#include "harness.h"
#include "ne/alerts.h"
#include "ne/enrichment.h"

static struct ne_article art = {
    .id = "fuzz-1",
    .url = "",
    .source = "",
    .title = "Merkel visits München for the Oktoberfest",
    .body = "Angela Merkel, the former chancellor, said the election in Bavaria was "
            "close. Die Wahl in München: Wiesn-Besucher und Москва. €40 — “quoted” 東京.",
    .language = NULL,
};
static struct ne_mention mentions[] = {
    {NE_FIELD_TITLE, 0, 6, 0, 6, 0.9f},
    {NE_FIELD_BODY, 0, 13, 0, 13, 0.95f},
    {NE_FIELD_TITLE, 14, 21, 14, 21, 0.8f},
};
static struct ne_entity entities[] = {
    {NE_ENT_PER, "Angela Merkel", mentions, 2, 0.95f, 0.9f},
    {NE_ENT_LOC, "München", mentions + 2, 1, 0.8f, 0.5f},
    {NE_ENT_ORG, "MOSKVA Corp.", mentions + 1, 1, 0.4f, 0.1f},
};
static struct ne_topic topics[] = {
    {"medtop:11000000", "politics", 0.8f},
    {"medtop:04000000", "economy, business and finance", 0.3f},
};
static struct ne_enrichment enr = {
    .entities = entities,
    .n_entities = sizeof(entities) / sizeof(entities[0]),
    .topics = topics,
    .n_topics = sizeof(topics) / sizeof(topics[0]),
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        (void)argc;
        (void)argv;
        art.body_len = strlen(art.body);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        /* Folding turns every ill-formed byte into U+FFFD: the result is well-formed. */
        struct ne_buf folded = {0};
        FUZZ_CHECK(ne_alert_fold((const char *)data, size, size & 1, &folded) == 0);
        for (size_t pos = 0; pos < folded.len;)
                FUZZ_CHECK(ne_utf8_next(folded.data, folded.len, &pos) >= 0);
        ne_buf_release(&folded);
        struct ne_alert_rules *rules = NULL;
        struct ne_diag diag;
        int r = ne_alert_rules_parse((const char *)data, size, &rules, &diag);
        if (r < 0) {
                FUZZ_CHECK(r == -EINVAL || r == -EFBIG || r == -E2BIG || r == -ENOMEM);
                FUZZ_CHECK(rules == NULL);
                return 0;
        }
        FUZZ_CHECK(rules != NULL && rules->n_rules <= NE_ALERT_MAX_RULES);

        struct ne_alert_match *m = NULL;
        size_t n = 0;
        for (int with_enr = 0; with_enr < 2; with_enr++) {
                FUZZ_CHECK(ne_alert_rules_match(rules, &art, with_enr ? &enr : NULL, &m, &n) == 0);
                FUZZ_CHECK((m == NULL) == (n == 0));
                for (size_t i = 0; i < n; i++) {
                        const struct ne_alert_rule *rule = m[i].rule;
                        FUZZ_CHECK(rule >= rules->rules && rule < rules->rules + rules->n_rules);
                        FUZZ_CHECK(strlen(m[i].alert_id) == NE_ALERT_ID_LEN);
                        for (size_t j = 0; j < m[i].n_entities; j++)
                                FUZZ_CHECK(with_enr && m[i].entities[j] < enr.n_entities);
                        for (size_t j = 0; j < m[i].n_topics; j++)
                                FUZZ_CHECK(with_enr && m[i].topics[j] < enr.n_topics);
                        for (size_t j = 0; j < m[i].n_keywords; j++)
                                FUZZ_CHECK(m[i].keywords[j] < rule->n_keywords);
                }
                ne_alert_matches_free(m, n);
        }
        ne_alert_rules_free(rules);
        return 0;
}
