/* The tokenizer's scanner: cuts UTF-8 news text into tokens the way CoNLL-2003 / the Penn
 * Treebank did, in one left-to-right pass with no allocation and no backtracking beyond a
 * token. A word is a run of letters and digits joined by word-internal hyphens, periods
 * ("U.S", "3.5"), digit separators ("1,000", "10:30", "1/2"), "&" between capitals ("S&P") and
 * apostrophes before letters ("O'Brien"); afterwards a trailing period is attached to
 * abbreviations and initials, and clitics ("'s", "n't", "'ll") are split off. URLs and e-mail
 * addresses are single tokens; every other punctuation mark is a token of its own, with runs
 * ("--", "...", "?!") kept together. Sentence decisions live in sentence.c. */
#include <errno.h>
#include <string.h>

#include "charclass.h"
#include "ne/tokenize.h"
#include "sentence.h"

struct scan {
        const unsigned char *s;
        size_t len;
        struct ne_token *toks;
        size_t max;
        size_t n;
        size_t cp_at;      /* byte offset up to which code points are counted */
        size_t cp;         /* code points in s[0..cp_at) */
        unsigned newlines; /* line breaks since the previous token */
        bool space_before; /* whitespace (or nothing) precedes the token being cut */
        bool abbr_end;     /* the last token is an abbreviation that may end a sentence */
        struct sent_state st;
};

/* One word as the word scanner saw it. */
struct word {
        size_t end;
        unsigned n_upper, n_lower, n_digit, n_dot;
        unsigned seg, max_seg; /* letters between periods: "U.S" has segments of 1 */
        size_t apos;           /* offset of the last word-internal apostrophe, or 0 */
        size_t apos_len;
        bool whole; /* URL or e-mail: no period or clitic handling */
};

static size_t cp_of(struct scan *sc, size_t pos)
{
        const unsigned char *s = sc->s;
        size_t n = sc->cp;
        for (size_t i = sc->cp_at; i < pos; i++)
                n += (s[i] & 0xC0) != 0x80;
        sc->cp_at = pos;
        sc->cp = n;
        return n;
}

static enum cc class_at(const struct scan *sc, size_t pos, size_t *ret_n)
{
        if (pos >= sc->len) {
                *ret_n = 0;
                return CC_SPACE; /* the end of the text behaves like whitespace */
        }
        if (sc->s[pos] < 0x80) {
                *ret_n = 1;
                return (enum cc)cc_ascii[sc->s[pos]];
        }
        int32_t cp;
        return cc_at(sc->s, sc->len, pos, ret_n, &cp);
}

static unsigned char byte_at(const struct scan *sc, size_t pos)
{
        return pos < sc->len ? sc->s[pos] : 0;
}

/* CoNLL writes a sentence-final abbreviation as "Inc ." and "U.S .": once a sentence is
 * known to end after "Inc.", its period becomes a token of its own. */
static int split_final_period(struct scan *sc)
{
        if (sc->n == sc->max)
                return -E2BIG;
        struct ne_token *prev = &sc->toks[sc->n - 1];
        struct ne_token *dot = &sc->toks[sc->n++];
        prev->end--;
        prev->cp_end--;
        *dot = (struct ne_token){.start = prev->end,
                                 .end = prev->end + 1,
                                 .cp_start = prev->cp_end,
                                 .cp_end = prev->cp_end + 1};
        sc->abbr_end = false;
        return 0;
}

static int emit(struct scan *sc, size_t start, size_t end, const struct tokinfo *ti)
{
        if (sc->n == sc->max)
                return -E2BIG;
        uint32_t flags = sent_flags(&sc->st, sc->s + start, end - start, ti, sc->newlines);
        if ((flags & NE_TOK_SENT_START) && sc->abbr_end) {
                int r = split_final_period(sc);
                if (r < 0 || sc->n == sc->max)
                        return -E2BIG;
        }
        struct ne_token *tok = &sc->toks[sc->n++];
        tok->start = (uint32_t)start;
        tok->end = (uint32_t)end;
        tok->cp_start = (uint32_t)cp_of(sc, start);
        tok->cp_end = (uint32_t)cp_of(sc, end);
        tok->flags = flags;
        sc->newlines = 0;
        sc->space_before = false;
        sc->abbr_end = ti->kind == K_ABBR_END && sc->s[end - 1] == '.';
        return 0;
}

static int emit_kind(struct scan *sc, size_t start, size_t end, enum tok_kind kind)
{
        struct tokinfo ti = {.kind = kind, .first = CC_PUNCT, .caps = false};
        return emit(sc, start, end, &ti);
}

static bool has_prefix_ci(const struct scan *sc, size_t pos, const char *prefix)
{
        for (size_t i = 0; prefix[i]; i++) {
                unsigned char c = byte_at(sc, pos + i);
                if (c >= 'A' && c <= 'Z')
                        c = (unsigned char)(c + 32);
                if (c != (unsigned char)prefix[i])
                        return false;
        }
        return true;
}

/* A URL starting at pos: its end, or 0. It runs to whitespace or a non-ASCII byte, minus
 * trailing punctuation that belongs to the sentence (a ")" stays if it closes a "(" inside). */
static size_t url_end(const struct scan *sc, size_t pos)
{
        size_t q, nb;
        if (has_prefix_ci(sc, pos, "http://"))
                q = pos + 7;
        else if (has_prefix_ci(sc, pos, "https://"))
                q = pos + 8;
        else if (has_prefix_ci(sc, pos, "ftp://"))
                q = pos + 6;
        else if (has_prefix_ci(sc, pos, "www.") && cc_is_word(class_at(sc, pos + 4, &nb)))
                q = pos + 4;
        else
                return 0;
        int parens = 0;
        while (q < sc->len) {
                unsigned char c = sc->s[q];
                if (c >= 0x80 || c <= ' ' || c == '"' || c == '<' || c == '>' || c == 0x7F)
                        break;
                parens += (c == '(') - (c == ')');
                q++;
        }
        while (q > pos) {
                unsigned char c = sc->s[q - 1];
                if (c == ')' && parens < 0) {
                        parens++;
                        q--;
                } else if (strchr(".,;:!?'`]}", c)) {
                        q--;
                } else {
                        break;
                }
        }
        return q;
}

/* Domain of an e-mail address after the '@' at pos: labels joined by periods, at least two;
 * returns its end, or 0. */
static size_t email_end(const struct scan *sc, size_t pos)
{
        size_t q = pos + 1, end = 0;
        unsigned labels = 0;
        for (;;) {
                size_t l = q;
                while (q < sc->len && sc->s[q] < 0x80 &&
                       (cc_is_word((enum cc)cc_ascii[sc->s[q]]) || sc->s[q] == '-'))
                        q++;
                if (q == l)
                        break;
                labels++;
                end = q;
                if (byte_at(sc, q) != '.')
                        break;
                q++;
        }
        return labels >= 2 ? end : 0;
}

static void count_char(struct word *w, enum cc c)
{
        switch (c) {
        case CC_UPPER:
                w->n_upper++;
                w->seg++;
                break;
        case CC_LOWER:
        case CC_LETTER:
                w->n_lower += c == CC_LOWER;
                w->seg++;
                break;
        case CC_DIGIT:
                w->n_digit++;
                break;
        default:
                break;
        }
        if (w->seg > w->max_seg)
                w->max_seg = w->seg;
}

/* Scans a word starting at pos (at a letter or digit, or at a sign or # already judged to
 * belong to it). Stops before anything that is not a word character or a connector followed by
 * one; never consumes an ill-formed byte (the main loop reports it). */
static void scan_word(const struct scan *sc, size_t pos, struct word *w)
{
        const unsigned char *s = sc->s;
        size_t q = pos;
        enum cc prev = CC_SPACE;
        memset(w, 0, sizeof(*w));
        while (q < sc->len) {
                size_t nb, nb2;
                enum cc c = class_at(sc, q, &nb);
                if (cc_is_word(c) || (c == CC_MARK && q > pos)) {
                        count_char(w, c);
                        q += nb;
                        prev = c;
                        continue;
                }
                if (c == CC_BAD)
                        break;
                unsigned char b = s[q];
                enum cc next = class_at(sc, q + nb, &nb2);
                bool join = false;
                if (b == '-' || b == '_' || c == CC_HYPHEN) {
                        join = cc_is_word(next);
                } else if (c == CC_APOS) {
                        join = cc_is_alpha(next) && prev != CC_DIGIT;
                        if (join) {
                                w->apos = q;
                                w->apos_len = nb;
                        }
                } else if (b == '.') {
                        if (byte_at(sc, q + 1) == '-' && cc_is_word(class_at(sc, q + 2, &nb2)) &&
                            (w->n_dot > 0 || abbr_lookup(s + pos, q - pos) != ABBR_NONE)) {
                                nb = 2; /* "U.S.-led", "Wash.-based" */
                                join = true;
                        } else {
                                join = cc_is_word(next);
                        }
                        if (join) {
                                w->n_dot++;
                                w->seg = 0;
                        }
                } else if (b == ',' || b == ':' || b == '/') {
                        join = prev == CC_DIGIT && next == CC_DIGIT;
                } else if (b == '&') {
                        join = prev == CC_UPPER && next == CC_UPPER;
                } else if (b == '@' && cc_is_word(next)) {
                        size_t e = email_end(sc, q);
                        if (e) {
                                w->end = e;
                                w->whole = true;
                                return;
                        }
                } else if (b == '$' && q - pos <= 3 && (size_t)w->n_upper == q - pos) {
                        /* "US$", "HK$", "C$" as CoNLL has them */
                        q++;
                        break;
                }
                if (!join)
                        break;
                q += nb;
                prev = c;
        }
        w->end = q;
}

static bool is_clitic(const unsigned char *s, size_t n)
{
        static const char *const clitics[] = {"s", "d", "m", "ll", "re", "ve"};
        for (size_t i = 0; i < sizeof(clitics) / sizeof(clitics[0]); i++) {
                size_t k = strlen(clitics[i]);
                if (k != n)
                        continue;
                size_t j = 0;
                while (j < k && (s[j] | 0x20) == (unsigned char)clitics[i][j])
                        j++;
                if (j == k)
                        return true;
        }
        return false;
}

/* Where a clitic starts inside word [pos, w->end): "does|n't", "it|'s", "we|'ll"; 0 if none. */
static size_t clitic_split(const struct scan *sc, size_t pos, const struct word *w)
{
        const unsigned char *s = sc->s;
        if (!w->apos || w->whole)
                return 0;
        size_t after = w->apos + w->apos_len;
        if (after + 1 == w->end && (s[after] | 0x20) == 't' && w->apos > pos + 1 &&
            (s[w->apos - 1] | 0x20) == 'n')
                return w->apos - 1;
        if (w->apos > pos && is_clitic(s + after, w->end - after))
                return w->apos;
        return 0;
}

/* Whether the period right after word [pos, w->end) belongs to it, and what it makes. */
static enum tok_kind period_kind(const struct scan *sc, size_t pos, const struct word *w,
                                 enum cc first)
{
        size_t n = w->end - pos, nb;
        if (w->whole || byte_at(sc, w->end) != '.' || byte_at(sc, w->end + 1) == '.')
                return K_WORD;
        if (w->n_dot > 0 && w->n_digit == 0 && w->max_seg <= 2)
                return K_ABBR_END; /* "U.S.", "a.m.", "Ph.D." */
        if (first == CC_UPPER) {
                class_at(sc, pos, &nb);
                if (n == nb)
                        return K_ABBR_MID; /* an initial: "John F. Kennedy" */
        }
        switch (abbr_lookup(sc->s + pos, n)) {
        case ABBR_MID:
                /* "No. 1" but not "No." answering a question */
                if ((sc->s[pos] == 'N' && (n == 2 || n == 3)) &&
                    !(byte_at(sc, w->end + 1) == ' ' && class_at(sc, w->end + 2, &nb) == CC_DIGIT))
                        return K_WORD;
                return K_ABBR_MID;
        case ABBR_END:
                return K_ABBR_END;
        case ABBR_NONE:
                break;
        }
        /* "1." numbering a list line, as CoNLL's results tables have it */
        if (w->n_digit == n && n <= 3 && (sc->newlines > 0 || sc->n == 0) &&
            class_at(sc, w->end + 1, &nb) == CC_SPACE && w->end + 1 < sc->len)
                return K_ABBR_MID;
        return K_WORD;
}

static int cut_word(struct scan *sc, size_t pos, size_t body, enum cc first)
{
        struct word w;
        size_t e = url_end(sc, pos);
        if (e) {
                memset(&w, 0, sizeof(w));
                w.end = e;
                w.whole = true;
        } else {
                scan_word(sc, body, &w);
        }
        struct tokinfo ti = {
            .kind = K_WORD, .first = first, .caps = w.n_upper >= 2 && w.n_lower == 0 && !w.whole};
        enum tok_kind pk = period_kind(sc, pos, &w, first);
        if (pk != K_WORD) {
                ti.kind = pk;
                return emit(sc, pos, w.end + 1, &ti);
        }
        size_t split = clitic_split(sc, pos, &w);
        if (!split)
                return emit(sc, pos, w.end, &ti);
        int r = emit(sc, pos, split, &ti);
        if (r < 0)
                return r;
        ti.first = CC_PUNCT;
        ti.caps = false;
        return emit(sc, split, w.end, &ti);
}

/* An apostrophe opening a token: a clitic written apart ("Germany 's"), a year ("'96",
 * "'90s"), a doubled quote ('') or a lone quote. */
static int cut_apostrophe(struct scan *sc, size_t pos, size_t nb)
{
        size_t q = pos + nb, k = 0, n2;
        while (k < 2 && q + k < sc->len && sc->s[q + k] < 0x80 &&
               cc_is_alpha((enum cc)cc_ascii[sc->s[q + k]]))
                k++;
        if (k > 0 && !cc_is_word(class_at(sc, q + k, &n2)) && is_clitic(sc->s + q, k))
                return emit_kind(sc, pos, q + k, K_WORD);
        if (class_at(sc, q, &n2) == CC_DIGIT && class_at(sc, q + 1, &n2) == CC_DIGIT) {
                struct word w;
                scan_word(sc, q, &w);
                if (w.end - q <= 4 && w.n_dot == 0)
                        return emit_kind(sc, pos, w.end, K_WORD);
        }
        if (sc->s[pos] == '\'' && byte_at(sc, q) == '\'')
                return emit_kind(sc, pos, q + 1, sc->space_before ? K_OPEN : K_CLOSE);
        return emit_kind(sc, pos, q, sc->space_before ? K_OPEN : K_CLOSE);
}

/* End of a run of the byte at pos (for "--", "...", "**"). */
static size_t run_end(const struct scan *sc, size_t pos, const char *set)
{
        size_t q = pos + 1;
        while (q < sc->len && sc->s[q] && strchr(set, sc->s[q]))
                q++;
        return q;
}

static bool is_cjk_stop(int32_t cp)
{
        return cp == 0x3002 || cp == 0xFF01 || cp == 0xFF0E || cp == 0xFF1F || cp == 0x061F ||
               cp == 0x06D4 || cp == 0x0964 || cp == 0x0965;
}

/* The byte before pos ends a word (so a sign or # at pos is not a prefix). Non-ASCII counts as
 * a letter: most of it is. */
static bool after_word(const struct scan *sc, size_t pos)
{
        if (sc->space_before || pos == 0)
                return false;
        unsigned char b = sc->s[pos - 1];
        return b >= 0x80 || cc_is_word((enum cc)cc_ascii[b]);
}

/* ASCII punctuation at pos. */
static int cut_ascii_punct(struct scan *sc, size_t pos)
{
        unsigned char b = sc->s[pos];
        size_t n2;
        enum cc next = class_at(sc, pos + 1, &n2);
        switch (b) {
        case '.':
                if (next == CC_DIGIT &&
                    !after_word(sc, pos))
                        return cut_word(sc, pos, pos + 1, CC_DIGIT); /* ".5", "$.85" */
                if (byte_at(sc, pos + 1) == '.')
                        return emit_kind(sc, pos, run_end(sc, pos, "."), K_ELLIPSIS);
                return emit_kind(sc, pos, pos + 1, K_STOP);
        case '!':
        case '?':
                return emit_kind(sc, pos, run_end(sc, pos, "!?"), K_STOP);
        case '-':
                return emit_kind(sc, pos, run_end(sc, pos, "-"), K_DASH);
        case '+':
                if (next == CC_DIGIT && !after_word(sc, pos))
                        return cut_word(sc, pos, pos + 1, CC_DIGIT); /* "+44", "+0.05" */
                return emit_kind(sc, pos, run_end(sc, pos, "+"), K_OTHER);
        case '#':
        case '@':
                if (cc_is_alpha(next) && !after_word(sc, pos))
                        return cut_word(sc, pos, pos + 1, CC_PUNCT); /* #hashtag, @handle */
                return emit_kind(sc, pos, b == '#' ? run_end(sc, pos, "#") : pos + 1, K_OTHER);
        case '*':
        case '=':
        case '_':
        case '~':
                return emit_kind(sc, pos, run_end(sc, pos, (const char[]){(char)b, 0}), K_OTHER);
        case '`':
                return emit_kind(sc, pos, run_end(sc, pos, "`"), K_OPEN);
        case '"':
                /* a straight quote closes when it is glued to the word before, or ends a line */
                if (next == CC_NL || next == CC_PARA || pos + 1 == sc->len)
                        return emit_kind(sc, pos, pos + 1, K_CLOSE);
                return emit_kind(sc, pos, pos + 1, sc->space_before ? K_OPEN : K_CLOSE);
        case '(':
        case '[':
        case '{':
                return emit_kind(sc, pos, pos + 1, K_OPEN);
        case ')':
        case ']':
        case '}':
                return emit_kind(sc, pos, pos + 1, K_CLOSE);
        case ',':
        case ';':
        case ':':
                return emit_kind(sc, pos, pos + 1, K_CONT);
        default:
                return emit_kind(sc, pos, pos + 1, K_OTHER);
        }
}

/* A symbol, ideograph or stray mark, with the marks and joined symbols that follow it. */
static size_t cluster_end(const struct scan *sc, size_t pos, size_t nb, bool join_syms)
{
        size_t q = pos + nb, n2;
        for (;;) {
                enum cc c = class_at(sc, q, &n2);
                if (c != CC_MARK)
                        break;
                q += n2;
                /* a zero-width joiner glues emoji sequences ("family" emoji) together */
                if (join_syms && n2 == 3 && sc->s[q - 3] == 0xE2 && sc->s[q - 2] == 0x80 &&
                    sc->s[q - 1] == 0x8D && class_at(sc, q, &n2) == CC_SYM)
                        q += n2;
        }
        return q;
}

static int cut_token(struct scan *sc, size_t pos, enum cc c, size_t nb)
{
        int32_t cp;
        switch (c) {
        case CC_UPPER:
        case CC_LOWER:
        case CC_LETTER:
        case CC_DIGIT:
                return cut_word(sc, pos, pos, c);
        case CC_CJK: {
                struct tokinfo ti = {.kind = K_WORD, .first = CC_LETTER, .caps = false};
                return emit(sc, pos, cluster_end(sc, pos, nb, false), &ti);
        }
        case CC_SYM:
        case CC_MARK:
                return emit_kind(sc, pos, cluster_end(sc, pos, nb, true), K_WORD);
        case CC_QOPEN:
                return emit_kind(sc, pos, pos + nb, K_OPEN);
        case CC_QCLOSE:
                return emit_kind(sc, pos, pos + nb, K_CLOSE);
        case CC_APOS:
                return cut_apostrophe(sc, pos, nb);
        case CC_HYPHEN:
                return emit_kind(sc, pos, pos + nb, K_DASH);
        case CC_DASH:
                /* runs of the same dash ("——") stay one token */
                {
                        size_t q = pos + nb;
                        while (q + nb <= sc->len && memcmp(sc->s + q, sc->s + pos, nb) == 0)
                                q += nb;
                        return emit_kind(sc, pos, q, K_DASH);
                }
        case CC_ELLIPSIS:
                return emit_kind(sc, pos, pos + nb, K_ELLIPSIS);
        case CC_PUNCT:
                if (sc->s[pos] < 0x80)
                        return cut_ascii_punct(sc, pos);
                cc_at(sc->s, sc->len, pos, &nb, &cp);
                return emit_kind(sc, pos, pos + nb, is_cjk_stop(cp) ? K_STOP : K_OTHER);
        default:
                return emit_kind(sc, pos, pos + nb, K_OTHER);
        }
}

size_t ne_tokenize_bound(size_t len)
{
        return len;
}

int ne_tokenize(const char *text, size_t len, struct ne_token *toks, size_t max)
{
        if ((!text && len > 0) || (!toks && max > 0))
                return -EINVAL;
        if (len > NE_TOKENIZE_MAX_LEN)
                return -EOVERFLOW;
        struct scan sc = {.s = (const unsigned char *)text,
                          .len = len,
                          .toks = toks,
                          .max = max,
                          .space_before = true};
        size_t pos = 0;
        while (pos < len) {
                size_t nb;
                enum cc c = class_at(&sc, pos, &nb);
                switch (c) {
                case CC_BAD:
                        return -EILSEQ;
                case CC_SPACE:
                        sc.space_before = true;
                        pos += nb;
                        continue;
                case CC_NL:
                case CC_PARA:
                        sc.newlines += c == CC_PARA ? 2 : 1;
                        sc.space_before = true;
                        pos += nb;
                        continue;
                default:
                        break;
                }
                int r = cut_token(&sc, pos, c, nb);
                if (r < 0)
                        return r;
                /* every cut emits at least one token and ends where its last token ends */
                pos = sc.toks[sc.n - 1].end;
        }
        if (sc.abbr_end) {
                int r = split_final_period(&sc);
                if (r < 0)
                        return r;
        }
        return (int)sc.n;
}
