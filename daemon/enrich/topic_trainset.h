/* Private to the topic trainer: the training set's layout, shared by topic_trainset.c (which
 * fills it) and topic_train.c (which learns from it). */
#ifndef NE_TOPIC_TRAINSET_H
#define NE_TOPIC_TRAINSET_H

#include <stddef.h>
#include <stdint.h>

#include "ne/topic_train.h"

#define NE_TOPIC_MAX_LABELS_TRAIN 4096u
#define NE_TOPIC_MAX_VOCAB (1u << 28)

struct ne_topic_trainset {
        struct ne_topic_train_opts o;
        char **codes, **names; /* per label; names[l] may be NULL */
        size_t n_labels, cap_labels;
        size_t n_docs, cap_docs; /* cap_docs covers doc_off and lab_off */
        size_t *doc_off;         /* n_docs + 1, into fid/fcnt */
        uint32_t *fid, *fcnt;    /* vocabulary id and term count */
        size_t cap_nnz;
        size_t *lab_off; /* n_docs + 1, into lab */
        uint32_t *lab;
        size_t cap_lab;
        uint32_t *vkeys, *vdf; /* per vocabulary id: feature key, document frequency */
        uint32_t n_vocab;
        size_t cap_vocab;
        uint32_t *vslot; /* open addressing key -> id + 1 */
        uint32_t vmask;
        uint32_t *tmp; /* keys of the document being added */
        size_t n_tmp, cap_tmp;
};

#endif
