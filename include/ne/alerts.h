/* Alert rules: which enriched articles someone wants to hear about. A rules file (JSON) lists
 * rules; a rule matches an article by entity (canonical name, case-insensitive, and type), by
 * topic code with a minimum score, or by keyword (whole word, case-insensitive, in title or
 * body), alone or combined with "match": "all" (the default) or "any". Pure: parsing fills
 * struct ne_diag, matching reads an article and its enrichment; no logging, no Kafka.
 *
 * Rules file format:
 *   {"rules": [
 *     {"id": "merkel-politics",                        required, unique, 1..128 bytes
 *      "description": "free text",                     optional, ignored
 *      "match": "all",                                 "all" (default) or "any"
 *      "entities": [{"name": "Angela Merkel", "type": "PER"}],   type optional (any type)
 *      "topics": [{"code": "medtop:11000000", "min_score": 0.5}], min_score optional (0), 0..1
 *      "keywords": ["election", "Bundestag"]}          whole words; a space matches any run
 *   ]}                                                 of white space
 * Unknown or duplicate fields are errors; a rule needs at least one condition. With "all" every
 * listed condition must hold, with "any" at least one. Case-insensitivity is simple Unicode
 * lower-casing of Latin, Greek and Cyrillic (no full case folding: "ß" does not match "ss").
 * Word boundaries are white space, punctuation and symbols, so in scripts written without
 * spaces (Chinese, Japanese, Thai) a keyword matches only where punctuation delimits it. */
#ifndef NE_ALERTS_H
#define NE_ALERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ne/article.h"
#include "ne/buf.h"
#include "ne/diag.h"
#include "ne/enrichment.h"

#define NE_ALERT_MAX_RULES 10000
#define NE_ALERT_MAX_CONDITIONS 64 /* entities, topics and keywords, each, per rule */
#define NE_ALERT_MAX_ID_BYTES 128
#define NE_ALERT_MAX_STRING_BYTES 256 /* entity name, topic code, keyword */
#define NE_ALERT_MAX_FILE_BYTES (4 * 1024 * 1024)
#define NE_ALERT_ID_LEN 32 /* hex digits of an alert id */

enum ne_alert_mode {
        NE_ALERT_MATCH_ALL = 0,
        NE_ALERT_MATCH_ANY = 1,
};

struct ne_alert_entity_cond {
        char *name;   /* as written in the rule */
        char *folded; /* lower-cased, white space collapsed: what is compared */
        int type;     /* enum ne_entity_type, or -1 for any type */
};

struct ne_alert_topic_cond {
        char *code;      /* compared exactly */
        float min_score; /* the topic's score must be >= this */
};

struct ne_alert_keyword {
        char *text; /* as written in the rule */
        char *folded;
};

struct ne_alert_rule {
        char *id;
        enum ne_alert_mode match;
        struct ne_alert_entity_cond *entities;
        size_t n_entities;
        struct ne_alert_topic_cond *topics;
        size_t n_topics;
        struct ne_alert_keyword *keywords;
        size_t n_keywords;
};

/* A loaded rule set. Read-only after load: share it between threads; to reload, load a new set
 * and swap the pointer, freeing the old set only when no thread still uses it or a match made
 * from it (matches borrow rules). */
struct ne_alert_rules {
        struct ne_alert_rule *rules; /* owned */
        size_t n_rules;
};

/* Parses a rules file's text (len bytes, need not be NUL-terminated). On success returns 0 and
 * new rules in *ret (free with ne_alert_rules_free). On a bad file returns -EINVAL with diag:
 * msg says what is wrong, key the field path (e.g. "rules[2].topics[0].min_score"), line the
 * 1-based line of the offending value or of the JSON syntax error. -EFBIG over
 * NE_ALERT_MAX_FILE_BYTES, -E2BIG over NE_ALERT_MAX_RULES rules, -ENOMEM. */
int ne_alert_rules_parse(const char *text, size_t len, struct ne_alert_rules **ret,
                         struct ne_diag *diag);

/* Same, from the file at `path`; adds -ENOENT/-EACCES/-EIO (msg names the path). */
int ne_alert_rules_load(const char *path, struct ne_alert_rules **ret, struct ne_diag *diag);

/* Accepts NULL. */
void ne_alert_rules_free(struct ne_alert_rules *rules);

/* One rule that matched one article. */
struct ne_alert_match {
        const struct ne_alert_rule *rule; /* borrowed from the rules */
        size_t *entities; /* owned; indexes into enr->entities that met an entity condition */
        size_t n_entities;
        size_t *topics; /* owned; indexes into enr->topics that met a topic condition */
        size_t n_topics;
        size_t *keywords; /* owned; indexes into rule->keywords found in title or body */
        size_t n_keywords;
        char alert_id[NE_ALERT_ID_LEN + 1]; /* ne_alert_id(rule->id, art->id) */
};

/* Matches every rule against an article and its enrichment (`enr` may be NULL: no entities,
 * no topics). On success returns 0 and writes a new array of matches, in rule order, to *ret
 * and its length to *ret_n (NULL and 0 when nothing matched); free it with
 * ne_alert_matches_free. -ENOMEM on allocation failure. Thread-safe for shared rules; borrows
 * everything. */
int ne_alert_rules_match(const struct ne_alert_rules *r, const struct ne_article *art,
                         const struct ne_enrichment *enr, struct ne_alert_match **ret,
                         size_t *ret_n);

/* Frees an array from ne_alert_rules_match(); accepts NULL. */
void ne_alert_matches_free(struct ne_alert_match *matches, size_t n);

/* Writes the deterministic alert id of (rule, article) to out: NE_ALERT_ID_LEN lower-case hex
 * digits of the 128-bit FNV-1a hash of rule_id, one NUL byte, article_id; then a NUL. The same
 * pair always gives the same id, so a redelivered article repeats its alerts' ids. */
void ne_alert_id(const char *rule_id, const char *article_id, char out[NE_ALERT_ID_LEN + 1]);

/* Appends to `out` the lower-cased form of UTF-8 text s[0..len) that matching compares: simple
 * lower-casing, every run of white space as one space, no leading or trailing space when
 * `trim`. An ill-formed byte becomes U+FFFD. Returns 0 or -ENOMEM. */
int ne_alert_fold(const char *s, size_t len, bool trim, struct ne_buf *out);

#endif
