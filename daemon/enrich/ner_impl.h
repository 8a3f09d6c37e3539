/* Internals shared by the ner_*.c files: tag encoding, hashing, the u32 hash map, the compiled
 * lexicons, per-token feature inputs and the model layout. Not a public header: nothing
 * outside daemon/enrich/ner_*.c includes it. */
#ifndef NE_NER_IMPL_H
#define NE_NER_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ne/ner.h"

/* BILOU tags: 0 is O; type t has B = 1 + 4t, I = 2 + 4t, L = 3 + 4t, U = 4 + 4t. */
#define NER_N_TAGS 17
#define NER_TAG_O 0
#define NER_TAG(type, pos) (1 + 4 * (type) + (pos))
enum { NER_POS_B = 0, NER_POS_I = 1, NER_POS_L = 2, NER_POS_U = 3 };
static inline int ner_tag_type(int tag)
{
        return (tag - 1) / 4;
}
static inline int ner_tag_pos(int tag)
{
        return (tag - 1) % 4;
}

#define NER_MAX_FEATS 160     /* feature keys per token, upper bound */
#define NER_N_LISTS 15        /* gazetteer lists (bits 0..14 of a gazetteer value) */
#define NER_GAZ_PREFIX 0x8000 /* gazetteer value bit: a longer entry continues this phrase */
#define NER_GAZ_MAX_LEN 8     /* tokens per gazetteer entry */
#define NER_FEATURE_SET 2     /* bumped when feature extraction changes meaning */
/* Temperature of the confidence softmax over perceptron scores; chosen by Brier score on the
 * held-out slice of eng.train (0.05-0.1 best, 1.0 clearly overconfident). */
#define NER_CONF_SCALE 0.1f

/* ---- hashing: 32-bit, fixed across platforms, never 0 (0 marks an empty map slot) ---- */
static inline uint32_t ner_fmix(uint32_t h)
{
        h ^= h >> 16;
        h *= 0x85ebca6bu;
        h ^= h >> 13;
        h *= 0xc2b2ae35u;
        h ^= h >> 16;
        return h ? h : 1;
}

static inline uint32_t ner_mix(uint32_t h, uint32_t v)
{
        v *= 0xcc9e2d51u;
        v = (v << 15) | (v >> 17);
        v *= 0x1b873593u;
        h ^= v;
        h = (h << 13) | (h >> 19);
        return h * 5 + 0xe6546b64u;
}

static inline uint32_t ner_key(uint32_t tpl, uint32_t a, uint32_t b)
{
        return ner_fmix(ner_mix(ner_mix(tpl * 0x9e3779b1u, a), b));
}

/* Hashes of a token's bytes: as written, ASCII-lowercased, and title-cased (first byte as
 * written, the rest lowercased). */
struct ner_word_hashes {
        uint32_t exact, lower, title;
};
void ner_hash_word(const char *s, size_t len, struct ner_word_hashes *ret);

/* ---- u32 -> u32 open-addressing map; key 0 is never stored ---- */
struct ner_map_slot {
        uint32_t key, val; /* together: one cache miss per probe */
};
struct ner_map {
        struct ner_map_slot *slots;
        size_t mask; /* capacity - 1, capacity a power of two */
        size_t n;
};
int ner_map_init(struct ner_map *map, size_t expected);
void ner_map_fini(struct ner_map *map);
int ner_map_put(struct ner_map *map, uint32_t key, uint32_t val);           /* grows */
uint32_t *ner_map_slot(struct ner_map *map, uint32_t key, bool *ret_found); /* NULL on -ENOMEM */
static inline bool ner_map_get(const struct ner_map *map, uint32_t key, uint32_t *ret_val)
{
        if (!map->slots)
                return false;
        for (size_t i = key & map->mask;; i = (i + 1) & map->mask) {
                if (map->slots[i].key == key) {
                        *ret_val = map->slots[i].val;
                        return true;
                }
                if (map->slots[i].key == 0)
                        return false;
        }
}

/* ---- compiled lexicons: Brown clusters and gazetteers ---- */
struct ner_lex {
        struct ner_map clusters; /* exact word hash -> path index (RCV1 clusters); the
                                  * second cluster set (BLLIP) under ner_cluster2_key() */
        uint32_t *path_bits;     /* n_paths bit strings, first bit most significant */
        uint8_t *path_len;
        size_t n_paths;
        struct ner_map gaz; /* phrase hash -> list bits | NER_GAZ_PREFIX */
};
void ner_lex_fini(struct ner_lex *lex);

static inline uint32_t ner_cluster2_key(uint32_t word_hash)
{
        return ner_fmix(word_hash + 0x9e3779b9u);
}

/* Phrase hash of lowercase token hashes, as gazetteer entries are compiled and matched. */
static inline uint32_t ner_phrase_step(uint32_t h, uint32_t lower)
{
        return ner_mix(h, lower);
}
static inline uint32_t ner_phrase_key(uint32_t h, size_t len)
{
        return ner_fmix(h ^ (uint32_t)len);
}
#define NER_PHRASE_SEED 0x2545f491u

/* Reads the lexicon files under dir into lex (training time only). Returns 0 or a negative
 * errno with detail in diag. Each file is optional (stats say what was read), but finding
 * none is -ENOENT. */
struct ner_lex_stats {
        size_t files, cluster_words, gaz_entries[NER_N_LISTS];
};
int ner_lex_compile(const char *dir, struct ner_lex *lex, struct ner_lex_stats *stats,
                    struct ne_diag *diag);

/* ---- per-token inputs to feature extraction ---- */
enum ner_capc {
        CAP_LOWER,
        CAP_INIT,
        CAP_ALL,
        CAP_ONE,
        CAP_MIXED,
        CAP_DIGITS,
        CAP_HASDIGIT,
        CAP_PUNCT,
        CAP_OTHER,
};
/* Capitalisation class of a token's bytes (ASCII letters; other bytes count as symbols). */
uint8_t ner_cap_class(const unsigned char *s, size_t len);
/* Word shape: X for upper, x lower, d digit, u a non-ASCII character, symbols as themselves,
 * runs collapsed ("Angela" -> "Xx", "1996-08-22" -> "d-d-d"). Writes at most cap bytes (no
 * NUL) and returns the length. */
size_t ner_word_shape(const unsigned char *s, size_t len, char *buf, size_t cap);

enum {
        NER_CTX_SENT_START = 1,
        NER_CTX_CAPS_SENT = 2,  /* sentence without lowercase letters: headline, dateline */
        NER_CTX_TITLE_SENT = 4, /* Title Case line: no lowercase word of 4+ letters */
};

struct ner_tokinfo {
        uint32_t hw, hl, hs; /* exact, lowercase and shape hashes */
        int32_t path;        /* Brown cluster path index, -1 when unknown */
        int32_t path2;       /* the same in the second cluster set */
        uint64_t gaz;        /* bit 4 * list + BILU position of gazetteer matches */
        uint8_t capc;        /* capitalisation class */
        uint8_t ctx;         /* NER_CTX_* */
        uint8_t doccase;     /* how the word is cased elsewhere in the document */
        uint8_t hist;        /* prediction history: 0 none, else 1 + majority type, | 8 if
                              * the word was tagged with more than one type */
};

/* Document-level state keyed by lowercase word hash: casing seen in running text and the
 * entity types the tagger gave earlier occurrences. */
struct ner_docent {
        uint8_t casebits;
        uint16_t cnt[NE_ENT__COUNT + 1]; /* per type, and [NE_ENT__COUNT] for O */
};
struct ner_docmap {
        uint32_t *keys;
        struct ner_docent *ents;
        size_t cap;  /* allocated */
        size_t mask; /* in use for this document */
};
int ner_docmap_reset(struct ner_docmap *dm, size_t n_toks); /* grows only */
void ner_docmap_fini(struct ner_docmap *dm);

/* Fills ti[0..n) for one document (all but hist), and dm's casing. sent_start[] receives
 * the sentence starts (n_sents + 1 entries, the last = n); returns n_sents. */
size_t ner_prepare_doc(const struct ner_lex *lex, const char *text, const struct ne_token *toks,
                       size_t n, struct ner_tokinfo *ti, struct ner_docmap *dm,
                       uint32_t *sent_start);

/* Returns a new corpus: c's documents, then a copy of each document that has all-caps lines
 * with those lines title-cased (ner_augment.c). *ret_added counts the copies. 0 or -ENOMEM. */
int ner_augment_title_case(const struct ne_conll_corpus *c, const struct ner_lex *lex,
                           struct ne_conll_corpus **ret, size_t *ret_added);

/* Fills ti[b..e).hist from dm. */
void ner_hist_fill(const struct ner_docmap *dm, struct ner_tokinfo *ti, size_t b, size_t e);
/* Records the BILOU tags of tokens [b, e) in dm. */
void ner_hist_record(struct ner_docmap *dm, const struct ner_tokinfo *ti, const uint8_t *tags,
                     size_t b, size_t e);

/* Feature keys of token i of the sentence [b, e). Returns the count (<= NER_MAX_FEATS). */
size_t ner_features(const struct ner_lex *lex, const char *text, const struct ne_token *toks,
                    const struct ner_tokinfo *ti, size_t b, size_t e, size_t i, uint32_t *keys);

/* ---- decoding ---- */
/* Viterbi over n tokens with BILOU constraints. emit is n * NER_N_TAGS, trans is
 * (NER_N_TAGS + 1) * NER_N_TAGS (last row: sentence start). work holds 2 * NER_N_TAGS floats,
 * bp n * NER_N_TAGS bytes. */
void ner_viterbi(const float *emit, const float *trans, size_t n, float *work, uint8_t *bp,
                 uint8_t *ret_tags);
bool ner_transition_ok(int prev, int cur); /* prev == NER_N_TAGS: sentence start */

/* ---- the model ---- */
/* At load the int8 rows are expanded to floats (scale applied): scoring is then only adds.
 * A small table of (key, row) pairs answers the many lookups of features the model does not
 * have without touching the rows. */
#define NER_ROW_LANES 20
struct ner_wrow {
        float w[NER_ROW_LANES]; /* NER_N_TAGS weights, then zeros: a vector-friendly width */
};

struct ne_ner_model {
        struct ner_lex lex;
        struct ner_map_slot *slots; /* key -> row index */
        size_t slot_mask;
        struct ner_wrow *rows;
        size_t n_feats;
        float trans[(NER_N_TAGS + 1) * NER_N_TAGS];
        float conf_scale;
        uint32_t crc;
        size_t file_size;
        char version[40];
        uint8_t *image; /* the file form, kept only for models built by training */
        size_t image_len;
};

/* Emission scores of one token: sum of the weight rows of its keys. */
void ner_model_emit(const struct ne_ner_model *m, const uint32_t *keys, size_t n, float *ret);

/* Builds a model from its file image. With take_image, the model takes ownership of buf (a
 * malloc'd block) on success, so that it can be saved again; otherwise buf stays the
 * caller's. */
int ner_model_parse(uint8_t *buf, size_t len, bool take_image, struct ne_ner_model **ret,
                    struct ne_diag *diag);

/* A model in the making, as training hands it to the writer. */
struct ner_model_parts {
        const struct ner_lex *lex;
        size_t n_feats;
        const uint32_t *keys; /* n_feats, distinct */
        const float *scales;  /* n_feats */
        const int8_t *q;      /* n_feats * NER_N_TAGS */
        const float *trans;   /* (NER_N_TAGS + 1) * NER_N_TAGS */
        float conf_scale;
};
/* Serialises parts into a new buffer (*ret_buf, caller frees). */
int ner_model_serialize(const struct ner_model_parts *parts, uint8_t **ret_buf, size_t *ret_len);
size_t ner_model_lex_bytes(const struct ner_lex *lex);
#define NER_FEAT_BYTES (4 + 4 + NER_N_TAGS)

#endif
