/* The news tokenizer: UTF-8 text in, struct ne_token array out, following the CoNLL-2003 / Penn
 * Treebank conventions the tagger is trained on, with sentence, line and paragraph starts
 * flagged. Pure and allocation-free: the caller owns the text and the token array, so one
 * token buffer per thread serves every article. Safe to call from any thread.
 *
 * Conventions (tests/unit/test_tokenize.c has a table of them):
 *   - possessives and clitics split: "Germany 's", "Germany ’s", "does n't", "ca n't", "I 'm",
 *     "States '"; names keep inner apostrophes: "O'Brien", "d'Italia", "rock'n'roll";
 *   - hyphenated words, numbers, dates, times, fractions whole: "EU-wide", "1,000", "3.5bn",
 *     "1996-08-22", "10:30", "1/2", "AT&T", "U.S.-led", "+44", "'90s";
 *   - abbreviations keep their period ("U.S.", "a.m.", "Mr.", "Corp.", "F."), except that a
 *     sentence-final one gives it up as CoNLL writes it ("Apple Inc ." before a new sentence);
 *   - currency signs and % split ("$ 3.5", "12 %", "€ 40") but "US$", "HK$", "C$" whole;
 *   - quotes, brackets and punctuation are tokens; runs stay together ("--", "...", "?!");
 *     Unicode dashes, quotes and … are tokens too (see ne_token_norm for their ASCII forms);
 *   - URLs (http://, https://, ftp://, www.), e-mail addresses, #hashtags and @handles whole;
 *   - letters of any script form words ("Zürich", "Łódź", "Москва"); CJK ideographs and kana
 *     are one token each; emoji (with modifiers and ZWJ sequences) are one token each;
 *   - spaces include NBSP, the Unicode spaces, U+3000 and a BOM; U+2028 is a line break and
 *     U+2029 a paragraph break.
 * Sentence starts are heuristic (daemon/enrich/sentence.c): after . ! ? before anything but a
 * lowercase word; after an abbreviation or ellipsis only before a sentence-starting function
 * word ("The", "He"), so "the U.S. Senate" stays one sentence; never after a title ("Mr.") or
 * initial; at a blank line; at a line break unless the next line starts lowercase or the last
 * ended with , ; : or an opening bracket; after a dateline ("BRUSSELS, Aug 22 (Reuters) -"). */
#ifndef NE_TOKENIZE_H
#define NE_TOKENIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ne/token.h"

/* Longest text ne_tokenize accepts, so that offsets fit uint32_t and the count an int. */
#define NE_TOKENIZE_MAX_LEN ((size_t)INT32_MAX)

/* Tokenizes text[0..len) into toks[0..max). Tokens are in text order, never empty, never
 * overlap, and never contain whitespace.
 * Every token carries byte and code point offsets into text and NE_TOK_* flags; the first token
 * has SENT_START, LINE_START and PARA_START.
 *
 * Returns the number of tokens (0 for empty or all-whitespace text), or
 *   -EINVAL    text is NULL while len > 0, or toks is NULL while max > 0;
 *   -EOVERFLOW len > NE_TOKENIZE_MAX_LEN;
 *   -EILSEQ    text is not well-formed UTF-8 or holds a NUL byte;
 *   -E2BIG     more than max tokens are needed: grow toks and call again. Since every token
 *              holds at least one byte, ne_tokenize_bound(len) tokens always suffice; English
 *              news averages about 5 bytes a token, so len / 4 + 16 rarely needs a retry.
 * On error toks[0..max) may have been written. Never allocates, never reads past text + len. */
int ne_tokenize(const char *text, size_t len, struct ne_token *toks, size_t max);

/* An upper bound on the token count for len bytes of text (len itself). */
size_t ne_tokenize_bound(size_t len);

/* Writes the normalised form of tok (a token of text) into out, the form the tagger matches
 * against CoNLL-2003: curly single quotes, apostrophes and single guillemets (‘ ’ ‚ ‹ ›) become
 * ' (so "’s" is "'s"); double quotes and guillemets (“ ” „ « » and the tokens `` '') become ";
 * an em dash becomes --; en dashes, Unicode hyphens and minus become -; … becomes ...; soft
 * hyphens and zero-width joiners are dropped. Other bytes are copied unchanged (no case
 * folding). text and tok must be valid (a token ne_tokenize produced from text).
 *
 * Like snprintf: returns the length of the full normalised form (without the NUL); writes at
 * most cap - 1 bytes plus a NUL when cap > 0, truncating only on a UTF-8 character boundary.
 * A return >= cap means out was too small. Never allocates. */
size_t ne_token_norm(const char *text, const struct ne_token *tok, char *out, size_t cap);

/* Simple lowercase mapping for the scripts news text uses most (ASCII, Latin-1, Latin
 * Extended-A, Greek, Cyrillic); other code points are returned unchanged. Used to compare
 * all-caps headline forms with body forms. */
int32_t ne_tokenize_lower(int32_t cp);

/* True when cp is an uppercase letter in the scripts ne_tokenize_lower covers. */
bool ne_tokenize_is_upper(int32_t cp);

#endif
