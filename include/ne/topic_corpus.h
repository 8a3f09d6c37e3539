/* Walking a labelled topic corpus for train-topics and eval-topics: label mapping,
 * cross-validation fold selection (record index % folds == fold is the test part), optional
 * Usenet header/quote stripping, malformed-line reporting through a callback. */
#ifndef NE_TOPIC_CORPUS_H
#define NE_TOPIC_CORPUS_H

#include <stdbool.h>
#include <stddef.h>

#include "ne/diag.h"
#include "ne/topic_train.h"

#define NE_TOPIC_CORPUS_MAX_LABELS 64 /* labels per document; more are dropped */

struct ne_topic_corpus_opts {
        const struct ne_topic_dict *map; /* source label -> code; NULL: labels as they are */
        int folds;                       /* <= 1: every document */
        int fold;                        /* 0 <= fold < folds */
        bool test_part;                  /* true: documents of fold; false: all others */
        bool strip_usenet;               /* drop Usenet headers (but Subject), quotes, sigs */
};

/* A kept document; labels and text are borrowed for the call. Non-zero return stops. */
typedef int (*ne_topic_doc_fn)(const char *const *labels, size_t n, const char *text, size_t len,
                               size_t line, void *ud);
/* A malformed line. Non-zero return stops reading and is returned. */
typedef int (*ne_topic_bad_fn)(const char *path, size_t line, const char *why, void *ud);

/* Returns 0 or a negative errno (or a callback's non-zero value). */
int ne_topic_corpus_read(const char *path, const struct ne_topic_corpus_opts *o,
                         ne_topic_doc_fn doc_fn, ne_topic_bad_fn bad_fn, void *ud,
                         struct ne_diag *diag);

/* Removes a leading block of `Name: value` header lines (at least two, keeping the Subject
 * value), quoted
 * lines (`>`), attribution lines ("In article ...", "... writes:") and a signature after
 * "-- ", in place. Returns the new length; text[len] becomes NUL. */
size_t ne_topic_strip_usenet(char *text, size_t len);

#endif
