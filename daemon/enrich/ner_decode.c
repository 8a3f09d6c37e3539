/* Tagging: per-thread scratch, Viterbi decoding over BILOU tags with the transition table
 * (illegal moves carry -inf), sentence by sentence so that each sentence sees the prediction
 * history of the ones before it, and the conversion of tags to spans with a confidence. The
 * hot path only reads the model and writes scratch that grows with the largest document. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ner_impl.h"

#define NEG_INF (-1e30f)

struct ne_ner_scratch {
        struct ner_tokinfo *ti;
        uint32_t *sent_start;
        float *emit;
        uint8_t *bp;
        uint8_t *tags;
        size_t cap;
        struct ner_docmap dm;
        uint32_t keys[NER_MAX_FEATS];
        float work[2 * NER_N_TAGS];
};

bool ner_transition_ok(int prev, int cur)
{
        bool open = prev != NER_N_TAGS && prev != NER_TAG_O &&
                    (ner_tag_pos(prev) == NER_POS_B || ner_tag_pos(prev) == NER_POS_I);
        if (!open)
                return cur == NER_TAG_O || ner_tag_pos(cur) == NER_POS_B ||
                       ner_tag_pos(cur) == NER_POS_U;
        return cur != NER_TAG_O && ner_tag_type(cur) == ner_tag_type(prev) &&
               (ner_tag_pos(cur) == NER_POS_I || ner_tag_pos(cur) == NER_POS_L);
}

static bool end_ok(int tag)
{
        return tag == NER_TAG_O || ner_tag_pos(tag) == NER_POS_L || ner_tag_pos(tag) == NER_POS_U;
}

void ner_viterbi(const float *emit, const float *trans, size_t n, float *work, uint8_t *bp,
                 uint8_t *ret_tags)
{
        float *cur = work, *next = work + NER_N_TAGS;
        const float *start = trans + NER_N_TAGS * NER_N_TAGS;
        if (n == 0)
                return;
        for (int t = 0; t < NER_N_TAGS; t++)
                cur[t] = start[t] + emit[t];
        /* Only legal predecessors are scanned: O, B and U follow O, L, U (9 tags); I and L
         * follow B or I of their own type. Illegal moves also carry -inf in trans. */
        static const uint8_t closed[9] = {0, 3, 4, 7, 8, 11, 12, 15, 16};
        for (size_t i = 1; i < n; i++) {
                const float *e = emit + i * NER_N_TAGS;
                uint8_t *b = bp + i * NER_N_TAGS;
                for (int t = 0; t < NER_N_TAGS; t++) {
                        float best = NEG_INF * 4;
                        int arg = 0;
                        int pos = t == NER_TAG_O ? NER_POS_B : ner_tag_pos(t);
                        if (pos == NER_POS_B || pos == NER_POS_U) {
                                for (int k = 0; k < 9; k++) {
                                        int p = closed[k];
                                        float v = cur[p] + trans[p * NER_N_TAGS + t];
                                        if (v > best) {
                                                best = v;
                                                arg = p;
                                        }
                                }
                        } else {
                                int pb = NER_TAG(ner_tag_type(t), NER_POS_B);
                                for (int p = pb; p <= pb + 1; p++) {
                                        float v = cur[p] + trans[p * NER_N_TAGS + t];
                                        if (v > best) {
                                                best = v;
                                                arg = p;
                                        }
                                }
                        }
                        next[t] = best + e[t];
                        b[t] = (uint8_t)arg;
                }
                float *tmp = cur;
                cur = next;
                next = tmp;
        }
        float best = NEG_INF * 4;
        int arg = 0;
        for (int t = 0; t < NER_N_TAGS; t++) {
                if (end_ok(t) && cur[t] > best) {
                        best = cur[t];
                        arg = t;
                }
        }
        for (size_t i = n; i-- > 0;) {
                ret_tags[i] = (uint8_t)arg;
                if (i > 0)
                        arg = bp[i * NER_N_TAGS + arg];
        }
}

static int scratch_reserve(struct ne_ner_scratch *s, size_t n)
{
        if (n <= s->cap && s->cap)
                return 0;
        size_t cap = s->cap ? s->cap : 256;
        while (cap < n)
                cap *= 2;
        struct ner_tokinfo *ti = realloc(s->ti, cap * sizeof(*ti));
        if (ti)
                s->ti = ti;
        uint32_t *ss = realloc(s->sent_start, (cap + 1) * sizeof(*ss));
        if (ss)
                s->sent_start = ss;
        float *emit = realloc(s->emit, cap * NER_N_TAGS * sizeof(*emit));
        if (emit)
                s->emit = emit;
        uint8_t *bp = realloc(s->bp, cap * NER_N_TAGS);
        if (bp)
                s->bp = bp;
        uint8_t *tags = realloc(s->tags, cap);
        if (tags)
                s->tags = tags;
        if (!ti || !ss || !emit || !bp || !tags)
                return -ENOMEM;
        s->cap = cap;
        return 0;
}

int ne_ner_scratch_new(const struct ne_ner_model *m, struct ne_ner_scratch **ret)
{
        (void)m;
        struct ne_ner_scratch *s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        if (scratch_reserve(s, 1024) < 0 || ner_docmap_reset(&s->dm, 1024) < 0) {
                ne_ner_scratch_free(s);
                return -ENOMEM;
        }
        *ret = s;
        return 0;
}

void ne_ner_scratch_free(struct ne_ner_scratch *s)
{
        if (!s)
                return;
        free(s->ti);
        free(s->sent_start);
        free(s->emit);
        free(s->bp);
        free(s->tags);
        ner_docmap_fini(&s->dm);
        free(s);
}

/* Probability that the token belongs to an entity of the chosen tag's type, given the chosen
 * previous tag: a softmax over the local scores (emission + transition), summed over the
 * type's B/I/L/U tags, with a temperature fitted at training time. Viterbi may choose a tag
 * that is not the local favourite, so summing over positions keeps the confidence about the
 * type, which is what the span reports. */
static float token_confidence(const struct ne_ner_model *m, const float *e, int prev, int tag)
{
        const float *tr = m->trans + prev * NER_N_TAGS;
        float z = 0, mx = NEG_INF * 4, p[NER_N_TAGS];
        for (int t = 0; t < NER_N_TAGS; t++)
                if (e[t] + tr[t] > mx)
                        mx = e[t] + tr[t];
        for (int t = 0; t < NER_N_TAGS; t++) {
                /* an illegal move has -inf in tr; expf of a huge negative is 0 */
                p[t] = tr[t] > NEG_INF / 2 ? expf((e[t] + tr[t] - mx) * m->conf_scale) : 0;
                z += p[t];
        }
        int type = ner_tag_type(tag);
        float num = 0;
        for (int pos = 0; pos < 4; pos++)
                num += p[NER_TAG(type, pos)];
        return z > 0 ? num / z : 0;
}

static size_t emit_spans(const struct ne_ner_model *m, const float *emit, const uint8_t *tags,
                         size_t b, size_t e, struct ne_ner_span *spans, size_t n_spans, size_t max)
{
        size_t i = b;
        while (i < e && n_spans < max) {
                int tag = tags[i - b];
                if (tag == NER_TAG_O) {
                        i++;
                        continue;
                }
                size_t j = i;
                float conf = 0;
                for (;;) {
                        int prev = j == b ? NER_N_TAGS : tags[j - 1 - b];
                        conf += token_confidence(m, emit + (j - b) * NER_N_TAGS, prev, tags[j - b]);
                        int pos = ner_tag_pos(tags[j - b]);
                        j++;
                        if (pos == NER_POS_L || pos == NER_POS_U || j >= e)
                                break;
                }
                spans[n_spans].tok_begin = (uint32_t)i;
                spans[n_spans].tok_end = (uint32_t)j;
                spans[n_spans].type = (enum ne_entity_type)ner_tag_type(tag);
                spans[n_spans].confidence = conf / (float)(j - i);
                n_spans++;
                i = j;
        }
        return n_spans;
}

int ne_ner_tag(const struct ne_ner_model *m, struct ne_ner_scratch *s, const char *text,
               const struct ne_token *toks, size_t n_toks, struct ne_ner_span *ret_spans,
               size_t max_spans)
{
        if (n_toks == 0)
                return 0;
        if (n_toks > INT32_MAX)
                return -EINVAL;
        for (size_t i = 0; i < n_toks; i++)
                if (toks[i].end < toks[i].start)
                        return -EINVAL;
        if (scratch_reserve(s, n_toks) < 0 || ner_docmap_reset(&s->dm, n_toks) < 0)
                return -ENOMEM;
        size_t n_sents = ner_prepare_doc(&m->lex, text, toks, n_toks, s->ti, &s->dm, s->sent_start);
        for (size_t si = 0; si < n_sents; si++) {
                size_t b = s->sent_start[si], e = s->sent_start[si + 1];
                ner_hist_fill(&s->dm, s->ti, b, e);
                for (size_t i = b; i < e; i++) {
                        size_t nk = ner_features(&m->lex, text, toks, s->ti, b, e, i, s->keys);
                        ner_model_emit(m, s->keys, nk, s->emit + i * NER_N_TAGS);
                }
                ner_viterbi(s->emit + b * NER_N_TAGS, m->trans, e - b, s->work, s->bp, s->tags + b);
                ner_hist_record(&s->dm, s->ti, s->tags + b, b, e);
        }
        size_t n_spans = 0;
        for (size_t si = 0; si < n_sents && n_spans < max_spans; si++) {
                size_t b = s->sent_start[si], e = s->sent_start[si + 1];
                n_spans = emit_spans(m, s->emit + b * NER_N_TAGS, s->tags + b, b, e, ret_spans,
                                     n_spans, max_spans);
        }
        return (int)(n_spans > INT32_MAX ? INT32_MAX : n_spans);
}
