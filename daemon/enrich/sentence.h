/* Sentence, line and paragraph flags for the tokenizer (internal to daemon/enrich). The scanner
 * tells this module what kind of token it just cut; this module decides, one token late, where
 * sentences start, and knows which abbreviations keep their period. */
#ifndef NE_ENRICH_SENTENCE_H
#define NE_ENRICH_SENTENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "charclass.h"

/* What a token is, as far as sentence boundaries care. */
enum tok_kind {
        K_WORD,     /* words, numbers, URLs, symbols */
        K_STOP,     /* . ! ? and runs of them */
        K_ABBR_END, /* "Inc." "U.S." "etc.": a sentence may end here */
        K_ABBR_MID, /* "Mr." "Dr." "F.": a name follows, never a sentence end */
        K_ELLIPSIS, /* ... and U+2026 */
        K_OPEN,     /* ( [ { and opening quotes */
        K_CLOSE,    /* ) ] } and closing quotes: belong to the sentence before */
        K_CONT,     /* , ; : — the sentence goes on, even across a line break */
        K_DASH,     /* - -- and Unicode dashes standing alone */
        K_OTHER,    /* any other punctuation */
};

struct tokinfo {
        enum tok_kind kind;
        enum cc first; /* class of the first character */
        bool caps;     /* a word of two or more letters, all uppercase */
};

enum pending {
        PEND_NONE,
        PEND_STRONG,   /* after . ! ?: a capital, digit or quote starts a sentence */
        PEND_ABBR,     /* after "U.S." or "...": only a sentence-starter word does */
        PEND_DATELINE, /* after "BRUSSELS, Aug 22 (Reuters) -": the story starts */
};

struct sent_state {
        enum pending pend;
        enum tok_kind prev;
        unsigned line_pos; /* index of the token on its line */
        bool line_caps;    /* the line opened with an all-caps word, as datelines do */
        bool first_done;
};

/* Returns the NE_TOK_* flags of the next token (text tok[0..n)), which follows `newlines` line
 * breaks (2 or more: a blank line), and updates the state. */
uint32_t sent_flags(struct sent_state *st, const unsigned char *tok, size_t n,
                    const struct tokinfo *ti, unsigned newlines);

enum abbr {
        ABBR_NONE,
        ABBR_MID, /* titles, "No.", "vs.": never end a sentence */
        ABBR_END, /* companies, months, states, "etc.": may end one */
};

/* Looks a word (without its period) up in the abbreviation list; matches the listed form or,
 * for three letters or more, its all-uppercase form ("Corp", "CORP"; not "MS" for "Ms"). */
enum abbr abbr_lookup(const unsigned char *w, size_t n);

#endif
