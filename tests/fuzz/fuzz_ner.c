/* libFuzzer harness for the text path of enrichment: tokenizer (daemon/enrich/tokenize.c,
 * sentence.c), NER tagger with the shipped model (ner_*.c) and entity grouping (entities.c).
 * The input is article text: up to the first newline the title, the rest the body. Text that
 * is not well-formed UTF-8 (or holds NUL) must be refused with -EILSEQ; otherwise the tokens,
 * spans and entities must keep the promises of tokenize.h, ner.h and entities.h.
 *
 * The model is loaded once, in LLVMFuzzerInitialize, from $NE_NER_MODEL or else
 * NE_SOURCE_DIR/models/ner.model (12 MB; research-only licensed training data, see
 * models/NER.md). */
#include <errno.h>

#include "harness.h"
#include "ne/entities.h"
#include "ne/enrichment.h"
#include "ne/ner.h"
#include "ne/tokenize.h"

#define MAX_INPUT (1 << 16)
#define MAX_ENTITIES 64

static struct ne_ner_model *model;
static struct ne_ner_scratch *scratch;

/* Per field: tokens and spans, in buffers sized for the largest input. */
struct field {
        const char *text;
        size_t len;
        struct ne_token toks[MAX_INPUT];
        struct ne_ner_span nspans[MAX_INPUT];
        struct ne_span spans[MAX_INPUT];
        size_t n_toks, n_spans;
};
static struct field fields[2];

static void fini(void)
{
        ne_ner_scratch_free(scratch);
        ne_ner_model_free(model);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        (void)argc;
        (void)argv;
        const char *path = getenv("NE_NER_MODEL");
        struct ne_diag diag;
        if (!path || !*path)
                path = NE_SOURCE_DIR "/models/ner.model";
        if (ne_ner_model_load(path, &model, &diag) < 0) {
                fprintf(stderr, "fuzz_ner: %s: %s\n", path, diag.msg);
                abort();
        }
        if (ne_ner_scratch_new(model, &scratch) < 0)
                abort();
        atexit(fini);
        return 0;
}

/* Tokenizes and tags one field; the text is known to be valid UTF-8. */
static void tag_field(struct field *f)
{
        int n = ne_tokenize(f->text, f->len, f->toks, MAX_INPUT);
        FUZZ_CHECK(n >= 0);
        f->n_toks = (size_t)n;
        uint32_t prev_end = 0, prev_cp_end = 0;
        for (size_t i = 0; i < f->n_toks; i++) {
                const struct ne_token *t = &f->toks[i];
                FUZZ_CHECK(t->start < t->end && t->end <= f->len);
                FUZZ_CHECK(t->start >= prev_end && t->cp_start >= prev_cp_end);
                FUZZ_CHECK(t->cp_start < t->cp_end);
                FUZZ_CHECK(t->end - t->start >= t->cp_end - t->cp_start);
                FUZZ_CHECK(t->cp_end - t->cp_start ==
                           ne_utf8_count(f->text + t->start, t->end - t->start));
                prev_end = t->end;
                prev_cp_end = t->cp_end;
        }
        if (f->n_toks > 0)
                FUZZ_CHECK((f->toks[0].flags & NE_TOK_SENT_START) != 0);

        int s = ne_ner_tag(model, scratch, f->text, f->toks, f->n_toks, f->nspans, MAX_INPUT);
        FUZZ_CHECK(s >= 0);
        f->n_spans = (size_t)s;
        uint32_t prev_tok_end = 0;
        for (size_t i = 0; i < f->n_spans; i++) {
                const struct ne_ner_span *sp = &f->nspans[i];
                FUZZ_CHECK(sp->tok_begin < sp->tok_end && sp->tok_end <= f->n_toks);
                FUZZ_CHECK(sp->tok_begin >= prev_tok_end);
                FUZZ_CHECK(sp->type < NE_ENT__COUNT);
                FUZZ_CHECK(sp->confidence >= 0.0f && sp->confidence <= 1.0f);
                prev_tok_end = sp->tok_end;
                f->spans[i] =
                    (struct ne_span){sp->tok_begin, sp->tok_end, sp->type, sp->confidence};
        }
}

static void check_entities(const struct ne_enrichment *enr)
{
        FUZZ_CHECK(enr->n_entities <= MAX_ENTITIES);
        for (size_t i = 0; i < enr->n_entities; i++) {
                const struct ne_entity *e = &enr->entities[i];
                FUZZ_CHECK(e->type < NE_ENT__COUNT);
                fuzz_check_str(e->name);
                FUZZ_CHECK(e->name[0] != '\0');
                FUZZ_CHECK(e->confidence >= 0.0f && e->confidence <= 1.0f);
                FUZZ_CHECK(e->salience >= 0.0f && e->salience <= 1.0f);
                if (i > 0)
                        FUZZ_CHECK(enr->entities[i - 1].salience >= e->salience);
                FUZZ_CHECK(e->n_mentions > 0);
                for (size_t j = 0; j < e->n_mentions; j++) {
                        const struct ne_mention *m = &e->mentions[j];
                        FUZZ_CHECK(m->field == NE_FIELD_TITLE || m->field == NE_FIELD_BODY);
                        const struct field *f = &fields[m->field];
                        FUZZ_CHECK(m->start < m->end && m->end <= f->len);
                        FUZZ_CHECK(m->cp_end - m->cp_start ==
                                   ne_utf8_count(f->text + m->start, m->end - m->start));
                        FUZZ_CHECK(m->confidence >= 0.0f && m->confidence <= 1.0f);
                }
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size > MAX_INPUT)
                return 0;
        /* An exactly sized heap copy, so that AddressSanitizer sees any read past the end. */
        char *text = malloc(size ? size : 1);
        FUZZ_CHECK(text != NULL);
        memcpy(text, data, size);

        if (!ne_utf8_is_valid(text, size, NULL)) {
                FUZZ_CHECK(ne_tokenize(text, size, fields[1].toks, MAX_INPUT) == -EILSEQ);
                goto out;
        }
        const char *nl = memchr(text, '\n', size);
        size_t title_len = nl ? (size_t)(nl - text) : 0;
        fields[0].text = text;
        fields[0].len = title_len;
        fields[1].text = nl ? nl + 1 : text;
        fields[1].len = nl ? size - title_len - 1 : size;
        tag_field(&fields[0]);
        tag_field(&fields[1]);

        struct ne_entity_input in[2];
        for (int i = 0; i < 2; i++)
                in[i] = (struct ne_entity_input){.field = i == 0 ? NE_FIELD_TITLE : NE_FIELD_BODY,
                                                 .text = fields[i].text,
                                                 .toks = fields[i].toks,
                                                 .n_toks = fields[i].n_toks,
                                                 .spans = fields[i].spans,
                                                 .n_spans = fields[i].n_spans};
        struct ne_enrichment *enr = ne_enrichment_new();
        struct ne_diag diag;
        FUZZ_CHECK(enr != NULL);
        FUZZ_CHECK(ne_entities_build(in, 2, MAX_ENTITIES, enr, &diag) == 0);
        check_entities(enr);
        ne_enrichment_free(enr);
out:
        free(text);
        return 0;
}
