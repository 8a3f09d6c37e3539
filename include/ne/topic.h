/* Topic classifier: a linear one-vs-rest model over hashed word unigrams and bigrams
 * (sublinear tf x idf, L2-normalised), with per-label Platt calibration so that scores behave
 * like probabilities, and a document may carry several labels. A model is loaded once, is
 * read-only afterwards and may be shared by any number of threads; each thread brings its own
 * struct ne_topic_scratch, so prediction allocates nothing. Pure: no logging, no I/O beyond
 * reading the model file. Training lives in ne/topic_train.h. */
#ifndef NE_TOPIC_H
#define NE_TOPIC_H

#include <stddef.h>
#include <stdint.h>

#include "ne/diag.h"

struct ne_topic_model;
struct ne_topic_scratch;

struct ne_topic_score {
        uint32_t label; /* index into the model's labels, see ne_topic_model_label() */
        float score;    /* calibrated probability in [0, 1] */
};

/* Loads a model file. Returns 0 and a new model in *ret (free with ne_topic_model_free), or
 * -errno (-EBADMSG for a corrupt or foreign file, -ENOMEM, I/O errors) with detail in diag. */
int ne_topic_model_load(const char *path, struct ne_topic_model **ret, struct ne_diag *diag);

/* Frees a model; NULL is fine. No scratch made from it may be used afterwards. */
void ne_topic_model_free(struct ne_topic_model *m);

/* Version string, e.g. "iptc-top+9f3a01c2" (a tag and the model file's CRC). Borrowed. */
const char *ne_topic_model_version(const struct ne_topic_model *m);

size_t ne_topic_model_n_labels(const struct ne_topic_model *m);

/* Code (e.g. "medtop:04000000") and human label (e.g. "economy, business and finance") of label
 * i < n_labels. Both borrowed from the model; either out-pointer may be NULL. */
void ne_topic_model_label(const struct ne_topic_model *m, size_t i, const char **ret_code,
                          const char **ret_label);

/* Per-thread scratch for ne_topic_predict. Returns 0 and a new scratch, or -ENOMEM. The
 * scratch borrows nothing from m but is sized for it: use it only with that model. */
int ne_topic_scratch_new(const struct ne_topic_model *m, struct ne_topic_scratch **ret);
void ne_topic_scratch_free(struct ne_topic_scratch *s);

/* Scores text[0..len) (UTF-8; ill-formed bytes act as separators) and writes up to max results
 * with score >= threshold to ret, best first (ties by label index). Returns the number written
 * (0 is possible) or -EINVAL for NULL arguments. Only the first NE_TOPIC_MAX_TEXT bytes are
 * read. Thread-safe given a distinct scratch per thread. */
int ne_topic_predict(const struct ne_topic_model *m, struct ne_topic_scratch *s, const char *text,
                     size_t len, float threshold, struct ne_topic_score *ret, size_t max);

/* Input bound: longer texts are classified on their first NE_TOPIC_MAX_TEXT bytes. */
#define NE_TOPIC_MAX_TEXT (1u << 20)

#endif
