/* The learned named-entity tagger: finds PER/ORG/LOC/MISC names in tokenized text. A model is
 * loaded once, is read-only afterwards and is shared by threads; each thread tags with its own
 * scratch. The model is a structured averaged perceptron over hashed features (words, shapes,
 * affixes, Brown clusters, gazetteer matches compiled into the model, document-level casing
 * and prediction history) with BILOU tags and Viterbi decoding per sentence. Pure: no I/O
 * beyond reading and writing the model file, no logging. */
#ifndef NE_NER_H
#define NE_NER_H

#include <stddef.h>
#include <stdint.h>

#include "ne/conll.h"
#include "ne/diag.h"
#include "ne/enrichment.h"
#include "ne/token.h"

struct ne_ner_model;   /* read-only after load, shared by threads */
struct ne_ner_scratch; /* per thread, reused across documents */

struct ne_ner_span {
        uint32_t tok_begin, tok_end; /* [begin, end) token indexes */
        enum ne_entity_type type;
        float confidence; /* 0..1 */
};

/* Loads a model file. Returns 0 and a new model in *ret, or a negative errno with detail in
 * diag: -ENOENT etc. from I/O, -EINVAL for a file that is not a model (wrong magic, bad
 * checksum, truncated, inconsistent sizes), -ENOMEM. */
int ne_ner_model_load(const char *path, struct ne_ner_model **ret, struct ne_diag *diag);

/* Frees a model; accepts NULL. No scratch made from it may be used afterwards. */
void ne_ner_model_free(struct ne_ner_model *m);

/* "ner-conll03-<hash8>", the hash being the model file's checksum. Borrowed from m. */
const char *ne_ner_model_version(const struct ne_ner_model *m);

/* Per-thread scratch for ne_ner_tag. Returns 0 and new scratch in *ret, or -ENOMEM. */
int ne_ner_scratch_new(const struct ne_ner_model *m, struct ne_ner_scratch **ret);
void ne_ner_scratch_free(struct ne_ner_scratch *s);

/* Tags one document: toks[0..n_toks) with byte offsets into text (the caller guarantees they
 * lie inside it), NE_TOK_SENT_START marking sentence starts (the first token always starts
 * one). Writes at most max_spans spans in text order, token indexes relative to toks, and
 * returns how many it wrote, or a negative errno (-ENOMEM when the scratch could not grow for
 * a document larger than any before, -EINVAL for a token that ends before it starts or more
 * than INT32_MAX tokens). Scratch memory grows only when a document is larger than any it has
 * seen. Thread-safe for distinct scratch; m is only read. */
int ne_ner_tag(const struct ne_ner_model *m, struct ne_ner_scratch *s, const char *text,
               const struct ne_token *toks, size_t n_toks, struct ne_ner_span *ret_spans,
               size_t max_spans);

/* ---- training (used by `newsenrichd train-ner` and tests) ---- */

struct ne_ner_train_progress {
        unsigned epoch; /* 1-based */
        unsigned epochs;
        size_t docs_done, docs_total;
        double train_err; /* token error rate so far in this epoch */
        double dev_f1;    /* < 0 when not measured */
};

/* What training did, for the command to report. */
struct ne_ner_train_stats {
        size_t lexicon_files, cluster_words, gazetteer_entries, gazetteer_phrases;
        size_t augmented_docs; /* title-cased copies of documents with all-caps lines */
        size_t features_seen, features_kept;
        size_t model_bytes;
};

struct ne_ner_train_opts {
        const char *lexicon_dir;           /* root holding lexicons/ and gazetteers/; NULL: none */
        unsigned epochs;                   /* default 10 when 0 */
        uint64_t seed;                     /* document shuffling */
        size_t max_model_bytes;            /* prune features to fit; 0 = 16 MiB */
        unsigned min_feature_count;        /* drop features seen fewer times in training; 0 = 1 */
        const struct ne_conll_corpus *dev; /* optional: F1 reported after each epoch */
        void (*progress)(const struct ne_ner_train_progress *p, void *ctx);
        void *progress_ctx;
        struct ne_ner_train_stats *stats; /* optional out */
};

/* Trains a model on train (all documents, plus a title-cased copy of each document that has
 * all-caps lines, so that Title Case headlines are learnt too). Deterministic for the same inputs
 * and options. Returns 0 and a new model in *ret (as if loaded from a file), or a negative errno
 * with detail in diag (a lexicon file that cannot be read, -ENOMEM). */
int ne_ner_train(const struct ne_conll_corpus *train, const struct ne_ner_train_opts *opts,
                 struct ne_ner_model **ret, struct ne_diag *diag);

/* Writes the model to path (via a temporary file and rename). Returns 0 or a negative errno
 * with detail in diag. */
int ne_ner_model_save(const struct ne_ner_model *m, const char *path, struct ne_diag *diag);

/* Size in bytes of the model's file form. */
size_t ne_ner_model_file_size(const struct ne_ner_model *m);

/* ---- evaluation ---- */

/* conlleval-style counts: exact span and type. */
struct ne_ner_eval {
        size_t gold[NE_ENT__COUNT], found[NE_ENT__COUNT], correct[NE_ENT__COUNT];
        size_t tokens;
        double seconds; /* thread CPU time spent in ne_ner_tag */
};

/* Tags every document of corpus and accumulates counts into *ev (zero it first). Returns 0
 * or a negative errno. */
int ne_ner_evaluate(const struct ne_ner_model *m, const struct ne_conll_corpus *corpus,
                    struct ne_ner_eval *ev);

/* Micro-averaged (type < 0) or per-type precision, recall and F1 from counts. */
void ne_ner_eval_prf(const struct ne_ner_eval *ev, int type, double *ret_p, double *ret_r,
                     double *ret_f1);

#endif
