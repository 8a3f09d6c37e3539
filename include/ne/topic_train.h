/* The parts of the topic classifier that train-topics, eval-topics and the tests use beyond
 * prediction: the tokenizer and n-gram hashing, the labelled-data reader (TSV with PostgreSQL
 * COPY escapes, gzip or plain), label maps, and the trainer that turns labelled documents into
 * a model image. Pure library code: nothing here logs; failures come back as -errno with detail
 * in struct ne_diag. */
#ifndef NE_TOPIC_TRAIN_H
#define NE_TOPIC_TRAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ne/diag.h"
#include "ne/topic.h"

/* ---- tokenizer and features (topic_feat.c) ---- */

/* Featurisation options, stored in the model so prediction featurises as training did. */
enum ne_topic_feat_flag {
        NE_TOPIC_F_BIGRAMS = 1u << 0,  /* word bigrams besides unigrams */
        NE_TOPIC_F_DIGITS = 1u << 1,   /* map every digit to '0' ("1987" and "1993" share) */
        NE_TOPIC_F_COMPOUND = 1u << 2, /* also whole chunks with inner punctuation ("e-mail") */
};

#define NE_TOPIC_MAX_TOKEN 64 /* bytes of a normalised token that are hashed; the rest is cut */

/* Called once per token with its normalised (lower-cased, UTF-8) bytes; the buffer is valid only
 * during the call. A non-zero return stops tokenisation and is passed back. */
typedef int (*ne_topic_token_fn)(const char *tok, size_t len, void *ud);

/* Splits text into tokens: runs of letters and digits (ASCII, and every non-ASCII code point
 * that is not punctuation or a space), lower-cased for ASCII, Latin-1, Latin Extended-A, Greek
 * and Cyrillic. Ill-formed UTF-8 bytes separate tokens. Tokens of a single character are
 * dropped. Returns 0 or the callback's non-zero value. */
int ne_topic_tokenize(const char *text, size_t len, uint32_t flags, ne_topic_token_fn fn, void *ud);

/* 64-bit hash of a token's bytes (stable across platforms and versions of this file). */
uint64_t ne_topic_hash_token(const char *tok, size_t len, uint32_t seed);
/* 32-bit feature keys of a unigram (lowest bit 0) and of the bigram (prev, cur) (lowest bit
 * 1). */
uint32_t ne_topic_key_unigram(uint64_t h);
uint32_t ne_topic_key_bigram(uint64_t prev, uint64_t cur);

/* Called with each feature key of a text in order (unigram of each token, then the bigram it
 * ends if bigrams are on). Non-zero return stops and is passed back. */
typedef int (*ne_topic_key_fn)(uint32_t key, void *ud);
int ne_topic_featurize(const char *text, size_t len, uint32_t flags, uint32_t seed,
                       ne_topic_key_fn fn, void *ud);

/* ---- labelled data (topic_data.c) ---- */

struct ne_topic_reader;

struct ne_topic_record {
        char *labels; /* '|'-joined labels, NUL-terminated, borrowed until the next call */
        char *text;   /* unescaped text, NUL-terminated, borrowed until the next call */
        size_t text_len;
        size_t line;  /* 1-based line number in the file */
        size_t index; /* 0-based record index (data lines after the header): fold = index % N */
};

#define NE_TOPIC_MAX_LINE (64u << 20) /* longer lines are malformed */

/* Opens a labelled-data file, gzip or plain. Returns 0 or -errno with detail in diag. */
int ne_topic_reader_open(const char *path, struct ne_topic_reader **ret, struct ne_diag *diag);
void ne_topic_reader_free(struct ne_topic_reader *r);

/* Reads the next record. Returns 1 with *rec filled, 0 at end of file, -EBADMSG for a malformed
 * line (diag->line and diag->msg say which and why; the next call reads the following line), or
 * another -errno for an I/O error. */
int ne_topic_reader_next(struct ne_topic_reader *r, struct ne_topic_record *rec,
                         struct ne_diag *diag);

/* Undoes PostgreSQL COPY text escapes (\\ \t \n \r \b \f \v; a backslash before any other
 * character stands for that character) in place. Returns 0 and the new length, or -EBADMSG for
 * a trailing lone backslash. */
int ne_topic_unescape(char *s, size_t len, size_t *ret_len);

/* A TSV dictionary: key column -> (value, name) columns. For a label map like
 * iptc_mapping.tsv use key 1, value 2, name 3 (0-based); for iptc_toplevel.tsv key 0, value 0,
 * name 1. Lines starting with '#' and blank lines are skipped. */
struct ne_topic_dict;
int ne_topic_dict_load(const char *path, int key_col, int value_col, int name_col,
                       struct ne_topic_dict **ret, struct ne_diag *diag);
void ne_topic_dict_free(struct ne_topic_dict *d);
/* Returns the value for key (NUL-terminated) or NULL; *ret_name (if non-NULL) gets the name
 * column. Borrowed from the dictionary. */
const char *ne_topic_dict_get(const struct ne_topic_dict *d, const char *key,
                              const char **ret_name);
size_t ne_topic_dict_size(const struct ne_topic_dict *d);
/* Entry i < size in key order; any out-pointer may be NULL. Borrowed. */
void ne_topic_dict_entry(const struct ne_topic_dict *d, size_t i, const char **ret_key,
                         const char **ret_value, const char **ret_name);

/* Rewrites the '|'-joined labels through map (NULL map: split only) into at most max distinct
 * labels in out (borrowed from labels, which is modified, or from map). Labels without a
 * mapping are dropped. Returns the count (0: leave the document out). */
size_t ne_topic_map_labels(const struct ne_topic_dict *map, char *labels, const char **out,
                           size_t max);

/* ---- training (topic_train.c, topic_svm.c) ---- */

struct ne_topic_train_opts {
        uint32_t flags;         /* enum ne_topic_feat_flag */
        uint32_t seed;          /* hash seed and shuffling seed */
        double c;               /* SVM cost */
        double eps;             /* dual coordinate descent stopping tolerance */
        int max_iter;           /* outer iterations per label */
        uint32_t min_df;        /* unigrams seen in fewer training documents are dropped */
        uint32_t min_df_bigram; /* the same for bigrams */
        double bigram_weight;   /* bigram features' idf is scaled by this */
        int calib_folds;        /* internal folds for Platt calibration (0: fit on training) */
        int threads;            /* labels are trained in parallel */
        size_t max_bytes;       /* model size budget; features are pruned to fit */
        const char *tag;        /* version tag, e.g. "iptc-top" */
};

void ne_topic_train_opts_default(struct ne_topic_train_opts *o);

struct ne_topic_trainset;

int ne_topic_trainset_new(const struct ne_topic_train_opts *o, struct ne_topic_trainset **ret);
void ne_topic_trainset_free(struct ne_topic_trainset *ts);

/* Adds a document with n labels (codes, copied). Returns 0, -EINVAL (n == 0) or -ENOMEM. */
int ne_topic_trainset_add(struct ne_topic_trainset *ts, const char *const *labels, size_t n,
                          const char *text, size_t len);
/* Human-readable name for a label code (copied; the label is added if new, so a label seen in
 * no document gets weights that never fire); unnamed labels are named by their code. */
int ne_topic_trainset_name(struct ne_topic_trainset *ts, const char *code, const char *name);
size_t ne_topic_trainset_n_docs(const struct ne_topic_trainset *ts);
size_t ne_topic_trainset_n_labels(const struct ne_topic_trainset *ts);
/* Code of label l < n_labels (labels are numbered in order of first appearance). Borrowed. */
const char *ne_topic_trainset_label(const struct ne_topic_trainset *ts, size_t l);

/* Progress callback: stage name, done, total. May be NULL. */
typedef void (*ne_topic_progress_fn)(const char *stage, size_t done, size_t total, void *ud);

/* Trains a model on the documents added. Returns 0 and a new model image (malloc'd bytes that
 * ne_topic_model_from_buf accepts and ne_topic_image_save writes) or -errno with diag.
 * Deterministic for the same documents, order, options and seed, whatever opts->threads. */
int ne_topic_train(struct ne_topic_trainset *ts, ne_topic_progress_fn progress, void *ud,
                   void **ret_image, size_t *ret_size, struct ne_diag *diag);

/* Parses a model image (copied). Same contract as ne_topic_model_load. */
int ne_topic_model_from_buf(const void *buf, size_t size, struct ne_topic_model **ret,
                            struct ne_diag *diag);
/* Writes an image to path atomically (temporary file + rename). */
int ne_topic_image_save(const void *image, size_t size, const char *path, struct ne_diag *diag);

/* Model internals for tools: featurisation flags, number of features kept. */
uint32_t ne_topic_model_flags(const struct ne_topic_model *m);
size_t ne_topic_model_n_features(const struct ne_topic_model *m);

#endif
