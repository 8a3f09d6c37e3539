/* Tokens as the tokenizer produces them and the tagger consumes them. A token borrows its text
 * from the caller's buffer; offsets are UTF-8 bytes into that buffer. */
#ifndef NE_TOKEN_H
#define NE_TOKEN_H

#include <stddef.h>
#include <stdint.h>

enum ne_token_flag {
        NE_TOK_SENT_START = 1u << 0, /* first token of a sentence */
        NE_TOK_LINE_START = 1u << 1, /* first token on its line (datelines, bylines, headings) */
        NE_TOK_PARA_START = 1u << 2, /* first token after a blank line */
};

struct ne_token {
        uint32_t start;    /* byte offset of the first byte */
        uint32_t end;      /* byte offset one past the last byte */
        uint32_t cp_start; /* code point offset of the first character */
        uint32_t cp_end;
        uint32_t flags;    /* enum ne_token_flag bits */
};

#endif
