/* Reader for CoNLL-2003 style NER data: one token per line, the token in the first column and
 * the entity tag (IOB1 or IOB2) in the last, blank lines between sentences and `-DOCSTART-`
 * lines between documents. The reader joins the tokens of a file into one text buffer (a space
 * between tokens, a newline between sentences) with ne_token offsets into it, so training,
 * evaluation and the daemon all feed the tagger the same way. Pure: no logging, no globals. */
#ifndef NE_CONLL_H
#define NE_CONLL_H

#include <stddef.h>
#include <stdint.h>

#include "ne/diag.h"
#include "ne/enrichment.h"
#include "ne/token.h"

/* Per-token gold tags after normalisation to IOB2: 0 is O, 1 + 2*type is B-type and
 * 2 + 2*type is I-type (type an enum ne_entity_type). */
#define NE_CONLL_TAG_O 0
#define NE_CONLL_TAG_B(type) ((uint8_t)(1 + 2 * (type)))
#define NE_CONLL_TAG_I(type) ((uint8_t)(2 + 2 * (type)))
#define NE_CONLL_MAX_TOKEN 1024      /* bytes; longer tokens are a format error */
#define NE_CONLL_MAX_TOKENS 50000000 /* per file */

struct ne_conll_corpus {
        char *text; /* owned; tokens joined as described above, NUL-terminated */
        size_t text_len;
        struct ne_token *toks; /* owned; n_toks entries, offsets into text */
        uint8_t *tags;         /* owned; n_toks IOB2 tags (NE_CONLL_TAG_*) */
        size_t n_toks;
        size_t *doc_start; /* owned; n_docs + 1 token indexes, doc d is
                            * [doc_start[d], doc_start[d + 1]) */
        size_t n_docs;
        size_t n_sents;
};

/* A gold or predicted entity: tokens [tok_begin, tok_end) of a corpus. */
struct ne_conll_span {
        uint32_t tok_begin, tok_end;
        enum ne_entity_type type;
};

/* Parses CoNLL data held in memory (len bytes, need not be NUL-terminated). A file without
 * -DOCSTART- lines is one document. Returns 0 and a new corpus in *ret, -EINVAL with the
 * 1-based line number in diag->line for a malformed line (no tag column, unknown tag, token
 * too long), or -ENOMEM. */
int ne_conll_parse(const char *data, size_t len, struct ne_conll_corpus **ret,
                   struct ne_diag *diag);

/* Reads and parses a file; errors as ne_conll_parse plus -errno from I/O. */
int ne_conll_read_file(const char *path, struct ne_conll_corpus **ret, struct ne_diag *diag);

/* Frees the corpus; accepts NULL. */
void ne_conll_free(struct ne_conll_corpus *corpus);

/* Writes the gold entities of tokens [begin, end) into ret_spans (at most max) and returns how
 * many there are in all (may exceed max; only max are written). An I- tag that follows O or
 * another type starts an entity, as IOB1 requires. */
size_t ne_conll_spans(const struct ne_conll_corpus *corpus, size_t begin, size_t end,
                      struct ne_conll_span *ret_spans, size_t max);

#endif
