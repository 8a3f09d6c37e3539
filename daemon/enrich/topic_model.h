/* Private to the topic classifier: the in-memory model shared by topic_model.c (load, parse),
 * topic_predict.c and topic_train.c (which writes the same image format). */
#ifndef NE_TOPIC_MODEL_INTERNAL_H
#define NE_TOPIC_MODEL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* Model image, little-endian:
 *   "NETOPIC2" | u32 flags | u32 seed | u32 n_labels | u32 n_features | f32 idf_min |
 *   f32 idf_step | u32 strings_len | u32 0 |
 *   n_labels x (f32 bias, f32 scale, f32 platt_a, f32 platt_b) |
 *   strings: tag NUL, then per label code NUL name NUL |
 *   u32 keys[n_features] (strictly ascending) |
 *   n_features rows of (u8 idf, i8 w[n_labels]) | u32 crc32 of all bytes before it
 * (a row keeps a feature's idf beside its weights: one cache miss per feature at prediction)
 * score_l = bias_l + sum_f x_f dq_l(w[f][l]); p_l = 1 / (1 + exp(a_l score_l + b_l)),
 * dq_l(q) = sign(q) (q / 127)^2 scale_l (square-root companded int8 weights),
 * x_f = (1 + ln tf) * (idf_min + idf[f] * idf_step), L2-normalised over known features. */
#define NE_TOPIC_MAGIC "NETOPIC2" /* 2: companded weights */
#define NE_TOPIC_HEADER_SIZE 40
#define NE_TOPIC_MAX_LABELS 4096u
#define NE_TOPIC_MAX_FEATURES (1u << 26)
#define NE_TOPIC_MAX_FILE (1024u << 20)

struct ne_topic_label_params {
        float bias, scale, platt_a, platt_b;
};

struct ne_topic_slot {
        uint32_t key;
        uint32_t row; /* 0 = empty, else row + 1 */
};

struct ne_topic_model {
        uint8_t *image; /* owned copy of the file */
        size_t size;
        uint32_t flags, seed, n_labels, n_features;
        struct ne_topic_label_params *lp;
        const char **codes, **names; /* point into image */
        char version[160];
        float idf[256];      /* dequantised idf values */
        float *dq;           /* n_labels x 256: dequantised weight of label l for byte q + 128 */
        const uint8_t *rows; /* n_features x (1 + n_labels) bytes */
        struct ne_topic_slot *slots; /* open addressing key -> row */
        uint32_t mask;
};

static inline uint32_t ne_topic_slot_of(const struct ne_topic_model *m, uint32_t key)
{
        return (key * 0x9E3779B1u) & m->mask;
}

/* Row of key, or -1. */
static inline int64_t ne_topic_model_find(const struct ne_topic_model *m, uint32_t key)
{
        uint32_t i = ne_topic_slot_of(m, key);
        for (;;) {
                const struct ne_topic_slot *s = &m->slots[i];
                if (!s->row)
                        return -1;
                if (s->key == key)
                        return (int64_t)s->row - 1;
                i = (i + 1) & m->mask;
        }
}

static inline void ne_topic_put_u32(uint8_t *p, uint32_t v)
{
        p[0] = (uint8_t)v;
        p[1] = (uint8_t)(v >> 8);
        p[2] = (uint8_t)(v >> 16);
        p[3] = (uint8_t)(v >> 24);
}

static inline uint32_t ne_topic_get_u32(const uint8_t *p)
{
        return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#endif
