/* Compiles the raw lexicons into the model at training time: Brown word clusters (word hash
 * -> bit-string path) and gazetteer lists (hash of the lowercased token sequence -> list
 * bits, plus a bit marking phrases that longer entries continue, so that matching can stop
 * early). Only hashes reach the model; the lists themselves are never stored. Reads gzip'd
 * or plain files through zlib. Used by training only, never on the tagging path. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "ner_impl.h"

enum colmode {
        COL_LINE,   /* the whole line */
        COL_TSV,    /* TAB-separated column `col` */
        COL_TSVBAR, /* TAB column `col`, '|'-separated values */
        COL_WS,     /* first whitespace-separated field */
        COL_CSV,    /* comma-separated column `col`, double quotes honoured */
};

struct listfile {
        const char *path;
        unsigned list;
        enum colmode mode;
        int col;
        long min_count_col; /* TSV column holding a count, or -1 */
        long min_count;
        bool header; /* skip the first line */
};

/* Lists (bit numbers): the Illinois Wikipedia lists, GeoNames, countries, names, companies,
 * titles, organisation suffixes and Freebase type lists, as in Ratinov & Roth (2009). */
enum {
        L_WIKI_LOC,
        L_WIKI_ORG,
        L_CITY,
        L_COUNTRY,
        L_DEMONYM,
        L_FIRST,
        L_LAST,
        L_CORP,
        L_TITLE,
        L_ORGSUFFIX,
        L_EVENT,
        L_ORG_MEDIA_GOV,
        L_SPORTS,
        L_UNIV,
        L_REGION,
};

static const struct listfile LISTS[] = {
    {"lexicons/illinois/WikiLocations.lst.gz", L_WIKI_LOC, COL_LINE, 0, -1, 0, false},
    {"lexicons/illinois/WikiLocationsRedirects.lst.gz", L_WIKI_LOC, COL_LINE, 0, -1, 0, false},
    {"lexicons/illinois/WikiOrganizations.lst.gz", L_WIKI_ORG, COL_LINE, 0, -1, 0, false},
    {"lexicons/illinois/WikiOrganizationsRedirects.lst.gz", L_WIKI_ORG, COL_LINE, 0, -1, 0, false},
    {"gazetteers/geonames/cities15000.txt.gz", L_CITY, COL_TSV, 1, -1, 0, false},
    {"gazetteers/geonames/cities15000.txt.gz", L_CITY, COL_TSV, 2, -1, 0, false},
    {"gazetteers/geonames/countryInfo.tsv", L_CITY, COL_TSV, 5, -1, 0, true},
    {"gazetteers/geonames/admin1_regionInfo.tsv", L_REGION, COL_TSV, 1, -1, 0, true},
    {"gazetteers/geonames/admin1_regionInfo.tsv", L_REGION, COL_TSV, 2, -1, 0, true},
    {"gazetteers/geonames/countryInfo.tsv", L_COUNTRY, COL_TSV, 4, -1, 0, true},
    {"gazetteers/countries/countries_demonyms.tsv", L_COUNTRY, COL_TSV, 2, -1, 0, true},
    {"gazetteers/countries/countries_demonyms.tsv", L_COUNTRY, COL_TSV, 3, -1, 0, true},
    {"gazetteers/countries/countries_demonyms.tsv", L_COUNTRY, COL_TSVBAR, 7, -1, 0, true},
    {"gazetteers/countries/countries_demonyms.tsv", L_CITY, COL_TSVBAR, 6, -1, 0, true},
    {"lexicons/freebase/location.country", L_COUNTRY, COL_LINE, 0, -1, 0, false},
    {"gazetteers/countries/countries_demonyms.tsv", L_DEMONYM, COL_TSV, 4, -1, 0, true},
    {"gazetteers/countries/countries_demonyms.tsv", L_DEMONYM, COL_TSV, 5, -1, 0, true},
    {"gazetteers/names/ssa_first_names_1880_2023.tsv.gz", L_FIRST, COL_TSV, 0, 2, 2000, true},
    {"gazetteers/names/census1990_dist.female.first", L_FIRST, COL_WS, 0, -1, 0, false},
    {"gazetteers/names/census1990_dist.male.first", L_FIRST, COL_WS, 0, -1, 0, false},
    {"lexicons/freebase/firstname.5k", L_FIRST, COL_LINE, 0, -1, 0, false},
    {"gazetteers/names/census1990_dist.all.last.gz", L_LAST, COL_WS, 0, -1, 0, false},
    {"lexicons/freebase/lastname.5000", L_LAST, COL_LINE, 0, -1, 0, false},
    {"lexicons/freebase/people.family_name", L_LAST, COL_LINE, 0, -1, 0, false},
    {"lexicons/misc/corporations.txt.gz", L_CORP, COL_LINE, 0, -1, 0, false},
    {"lexicons/illinois/known_corporations.lst", L_CORP, COL_LINE, 0, -1, 0, false},
    {"gazetteers/organisations/sp500_constituents.csv", L_CORP, COL_CSV, 1, -1, 0, true},
    {"gazetteers/organisations/nasdaq_listed.csv", L_CORP, COL_CSV, 1, -1, 0, true},
    {"gazetteers/organisations/nyse_other_listed.csv", L_CORP, COL_CSV, 1, -1, 0, true},
    {"lexicons/freebase/business.brand", L_CORP, COL_LINE, 0, -1, 0, false},
    {"lexicons/freebase/business.consumer_company", L_CORP, COL_LINE, 0, -1, 0, false},
    {"lexicons/freebase/venture_capital.venture_funded_company", L_CORP, COL_LINE, 0, -1, 0, false},
    {"lexicons/freebase/automotive.make", L_CORP, COL_LINE, 0, -1, 0, false},
    {"lexicons/misc/VincentNgPeopleTitles.txt", L_TITLE, COL_LINE, 0, -1, 0, false},
    {"lexicons/misc/orgClosings.txt", L_ORGSUFFIX, COL_LINE, 0, -1, 0, false},
    {"lexicons/freebase/award.award", L_EVENT, COL_LINE, 0, -1, 0, false},
    {"lexicons/freebase/time.holiday", L_EVENT, COL_LINE, 0, -1, 0, false},
    {"lexicons/freebase/time.recurring_event", L_EVENT, COL_LINE, 0, -1, 0, false},
    {"lexicons/freebase/book.newspaper", L_ORG_MEDIA_GOV, COL_LINE, 0, -1, 0, false},
    {"lexicons/freebase/broadcast.tv_channel", L_ORG_MEDIA_GOV, COL_LINE, 0, -1, 0, false},
    {"lexicons/freebase/tv.tv_network", L_ORG_MEDIA_GOV, COL_LINE, 0, -1, 0, false},
    {"lexicons/freebase/government.government_agency", L_ORG_MEDIA_GOV, COL_LINE, 0, -1, 0, false},
    {"lexicons/freebase/sports.sports_league", L_SPORTS, COL_LINE, 0, -1, 0, false},
    {"lexicons/freebase/sports.sports_team", L_SPORTS, COL_LINE, 0, -1, 0, false},
    {"lexicons/freebase/education.university", L_UNIV, COL_LINE, 0, -1, 0, false},
};

#define CLUSTER_FILE "lexicons/brown/brown-rcv1-turian-c1000.txt.gz"
#define CLUSTER2_FILE "lexicons/brown/bllip-koo-c1000.txt.gz"
#define LINE_MAX_BYTES 65536

/* Splits an entry into tokens as CoNLL tokenizes text: on whitespace, with a trailing comma
 * as its own token. Text from '(' on is a disambiguation note and is dropped. */
static size_t entry_tokens(char *s, char **tok, size_t *len, size_t max)
{
        char *paren = strchr(s, '(');
        if (paren)
                *paren = '\0';
        size_t n = 0;
        char *p = s;
        while (*p) {
                while (*p == ' ' || *p == '\t' || *p == '\r')
                        p++;
                if (!*p)
                        break;
                char *b = p;
                while (*p && *p != ' ' && *p != '\t' && *p != '\r')
                        p++;
                size_t l = (size_t)(p - b);
                if (n + 2 > max)
                        return 0;
                if (l > 1 && b[l - 1] == ',') {
                        tok[n] = b;
                        len[n++] = l - 1;
                        tok[n] = b + l - 1;
                        len[n++] = 1;
                } else {
                        tok[n] = b;
                        len[n++] = l;
                }
        }
        return n;
}

static int add_entry(struct ner_lex *lex, char *entry, unsigned list, size_t *count)
{
        char *tok[NER_GAZ_MAX_LEN + 2];
        size_t len[NER_GAZ_MAX_LEN + 2];
        /* Skip a UTF-8 byte order mark, as the first Wikipedia redirect line has. */
        if ((unsigned char)entry[0] == 0xEF && (unsigned char)entry[1] == 0xBB &&
            (unsigned char)entry[2] == 0xBF)
                entry += 3;
        if (strncmp(entry, "Category:", 9) == 0 || strncmp(entry, "List of", 7) == 0)
                return 0;
        size_t n = entry_tokens(entry, tok, len, NER_GAZ_MAX_LEN + 2);
        if (n == 0 || n > NER_GAZ_MAX_LEN)
                return 0;
        uint32_t h = NER_PHRASE_SEED;
        for (size_t k = 0; k < n; k++) {
                struct ner_word_hashes wh;
                ner_hash_word(tok[k], len[k], &wh);
                h = ner_phrase_step(h, wh.lower);
                bool found;
                uint32_t *v = ner_map_slot(&lex->gaz, ner_phrase_key(h, k + 1), &found);
                if (!v)
                        return -ENOMEM;
                *v |= k + 1 < n ? NER_GAZ_PREFIX : (uint32_t)1 << list;
        }
        (*count)++;
        return 0;
}

/* Returns the field of line selected by mode/col in place (NUL-terminated), or NULL. */
static char *select_field(char *line, enum colmode mode, int col)
{
        if (mode == COL_LINE)
                return line;
        if (mode == COL_WS) {
                char *e = line;
                while (*e && *e != ' ' && *e != '\t')
                        e++;
                *e = '\0';
                return line;
        }
        if (mode == COL_CSV) {
                int c = 0;
                char *p = line, *out = line;
                while (*p) {
                        char *start = out;
                        bool q = *p == '"';
                        if (q)
                                p++;
                        while (*p && (q ? !(*p == '"' && p[1] != '"') : *p != ',')) {
                                if (q && *p == '"')
                                        p++;
                                *out++ = *p++;
                        }
                        if (q && *p == '"')
                                p++;
                        if (c == col) {
                                *out = '\0';
                                return start;
                        }
                        if (*p == ',')
                                p++;
                        out = p;
                        c++;
                }
                return NULL;
        }
        char *p = line;
        for (int c = 0; c < col; c++) {
                p = strchr(p, '\t');
                if (!p)
                        return NULL;
                p++;
        }
        char *e = strchr(p, '\t');
        if (e)
                *e = '\0';
        return p;
}

static long tsv_long(const char *line, int col)
{
        const char *p = line;
        for (int c = 0; c < col; c++) {
                p = strchr(p, '\t');
                if (!p)
                        return 0;
                p++;
        }
        return strtol(p, NULL, 10);
}

/* Opens dir/rel, or the same name without ".gz" (fixtures ship plain text). */
static gzFile open_lexicon(const char *dir, const char *rel)
{
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, rel);
        gzFile gz = gzopen(path, "rb");
        size_t l = strlen(path);
        if (!gz && l > 3 && strcmp(path + l - 3, ".gz") == 0) {
                path[l - 3] = '\0';
                gz = gzopen(path, "rb");
        }
        return gz;
}

static int read_list(const char *dir, const struct listfile *lf, struct ner_lex *lex, size_t *count,
                     struct ne_diag *diag)
{
        gzFile gz = open_lexicon(dir, lf->path);
        if (!gz)
                return 1; /* optional: the model simply lacks this list */
        (void)diag;
        char *line = malloc(LINE_MAX_BYTES);
        if (!line) {
                gzclose(gz);
                return -ENOMEM;
        }
        int r = 0;
        bool first = true;
        while (gzgets(gz, line, LINE_MAX_BYTES)) {
                size_t l = strlen(line);
                while (l && (line[l - 1] == '\n' || line[l - 1] == '\r' || line[l - 1] == ' '))
                        line[--l] = '\0';
                if (first && lf->header) {
                        first = false;
                        continue;
                }
                first = false;
                if (l == 0 || line[0] == '#')
                        continue;
                if (lf->min_count_col >= 0 &&
                    tsv_long(line, (int)lf->min_count_col) < lf->min_count)
                        continue;
                char *field = select_field(line, lf->mode, lf->col);
                if (!field || !*field)
                        continue;
                if (lf->mode == COL_TSVBAR) {
                        char *save = NULL;
                        for (char *v = strtok_r(field, "|", &save); v && r == 0;
                             v = strtok_r(NULL, "|", &save))
                                r = add_entry(lex, v, lf->list, count);
                } else {
                        r = add_entry(lex, field, lf->list, count);
                }
                if (r < 0)
                        break;
        }
        free(line);
        gzclose(gz);
        return r;
}

static int read_clusters(const char *dir, const char *file, int set, struct ner_lex *lex,
                         struct ner_map *paths, size_t *count, struct ne_diag *diag)
{
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, file);
        gzFile gz = open_lexicon(dir, file);
        if (!gz)
                return 1;
        size_t cap = lex->n_paths;
        int r = 0;
        char line[4096];
        int lineno = 0;
        while (gzgets(gz, line, sizeof(line))) {
                lineno++;
                char *tab = strchr(line, '\t');
                char *word = tab ? tab + 1 : NULL;
                char *tab2 = word ? strchr(word, '\t') : NULL;
                size_t blen = tab ? (size_t)(tab - line) : 0;
                if (!tab2 || blen == 0 || blen > 31) {
                        r = ne_diag_set(diag, -EINVAL, "%s:%d: malformed cluster line", path,
                                        lineno);
                        break;
                }
                uint32_t bits = 0;
                for (size_t i = 0; i < blen; i++)
                        bits = bits << 1 | (line[i] == '1');
                uint32_t pkey = ner_fmix((bits * 64 + (uint32_t)blen + 1) * 2 + (uint32_t)set);
                bool found;
                uint32_t *pv = ner_map_slot(paths, pkey, &found);
                if (!pv) {
                        r = -ENOMEM;
                        break;
                }
                if (!found) {
                        if (lex->n_paths >= 65535) {
                                r = ne_diag_set(diag, -EINVAL, "%s: too many clusters", path);
                                break;
                        }
                        if (lex->n_paths == cap) {
                                cap = cap ? cap * 2 : 1024;
                                uint32_t *pb = realloc(lex->path_bits, cap * sizeof(*pb));
                                if (pb)
                                        lex->path_bits = pb;
                                uint8_t *pl = realloc(lex->path_len, cap);
                                if (pl)
                                        lex->path_len = pl;
                                if (!pb || !pl) {
                                        r = -ENOMEM;
                                        break;
                                }
                        }
                        lex->path_bits[lex->n_paths] = bits;
                        lex->path_len[lex->n_paths] = (uint8_t)blen;
                        *pv = (uint32_t)lex->n_paths++;
                }
                struct ner_word_hashes wh;
                ner_hash_word(word, (size_t)(tab2 - word), &wh);
                bool wfound;
                uint32_t wkey = set ? ner_cluster2_key(wh.exact) : wh.exact;
                uint32_t *wv = ner_map_slot(&lex->clusters, wkey, &wfound);
                if (!wv) {
                        r = -ENOMEM;
                        break;
                }
                if (!wfound) {
                        *wv = *pv;
                        (*count)++;
                }
        }
        gzclose(gz);
        return r;
}

int ner_lex_compile(const char *dir, struct ner_lex *lex, struct ner_lex_stats *stats,
                    struct ne_diag *diag)
{
        memset(stats, 0, sizeof(*stats));
        size_t found = 0;
        struct ner_map paths = {0};
        int r = read_clusters(dir, CLUSTER_FILE, 0, lex, &paths, &stats->cluster_words, diag);
        if (r >= 0) {
                found += r == 0;
                r = read_clusters(dir, CLUSTER2_FILE, 1, lex, &paths, &stats->cluster_words, diag);
        }
        ner_map_fini(&paths);
        if (r < 0)
                return r;
        found += r == 0;
        for (size_t i = 0; i < sizeof(LISTS) / sizeof(LISTS[0]); i++) {
                r = read_list(dir, &LISTS[i], lex, &stats->gaz_entries[LISTS[i].list], diag);
                if (r < 0)
                        return r;
                found += r == 0;
        }
        stats->files = found;
        /* Each file is optional, but a directory with none of them is a wrong path. */
        if (!found)
                return ne_diag_set(diag, -ENOENT, "%s: no lexicon files found", dir);
        return 0;
}
