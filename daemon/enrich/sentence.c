/* Sentence boundary decisions and the abbreviation list. Heuristics, tuned for news: a period,
 * ! or ? ends a sentence before anything but a lowercase word; after an abbreviation that can
 * end a sentence ("U.S.", "Inc.") or an ellipsis only a function word that is capitalised only
 * at a sentence start ("The", "He") opens a new one, so "the U.S. Senate" stays whole; titles
 * ("Mr.", "Dr.") and initials never end one. A blank line always starts a sentence, a single
 * line break does unless the next line starts lowercase or the previous ended with , ; : or an
 * opening bracket; a dateline dash ("BRUSSELS (Reuters) -", "WASHINGTON —") ends the
 * dateline. */
#include "sentence.h"

#include <string.h>

#include "ne/token.h"

struct abbr_entry {
        const char *w;
        enum abbr kind;
};

/* clang-format off */
static const struct abbr_entry abbrs[] = {
        /* titles and other words a name or number follows */
        {"Mr", ABBR_MID}, {"Mrs", ABBR_MID}, {"Ms", ABBR_MID}, {"Messrs", ABBR_MID},
        {"Mme", ABBR_MID}, {"Mlle", ABBR_MID}, {"Dr", ABBR_MID}, {"Prof", ABBR_MID},
        {"Gen", ABBR_MID}, {"Lt", ABBR_MID}, {"Col", ABBR_MID}, {"Maj", ABBR_MID},
        {"Capt", ABBR_MID}, {"Sgt", ABBR_MID}, {"Cpl", ABBR_MID}, {"Pvt", ABBR_MID},
        {"Adm", ABBR_MID}, {"Cmdr", ABBR_MID}, {"Brig", ABBR_MID}, {"Gov", ABBR_MID},
        {"Sen", ABBR_MID}, {"Rep", ABBR_MID}, {"Rev", ABBR_MID}, {"Fr", ABBR_MID},
        {"Hon", ABBR_MID}, {"Pres", ABBR_MID}, {"Supt", ABBR_MID}, {"Insp", ABBR_MID},
        {"Det", ABBR_MID}, {"Amb", ABBR_MID}, {"Atty", ABBR_MID}, {"St", ABBR_MID},
        {"Mt", ABBR_MID}, {"Ft", ABBR_MID}, {"No", ABBR_MID}, {"Nos", ABBR_MID},
        {"vs", ABBR_MID}, {"v", ABBR_MID}, {"Vol", ABBR_MID}, {"vol", ABBR_MID},
        {"pp", ABBR_MID}, {"Fig", ABBR_MID}, {"fig", ABBR_MID}, {"cf", ABBR_MID},
        {"Sec", ABBR_MID}, {"Sens", ABBR_MID}, {"Reps", ABBR_MID},
        /* companies, months, days, places, units: a sentence may end after them */
        {"Inc", ABBR_END}, {"Corp", ABBR_END}, {"Co", ABBR_END}, {"Cos", ABBR_END},
        {"Ltd", ABBR_END}, {"Plc", ABBR_END}, {"Bros", ABBR_END}, {"Pty", ABBR_END},
        {"Pte", ABBR_END}, {"Bhd", ABBR_END}, {"Cie", ABBR_END}, {"Cia", ABBR_END},
        {"Jr", ABBR_END}, {"Sr", ABBR_END}, {"Assn", ABBR_END}, {"Dept", ABBR_END},
        {"Univ", ABBR_END}, {"Intl", ABBR_END}, {"Natl", ABBR_END}, {"Mfg", ABBR_END},
        {"Ave", ABBR_END}, {"Blvd", ABBR_END}, {"Rd", ABBR_END}, {"etc", ABBR_END},
        {"al", ABBR_END}, {"approx", ABBR_END}, {"dept", ABBR_END}, {"est", ABBR_END},
        {"Jan", ABBR_END}, {"Feb", ABBR_END}, {"Mar", ABBR_END}, {"Apr", ABBR_END},
        {"Jun", ABBR_END}, {"Jul", ABBR_END}, {"Aug", ABBR_END}, {"Sep", ABBR_END},
        {"Sept", ABBR_END}, {"Oct", ABBR_END}, {"Nov", ABBR_END}, {"Dec", ABBR_END},
        {"Mon", ABBR_END}, {"Tue", ABBR_END}, {"Tues", ABBR_END}, {"Wed", ABBR_END},
        {"Thu", ABBR_END}, {"Thur", ABBR_END}, {"Thurs", ABBR_END}, {"Fri", ABBR_END},
        {"Sat", ABBR_END}, {"Ala", ABBR_END}, {"Ariz", ABBR_END}, {"Ark", ABBR_END},
        {"Calif", ABBR_END}, {"Colo", ABBR_END}, {"Conn", ABBR_END}, {"Del", ABBR_END},
        {"Fla", ABBR_END}, {"Ga", ABBR_END}, {"Ill", ABBR_END}, {"Ind", ABBR_END},
        {"Kan", ABBR_END}, {"Kans", ABBR_END}, {"Ky", ABBR_END}, {"La", ABBR_END},
        {"Md", ABBR_END}, {"Mass", ABBR_END}, {"Mich", ABBR_END}, {"Minn", ABBR_END},
        {"Miss", ABBR_END}, {"Mo", ABBR_END}, {"Mont", ABBR_END}, {"Neb", ABBR_END},
        {"Nev", ABBR_END}, {"Okla", ABBR_END}, {"Ore", ABBR_END}, {"Pa", ABBR_END},
        {"Penn", ABBR_END}, {"Tenn", ABBR_END}, {"Tex", ABBR_END}, {"Va", ABBR_END},
        {"Vt", ABBR_END}, {"Wash", ABBR_END}, {"Wis", ABBR_END}, {"Wyo", ABBR_END},
};
/* clang-format on */

/* Capitalised only at a sentence start (or in all-caps text). */
/* clang-format off */
static const char *const starters[] = {
        "The", "A", "An", "He", "She", "It", "They", "We", "I", "You", "This", "That", "These",
        "Those", "There", "Here", "In", "On", "At", "But", "And", "Or", "So", "If", "When",
        "While", "After", "Before", "As", "For", "With", "Its", "His", "Her", "Their", "Our",
        "My", "Your", "Some", "Many", "Most", "All", "No", "Not", "Yet", "Also", "However",
        "Meanwhile", "Since", "Although", "Though", "Because", "What", "Who", "Why", "How",
        "Where", "Earlier", "Later", "Last", "Next", "One", "Such", "Other", "Both", "Each",
        "Every", "Any", "Under", "Over", "From", "By", "To", "Then", "Now", "Still", "Only",
        "Even", "Instead", "Despite", "During", "Until", "According", "Asked", "Officials",
        "Analysts", "Police",
};
/* clang-format on */

/* w[0..n) equals the listed form, or its all-uppercase form when caps_ok. */
static bool word_is(const unsigned char *w, size_t n, const char *listed, bool caps_ok)
{
        size_t k = strlen(listed);
        if (k != n)
                return false;
        if (memcmp(w, listed, n) == 0)
                return true;
        if (!caps_ok)
                return false;
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)listed[i];
                if (c >= 'a' && c <= 'z')
                        c = (unsigned char)(c - 32);
                if (w[i] != c)
                        return false;
        }
        return true;
}

enum abbr abbr_lookup(const unsigned char *w, size_t n)
{
        if (n == 0 || n > 6)
                return ABBR_NONE;
        /* "MS." "FT." "SEC." at a sentence end are acronyms, not "Ms." "ft." "Sec." */
        bool caps_ok = n >= 3 && memcmp(w, "SEC", 3) != 0;
        for (size_t i = 0; i < sizeof(abbrs) / sizeof(abbrs[0]); i++)
                if (word_is(w, n, abbrs[i].w, caps_ok))
                        return abbrs[i].kind;
        return ABBR_NONE;
}

static bool is_starter(const unsigned char *w, size_t n)
{
        if (n == 0 || n > 10 || w[0] < 'A' || w[0] > 'Z')
                return false;
        for (size_t i = 0; i < sizeof(starters) / sizeof(starters[0]); i++)
                if (word_is(w, n, starters[i], true))
                        return true;
        return false;
}

static bool starts_sentence(const struct sent_state *st, const unsigned char *tok, size_t n,
                            const struct tokinfo *ti, unsigned newlines)
{
        bool lower = ti->first == CC_LOWER;
        if (newlines >= 2)
                return true;
        if (newlines == 1)
                return !lower && st->prev != K_CONT && st->prev != K_OPEN;
        if (ti->kind == K_CLOSE || ti->kind == K_CONT || ti->kind == K_STOP)
                return false;
        switch (st->pend) {
        case PEND_STRONG:
                return !lower;
        case PEND_DATELINE:
                /* not "SOCCER - GOTHENBURG PUT ...": an all-caps headline goes on */
                return !lower && !ti->caps;
        case PEND_ABBR:
                return is_starter(tok, n);
        case PEND_NONE:
                break;
        }
        return false;
}

static enum pending pending_after(const struct sent_state *st, const struct tokinfo *ti)
{
        switch (ti->kind) {
        case K_STOP:
                return PEND_STRONG;
        case K_ABBR_END:
        case K_ELLIPSIS:
                return PEND_ABBR;
        case K_CLOSE:
                /* a closing quote or bracket belongs to the sentence it closes */
                return st->pend == PEND_DATELINE ? PEND_NONE : st->pend;
        case K_DASH:
                /* "BRUSSELS, Aug 22 (Reuters) -" or "WASHINGTON —" */
                if (st->line_caps && (st->prev == K_CLOSE || st->line_pos == 1) &&
                    st->line_pos <= 12)
                        return PEND_DATELINE;
                return PEND_NONE;
        default:
                return PEND_NONE;
        }
}

uint32_t sent_flags(struct sent_state *st, const unsigned char *tok, size_t n,
                    const struct tokinfo *ti, unsigned newlines)
{
        uint32_t flags = 0;
        if (!st->first_done) {
                flags = NE_TOK_SENT_START | NE_TOK_LINE_START | NE_TOK_PARA_START;
                st->first_done = true;
        } else {
                if (newlines >= 2)
                        flags |= NE_TOK_PARA_START;
                if (newlines >= 1)
                        flags |= NE_TOK_LINE_START;
                if (starts_sentence(st, tok, n, ti, newlines))
                        flags |= NE_TOK_SENT_START;
        }
        if (flags & NE_TOK_LINE_START) {
                st->line_pos = 0;
                st->line_caps = ti->caps;
        } else {
                st->line_pos++;
        }
        st->pend = pending_after(st, ti);
        st->prev = ti->kind;
        return flags;
}
